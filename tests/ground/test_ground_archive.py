"""Archive: crash recovery of the raw store, Zarr append, reprocessing, queries and replay."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from ground.archive import Archive, ArchiveError, RawStore
from ground.bulk import decode_bytes
from ground.dictionary import load_dictionary

DICT = load_dictionary()
HK, ATT = DICT.packet("HK"), DICT.packet("ATT")
T0 = 2.0e9  # TAI seconds since 1958: 2021-05-18


def _batch(start, n=20):
    out = []
    for i in range(start, start + n):
        out.append(
            HK.encode({"BATT_V": 28000 + i, "OBC_TEMP": 2000}, seq_count=i, time_tai58=T0 + i)
        )
        out.append(ATT.encode({"RATE_X": 0.001 * i}, seq_count=i, time_tai58=T0 + i))
    return b"".join(out)


def test_records_round_trip(tmp_path):
    store = RawStore(tmp_path / "a.kpa", fsync=False)
    store.append(b"first")
    store.append(b"bad bytes", kind=1, reason="garbage")
    recs = list(RawStore(tmp_path / "a.kpa").records())
    assert [r.payload for r in recs] == [b"first", b"bad bytes"]
    assert recs[1].reason == "garbage" and "quarantine" in repr(recs[1])


@pytest.mark.parametrize("cut", [3, 20, 40])
def test_torn_last_record_is_dropped_and_reported(tmp_path, cut):
    path = tmp_path / "a.kpa"
    store = RawStore(path)
    store.append(b"A" * 100)
    store.append(b"B" * 100)
    good_end = path.stat().st_size
    store.append(b"C" * 100)
    with open(path, "r+b") as fh:  # the crash: the last write stopped part way
        fh.truncate(good_end + cut)
    again = RawStore(path)
    assert again.recovery.dropped_bytes == cut
    assert "dropped a torn last record" in again.recovery.message
    assert [r.payload[:1] for r in again.records()] == [b"A", b"B"]
    assert path.stat().st_size == good_end
    again.append(b"D" * 10)  # and the store is usable again
    assert [r.payload[:1] for r in RawStore(path).records()] == [b"A", b"B", b"D"]
    assert RawStore(path).recovery.dropped_bytes == 0


def test_garbled_last_record_is_torn_but_garbled_middle_is_an_error(tmp_path):
    path = tmp_path / "a.kpa"
    store = RawStore(path)
    for c in b"ABC":
        store.append(bytes([c]) * 50)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # last record's payload damaged: a torn page
    path.write_bytes(bytes(data))
    assert RawStore(path).recovery.records == 2
    store = RawStore(path)
    store.append(b"E" * 50)
    data = bytearray(path.read_bytes())
    data[50] ^= 0xFF  # inside the first record, with good records after it
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="not a torn write"):
        RawStore(path)
    path.write_bytes(b"something else")
    with pytest.raises(ArchiveError, match="not a kamo raw archive"):
        RawStore(path)


def test_ingest_append_reprocess_query_replay(tmp_path):
    archive = Archive(tmp_path / "tm.zarr", DICT, fsync=False)
    archive.ingest(decode_bytes(_batch(0) + b"junk!", DICT))
    archive.ingest(decode_bytes(_batch(20), DICT))
    hk = archive.open("HK").load()
    assert hk.sizes["time"] == 40 and hk["BATT_V"].attrs["units"] == "V"
    assert [r.reason for r in archive.raw.records()] == [None, "garbage", None]
    # reprocessing the raw store reproduces the processed store exactly
    archive.reprocess(tmp_path / "again.zarr")
    for group in ("HK", "ATT"):
        again = xr.open_zarr(tmp_path / "again.zarr", group=group, consolidated=False).load()
        xr.testing.assert_identical(again, archive.open(group).load())
    # query by parameter and time range
    t = hk["time"].values
    q = archive.query("RATE_X", t[5], t[9])
    assert q.sizes["time"] == 5 and q.values[0] == pytest.approx(0.005)
    assert archive.query("BATT_P").sizes["time"] == 40
    with pytest.raises(KeyError, match="not in the archive"):
        archive.query("NOPE")
    # replay a time range as a packet stream, which decodes to the same parameters
    replayed = b"".join(archive.replay(str(t[30]), str(t[34])))
    again = decode_bytes(replayed, DICT)
    assert again.summary()["packets"] == 10
    assert again.by_type["HK"]["BATT_V"].tolist() == list(range(28030, 28035))
    assert len(b"".join(archive.replay())) == 2 * len(_batch(0))


def test_header_level_archive_without_dictionary(tmp_path):
    archive = Archive(tmp_path / "tm.zarr", None, fsync=False)
    archive.ingest(decode_bytes(_batch(0, 5), None))
    assert Archive.groups(tmp_path / "tm.zarr") == ["APID_100", "APID_101"]
    assert archive.open("APID_100")["seq_count"].values.tolist() == list(range(5))
    with pytest.raises(KeyError, match="no packet type"):
        archive.open("HK")
    assert np.all(archive.query("length").values == HK.length)


def test_sub_second_times_appended_after_whole_seconds_read_back_exactly(tmp_path):
    # the first batch on whole seconds must not fix a time unit that later packets cannot use
    archive = Archive(tmp_path / "tm.zarr", DICT, fsync=False)
    whole = np.array(["2026-07-01T00:00:00", "2026-07-01T00:00:01"], dtype="datetime64[ns]")
    fine = np.array(
        ["2026-07-01T00:00:01.250", "2026-07-01T00:00:01.000000123"], dtype="datetime64[ns]"
    )
    for times in (whole, fine):
        ds = xr.Dataset({"BATT_V": ("time", np.array([28.0, 28.1]))}, coords={"time": times})
        archive.write_processed({"HK": ds})
    stored = archive.open("HK")["time"].values
    np.testing.assert_array_equal(stored, np.concatenate([whole, fine]))
