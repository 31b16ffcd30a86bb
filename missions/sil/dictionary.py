"""The SIL packets as a ground TM dictionary (XTCE), so ground tools read a SIL archive directly.

The fixed-layout packets of :data:`missions.sil.protocol.PACKETS` become a kamo
TOML dictionary (:func:`dictionary_toml`) compiled to XTCE 1.2
(``missions/sil/sil_tm.xml``, shipped); :func:`sil_dictionary` loads it as a
:class:`ground.dictionary.Dictionary`. With it, :func:`ground.bulk.decode_bytes`
and :func:`ground.decom.decommutate` turn a SIL raw archive into datasets, and
any XTCE tool (space-packet-parser, Yamcs) can decode the link. Parameter names
are ``PACKET_FIELD`` in upper case (``NAV_R_X``); text fields are spares.

Regenerate after changing the protocol table::

    python -m missions.sil.dictionary
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from missions.sil import protocol as P

HERE = Path(__file__).resolve().parent
TOML_PATH = HERE / "sil_tm.toml"
XTCE_PATH = HERE / "sil_tm.xml"
_TYPES = {"d": "float64", "B": "uint8", "H": "uint16", "I": "uint32"}


def dictionary_toml() -> str:
    """The SIL packet table as a kamo TOML dictionary (text)."""
    out = [
        "# kamo SIL link dictionary, generated from missions/sil/protocol.py by",
        "# `python -m missions.sil.dictionary`; do not edit by hand.",
        "",
        '[mission]\nname = "KAMO-SIL"\n',
        "[time]            # CUC 4+2 without P-field; simulation t = 0 at 2026-07-01T00:00:00 TAI",
        "coarse_octets = 4\nfine_octets = 2\n",
    ]
    for p in P.PACKETS:
        out.append(
            f'[[packet]]\nname = "{p.name.upper()}"\napid = {p.apid}\nservice = {p.service}\n'
            f'subservice = {p.subservice}\ndescription = "{p.description}"'
        )
        for name, code, units, long in p.fields:
            typ = f"spare{8 * int(code[:-1])}" if code.endswith("s") else _TYPES[code]
            out.append(
                f'  [[packet.parameter]]\n  name = "{p.name.upper()}_{name.upper()}"\n  type = "{typ}"\n'
                f'  unit = "{"" if units == "1" else units}"\n  description = "{long}"'
            )
        out.append("")
    return "\n".join(out)


def compile_xtce() -> str:
    """The XTCE document for the SIL packets."""
    from ground.dictionary import compile_toml

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "sil_tm.toml"
        path.write_text(dictionary_toml())
        return compile_toml(path)


def sil_dictionary():
    """The shipped SIL dictionary as a :class:`ground.dictionary.Dictionary`."""
    from ground.dictionary import load_dictionary

    return load_dictionary(XTCE_PATH)


if __name__ == "__main__":
    TOML_PATH.write_text(dictionary_toml())
    XTCE_PATH.write_text(compile_xtce())
    print(f"wrote {TOML_PATH} and {XTCE_PATH}")
