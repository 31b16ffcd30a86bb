"""The telemetry and telecommand dictionary: what each packet holds and what each command takes.

A :class:`Dictionary` is a flat, frozen picture of an XTCE document:

- :class:`PacketDef`: a telemetry packet type selected by APID (and PUS
  service/subservice), with every parameter at a fixed bit offset from the
  start of the packet, its CUC time fields and whether it ends in a CRC;
- :class:`ParameterDef`: type (``uint``, ``int``, ``float``, ``enum``,
  ``bool``), size in bits, unit, calibration (polynomial or table), limits
  (yellow/red low/high);
- :class:`CommandDef` / :class:`ArgumentDef`: a telecommand's APID,
  service/subservice and its typed, range-checked arguments;
- :class:`DerivedDef`: a parameter computed from others by an expression.

The XTCE file is the source of truth (:mod:`ground.xtce` reads and writes it);
a short TOML form compiles to XTCE for dictionaries written by hand. Load
either with :func:`load_dictionary`.

Commanding API (used by :mod:`ground.telecommand`)::

    d = load_dictionary()                      # the sample kamo dictionary
    cmd = d.command("HEATER_SET")              # CommandDef
    cmd.apid, cmd.service, cmd.subservice      # 100, 8, 1
    [(a.name, a.kind, a.bits, a.valid_min, a.valid_max) for a in cmd.arguments]
    app_data = cmd.encode_args({"HEATER_ID": 2, "STATE": "ON"})   # bytes; CommandError if invalid
    cmd.decode_args(app_data)                  # {"HEATER_ID": 2, "STATE": "ON"}
"""

from __future__ import annotations

import math
import struct
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ground.cuc import CucFormat

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DICTIONARY = DATA_DIR / "kamo_tm.xml"

KINDS = ("uint", "int", "float", "enum", "bool")


class DictionaryError(ValueError):
    """A dictionary file that cannot be used (names the file, the item and the problem)."""


class CommandError(ValueError):
    """A command or argument that violates its dictionary definition."""


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Calibration:
    """Raw -> engineering conversion: a polynomial ``sum c_k x^k`` or a piecewise-linear table."""

    kind: str  # "polynomial" or "table"
    coefficients: tuple[float, ...] = ()
    points: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if self.kind == "polynomial" and not self.coefficients:
            raise DictionaryError("a polynomial calibration needs at least one coefficient")
        if self.kind == "table":
            if len(self.points) < 2:
                raise DictionaryError("a table calibration needs at least two (raw, eng) points")
            raws = [p[0] for p in self.points]
            if any(b <= a for a, b in zip(raws, raws[1:], strict=False)):
                raise DictionaryError(f"table calibration raw values must increase, got {raws}")
        if self.kind not in ("polynomial", "table"):
            raise DictionaryError(
                f"calibration kind must be 'polynomial' or 'table', got {self.kind!r}"
            )

    def apply(self, raw) -> np.ndarray:
        x = np.asarray(raw, dtype=np.float64)
        if self.kind == "polynomial":
            out = np.zeros_like(x)
            for c in reversed(self.coefficients):
                out = out * x + c
            return out
        xs = np.array([p[0] for p in self.points])
        ys = np.array([p[1] for p in self.points])
        out = np.interp(x, xs, ys)
        # outside the table the value is unknown rather than clamped
        return np.where((x < xs[0]) | (x > xs[-1]), np.nan, out)


@dataclass(frozen=True)
class Limits:
    """Alarm limits on the engineering value: outside yellow is a warning, outside red critical."""

    yellow_low: float | None = None
    yellow_high: float | None = None
    red_low: float | None = None
    red_high: float | None = None

    def __post_init__(self) -> None:
        for lo, hi, name in (
            (self.yellow_low, self.yellow_high, "yellow"),
            (self.red_low, self.red_high, "red"),
        ):
            if lo is not None and hi is not None and lo > hi:
                raise DictionaryError(f"{name} limits low {lo} > high {hi}")


@dataclass(frozen=True)
class ParameterDef:
    """One telemetry parameter: type, size, unit, calibration, limits."""

    name: str
    kind: str
    bits: int
    unit: str = ""
    description: str = ""
    calibration: Calibration | None = None
    limits: Limits | None = None
    enumeration: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS and self.kind != "spare":
            raise DictionaryError(
                f"parameter {self.name}: type must be one of {KINDS} or spare, got {self.kind!r}"
            )
        if self.kind == "float" and self.bits not in (32, 64):
            raise DictionaryError(
                f"parameter {self.name}: floats are 32 or 64 bits, got {self.bits}"
            )
        if self.kind == "spare":
            if self.bits < 1:
                raise DictionaryError(f"spare {self.name}: size must be >= 1 bit, got {self.bits}")
        elif not 1 <= self.bits <= 64:
            raise DictionaryError(
                f"parameter {self.name}: size must be 1..64 bits, got {self.bits}"
            )

    @property
    def signed(self) -> bool:
        return self.kind == "int"

    @property
    def raw_dtype(self) -> np.dtype:
        if self.kind == "float":
            return np.dtype(np.float32 if self.bits == 32 else np.float64)
        if self.kind == "bool":
            return np.dtype(np.bool_)
        size = 8 if self.bits <= 8 else 16 if self.bits <= 16 else 32 if self.bits <= 32 else 64
        return np.dtype(f"{'i' if self.signed else 'u'}{size // 8}")

    def engineering(self, raw) -> np.ndarray:
        """Engineering values from raw values (calibrated floats, or the raw value itself)."""
        if self.calibration is not None:
            return self.calibration.apply(raw)
        return np.asarray(raw)

    def label(self, raw: int) -> str:
        return dict(self.enumeration).get(int(raw), f"UNKNOWN({int(raw)})")


@dataclass(frozen=True)
class FieldDef:
    """A parameter at a fixed bit offset from the start of its packet."""

    parameter: ParameterDef
    bit_offset: int

    @property
    def name(self) -> str:
        return self.parameter.name


@dataclass(frozen=True)
class DerivedDef:
    """A parameter computed from others of the same packet by an expression (see :mod:`ground.decom`)."""

    name: str
    packet: str
    expression: str
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class PacketDef:
    """A telemetry packet type and its fixed layout (bit offsets from the packet's first octet)."""

    name: str
    apid: int
    service: int | None
    subservice: int | None
    fields: tuple[FieldDef, ...]
    length: int
    has_crc: bool = False
    time_coarse: str | None = None
    time_fine: str | None = None
    cuc: CucFormat | None = None
    description: str = ""
    derived: tuple[DerivedDef, ...] = ()

    @property
    def parameters(self) -> tuple[ParameterDef, ...]:
        return tuple(f.parameter for f in self.fields)

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(
            f"packet {self.name} has no parameter {name!r}; it has {[f.name for f in self.fields]}"
        )

    @property
    def user_fields(self) -> tuple[FieldDef, ...]:
        """Fields after the primary and PUS headers, without the time and the CRC."""
        skip = {self.time_coarse, self.time_fine, "PUS_PEC"}
        return tuple(
            f
            for f in self.fields
            if f.bit_offset >= self.header_bits
            and f.name not in skip
            and f.parameter.kind != "spare"
        )

    @property
    def header_bits(self) -> int:
        return 48 if self.service is None else 48 + 56

    def encode(
        self,
        values: dict[str, Any],
        *,
        seq_count: int = 0,
        time_tai58: float | None = None,
        message_counter: int = 0,
        destination_id: int = 0,
    ) -> bytes:
        """Build one packet of this type from raw parameter values (simulators, tests, benchmarks).

        Header fields come from the definition; ``time_tai58`` fills the CUC
        time fields; the CRC is appended when the packet has one.
        """
        auto = {
            "VERSION": 0,
            "TYPE": 0,
            "SEC_HDR_FLG": int(self.service is not None),
            "PKT_APID": self.apid,
            "SEQ_FLGS": 3,
            "SRC_SEQ_CTR": seq_count,
            "PKT_LEN": self.length - 7,
            "PUS_VERSION": 2,
            "PUS_TIME_REF": 0,
            "PUS_SERVICE": self.service or 0,
            "PUS_SUBSERVICE": self.subservice or 0,
            "PUS_MSG_COUNTER": message_counter,
            "PUS_DEST_ID": destination_id,
            "PUS_PEC": 0,
        }
        if self.time_coarse and time_tai58 is not None:
            seconds = time_tai58 - (self.cuc.epoch_tai58 or 0.0)
            whole = int(np.floor(seconds))
            auto[self.time_coarse] = whole
            if self.time_fine:
                auto[self.time_fine] = int((seconds - whole) * 2 ** (8 * self.cuc.fine_octets))
        acc = 0
        for f in self.fields:
            p = f.parameter
            value = values.get(f.name, auto.get(f.name, 0))
            if p.kind == "float":
                word = int.from_bytes(
                    struct.pack(">f" if p.bits == 32 else ">d", float(value)), "big"
                )
            else:
                word = int(value) & ((1 << p.bits) - 1)
            acc = (acc << p.bits) | word
        raw = acc.to_bytes(self.length, "big")
        if self.has_crc:
            from ground.crc import crc16

            raw = raw[:-2] + crc16(raw[:-2]).to_bytes(2, "big")
        return raw

    def __repr__(self) -> str:
        sel = f"apid={self.apid}" + (
            f", TM[{self.service},{self.subservice}]" if self.service is not None else ""
        )
        return f"PacketDef({self.name}, {sel}, {self.length} octets, {len(self.user_fields)} parameters)"


# --------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class ArgumentDef:
    """A telecommand argument: type, size in bits, unit and valid range (inclusive)."""

    name: str
    kind: str
    bits: int
    unit: str = ""
    description: str = ""
    valid_min: float | None = None
    valid_max: float | None = None
    enumeration: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DictionaryError(
                f"argument {self.name}: type must be one of {KINDS}, got {self.kind!r}"
            )
        if self.kind == "float" and self.bits not in (32, 64):
            raise DictionaryError(
                f"argument {self.name}: floats are 32 or 64 bits, got {self.bits}"
            )

    def range_text(self) -> str:
        if self.kind in ("enum", "bool"):
            labels = [lbl for _, lbl in self.enumeration] if self.enumeration else [False, True]
            return f"one of {labels}"
        lo, hi = self.bounds()
        return f"{lo:g}..{hi:g}" + (f" {self.unit}" if self.unit else "")

    def bounds(self) -> tuple[float, float]:
        """The valid range: the dictionary's range intersected with what the encoding can hold."""
        if self.kind == "uint" or self.kind == "enum":
            lo, hi = 0, 2**self.bits - 1
        elif self.kind == "int":
            lo, hi = -(2 ** (self.bits - 1)), 2 ** (self.bits - 1) - 1
        elif self.kind == "bool":
            lo, hi = 0, 1
        else:
            lo, hi = -math.inf, math.inf
        if self.valid_min is not None:
            lo = max(lo, self.valid_min)
        if self.valid_max is not None:
            hi = min(hi, self.valid_max)
        return lo, hi

    def to_raw(self, value: Any) -> int | float:
        """Validate ``value`` and return the raw value to encode; raises :class:`CommandError`."""
        if self.kind == "enum":
            labels = {lbl: v for v, lbl in self.enumeration}
            if isinstance(value, str):
                if value not in labels:
                    raise CommandError(
                        f"argument {self.name}={value!r} is not valid; valid: {self.range_text()}"
                    )
                return labels[value]
            if int(value) not in dict(self.enumeration) or value != int(value):
                raise CommandError(
                    f"argument {self.name}={value!r} is not valid; valid: {self.range_text()}"
                )
            return int(value)
        if self.kind == "bool":
            if value not in (True, False, 0, 1):
                raise CommandError(f"argument {self.name}={value!r} must be true or false")
            return int(bool(value))
        if isinstance(value, str) or isinstance(value, bool):
            raise CommandError(
                f"argument {self.name}={value!r} must be a number in {self.range_text()}"
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise CommandError(
                f"argument {self.name}={value!r} must be a number in {self.range_text()}"
            ) from None
        if self.kind in ("uint", "int") and number != int(number):
            raise CommandError(
                f"argument {self.name}={value!r} must be an integer in {self.range_text()}"
            )
        lo, hi = self.bounds()
        if not lo <= number <= hi or math.isnan(number):
            raise CommandError(
                f"argument {self.name}={value!r} is out of range; valid range is {self.range_text()}"
            )
        return number if self.kind == "float" else int(number)

    def from_raw(self, raw: int | float) -> Any:
        if self.kind == "enum":
            return dict(self.enumeration).get(int(raw), int(raw))
        if self.kind == "bool":
            return bool(raw)
        return raw


@dataclass(frozen=True)
class CommandDef:
    """A telecommand: where it goes (APID, PUS service/subservice) and its typed arguments."""

    name: str
    apid: int
    service: int
    subservice: int
    arguments: tuple[ArgumentDef, ...] = ()
    description: str = ""

    def argument(self, name: str) -> ArgumentDef:
        for a in self.arguments:
            if a.name == name:
                return a
        raise CommandError(
            f"command {self.name} has no argument {name!r}; it takes {[a.name for a in self.arguments]}"
        )

    def validate(self, args: dict[str, Any]) -> dict[str, int | float]:
        """Raw values for every argument; refuses missing, unknown or out-of-range arguments."""
        unknown = set(args) - {a.name for a in self.arguments}
        if unknown:
            raise CommandError(
                f"command {self.name} has no argument(s) {sorted(unknown)}; "
                f"it takes {[a.name for a in self.arguments]}"
            )
        missing = [a.name for a in self.arguments if a.name not in args]
        if missing:
            raise CommandError(f"command {self.name} is missing argument(s) {missing}")
        return {a.name: a.to_raw(args[a.name]) for a in self.arguments}

    def encode_args(self, args: dict[str, Any]) -> bytes:
        """The application data field: arguments bit-packed MSB first, padded to an octet."""
        raw = self.validate(args)
        acc, nbits = 0, 0
        for a in self.arguments:
            value = raw[a.name]
            if a.kind == "float":
                fmt = ">f" if a.bits == 32 else ">d"
                word = int.from_bytes(struct.pack(fmt, value), "big")
            else:
                word = int(value) & ((1 << a.bits) - 1)
            acc = (acc << a.bits) | word
            nbits += a.bits
        pad = (-nbits) % 8
        return (acc << pad).to_bytes((nbits + pad) // 8, "big")

    @property
    def app_data_len(self) -> int:
        return (sum(a.bits for a in self.arguments) + 7) // 8

    def decode_args(self, app_data: bytes) -> dict[str, Any]:
        """Inverse of :meth:`encode_args` (enum labels and booleans restored)."""
        if len(app_data) < self.app_data_len:
            raise CommandError(
                f"command {self.name} needs {self.app_data_len} octets of arguments, got {len(app_data)}"
            )
        total = len(app_data) * 8
        acc = int.from_bytes(app_data, "big")
        out, pos = {}, 0
        for a in self.arguments:
            word = (acc >> (total - pos - a.bits)) & ((1 << a.bits) - 1)
            pos += a.bits
            if a.kind == "float":
                value: Any = struct.unpack(
                    ">f" if a.bits == 32 else ">d", word.to_bytes(a.bits // 8, "big")
                )[0]
            elif a.kind == "int" and word >> (a.bits - 1):
                value = word - (1 << a.bits)
            else:
                value = word
            out[a.name] = a.from_raw(value)
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{a.name}: {a.kind}{a.bits} [{a.range_text()}]" for a in self.arguments)
        return f"CommandDef({self.name}, apid={self.apid}, TC[{self.service},{self.subservice}], ({args}))"


# --------------------------------------------------------------------------- dictionary


@dataclass(frozen=True)
class Dictionary:
    """A mission's telemetry packets, commands and derived parameters."""

    name: str
    packets: tuple[PacketDef, ...]
    commands: tuple[CommandDef, ...] = ()
    source: str = ""
    _by_key: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        names = [p.name for p in self.packets]
        if len(set(names)) != len(names):
            raise DictionaryError(f"packet names must be unique, got {names}")
        for p in self.packets:
            key = (p.apid, p.service, p.subservice)
            if key in self._by_key:
                raise DictionaryError(
                    f"packets {self._by_key[key].name} and {p.name} share APID/service/subservice {key}"
                )
            self._by_key[key] = p

    def packet(self, name: str) -> PacketDef:
        for p in self.packets:
            if p.name == name:
                return p
        raise KeyError(
            f"no packet {name!r} in dictionary {self.name}; packets: {[p.name for p in self.packets]}"
        )

    def command(self, name: str) -> CommandDef:
        for c in self.commands:
            if c.name == name:
                return c
        raise CommandError(
            f"no command {name!r} in dictionary {self.name}; commands: {[c.name for c in self.commands]}"
        )

    def match(
        self, apid: int, service: int | None = None, subservice: int | None = None
    ) -> PacketDef | None:
        """The packet definition for a header, or None when the dictionary does not know it."""
        return self._by_key.get((apid, service, subservice)) or self._by_key.get((apid, None, None))

    @property
    def apids(self) -> set[int]:
        return {p.apid for p in self.packets}

    def find_parameter(self, name: str) -> tuple[PacketDef, ParameterDef | DerivedDef]:
        for p in self.packets:
            for f in p.fields:
                if f.name == name:
                    return p, f.parameter
            for d in p.derived:
                if d.name == name:
                    return p, d
        raise KeyError(f"no parameter {name!r} in dictionary {self.name}")

    def __repr__(self) -> str:
        return (
            f"Dictionary({self.name}: {len(self.packets)} packets "
            f"{[p.name for p in self.packets]}, {len(self.commands)} commands)"
        )


def load_dictionary(path: str | Path | None = None) -> Dictionary:
    """Load an XTCE (``.xml``) or kamo TOML (``.toml``) dictionary; None loads the sample one."""
    from ground import xtce

    path = Path(path) if path is not None else DEFAULT_DICTIONARY
    if not path.exists():
        raise FileNotFoundError(f"dictionary file {path} does not exist")
    if path.suffix.lower() == ".toml":
        return xtce.read_xtce_string(compile_toml(path), source=str(path))
    if path.suffix.lower() == ".xml":
        return xtce.read_xtce(path)
    raise DictionaryError(f"dictionary {path}: expected an .xml (XTCE) or .toml file")


# --------------------------------------------------------------------------- TOML form


def _parse_type(where: str, text: str) -> tuple[str, int]:
    text = str(text).strip().lower()
    for kind in ("uint", "int", "float", "enum", "bool", "spare"):
        if text.startswith(kind):
            rest = text[len(kind) :]
            if kind == "bool":
                return "bool", int(rest or 1)
            if not rest.isdigit():
                break
            return kind, int(rest)
    raise DictionaryError(
        f"{where}: type {text!r} is not one of uintN, intN, float32, float64, enumN, bool, spareN"
    )


def _calibration(where: str, spec: dict | None) -> Calibration | None:
    if not spec:
        return None
    if "polynomial" in spec:
        return Calibration("polynomial", coefficients=tuple(float(c) for c in spec["polynomial"]))
    if "table" in spec:
        return Calibration("table", points=tuple((float(a), float(b)) for a, b in spec["table"]))
    raise DictionaryError(
        f"{where}: calibration needs 'polynomial = [c0, c1, ...]' or 'table = [[raw, eng], ...]'"
    )


def _limits(where: str, spec: dict | None) -> Limits | None:
    if not spec:
        return None
    unknown = set(spec) - {"yellow", "red"}
    if unknown:
        raise DictionaryError(f"{where}: limits keys are 'yellow' and 'red', got {sorted(unknown)}")
    yl, yh = spec.get("yellow", (None, None))
    rl, rh = spec.get("red", (None, None))
    return Limits(yl, yh, rl, rh)


def _enum(spec: dict | None) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((int(k), str(v)) for k, v in (spec or {}).items()))


def toml_to_model(path: str | Path) -> dict[str, Any]:
    """Read a kamo TOML dictionary into plain definitions (packets with unplaced parameters)."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise DictionaryError(f"dictionary {path}: not valid TOML ({exc})") from None
    name = doc.get("mission", {}).get("name", path.stem.upper())
    time = doc.get("time", {})
    cuc = CucFormat(
        coarse_octets=int(time.get("coarse_octets", 4)),
        fine_octets=int(time.get("fine_octets", 2)),
        with_pfield=False,
    )
    packets, commands, derived = [], [], []
    for i, pk in enumerate(doc.get("packet", [])):
        where = f"{path.name}: packet[{i}] {pk.get('name', '?')}"
        for key in ("name", "apid"):
            if key not in pk:
                raise DictionaryError(f"{where}: missing key {key!r}")
        params = []
        for j, pa in enumerate(pk.get("parameter", [])):
            pwhere = f"{where} parameter[{j}] {pa.get('name', '?')}"
            if "name" not in pa or "type" not in pa:
                raise DictionaryError(f"{pwhere}: needs 'name' and 'type'")
            kind, bits = _parse_type(pwhere, pa["type"])
            params.append(
                ParameterDef(
                    name=pa["name"],
                    kind=kind,
                    bits=bits,
                    unit=pa.get("unit", ""),
                    description=pa.get("description", ""),
                    calibration=_calibration(pwhere, pa.get("calibration")),
                    limits=_limits(pwhere, pa.get("limits")),
                    enumeration=_enum(pa.get("enum")),
                )
            )
        packets.append(
            dict(
                name=pk["name"],
                apid=int(pk["apid"]),
                service=pk.get("service"),
                subservice=pk.get("subservice"),
                description=pk.get("description", ""),
                parameters=params,
            )
        )
    for i, dv in enumerate(doc.get("derived", [])):
        where = f"{path.name}: derived[{i}]"
        for key in ("name", "packet", "expression"):
            if key not in dv:
                raise DictionaryError(f"{where}: missing key {key!r}")
        derived.append(
            DerivedDef(
                dv["name"],
                dv["packet"],
                dv["expression"],
                dv.get("unit", ""),
                dv.get("description", ""),
            )
        )
    for i, cm in enumerate(doc.get("command", [])):
        where = f"{path.name}: command[{i}] {cm.get('name', '?')}"
        for key in ("name", "apid", "service", "subservice"):
            if key not in cm:
                raise DictionaryError(f"{where}: missing key {key!r}")
        args = []
        for j, ar in enumerate(cm.get("argument", [])):
            awhere = f"{where} argument[{j}] {ar.get('name', '?')}"
            if "name" not in ar or "type" not in ar:
                raise DictionaryError(f"{awhere}: needs 'name' and 'type'")
            kind, bits = _parse_type(awhere, ar["type"])
            lo, hi = ar.get("range", (None, None))
            args.append(
                ArgumentDef(
                    name=ar["name"],
                    kind=kind,
                    bits=bits,
                    unit=ar.get("unit", ""),
                    description=ar.get("description", ""),
                    valid_min=lo,
                    valid_max=hi,
                    enumeration=_enum(ar.get("enum")),
                )
            )
        commands.append(
            CommandDef(
                name=cm["name"],
                apid=int(cm["apid"]),
                service=int(cm["service"]),
                subservice=int(cm["subservice"]),
                arguments=tuple(args),
                description=cm.get("description", ""),
            )
        )
    return dict(name=name, cuc=cuc, packets=packets, commands=commands, derived=derived)


def compile_toml(path: str | Path) -> str:
    """Compile a kamo TOML dictionary to an XTCE 1.2 document (a string)."""
    from ground import xtce

    return xtce.write_xtce_string(toml_to_model(path))


if __name__ == "__main__":  # python -m ground.dictionary [IN.toml] [OUT.xml]
    import sys

    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR / "kamo_tm.toml"
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else src.with_suffix(".xml")
    dst.write_text(compile_toml(src))
    print(f"wrote {dst}")
