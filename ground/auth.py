"""Telecommand authentication: HMAC-SHA256 with an anti-replay sequence number.

Every authenticated telecommand is a normal PUS-C TC whose application data
ends in a **security trailer** (a kamo convention in the spirit of CCSDS SDLS,
355.0-B, moved from the frame to the packet)::

    primary header (6) | PUS-C TC header (5) | arguments | key id (2) | auth seq (4) | MAC (32) | CRC (2)

* ``key id``: which mission key signed it (16-bit, big-endian);
* ``auth seq``: a 32-bit counter that must strictly increase per key (the 14-bit
  CCSDS sequence count wraps every 16384 packets and cannot stop a replay);
* ``MAC``: HMAC-SHA256 (RFC 2104, FIPS 198-1) with the mission key over every
  octet from the first octet of the primary header to the last octet of ``auth
  seq``, so the header (APID, length), the PUS service, the arguments, the key
  id and the counter are all covered;
* ``CRC``: the PUS Packet Error Control over the whole packet, MAC included.

:class:`OnboardVerifier` is the flight side: it checks the CRC, the trailer,
the key, the MAC (constant-time) and the counter, in that order, and answers
with PUS service 1 reports, TM[1,1] acceptance success or TM[1,2] acceptance
failure (request ID + failure code + failure data). Its counter moves only
after a command is fully authenticated, so forged packets cannot burn sequence
numbers. It imports only the standard library and :mod:`ground` modules, and it
never reads a clock: the caller hands in the encoded onboard time.

>>> key = MissionKey(1, bytes(range(32)))
>>> tc = seal_tc(apid=100, service=17, subservice=1, app_data=b"", key=key, auth_seq=1)
>>> v = OnboardVerifier({1: key.secret})
>>> v.verify(tc).accepted
True
>>> v.verify(tc).reason          # the same packet again is a replay
'REPLAY'
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path

from ground.crc import crc16
from ground.packets import (
    PacketError,
    decode_pus_tc,
    encode_pus_tc,
    encode_pus_tm,
)

KEY_ID_LEN = 2
AUTH_SEQ_LEN = 4
MAC_LEN = 32
TRAILER_LEN = KEY_ID_LEN + AUTH_SEQ_LEN + MAC_LEN
MAX_AUTH_SEQ = 0xFFFF_FFFF
MIN_KEY_LEN = 16  # octets; RFC 2104 sec. 3: keys shorter than the hash output weaken the MAC

#: PUS ST[01] request verification, acceptance subtypes (ECSS-E-ST-70-41C 6.1).
ACCEPTANCE_SUCCESS = 1
ACCEPTANCE_FAILURE = 2
ACK_ACCEPTANCE = 0b0001  # ack flag asking for a TM[1,1] (spacepackets' AckFlags.ACCEPTANCE)


class FailureCode(IntEnum):
    """Acceptance failure codes carried in TM[1,2] (16 bits, mission-defined)."""

    MALFORMED = 1  # not a complete PUS-C TC packet
    CRC_ERROR = 2  # Packet Error Control does not match
    NOT_AUTHENTICATED = 3  # no room for a security trailer
    UNKNOWN_KEY = 4  # key id not loaded onboard
    MAC_MISMATCH = 5  # altered packet or wrong key
    REPLAY = 6  # auth seq not above the last accepted one
    WRONG_APID = 7  # addressed to another application
    ILLEGAL_COMMAND = 8  # service/subtype not in the onboard dictionary
    INVALID_ARGUMENTS = 9  # arguments violate the onboard dictionary


@dataclass(frozen=True)
class MissionKey:
    """A mission key for command authentication: its id and secret (never printed)."""

    key_id: int
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.key_id <= 0xFFFF:
            raise ValueError(f"key id must be in 0..65535, got {self.key_id}")
        if len(self.secret) < MIN_KEY_LEN:
            raise ValueError(
                f"mission key must be at least {MIN_KEY_LEN} octets, got {len(self.secret)}"
            )

    def fingerprint(self) -> str:
        """First 8 hex digits of SHA-256 of the key: safe to print, enough to tell keys apart."""
        return hashlib.sha256(self.secret).hexdigest()[:8]


def load_key(path: str | Path, key_id: int = 1) -> MissionKey:
    """Read a key file: hexadecimal text (64 hex digits for 32 octets) or raw binary."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"key file not found: {path}")
    data = path.read_bytes()
    try:
        text = data.decode("ascii").strip()
        secret = bytes.fromhex("".join(text.split())) if text else b""
    except (UnicodeDecodeError, ValueError):
        secret = data
    if len(secret) < MIN_KEY_LEN:
        raise ValueError(
            f"key file {path}: key must be at least {MIN_KEY_LEN} octets "
            f"(e.g. 64 hex digits), got {len(secret)}"
        )
    return MissionKey(key_id, secret)


def compute_mac(secret: bytes, signed_part: bytes) -> bytes:
    """HMAC-SHA256 of ``signed_part`` (header through auth seq) with the mission key."""
    return hmac.new(secret, signed_part, hashlib.sha256).digest()


def seal_tc(
    apid: int,
    service: int,
    subservice: int,
    app_data: bytes,
    *,
    key: MissionKey,
    auth_seq: int,
    seq_count: int | None = None,
    source_id: int = 0,
    ack_flags: int = 0b1111,
) -> bytes:
    """Build an authenticated PUS-C TC: arguments + security trailer, MAC, then CRC.

    The CCSDS sequence count defaults to ``auth_seq`` modulo 16384.
    """
    if not 0 <= auth_seq <= MAX_AUTH_SEQ:
        raise ValueError(f"auth sequence number must be in 0..{MAX_AUTH_SEQ}, got {auth_seq}")
    trailer_head = bytes(app_data) + struct.pack(">HI", key.key_id, auth_seq)
    unsealed = encode_pus_tc(
        apid,
        service,
        subservice,
        trailer_head + bytes(MAC_LEN),
        seq_count=(auth_seq & 0x3FFF) if seq_count is None else seq_count,
        source_id=source_id,
        ack_flags=ack_flags,
        with_crc=False,
    )
    # the packet data length must count the CRC that follows: patch it (CCSDS 133.0-B-2 4.1.3.5)
    data_len = int.from_bytes(unsealed[4:6], "big") + 2
    signed_part = unsealed[:4] + data_len.to_bytes(2, "big") + unsealed[6:-MAC_LEN]
    body = signed_part + compute_mac(key.secret, signed_part)
    return body + crc16(body).to_bytes(2, "big")


@dataclass(frozen=True)
class AuthTrailer:
    """The parts of an authenticated TC the verifier looks at."""

    key_id: int
    auth_seq: int
    mac: bytes = field(repr=False)
    args: bytes = field(repr=False)
    signed_part: bytes = field(repr=False)


def split_trailer(raw: bytes, check_crc: bool = True) -> AuthTrailer:
    """Split a PUS-C TC (CRC checked unless told it already was) into arguments and trailer.

    Raises :class:`ground.packets.PacketError` when the packet is short or fails its CRC.
    """
    tc = decode_pus_tc(raw, with_crc=True) if check_crc else _decode_checked(raw)
    if len(tc.app_data) < TRAILER_LEN:
        raise PacketError(
            f"TC has {len(tc.app_data)} octets of application data, fewer than the "
            f"{TRAILER_LEN}-octet security trailer"
        )
    total = tc.header.packet_len
    trailer = tc.app_data[-TRAILER_LEN:]
    key_id, auth_seq = struct.unpack_from(">HI", trailer, 0)
    return AuthTrailer(
        key_id=key_id,
        auth_seq=auth_seq,
        mac=trailer[KEY_ID_LEN + AUTH_SEQ_LEN :],
        args=tc.app_data[:-TRAILER_LEN],
        signed_part=bytes(raw[: total - 2 - MAC_LEN]),
    )


def _decode_checked(raw: bytes):
    """Decode a TC whose CRC the caller has verified, keeping the CRC out of the app data."""
    tc = decode_pus_tc(raw, with_crc=False)
    return replace(tc, app_data=tc.app_data[:-2])


@dataclass(frozen=True)
class Verdict:
    """What the verifier decided about one telecommand, and the report it sends down."""

    accepted: bool
    reason: str
    request_id: bytes
    report: bytes | None
    service: int | None = None
    subservice: int | None = None
    apid: int | None = None
    args: bytes = b""
    auth_seq: int | None = None
    key_id: int | None = None
    detail: str = ""
    ack_flags: int = 0b1111
    source_id: int = 0

    @property
    def failure_code(self) -> int | None:
        return None if self.accepted else int(FailureCode[self.reason])

    def __repr__(self) -> str:
        what = f"TC[{self.service},{self.subservice}]" if self.service is not None else "TC[?]"
        verdict = "accepted" if self.accepted else f"rejected: {self.reason}"
        return f"Verdict({what}, auth seq {self.auth_seq}, {verdict}{'; ' + self.detail if self.detail else ''})"


class OnboardVerifier:
    """Accept or reject incoming telecommands and produce PUS ST[01] acceptance reports.

    ``keys`` maps key id to secret (or is one secret, taken as key id 1).
    ``last_seq`` is the last accepted auth sequence number per key (restore it
    from non-volatile memory after a reboot; see :meth:`state`). With ``apids``,
    commands to other APIDs are refused; with ``dictionary`` (a
    :class:`ground.dictionary.Dictionary`), unknown commands and arguments out
    of their range are refused too. Reports go out on ``report_apid`` with a
    per-subtype message counter and the caller's encoded ``time`` field.
    """

    def __init__(
        self,
        keys: dict[int, bytes] | bytes,
        *,
        last_seq: dict[int, int] | int | None = None,
        apids: set[int] | None = None,
        dictionary=None,
        report_apid: int = 1,
    ) -> None:
        if isinstance(keys, bytes | bytearray):
            keys = {1: bytes(keys)}
        self._keys = {int(k): MissionKey(int(k), bytes(v)).secret for k, v in keys.items()}
        if not self._keys:
            raise ValueError("OnboardVerifier needs at least one mission key")
        if isinstance(last_seq, int):
            last_seq = dict.fromkeys(self._keys, last_seq)
        self._last = {k: -1 for k in self._keys} | {
            int(k): int(v) for k, v in (last_seq or {}).items()
        }
        self.apids = set(apids) if apids is not None else None
        self.dictionary = dictionary
        self.report_apid = report_apid
        self._report_seq = 0
        self._message_counter = {ACCEPTANCE_SUCCESS: 0, ACCEPTANCE_FAILURE: 0}
        self.log: list[Verdict] = []

    def state(self) -> dict[int, int]:
        """Last accepted auth sequence number per key id (-1: none yet), to persist."""
        return dict(self._last)

    def verify(self, raw: bytes, time: bytes = b"") -> Verdict:
        """Check one received TC; returns the :class:`Verdict` with its TM[1,1]/TM[1,2] report."""
        raw = bytes(raw)
        request_id = raw[:4].ljust(4, b"\0")
        verdict = self._check(raw, request_id)
        report = self._report(verdict, time)
        verdict = replace(verdict, report=report)
        self.log.append(verdict)
        return verdict

    def _reject(self, request_id: bytes, code: FailureCode, detail: str, **kw) -> Verdict:
        return Verdict(False, code.name, request_id, None, detail=detail, **kw)

    def _check(self, raw: bytes, request_id: bytes) -> Verdict:
        try:
            tc = decode_pus_tc(raw, with_crc=False)
        except PacketError as exc:
            return self._reject(request_id, FailureCode.MALFORMED, str(exc))
        ids = {
            "service": tc.service,
            "subservice": tc.subservice,
            "apid": tc.header.apid,
            "ack_flags": tc.ack_flags,
            "source_id": tc.source_id,
        }
        if tc.pus_version != 2:
            return self._reject(
                request_id,
                FailureCode.MALFORMED,
                f"PUS version {tc.pus_version}, expected 2 (PUS-C)",
            )
        if len(tc.app_data) < 2 or crc16(raw[: tc.header.packet_len]) != 0:
            return self._reject(
                request_id, FailureCode.CRC_ERROR, "packet error control mismatch", **ids
            )
        if self.apids is not None and tc.header.apid not in self.apids:
            return self._reject(
                request_id,
                FailureCode.WRONG_APID,
                f"APID {tc.header.apid} is not served here",
                **ids,
            )
        try:
            tr = split_trailer(raw, check_crc=False)
        except PacketError as exc:
            return self._reject(request_id, FailureCode.NOT_AUTHENTICATED, str(exc), **ids)
        ids |= {"key_id": tr.key_id, "auth_seq": tr.auth_seq}
        secret = self._keys.get(tr.key_id)
        if secret is None:
            return self._reject(
                request_id, FailureCode.UNKNOWN_KEY, f"key id {tr.key_id} not loaded", **ids
            )
        if not hmac.compare_digest(compute_mac(secret, tr.signed_part), tr.mac):
            return self._reject(
                request_id,
                FailureCode.MAC_MISMATCH,
                "HMAC does not match (altered or wrong key)",
                **ids,
            )
        last = self._last.get(tr.key_id, -1)
        if tr.auth_seq <= last:
            return self._reject(
                request_id,
                FailureCode.REPLAY,
                f"auth seq {tr.auth_seq} not above last accepted {last}",
                **ids,
            )
        if self.dictionary is not None:
            problem = self._dictionary_problem(tc, tr.args)
            if problem is not None:
                code, detail = problem
                # authenticated: the counter moves, so the same bad command cannot be retried
                self._last[tr.key_id] = tr.auth_seq
                return self._reject(request_id, code, detail, args=tr.args, **ids)
        self._last[tr.key_id] = tr.auth_seq
        return Verdict(True, "ACCEPTED", request_id, None, args=tr.args, **ids)

    def _dictionary_problem(self, tc, args: bytes) -> tuple[FailureCode, str] | None:
        from ground.dictionary import CommandError

        for cmd in self.dictionary.commands:
            if (cmd.apid, cmd.service, cmd.subservice) == (
                tc.header.apid,
                tc.service,
                tc.subservice,
            ):
                if len(args) != cmd.app_data_len:
                    return FailureCode.INVALID_ARGUMENTS, (
                        f"{cmd.name} takes {cmd.app_data_len} octets of arguments, got {len(args)}"
                    )
                try:
                    cmd.validate(cmd.decode_args(args))
                except CommandError as exc:
                    return FailureCode.INVALID_ARGUMENTS, str(exc)
                return None
        return FailureCode.ILLEGAL_COMMAND, (
            f"no command TC[{tc.service},{tc.subservice}] for APID {tc.header.apid} in the dictionary"
        )

    def _report(self, verdict: Verdict, time: bytes) -> bytes | None:
        """TM[1,1] if the TC asked for it (ack flag bit 0), TM[1,2] always on rejection."""
        if verdict.accepted:
            if not verdict.ack_flags & ACK_ACCEPTANCE:
                return None
            subtype, data = ACCEPTANCE_SUCCESS, verdict.request_id
        else:
            code = FailureCode[verdict.reason]
            subtype = ACCEPTANCE_FAILURE
            data = verdict.request_id + struct.pack(">H", code) + _failure_data(verdict, code)
        counter = self._message_counter[subtype]
        self._message_counter[subtype] = (counter + 1) & 0xFFFF
        seq = self._report_seq
        self._report_seq = (seq + 1) & 0x3FFF
        return encode_pus_tm(
            self.report_apid,
            1,
            subtype,
            data,
            time=time,
            seq_count=seq,
            message_counter=counter,
            destination_id=verdict.source_id,
        )


def _failure_data(verdict: Verdict, code: FailureCode) -> bytes:
    """Failure data after the code: the auth seq received and the key id, when known."""
    if verdict.auth_seq is None:
        return b""
    return struct.pack(">IH", verdict.auth_seq, verdict.key_id or 0)
