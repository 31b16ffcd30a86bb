"""Read and write XTCE (OMG XML Telemetric and Command Exchange) dictionaries.

Reading builds on space-packet-parser: its ``XtcePacketDefinition`` parses the
telemetry part (parameter types, encodings, calibrators, units, container
inheritance and restriction criteria) and kamo flattens each concrete
container into a :class:`~ground.dictionary.PacketDef` with a fixed bit
offset for every parameter. What space-packet-parser does not read is taken
from the same document with lxml:

- ``DefaultAlarm/StaticAlarmRanges`` (``WarningRange`` = yellow,
  ``CriticalRange`` = red; a value *outside* a range is in alarm, as in XTCE
  and Yamcs);
- the ``CommandMetaData`` (``ArgumentTypeSet`` with ``ValidRange``, and
  ``MetaCommand`` s whose base command assigns ``APID``, ``SERVICE`` and
  ``SUBSERVICE``);
- kamo's derived parameters, kept as ``AncillaryData name="kamo.derived"``
  entries (``PACKET.NAME [unit] = expression``), and the CUC epoch
  (``kamo.cuc_epoch_tai58``).

Conventions the reader relies on (the writer produces them): the root
container ``CCSDSPacket`` holds the seven primary-header fields; packets are
selected by ``Comparison`` s on the header field at bit 5 (APID) and, for PUS
packets, at bits 56 and 64 (service, subservice); the CUC time is in fields
named ``TIME_COARSE``/``TIME_FINE`` (no P-field in the packet); a trailing
``PUS_PEC`` field is the CRC. Only fixed-size parameters are supported.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker

from ground.cuc import CucFormat
from ground.dictionary import (
    ArgumentDef,
    Calibration,
    CommandDef,
    DerivedDef,
    Dictionary,
    DictionaryError,
    FieldDef,
    Limits,
    PacketDef,
    ParameterDef,
)

XTCE_NS = "http://www.omg.org/spec/XTCE/20180204"

HEADER_FIELDS = (
    ("VERSION", 3),
    ("TYPE", 1),
    ("SEC_HDR_FLG", 1),
    ("PKT_APID", 11),
    ("SEQ_FLGS", 2),
    ("SRC_SEQ_CTR", 14),
    ("PKT_LEN", 16),
)
PUS_TM_FIELDS = (
    ("PUS_VERSION", 4),
    ("PUS_TIME_REF", 4),
    ("PUS_SERVICE", 8),
    ("PUS_SUBSERVICE", 8),
    ("PUS_MSG_COUNTER", 16),
    ("PUS_DEST_ID", 16),
)
_APID_BIT, _SERVICE_BIT, _SUBSERVICE_BIT = 5, 56, 64


# --------------------------------------------------------------------------- reading


def read_xtce(path: str | Path) -> Dictionary:
    """Load an XTCE file into a :class:`~ground.dictionary.Dictionary`."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"XTCE file {path} does not exist")
    return read_xtce_string(path.read_bytes(), source=str(path))


def read_xtce_string(text: str | bytes, source: str = "<string>") -> Dictionary:
    """Load an XTCE document held in memory."""
    import space_packet_parser as spp

    data = text.encode() if isinstance(text, str) else text
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            definition = spp.XtcePacketDefinition.from_xtce(io.BytesIO(data))
        root = etree.fromstring(data)
    except (etree.XMLSyntaxError, KeyError, AttributeError) as exc:
        raise DictionaryError(
            f"{source}: not a usable XTCE document ({type(exc).__name__}: {exc})"
        ) from None
    limits = _read_alarms(root)
    ancillary = _read_ancillary(root)
    epoch = ancillary.get("kamo.cuc_epoch_tai58")
    derived = _parse_derived(source, ancillary.get("kamo.derived", []))
    packets = []
    for sc in definition.containers.values():
        if sc.abstract:
            continue
        packets.append(_flatten(source, definition, sc, limits, epoch, derived))
    known = {p.name for p in packets}
    for d in derived:
        if d.packet not in known:
            raise DictionaryError(
                f"{source}: derived parameter {d.name} refers to unknown packet {d.packet}"
            )
    name = root.get("name") or Path(source).stem
    return Dictionary(
        name=name, packets=tuple(packets), commands=_read_commands(source, root), source=source
    )


def _chain(definition, sc) -> list:
    chain = [sc]
    while chain[0].base_container_name:
        chain.insert(0, definition.containers[chain[0].base_container_name])
    return chain


def _flat_entries(container) -> list:
    out = []
    for entry in container.entry_list:
        if hasattr(entry, "entry_list"):
            out.extend(_flat_entries(entry))
        else:
            out.append(entry)
    return out


def _param_def(source: str, param, limits: dict) -> ParameterDef:
    from space_packet_parser.xtce import calibrators, encodings, parameter_types

    ptype = param.parameter_type
    enc = ptype.encoding
    where = f"{source}: parameter {param.name}"
    if isinstance(enc, encodings.BinaryDataEncoding):
        if not enc.fixed_size_in_bits:
            raise DictionaryError(f"{where}: only fixed-size binary (spare) fields are supported")
        return ParameterDef(name=param.name, kind="spare", bits=int(enc.fixed_size_in_bits))
    if not isinstance(enc, (encodings.IntegerDataEncoding, encodings.FloatDataEncoding)):
        raise DictionaryError(
            f"{where}: kamo decodes fixed-size integer, float, enumerated and boolean parameters; "
            f"got {type(enc).__name__}"
        )
    bits = int(enc.size_in_bits)
    enumeration: tuple = ()
    if isinstance(ptype, parameter_types.EnumeratedParameterType):
        kind = "enum"
        enumeration = tuple(sorted((int(k), str(v)) for k, v in ptype.enumeration.items()))
    elif isinstance(ptype, parameter_types.BooleanParameterType):
        kind = "bool"
    elif isinstance(enc, encodings.FloatDataEncoding):
        if enc.encoding not in ("IEEE754_1985", "IEEE754"):
            raise DictionaryError(
                f"{where}: float encoding {enc.encoding!r} is not supported (IEEE 754 only)"
            )
        kind = "float"
    else:
        if enc.encoding not in ("unsigned", "twosComplement", "twosCompliment"):
            raise DictionaryError(f"{where}: integer encoding {enc.encoding!r} is not supported")
        kind = "uint" if enc.encoding == "unsigned" else "int"
    if getattr(enc, "byte_order", "mostSignificantByteFirst") != "mostSignificantByteFirst":
        raise DictionaryError(
            f"{where}: only big-endian (mostSignificantByteFirst) encodings are supported"
        )
    cal = None
    dc = getattr(enc, "default_calibrator", None)
    if isinstance(dc, calibrators.PolynomialCalibrator):
        top = max(t.exponent for t in dc.coefficients)
        coeffs = [0.0] * (top + 1)
        for t in dc.coefficients:
            coeffs[t.exponent] += t.coefficient
        cal = Calibration("polynomial", coefficients=tuple(coeffs))
    elif isinstance(dc, calibrators.SplineCalibrator):
        if dc.order != 1:
            raise DictionaryError(
                f"{where}: spline calibrators must be order 1 (linear), got {dc.order}"
            )
        cal = Calibration("table", points=tuple((p.raw, p.calibrated) for p in dc.points))
    elif dc is not None:
        raise DictionaryError(f"{where}: calibrator {type(dc).__name__} is not supported")
    unit = ptype.unit if isinstance(ptype.unit, str) else " ".join(ptype.unit or ())
    return ParameterDef(
        name=param.name,
        kind=kind,
        bits=bits,
        unit=unit or "",
        description=param.short_description or param.long_description or "",
        calibration=cal,
        limits=limits.get(ptype.name),
        enumeration=enumeration,
    )


def _flatten(source, definition, sc, limits, epoch, derived) -> PacketDef:
    fields, offset, criteria = [], 0, []
    for container in _chain(definition, sc):
        criteria.extend(container.restriction_criteria or [])
        for param in _flat_entries(container):
            pdef = _param_def(source, param, limits)
            fields.append(FieldDef(pdef, offset))
            offset += pdef.bits
    if offset % 8:
        raise DictionaryError(
            f"{source}: packet {sc.name} is {offset} bits long, not a whole number of octets"
        )
    by_name = {f.name: f for f in fields}
    selectors: dict[int, int] = {}
    for crit in criteria:
        ref = getattr(crit, "referenced_parameter", None)
        if ref is None or crit.operator not in ("==", "eq"):
            raise DictionaryError(
                f"{source}: packet {sc.name}: only '==' Comparison restriction criteria are supported, got {crit!r}"
            )
        selectors[by_name[ref].bit_offset] = int(crit.required_value)
    if _APID_BIT not in selectors:
        raise DictionaryError(f"{source}: packet {sc.name} is not selected by APID")
    time_coarse = "TIME_COARSE" if "TIME_COARSE" in by_name else None
    time_fine = "TIME_FINE" if "TIME_FINE" in by_name else None
    cuc = None
    if time_coarse:
        fine_bits = by_name[time_fine].parameter.bits if time_fine else 0
        cuc = CucFormat(
            coarse_octets=by_name[time_coarse].parameter.bits // 8,
            fine_octets=fine_bits // 8,
            epoch_tai58=float(epoch[0]) if epoch else None,
            with_pfield=False,
        )
    return PacketDef(
        name=sc.name,
        apid=selectors[_APID_BIT],
        service=selectors.get(_SERVICE_BIT),
        subservice=selectors.get(_SUBSERVICE_BIT),
        fields=tuple(fields),
        length=offset // 8,
        has_crc=bool(fields) and fields[-1].name == "PUS_PEC",
        time_coarse=time_coarse,
        time_fine=time_fine,
        cuc=cuc,
        description=sc.short_description or sc.long_description or "",
        derived=tuple(d for d in derived if d.packet == sc.name),
    )


def _local(el) -> str:
    return etree.QName(el).localname


def _float_attr(el, name):
    value = el.get(name) if el is not None else None
    return float(value) if value is not None else None


def _read_alarms(root) -> dict[str, Limits]:
    out = {}
    for ptype in root.iter("{*}*"):
        if not isinstance(ptype.tag, str) or not _local(ptype).endswith("ParameterType"):
            continue
        ranges = ptype.find("{*}DefaultAlarm/{*}StaticAlarmRanges")
        if ranges is None:
            continue
        warn, crit = ranges.find("{*}WarningRange"), ranges.find("{*}CriticalRange")
        out[ptype.get("name")] = Limits(
            yellow_low=_float_attr(warn, "minInclusive"),
            yellow_high=_float_attr(warn, "maxInclusive"),
            red_low=_float_attr(crit, "minInclusive"),
            red_high=_float_attr(crit, "maxInclusive"),
        )
    return out


def _read_ancillary(root) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for anc in root.findall("{*}AncillaryDataSet/{*}AncillaryData"):
        out.setdefault(anc.get("name", ""), []).append((anc.text or "").strip())
    return out


_DERIVED_RE = re.compile(r"^\s*(\w+)\.(\w+)\s*(?:\[([^\]]*)\])?\s*=\s*(.+)$", re.S)


def _parse_derived(source: str, entries: list[str]) -> list[DerivedDef]:
    out = []
    for text in entries:
        m = _DERIVED_RE.match(text)
        if not m:
            raise DictionaryError(
                f"{source}: kamo.derived entry {text!r} is not 'PACKET.NAME [unit] = expression'"
            )
        packet, name, unit, expr = m.groups()
        out.append(DerivedDef(name=name, packet=packet, expression=expr.strip(), unit=unit or ""))
    return out


def _arg_type(source: str, el) -> dict[str, Any]:
    tag = _local(el)
    kind_by_tag = {
        "IntegerArgumentType": None,
        "FloatArgumentType": "float",
        "EnumeratedArgumentType": "enum",
        "BooleanArgumentType": "bool",
    }
    if tag not in kind_by_tag:
        raise DictionaryError(f"{source}: argument type {tag} ({el.get('name')}) is not supported")
    enc = el.find("{*}IntegerDataEncoding")
    if enc is None:
        enc = el.find("{*}FloatDataEncoding")
    if enc is None:
        raise DictionaryError(f"{source}: argument type {el.get('name')} has no data encoding")
    kind = kind_by_tag[tag]
    if kind is None:
        kind = "int" if enc.get("encoding", "unsigned") != "unsigned" else "uint"
    vr = el.find("{*}ValidRangeSet/{*}ValidRange")
    if vr is None:
        vr = el.find("{*}ValidRange")
    unit_el = el.find("{*}UnitSet/{*}Unit")
    enumeration = tuple(
        sorted(
            (int(e.get("value")), e.get("label"))
            for e in el.findall("{*}EnumerationList/{*}Enumeration")
        )
    )
    return dict(
        kind=kind,
        bits=int(enc.get("sizeInBits")),
        unit=(unit_el.text or "") if unit_el is not None else "",
        valid_min=_float_attr(vr, "minInclusive"),
        valid_max=_float_attr(vr, "maxInclusive"),
        enumeration=enumeration,
    )


def _read_commands(source: str, root) -> tuple[CommandDef, ...]:
    cmd_md = root.find("{*}CommandMetaData")
    if cmd_md is None:
        return ()
    types = {el.get("name"): el for el in cmd_md.findall("{*}ArgumentTypeSet/*")}
    out = []
    for mc in cmd_md.findall("{*}MetaCommandSet/{*}MetaCommand"):
        if mc.get("abstract", "false").lower() == "true":
            continue
        name = mc.get("name")
        assign = {
            a.get("argumentName"): a.get("argumentValue")
            for a in mc.findall(
                "{*}BaseMetaCommand/{*}ArgumentAssignmentList/{*}ArgumentAssignment"
            )
        }
        for key in ("APID", "SERVICE", "SUBSERVICE"):
            if key not in assign:
                raise DictionaryError(
                    f"{source}: command {name} does not assign {key} in its BaseMetaCommand"
                )
        args = []
        for arg in mc.findall("{*}ArgumentList/{*}Argument"):
            ref = arg.get("argumentTypeRef")
            if ref not in types:
                raise DictionaryError(
                    f"{source}: command {name} argument {arg.get('name')}: unknown type {ref}"
                )
            desc = arg.get("shortDescription", "")
            args.append(
                ArgumentDef(name=arg.get("name"), description=desc, **_arg_type(source, types[ref]))
            )
        out.append(
            CommandDef(
                name=name,
                apid=int(assign["APID"]),
                service=int(assign["SERVICE"]),
                subservice=int(assign["SUBSERVICE"]),
                arguments=tuple(args),
                description=mc.get("shortDescription", ""),
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- writing


def _g(value: float) -> str:
    return repr(float(value)) if float(value) != int(value) else str(int(value))


def _ptype(E, pdef: ParameterDef):
    name = f"{pdef.name}_Type"
    desc = {"shortDescription": pdef.description} if pdef.description else {}
    unit = [E.UnitSet(E.Unit(pdef.unit))] if pdef.unit else [E.UnitSet()]
    if pdef.kind == "spare":
        size = E.SizeInBits(E.FixedValue(str(pdef.bits)))
        return E.BinaryParameterType(*unit, E.BinaryDataEncoding(size), name=name, **desc)
    cal = []
    if pdef.calibration is not None:
        c = pdef.calibration
        if c.kind == "polynomial":
            terms = [
                E.Term(coefficient=_g(v), exponent=str(k)) for k, v in enumerate(c.coefficients)
            ]
            cal = [E.DefaultCalibrator(E.PolynomialCalibrator(*terms))]
        else:
            pts = [E.SplinePoint(raw=_g(r), calibrated=_g(v)) for r, v in c.points]
            cal = [E.DefaultCalibrator(E.SplineCalibrator(*pts, order="1", extrapolate="false"))]
    if pdef.kind == "float":
        enc = E.FloatDataEncoding(*cal, sizeInBits=str(pdef.bits), encoding="IEEE754_1985")
    else:
        encoding = "twosComplement" if pdef.kind == "int" else "unsigned"
        enc = E.IntegerDataEncoding(*cal, sizeInBits=str(pdef.bits), encoding=encoding)
    alarm = []
    if pdef.limits is not None:
        lim, ranges = pdef.limits, []
        for tag, lo, hi in (
            ("WarningRange", lim.yellow_low, lim.yellow_high),
            ("CriticalRange", lim.red_low, lim.red_high),
        ):
            attrs = {}
            if lo is not None:
                attrs["minInclusive"] = _g(lo)
            if hi is not None:
                attrs["maxInclusive"] = _g(hi)
            if attrs:
                ranges.append(getattr(E, tag)(**attrs))
        alarm = [E.DefaultAlarm(E.StaticAlarmRanges(*ranges))]
    if pdef.kind == "enum":
        enums = [E.Enumeration(value=str(v), label=lbl) for v, lbl in pdef.enumeration]
        return E.EnumeratedParameterType(*unit, enc, E.EnumerationList(*enums), name=name, **desc)
    if pdef.kind == "bool":
        return E.BooleanParameterType(*unit, enc, name=name, **desc)
    if pdef.kind == "float":
        return E.FloatParameterType(
            *unit, enc, *alarm, name=name, sizeInBits=str(pdef.bits), **desc
        )
    return E.IntegerParameterType(
        *unit, enc, *alarm, name=name, signed=str(pdef.kind == "int").lower(), **desc
    )


def _atype(E, cmd: str, a: ArgumentDef):
    name = f"{cmd}.{a.name}_Type"
    unit = [E.UnitSet(E.Unit(a.unit))] if a.unit else [E.UnitSet()]
    rng = {}
    if a.valid_min is not None:
        rng["minInclusive"] = _g(a.valid_min)
    if a.valid_max is not None:
        rng["maxInclusive"] = _g(a.valid_max)
    valid = [E.ValidRangeSet(E.ValidRange(**rng))] if rng else []
    if a.kind == "float":
        enc = E.FloatDataEncoding(sizeInBits=str(a.bits), encoding="IEEE754_1985")
        return E.FloatArgumentType(*unit, enc, *valid, name=name, sizeInBits=str(a.bits))
    enc = E.IntegerDataEncoding(
        sizeInBits=str(a.bits), encoding="twosComplement" if a.kind == "int" else "unsigned"
    )
    if a.kind == "enum":
        enums = [E.Enumeration(value=str(v), label=lbl) for v, lbl in a.enumeration]
        return E.EnumeratedArgumentType(*unit, enc, E.EnumerationList(*enums), name=name)
    if a.kind == "bool":
        return E.BooleanArgumentType(*unit, enc, name=name)
    return E.IntegerArgumentType(*unit, enc, *valid, name=name, signed=str(a.kind == "int").lower())


def write_xtce_string(model: dict[str, Any]) -> str:
    """Write an XTCE 1.2 document from a model (as :func:`ground.dictionary.toml_to_model` returns)."""
    E = ElementMaker(namespace=XTCE_NS, nsmap={"xtce": XTCE_NS})
    cuc: CucFormat = model["cuc"]
    header_params = list(HEADER_FIELDS)
    pus_params = list(PUS_TM_FIELDS) + [("TIME_COARSE", 8 * cuc.coarse_octets)]
    if cuc.fine_octets:
        pus_params.append(("TIME_FINE", 8 * cuc.fine_octets))
    ptypes = [
        E.IntegerParameterType(
            E.UnitSet(),
            E.IntegerDataEncoding(sizeInBits=str(b), encoding="unsigned"),
            name=f"UINT{b}",
            signed="false",
        )
        for b in sorted({b for _, b in header_params + pus_params + [("PUS_PEC", 16)]})
    ]
    params = [
        E.Parameter(name=n, parameterTypeRef=f"UINT{b}")
        for n, b in header_params + pus_params + [("PUS_PEC", 16)]
    ]
    seen = {n for n, _ in header_params + pus_params} | {"PUS_PEC"}
    containers = [
        E.SequenceContainer(
            E.EntryList(*[E.ParameterRefEntry(parameterRef=n) for n, _ in header_params]),
            name="CCSDSPacket",
            abstract="true",
        ),
        E.SequenceContainer(
            E.EntryList(*[E.ParameterRefEntry(parameterRef=n) for n, _ in pus_params]),
            E.BaseContainer(
                E.RestrictionCriteria(
                    E.ComparisonList(
                        E.Comparison(parameterRef="TYPE", value="0", useCalibratedValue="false"),
                        E.Comparison(
                            parameterRef="SEC_HDR_FLG", value="1", useCalibratedValue="false"
                        ),
                    )
                ),
                containerRef="CCSDSPacket",
            ),
            name="PUS_TM",
            abstract="true",
        ),
    ]
    for pk in model["packets"]:
        entries = []
        for pdef in pk["parameters"]:
            if pdef.name in seen:
                raise DictionaryError(
                    f"parameter name {pdef.name} is used twice (XTCE parameter names are global); "
                    "rename one of them"
                )
            seen.add(pdef.name)
            ptypes.append(_ptype(E, pdef))
            desc = {"shortDescription": pdef.description} if pdef.description else {}
            params.append(E.Parameter(name=pdef.name, parameterTypeRef=f"{pdef.name}_Type", **desc))
            entries.append(E.ParameterRefEntry(parameterRef=pdef.name))
        pus = pk.get("service") is not None
        comps = [
            E.Comparison(parameterRef="PKT_APID", value=str(pk["apid"]), useCalibratedValue="false")
        ]
        if pus:
            entries.append(E.ParameterRefEntry(parameterRef="PUS_PEC"))
            comps += [
                E.Comparison(
                    parameterRef="PUS_SERVICE", value=str(pk["service"]), useCalibratedValue="false"
                ),
                E.Comparison(
                    parameterRef="PUS_SUBSERVICE",
                    value=str(pk["subservice"]),
                    useCalibratedValue="false",
                ),
            ]
        desc = {"shortDescription": pk["description"]} if pk.get("description") else {}
        containers.append(
            E.SequenceContainer(
                E.EntryList(*entries),
                E.BaseContainer(
                    E.RestrictionCriteria(E.ComparisonList(*comps)),
                    containerRef="PUS_TM" if pus else "CCSDSPacket",
                ),
                name=pk["name"],
                **desc,
            )
        )
    ancillary = [
        E.AncillaryData(f"{d.packet}.{d.name} [{d.unit}] = {d.expression}", name="kamo.derived")
        for d in model.get("derived", [])
    ]
    if cuc.epoch_tai58 is not None:
        ancillary.append(E.AncillaryData(repr(cuc.epoch_tai58), name="kamo.cuc_epoch_tai58"))
    children = [E.AncillaryDataSet(*ancillary)] if ancillary else []
    children.append(E.Header(version="1.0", validationStatus="Working"))
    children.append(
        E.TelemetryMetaData(
            E.ParameterTypeSet(*ptypes), E.ParameterSet(*params), E.ContainerSet(*containers)
        )
    )
    commands = model.get("commands", [])
    if commands:
        atypes, metas = [], []
        base_args = [("APID", 11), ("SERVICE", 8), ("SUBSERVICE", 8)]
        for n, b in base_args:
            atypes.append(
                E.IntegerArgumentType(
                    E.UnitSet(),
                    E.IntegerDataEncoding(sizeInBits=str(b), encoding="unsigned"),
                    name=f"{n}_ArgType",
                    signed="false",
                )
            )
        metas.append(
            E.MetaCommand(
                E.ArgumentList(
                    *[E.Argument(name=n, argumentTypeRef=f"{n}_ArgType") for n, _ in base_args]
                ),
                name="PUS_TC",
                abstract="true",
            )
        )
        for cmd in commands:
            for a in cmd.arguments:
                atypes.append(_atype(E, cmd.name, a))
            assigns = [
                E.ArgumentAssignment(argumentName="APID", argumentValue=str(cmd.apid)),
                E.ArgumentAssignment(argumentName="SERVICE", argumentValue=str(cmd.service)),
                E.ArgumentAssignment(argumentName="SUBSERVICE", argumentValue=str(cmd.subservice)),
            ]
            arg_els = [
                E.Argument(
                    name=a.name,
                    argumentTypeRef=f"{cmd.name}.{a.name}_Type",
                    **({"shortDescription": a.description} if a.description else {}),
                )
                for a in cmd.arguments
            ]
            desc = {"shortDescription": cmd.description} if cmd.description else {}
            metas.append(
                E.MetaCommand(
                    E.BaseMetaCommand(E.ArgumentAssignmentList(*assigns), metaCommandRef="PUS_TC"),
                    E.ArgumentList(*arg_els),
                    E.CommandContainer(
                        E.EntryList(
                            *[E.ArgumentRefEntry(argumentRef=a.name) for a in cmd.arguments]
                        ),
                        name=f"{cmd.name}_Container",
                    ),
                    name=cmd.name,
                    **desc,
                )
            )
        children.append(E.CommandMetaData(E.ArgumentTypeSet(*atypes), E.MetaCommandSet(*metas)))
    doc = E.SpaceSystem(*children, name=model["name"])
    return etree.tostring(doc, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode()
