"""Campaign files: a TOML file validated into a frozen :class:`CampaignSpec`.

A campaign names a scenario (see :func:`missions.campaign.adapters.adapter_names`),
a number of runs, a master seed, and its inputs: each either a constant or a
dispersion. Units are astropy unit strings; a value given in another unit than
the scenario's is converted once, here, so draws come out in the scenario's units.

.. code-block:: toml

    [campaign]
    name = "tag-reference"
    scenario = "touch-and-go"
    runs = 200
    seed = 20261129

    [inputs]
    hover_s = 10.0                                   # a constant, the scenario's unit
    descent_s = { value = 3, unit = "min" }          # a constant with a unit

    [inputs.period_min]                              # a dispersion
    distribution = "normal"
    mean = 28.3
    std = 0.2
    unit = "min"

Distributions: ``normal`` (mean, std), ``uniform`` (low, high), ``truncnormal``
(mean, std, low, high), ``lognormal`` (median, sigma of the natural log),
``choice`` (values, optional weights). A bad file raises one ``ValueError``
naming the key and what would be valid.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = ["DISTRIBUTIONS", "CampaignSpec", "Dispersion", "load_campaign", "parse_campaign"]

DISTRIBUTIONS = ("normal", "uniform", "truncnormal", "lognormal", "choice")
_CFG = ConfigDict(extra="forbid", frozen=True)


class _Normal(BaseModel):
    model_config = _CFG
    distribution: Literal["normal"]
    mean: float
    std: float = Field(ge=0)
    unit: str | None = None


class _Bounded(BaseModel):
    """A distribution with ``low`` < ``high``."""

    @model_validator(mode="after")
    def _order(self):
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be greater than low ({self.low})")
        return self


class _Uniform(_Bounded):
    model_config = _CFG
    distribution: Literal["uniform"]
    low: float
    high: float
    unit: str | None = None


class _TruncNormal(_Bounded):
    model_config = _CFG
    distribution: Literal["truncnormal"]
    mean: float
    std: float = Field(gt=0)
    low: float = -math.inf
    high: float = math.inf
    unit: str | None = None


class _LogNormal(BaseModel):
    model_config = _CFG
    distribution: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0, description="standard deviation of the natural log")
    unit: str | None = None


class _Choice(BaseModel):
    model_config = _CFG
    distribution: Literal["choice"]
    values: list[float | str] = Field(min_length=1)
    weights: list[float] | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _weights(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values has {len(self.values)}"
                )
            if any(w < 0 for w in self.weights) or not sum(self.weights) > 0:
                raise ValueError(f"weights must be >= 0 with a positive sum, got {self.weights}")
        return self


class _Constant(BaseModel):
    model_config = _CFG
    value: float | str
    unit: str | None = None


_KEYS = {
    "normal": _Normal,
    "uniform": _Uniform,
    "truncnormal": _TruncNormal,
    "lognormal": _LogNormal,
    "choice": _Choice,
}

Dispersion = Annotated[
    _Normal | _Uniform | _TruncNormal | _LogNormal | _Choice, Field(discriminator="distribution")
]


class CampaignSpec(BaseModel):
    """A validated campaign: scenario, runs, master seed, constants and dispersions (scenario units)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    name: str
    scenario: str
    runs: int = Field(ge=1)
    seed: int = Field(ge=0)
    batch: int | None = Field(default=None, ge=1)
    constants: dict[str, Any]
    dispersions: dict[str, Any]
    text: str = ""

    @property
    def dispersed(self) -> list[str]:
        """Names of the dispersed inputs, sorted (the order of the store's variables)."""
        return sorted(self.dispersions)

    def with_runs(self, runs: int) -> CampaignSpec:
        """The same campaign with another run count (``--runs`` on the command line)."""
        if int(runs) != runs or runs < 1:
            raise ValueError(f"runs must be a positive integer, got {runs!r}")
        return self.model_copy(update={"runs": int(runs)})

    def __repr__(self) -> str:
        return (
            f"CampaignSpec({self.name!r}: scenario {self.scenario!r}, {self.runs} runs, seed {self.seed}, "
            f"{len(self.dispersions)} dispersed inputs: {', '.join(self.dispersed) or '-'})"
        )

    __str__ = __repr__


def load_campaign(path: str | Path) -> CampaignSpec:
    """Read and validate a campaign file."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"campaign file {p} does not exist")
    return parse_campaign(p.read_text(), where=str(p))


def parse_campaign(text: str, where: str = "campaign") -> CampaignSpec:
    """Validate campaign TOML ``text``; errors name the key (``inputs.period_min.std``)."""
    from missions.campaign.adapters import get_adapter

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{where}: not valid TOML: {exc}") from None
    extra = set(doc) - {"campaign", "inputs"}
    if extra:
        raise ValueError(f"{where}: unknown table {sorted(extra)[0]!r}; valid: campaign, inputs")
    camp = doc.get("campaign")
    if not isinstance(camp, dict):
        raise ValueError(f"{where}: missing [campaign] table (keys: name, scenario, runs, seed)")
    valid = {"name", "scenario", "runs", "seed", "batch", "description"}
    for key in camp:
        if key not in valid:
            raise ValueError(
                f"{where}: campaign.{key} is not a campaign key; valid: {', '.join(sorted(valid))}"
            )
    for key in ("scenario", "runs", "seed"):
        if key not in camp:
            raise ValueError(f"{where}: campaign.{key} is missing")
    for key in ("runs", "seed", "batch"):
        v = camp.get(key)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < (key != "seed")):
            lim = "a non-negative" if key == "seed" else "a positive"
            raise ValueError(f"{where}: campaign.{key} must be {lim} integer, got {v!r}")
    try:
        adapter = get_adapter(str(camp["scenario"]))
    except ValueError as exc:
        raise ValueError(f"{where}: campaign.scenario: {exc}") from None
    inputs = doc.get("inputs", {})
    if not isinstance(inputs, dict):
        raise ValueError(f"{where}: inputs must be a table of input names")
    constants: dict[str, Any] = {}
    dispersions: dict[str, Any] = {}
    for name, raw in inputs.items():
        key = f"inputs.{name}"
        if name not in adapter.inputs:
            names = ", ".join(sorted(adapter.inputs))
            raise ValueError(
                f"{where}: {key}: scenario {adapter.name!r} has no input {name!r}; valid: {names}"
            )
        if adapter.check_input is not None:
            try:
                adapter.check_input(name)
            except ValueError as exc:
                raise ValueError(f"{where}: {key}: {exc}") from None
        spec = adapter.inputs[name]
        if isinstance(raw, dict) and "distribution" in raw:
            d = _validate(raw, key, where)
            dispersions[name] = _to_unit(d, spec, key, where)
        else:
            c = raw if isinstance(raw, dict) else {"value": raw}
            try:
                const = _Constant.model_validate(c)
            except ValidationError as exc:
                raise ValueError(
                    f"{where}: {key}: {_first(exc)}; give a number, a string, "
                    "{ value = ..., unit = ... } or a table with distribution = one of "
                    f"{', '.join(DISTRIBUTIONS)}"
                ) from None
            constants[name] = _const_to_unit(const, spec, key, where)
    return CampaignSpec(
        name=str(camp.get("name", Path(where).stem)),
        scenario=adapter.name,
        runs=camp["runs"],
        seed=camp["seed"],
        batch=camp.get("batch"),
        constants=constants,
        dispersions=dispersions,
        text=text,
    )


def _first(exc: ValidationError) -> str:
    e = exc.errors()[0]
    loc = ".".join(str(x) for x in e["loc"] if not isinstance(x, int))
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "extra_forbidden":
        return f"unexpected key {loc!r}"
    if e["type"] == "missing":
        return f"missing key {loc!r}"
    return f"{loc}: {msg}" if loc else msg


def _validate(raw: dict, key: str, where: str):
    kind = raw.get("distribution")
    if kind not in _KEYS:
        raise ValueError(
            f"{where}: {key}.distribution: unknown distribution {kind!r}; valid: {', '.join(DISTRIBUTIONS)}"
        )
    model = _KEYS[kind]
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        fields = ", ".join(f for f in model.model_fields if f != "distribution")
        errs = exc.errors()
        e = next((x for x in errs if x["type"] == "extra_forbidden"), errs[0])
        loc = ".".join(str(x) for x in e["loc"] if not isinstance(x, int))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = f"{key}.{loc} is not a key of a {kind} dispersion; valid: {fields}"
        elif e["type"] == "missing":
            msg = f"{key}.{loc} is missing; a {kind} dispersion takes {fields}"
        elif loc:
            msg = f"{key}.{loc}: {msg}"
        else:
            msg = f"{key}: {msg}"
        raise ValueError(f"{where}: {msg}") from None


def _factor(unit: str | None, target: str, key: str, where: str) -> float:
    import astropy.units as u

    if unit is None or unit == target:
        return 1.0
    try:
        given = u.Unit(unit)
    except ValueError:
        raise ValueError(f"{where}: {key}.unit: {unit!r} is not a unit astropy knows") from None
    try:
        return float(given.to(u.Unit(target) if target else u.dimensionless_unscaled))
    except u.UnitConversionError:
        want = target or "dimensionless"
        raise ValueError(
            f"{where}: {key}.unit: {unit!r} cannot be converted to {want!r}; give a unit of the same kind"
        ) from None


def _kind_check(value, spec, key: str, where: str) -> Any:
    if spec.kind == "any":
        return value
    if spec.kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"{where}: {key}: expects text, got {value!r}")
        return value
    if isinstance(value, str):
        raise ValueError(
            f"{where}: {key}: expects a number ({spec.unit or 'no unit'}), got {value!r}"
        )
    if spec.kind == "int":
        if float(value) != int(value):
            raise ValueError(f"{where}: {key}: expects an integer, got {value!r}")
        return int(value)
    return float(value)


def _const_to_unit(c: _Constant, spec, key: str, where: str) -> Any:
    if isinstance(c.value, str):
        return _kind_check(c.value, spec, key, where)
    f = _factor(c.unit, spec.unit, key, where)
    return _kind_check(c.value * f, spec, key, where)


def _to_unit(d, spec, key: str, where: str):
    if spec.kind in ("str", "int") and d.distribution != "choice":
        raise ValueError(
            f"{where}: {key}: input {spec.name!r} takes {'text' if spec.kind == 'str' else 'integers'}; "
            "disperse it with distribution = 'choice'"
        )
    if d.distribution == "choice":
        strs = [v for v in d.values if isinstance(v, str)]
        if strs and len(strs) != len(d.values):
            raise ValueError(f"{where}: {key}.values: mix of text and numbers; use one kind")
        f = 1.0 if strs else _factor(d.unit, spec.unit, key, where)
        vals = [_kind_check(v if strs else v * f, spec, key, where) for v in d.values]
        return d.model_copy(update={"values": vals, "unit": spec.unit})
    f = _factor(d.unit, spec.unit, key, where)
    scaled = {
        k: getattr(d, k) * f for k in ("mean", "std", "low", "high", "median") if hasattr(d, k)
    }
    return d.model_copy(update={**scaled, "unit": spec.unit})
