"""CCSDS Unsegmented Time Code (CUC, CCSDS 301.0-B-4 section 3.2).

A CUC value is an optional P-field (1 or 2 octets saying how the time is coded)
and a T-field: whole seconds since an epoch (1 to 7 coarse octets) followed by
a binary fraction of a second (0 to 10 fine octets). Level 1 counts TAI seconds
since 1958-01-01T00:00:00 TAI; Level 2 uses an agency-defined epoch.

>>> fmt = CucFormat()                          # "CUC 4+2", P-field 0x1E, 1958 TAI epoch
>>> fmt.encode_time("2024-01-01T00:00:00.5").hex(" ")
'1e 7c 24 5f 25 80 00'
>>> fmt.decode_time(bytes.fromhex("1e7c245f258000")).utc.isot
'2024-01-01T00:00:00.500'

Kernels here work on integer (coarse, fine) arrays and on float "TAI seconds
since 1958": :func:`tai58_to_et` gives SPICE ephemeris time (TDB seconds past
J2000, the same formula as NAIF's leap-seconds kernel) and :func:`tai58_to_utc64`
gives ``datetime64[ns]`` UTC using the leap-second table that ships with
astropy/erfa (no download). A UTC instant inside a leap second (23:59:60)
maps onto the following second's start, as ``datetime64`` cannot hold it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: TAI seconds from 1958-01-01T00:00:00 TAI to J2000 (2000-01-01T12:00:00 TT):
#: 15 340 days + 12 h - 32.184 s.
TAI58_AT_J2000 = 15340 * 86400 + 43200 - 32.184
#: Day-count seconds from the CCSDS epoch 1958-01-01 to the Unix epoch 1970-01-01 (4383 days).
UNIX_EPOCH_TAI58 = 378_691_200
TT_MINUS_TAI = 32.184

# NAIF LSK constants for TDB - TT (naif0012.tls: DELTET/K, EB, M).
_DELTET_K = 1.657e-3
_DELTET_EB = 1.671e-2
_DELTET_M0 = 6.239996
_DELTET_M1 = 1.99096871e-7

CUC_LEVEL1_ID = 0b001  # 1958 TAI epoch
CUC_LEVEL2_ID = 0b010  # agency-defined epoch


class CucError(ValueError):
    """A CUC P-field or T-field that cannot be decoded."""


def tai58_to_et(tai58) -> np.ndarray | float:
    """TAI seconds since 1958 -> SPICE ET (TDB seconds past J2000), vectorised.

    TT = TAI + 32.184 s; TDB - TT = K sin(E), E = M + EB sin(M), M = M0 + M1 * t
    (the periodic term NAIF's LSK uses; amplitude 1.66 ms).
    """
    tt = np.asarray(tai58, dtype=np.float64) - TAI58_AT_J2000
    m = _DELTET_M0 + _DELTET_M1 * tt
    et = tt + _DELTET_K * np.sin(m + _DELTET_EB * np.sin(m))
    return float(et) if et.ndim == 0 else et


def et_to_tai58(et) -> np.ndarray | float:
    """Inverse of :func:`tai58_to_et` (two fixed-point steps; error well below a nanosecond)."""
    et = np.asarray(et, dtype=np.float64)
    tt = et.copy()
    for _ in range(3):
        m = _DELTET_M0 + _DELTET_M1 * tt
        tt = et - _DELTET_K * np.sin(m + _DELTET_EB * np.sin(m))
    out = tt + TAI58_AT_J2000
    return float(out) if out.ndim == 0 else out


def _leap_table() -> tuple[np.ndarray, np.ndarray]:
    """(TAI58 instant each TAI-UTC value starts, value) for the integer era since 1972."""
    import erfa

    table = erfa.leap_seconds.get()
    rows = [r for r in table if r["year"] >= 1972]
    days = np.array(
        [
            (np.datetime64(f"{r['year']:04d}-{r['month']:02d}-01") - np.datetime64("1958-01-01"))
            .astype("timedelta64[D]")
            .astype(np.int64)
            for r in rows
        ]
    )
    offsets = np.array([r["tai_utc"] for r in rows], dtype=np.float64)
    return days * 86400.0 + offsets, offsets


_LEAPS: tuple[np.ndarray, np.ndarray] | None = None


def tai_minus_utc(tai58) -> np.ndarray:
    """TAI - UTC in seconds at the TAI instants ``tai58`` (10 s before 1972 is not modelled)."""
    global _LEAPS
    if _LEAPS is None:
        _LEAPS = _leap_table()
    starts, values = _LEAPS
    t = np.asarray(tai58, dtype=np.float64)
    if t.size > 16:
        # common case: the whole batch lies between two leap seconds
        lo, hi = np.searchsorted(starts, [t.min(), t.max()], side="right") - 1
        if lo == hi:
            return np.full(t.shape, values[max(lo, 0)])
    idx = np.searchsorted(starts, t, side="right") - 1
    return values[np.clip(idx, 0, len(values) - 1)]


def tai58_ns_to_utc64(tai58_ns) -> np.ndarray:
    """Integer TAI nanoseconds since 1958 -> ``datetime64[ns]`` UTC (exact to the nanosecond)."""
    ns = np.asarray(tai58_ns, dtype=np.int64)
    dat = tai_minus_utc(ns * 1e-9).astype(np.int64) * 1_000_000_000
    unix_ns = ns - dat - UNIX_EPOCH_TAI58 * 1_000_000_000
    return unix_ns.astype("datetime64[ns]")


def tai58_to_utc64(tai58) -> np.ndarray:
    """Float TAI seconds since 1958 -> ``datetime64[ns]`` UTC."""
    return tai58_ns_to_utc64(np.round(np.asarray(tai58, dtype=np.float64) * 1e9).astype(np.int64))


@dataclass(frozen=True)
class CucFormat:
    """How a CUC time is coded: octet counts, epoch and whether a P-field is carried.

    ``epoch_tai58`` is the agency epoch as TAI seconds since 1958 (``None`` =
    Level 1, the CCSDS 1958 TAI epoch); :meth:`with_epoch` builds one from an
    ISO string or astropy ``Time``.
    """

    coarse_octets: int = 4
    fine_octets: int = 2
    epoch_tai58: float | None = None
    with_pfield: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.coarse_octets <= 7:
            raise CucError(f"CUC coarse time has 1..7 octets, got {self.coarse_octets}")
        if not 0 <= self.fine_octets <= 10:
            raise CucError(f"CUC fine time has 0..10 octets, got {self.fine_octets}")

    @classmethod
    def with_epoch(cls, epoch, **kwargs) -> CucFormat:
        """A Level-2 format whose epoch is an ISO string (read as TAI) or an astropy ``Time``."""
        from astropy.time import Time

        t = epoch if isinstance(epoch, Time) else Time(epoch, scale="tai")
        base = Time("1958-01-01T00:00:00", scale="tai")
        return cls(epoch_tai58=float((t.tai - base).sec), **kwargs)

    @property
    def time_code_id(self) -> int:
        return CUC_LEVEL1_ID if self.epoch_tai58 is None else CUC_LEVEL2_ID

    @property
    def pfield_len(self) -> int:
        if not self.with_pfield:
            return 0
        return 2 if (self.coarse_octets > 4 or self.fine_octets > 3) else 1

    @property
    def tfield_len(self) -> int:
        return self.coarse_octets + self.fine_octets

    @property
    def length(self) -> int:
        """Octets of the whole time code (P-field + T-field)."""
        return self.pfield_len + self.tfield_len

    @property
    def resolution_s(self) -> float:
        return 2.0 ** (-8 * self.fine_octets)

    def pfield(self) -> bytes:
        c1, f1 = min(self.coarse_octets, 4), min(self.fine_octets, 3)
        c2, f2 = self.coarse_octets - c1, self.fine_octets - f1
        ext = int(c2 > 0 or f2 > 0)
        first = (ext << 7) | (self.time_code_id << 4) | ((c1 - 1) << 2) | f1
        return bytes([first]) if not ext else bytes([first, (c2 << 5) | (f2 << 2)])

    @classmethod
    def from_pfield(cls, buf: bytes, epoch_tai58: float | None = None) -> tuple[CucFormat, int]:
        """Read a P-field; returns the format and the P-field length in octets."""
        if len(buf) < 1:
            raise CucError("no octet left for a CUC P-field")
        first = buf[0]
        code = (first >> 4) & 0b111
        if code not in (CUC_LEVEL1_ID, CUC_LEVEL2_ID):
            raise CucError(
                f"P-field 0x{first:02X} has time code ID {code:03b}; CUC is 001 (1958 TAI) or 010 (agency)"
            )
        coarse, fine, n = ((first >> 2) & 3) + 1, first & 3, 1
        if first & 0x80:
            if len(buf) < 2:
                raise CucError("CUC P-field extension flag set but the second octet is missing")
            second = buf[1]
            coarse += (second >> 5) & 3
            fine += (second >> 2) & 7
            n = 2
        if code == CUC_LEVEL2_ID and epoch_tai58 is None:
            raise CucError("an agency-epoch (Level 2) CUC needs epoch_tai58 to be interpreted")
        return cls(coarse, fine, epoch_tai58 if code == CUC_LEVEL2_ID else None, True), n

    # -- encoding

    def encode(self, seconds: float | int, fine: int | None = None) -> bytes:
        """Encode seconds since this format's epoch (TAI). ``fine`` gives the fine count exactly."""
        if fine is None:
            whole = int(np.floor(seconds))
            fine = int(round((float(seconds) - whole) * 2 ** (8 * self.fine_octets)))
            if fine == 2 ** (8 * self.fine_octets):
                whole, fine = whole + 1, 0
        else:
            whole = int(seconds)
        if not 0 <= whole < 2 ** (8 * self.coarse_octets):
            raise CucError(
                f"{whole} s does not fit {self.coarse_octets} coarse octets "
                f"(0..{2 ** (8 * self.coarse_octets) - 1})"
            )
        tfield = whole.to_bytes(self.coarse_octets, "big")
        if self.fine_octets:
            tfield += int(fine).to_bytes(self.fine_octets, "big")
        return (self.pfield() if self.with_pfield else b"") + tfield

    def encode_time(self, t) -> bytes:
        """Encode an astropy ``Time`` or ISO string (read as UTC)."""
        return self.encode(self._seconds_from_time(t))

    def _seconds_from_time(self, t) -> float:
        from astropy.time import Time

        t = t if isinstance(t, Time) else Time(t, scale="utc")
        base = Time("1958-01-01T00:00:00", scale="tai")
        # split into whole days and the rest to keep sub-microsecond precision
        delta = t.tai - base
        sec = (delta.jd1 * 86400.0) + (delta.jd2 * 86400.0)
        return sec - (self.epoch_tai58 or 0.0)

    # -- decoding

    def decode_fields(self, buf: bytes, offset: int = 0) -> tuple[int, int]:
        """(coarse, fine) integers from the code at ``buf[offset]`` (checks the P-field if carried)."""
        p = offset
        if self.with_pfield:
            fmt, n = CucFormat.from_pfield(bytes(buf[p : p + 2]), self.epoch_tai58 or 0.0)
            if (fmt.coarse_octets, fmt.fine_octets) != (self.coarse_octets, self.fine_octets):
                raise CucError(
                    f"P-field says CUC {fmt.coarse_octets}+{fmt.fine_octets}, "
                    f"expected {self.coarse_octets}+{self.fine_octets}"
                )
            p += n
        end = p + self.tfield_len
        if end > len(buf):
            raise CucError(f"CUC T-field needs {self.tfield_len} octets, {len(buf) - p} remain")
        coarse = int.from_bytes(bytes(buf[p : p + self.coarse_octets]), "big")
        fine = int.from_bytes(bytes(buf[p + self.coarse_octets : end]), "big")
        return coarse, fine

    def decode(self, buf: bytes, offset: int = 0) -> float:
        """Seconds since this format's epoch (float)."""
        coarse, fine = self.decode_fields(buf, offset)
        return coarse + fine * self.resolution_s

    def tai58(self, coarse, fine) -> np.ndarray:
        """Vectorised: TAI seconds since 1958 from (coarse, fine) arrays."""
        sec = np.asarray(coarse, dtype=np.float64) + np.asarray(fine, dtype=np.float64) * (
            self.resolution_s
        )
        return sec + (self.epoch_tai58 or 0.0)

    def tai58_ns(self, coarse, fine) -> np.ndarray:
        """Vectorised: integer TAI nanoseconds since 1958 (exact for up to 4 fine octets)."""
        c = np.asarray(coarse, dtype=np.int64)
        f = np.asarray(fine, dtype=np.int64)
        bits = 8 * self.fine_octets
        frac_ns = (f * 1_000_000_000) >> bits if bits <= 32 else np.zeros_like(f)
        epoch_ns = int(round((self.epoch_tai58 or 0.0) * 1e9))
        return c * 1_000_000_000 + frac_ns + epoch_ns

    def to_utc64(self, coarse, fine) -> np.ndarray:
        return tai58_ns_to_utc64(self.tai58_ns(coarse, fine))

    def to_et(self, coarse, fine) -> np.ndarray:
        return tai58_to_et(self.tai58(coarse, fine))

    def decode_time(self, buf: bytes, offset: int = 0):
        """Decode to an astropy ``Time`` (scale TAI)."""
        from astropy.time import Time, TimeDelta

        coarse, fine = self.decode_fields(buf, offset)
        base = Time("1958-01-01T00:00:00", scale="tai")
        whole = coarse + int(self.epoch_tai58 or 0)
        frac = fine * self.resolution_s + ((self.epoch_tai58 or 0.0) % 1.0)
        return base + TimeDelta(whole // 86400, (whole % 86400 + frac) / 86400.0, format="jd")

    def __repr__(self) -> str:
        epoch = "1958 TAI" if self.epoch_tai58 is None else f"TAI58+{self.epoch_tai58:.3f}s"
        pf = self.pfield().hex() if self.with_pfield else "none"
        return f"CucFormat({self.coarse_octets}+{self.fine_octets}, epoch={epoch}, pfield={pf})"
