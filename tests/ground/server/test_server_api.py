"""The display server's HTTP API, against the real server (``kamo ground serve``) on loopback.

The archive is the recorded 10-minute pass in ``data/pass.bin`` (1 Hz HK/ATT/PROP from
2026-01-01T00:00:00Z; BATT_V over its red limit of 34 V in the last minute).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from ground.archive import Archive, RawStore
from ground.auth import OnboardVerifier
from ground.dictionary import load_dictionary
from ground.server.data import MAX_PAGE

T0 = "2026-01-01T00:00:00Z"
T0_MS = 1767225600000


# --------------------------------------------------------------------------- dictionary


def test_dictionary_lists_every_parameter_with_units_and_limits(server):
    with server.client() as c:
        r = c.get("/api/dictionary")
    assert r.status_code == 200
    body = r.json()
    d = load_dictionary()
    got = {p["key"]: p for pk in body["packets"] for p in pk["parameters"]}
    for pdef in d.packets:
        for f in pdef.user_fields:
            par = got[f.name]
            assert par["packet"] == pdef.name
            assert par["units"] == f.parameter.unit
            lim = f.parameter.limits
            if lim is None:
                assert par["limits"] is None
            else:
                assert par["limits"]["red_high"] == lim.red_high
                assert par["limits"]["yellow_low"] == lim.yellow_low
        for der in pdef.derived:
            assert got[der.name]["derived"] is True
    assert got["MODE"]["enumeration"][2] == {"value": 2, "string": "SCIENCE"}
    assert {c["name"] for c in body["commands"]} == {c.name for c in d.commands}


def test_dictionary_commands_carry_what_the_form_needs(server):
    """Types, ranges (the dictionary's within the encoding's), units and labels per argument:
    what the display's commanding form shows and checks before sending."""
    with server.client() as c:
        commands = {cmd["name"]: cmd for cmd in c.get("/api/dictionary").json()["commands"]}
    d = load_dictionary()
    assert list(commands) == [cmd.name for cmd in d.commands]
    for cdef in d.commands:
        got = commands[cdef.name]
        assert (got["apid"], got["service"], got["subservice"]) == (
            cdef.apid,
            cdef.service,
            cdef.subservice,
        )
        assert [a["name"] for a in got["arguments"]] == [a.name for a in cdef.arguments]
        for a, adef in zip(got["arguments"], cdef.arguments, strict=True):
            assert (a["type"], a["bits"], a["units"]) == (adef.kind, adef.bits, adef.unit)
            assert a["range"] == adef.range_text()
            if adef.kind in ("enum", "bool"):
                assert a["min"] is None and a["max"] is None
            else:
                assert (a["min"], a["max"]) == adef.bounds()
    fire = {a["name"]: a for a in commands["THRUSTER_FIRE"]["arguments"]}
    assert fire["DURATION"] | {"enumeration": None} == fire["DURATION"] | {
        "type": "float",
        "bits": 32,
        "units": "s",
        "min": 0.01,
        "max": 600.0,
        "range": "0.01..600 s",
        "enumeration": None,
    }
    heater = {a["name"]: a for a in commands["HEATER_SET"]["arguments"]}
    assert [e["string"] for e in heater["STATE"]["enumeration"]] == ["OFF", "ON"]
    assert (heater["HEATER_ID"]["min"], heater["HEATER_ID"]["max"]) == (0, 3)


# --------------------------------------------------------------------------- history


def test_history_matches_the_archive_query(server):
    start, end = "2026-01-01T00:08:30Z", "2026-01-01T00:09:10Z"
    with server.client() as c:
        page = c.get("/api/history/BATT_V", params={"start": start, "end": end}).json()
    expected = Archive(server.archive, load_dictionary()).query(
        "BATT_V", start.rstrip("Z"), end.rstrip("Z")
    )
    assert page["total"] == page["count"] == expected.sizes["time"] == 41
    np.testing.assert_array_equal(page["values"], expected.values)
    ms = expected["time"].values.astype("datetime64[ms]").astype(np.int64)
    np.testing.assert_array_equal(page["time_ms"], ms)
    assert page["units"] == "V" and page["next_offset"] is None


def test_history_accepts_epoch_milliseconds_like_open_mct(server):
    with server.client() as c:
        iso = c.get("/api/history/TANK_P", params={"start": T0, "end": "2026-01-01T00:00:10Z"})
        ms = c.get("/api/history/TANK_P", params={"start": T0_MS, "end": T0_MS + 10_000})
    assert iso.json()["values"] == ms.json()["values"]
    assert ms.json()["values"][0] == 1500.0  # raw 3000 * 0.5 kPa


def test_history_empty_span_and_span_past_the_data(server):
    with server.client() as c:
        before = c.get(
            "/api/history/BATT_V",
            params={"start": "2025-12-31T00:00:00Z", "end": "2025-12-31T23:00:00Z"},
        )
        past = c.get(
            "/api/history/BATT_V",
            params={"start": "2026-01-01T00:10:00Z", "end": "2026-01-02T00:00:00Z"},
        )
        straddle = c.get(
            "/api/history/BATT_V",
            params={"start": "2026-01-01T00:09:58Z", "end": "2027-01-01T00:00:00Z"},
        )
    for r in (before, past):
        assert r.status_code == 200
        assert (
            r.json()["total"] == 0 and r.json()["values"] == [] and r.json()["next_offset"] is None
        )
    assert straddle.json()["values"] == [34.78, 34.79]


def test_latest_value(server):
    with server.client() as c:
        r = c.get("/api/history/BATT_V", params={"latest": "1"}).json()
    assert r["values"] == [34.79] and r["time_ms"] == [T0_MS + 599_000]


def test_huge_span_is_paged_and_pages_add_up(server):
    with server.client() as c:
        huge = c.get(
            "/api/history/RATE_X",
            params={"start": "1900-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"},
        ).json()
        assert huge["total"] == 600 and huge["count"] == 600  # the whole pass fits one page
        values, offset, pages = [], 0, 0
        while offset is not None:
            page = c.get(
                "/api/history/RATE_X",
                params={"start": "1900-01-01", "end": "2100-01-01", "limit": 128, "offset": offset},
            ).json()
            assert page["count"] <= 128
            values += page["values"]
            offset = page["next_offset"]
            pages += 1
        too_big = c.get("/api/history/RATE_X", params={"limit": MAX_PAGE + 1})
    assert pages == 5 and values == huge["values"]
    assert too_big.status_code == 400 and str(MAX_PAGE) in too_big.json()["error"]


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/api/history/BATT_V?start=yesterday", 400, "start='yesterday' is not a time"),
        ("/api/history/BATT_V?end=2026-13-45", 400, "end='2026-13-45'"),
        ("/api/history/BATT_V?start=2026-01-02&end=2026-01-01", 400, "before start"),
        ("/api/history/BATT_V?limit=0", 400, "limit=0"),
        ("/api/history/BATT_V?limit=ten", 400, "limit='ten' must be an integer"),
        ("/api/history/BATT_V?offset=-1", 400, "offset=-1"),
        ("/api/history/BATT_V?start=1e300", 400, "out of range"),
        ("/api/history/NO_SUCH", 404, "no parameter 'NO_SUCH'"),
        ("/api/nothing", 404, "not found"),
        ("/api/contacts?start=2026-01-01&end=2026-03-01", 400, "at most 31 days"),
        ("/api/realtime?parameters=BATT_V,NOPE", 404, "NOPE"),
    ],
)
def test_malformed_requests_get_clear_errors(server, url, status, words):
    with server.client() as c:
        r = c.get(url)
    assert r.status_code == status
    assert words in r.json()["error"]


def test_wrong_method_and_raw_garbage_do_not_stop_the_server(server):
    with server.client() as c:
        assert c.post("/api/dictionary").status_code == 405
        assert c.get("/api/commands").status_code == 405
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"\x16\x03\x01\x00\xff garbage that is not HTTP\r\n\r\n")
        reply = s.recv(200)
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET /api/history/BATT_V?start=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(100).split(b" ")[1] in (b"400", b"200")
    with server.client() as c:
        assert c.get("/api/status").status_code == 200


def test_security_headers_on_api_and_page(server):
    with server.client() as c:
        for path in ("/api/dictionary", "/", "/api/nothing"):
            h = c.get(path).headers
            assert "default-src 'self'" in h["content-security-policy"]
            assert "frame-ancestors 'none'" in h["content-security-policy"]
            assert h["x-content-type-options"] == "nosniff"
            assert h["x-frame-options"] == "DENY"
            assert h["referrer-policy"] == "no-referrer"
            assert "server" not in h


# --------------------------------------------------------------------------- alarms, space weather, contacts


def test_alarms_show_the_red_battery_voltage(server):
    with server.client() as c:
        body = c.get("/api/alarms").json()
    assert body["active_count"] == 1
    (active,) = body["active"]
    assert (active["parameter"], active["level"], active["side"]) == ("BATT_V", "red", "high")
    assert active["value"] == 34.79 and active["limit"] == 34.0
    first = [a for a in body["alarms"] if a["parameter"] == "BATT_V"][-1]
    assert first["time"] == "2026-01-01T00:09:00.000Z" and first["level"] == "red"


def test_spaceweather_is_the_cli_status_summary(server):
    with server.client() as c:
        api = c.get("/api/spaceweather").json()
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "missions.cli",
            "spaceweather",
            "status",
            "--cache-dir",
            str(server.swpc_cache),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    ref = json.loads(cli.stdout)
    for key in ("kp", "protons", "xray", "solar_wind", "stale"):
        assert api[key] == ref[key], key
    assert api["stale"] is True and api["products"]["mag"]["stale"] is True
    assert api["products"]["kp"]["stale"] is False


def test_contacts_over_a_span(server):
    with server.client() as c:
        body = c.get(
            "/api/contacts", params={"start": "2026-01-01T00:00:00Z", "end": "2026-01-03T00:00:00Z"}
        ).json()
    assert body["available"] and body["count"] == len(body["contacts"]) > 0
    assert {ct["station"] for ct in body["contacts"]} <= {"kashi", "jiamusi", "neuquen"}
    for ct in body["contacts"]:
        assert ct["aos"] <= ct["tca"] <= ct["los"] and ct["aos"] < ct["los"]
        assert ct["max_elevation"] >= 10.0 or ct["aos_cut"] or ct["los_cut"]
        assert ct["data_rate_bps_tca"] > 0


# --------------------------------------------------------------------------- commands


def _post(server, body, token=None, raw=None):
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    with server.client() as c:
        return c.post(
            "/api/commands", content=raw if raw is not None else json.dumps(body), headers=headers
        )


def test_commands_without_or_with_a_wrong_token_are_refused(server):
    before = sorted(server.queue.glob("*.tc"))
    cmd = {"command": "HEATER_SET", "args": {"HEATER_ID": 2, "STATE": "ON"}}
    missing = _post(server, cmd)
    wrong = _post(server, cmd, token=server.token[:-1] + ("A" if server.token[-1] != "A" else "B"))
    with server.client() as c:
        basic = c.post(
            "/api/commands", json=cmd, headers={"authorization": f"Basic {server.token}"}
        )
    for r in (missing, wrong, basic):
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert sorted(server.queue.glob("*.tc")) == before


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (
            {"command": "HEATER_SET", "args": {"HEATER_ID": 9, "STATE": "ON"}},
            422,
            "HEATER_ID=9 is out of range; valid range is 0..3",
        ),
        ({"command": "HEATER_SET", "args": {"HEATER_ID": 1, "STATE": "HOT"}}, 422, "STATE"),
        ({"command": "HEATER_SET", "args": {"HEATER_ID": 1}}, 422, "STATE"),
        ({"command": "SELF_DESTRUCT"}, 422, "no command 'SELF_DESTRUCT'"),
        ({"args": {}}, 400, '"command"'),
        ({"command": "PING", "args": [1, 2]}, 400, '"args" must be an object'),
    ],
)
def test_invalid_commands_get_the_dictionary_reason(server, body, status, words):
    before = sorted(server.queue.glob("*.tc"))
    r = _post(server, body, token=server.token)
    assert r.status_code == status
    assert words in r.json()["error"]
    assert sorted(server.queue.glob("*.tc")) == before


def test_malformed_and_oversized_command_bodies(server):
    assert _post(server, None, token=server.token, raw=b"{not json").status_code == 400
    big = _post(server, None, token=server.token, raw=b"{" + b" " * 70_000 + b"}")
    assert big.status_code == 413


def test_valid_command_is_signed_queued_and_verifies_onboard(server):
    r1 = _post(
        server,
        {"command": "HEATER_SET", "args": {"HEATER_ID": 2, "STATE": "ON"}},
        token=server.token,
    )
    r2 = _post(
        server,
        {"command": "THRUSTER_FIRE", "args": {"THRUSTER_ID": 3, "DURATION": "1.5", "OFFSET": -20}},
        token=server.token,
    )
    assert r1.status_code == r2.status_code == 202
    a, b = r1.json(), r2.json()
    assert b["auth_seq"] == a["auth_seq"] + 1
    d = load_dictionary()
    verifier = OnboardVerifier({1: server.key}, last_seq=0, dictionary=d)
    for accepted in (a, b):
        raw = open(accepted["file"], "rb").read()
        assert raw.hex() == accepted["hex"]
        verdict = verifier.verify(raw)
        assert verdict.accepted, verdict
    assert a["args"] == {"HEATER_ID": 2, "STATE": "ON"}
    # a replay of the first packet is refused by the same verifier
    assert not verifier.verify(open(a["file"], "rb").read()).accepted
    log = (server.queue / "commands.log").read_text()
    outcomes = [json.loads(line)["outcome"] for line in log.splitlines()]
    assert outcomes.count("queued") >= 2 and "unauthorized" in outcomes and "refused" in outcomes
    assert server.token not in log


# --------------------------------------------------------------------------- realtime


def test_realtime_pushes_appended_packets_and_survives_a_client_leaving(server):
    # whole seconds: ground.archive appends times in the units of the group's first write
    # (whole seconds for this recording) and cannot store fractions there
    t = float(int(time.time()))
    with (
        server.client() as c,
        c.stream("GET", "/api/realtime", params={"parameters": "BATT_V"}) as s,
    ):
        assert s.headers["content-type"].startswith("text/event-stream")
        lines = s.iter_lines()
        assert next(lines).startswith("retry:")
        server.append_hk(29.5, t, 1)
        event = None
        for line in lines:
            if line.startswith("data: "):
                event = json.loads(line[6:])
                break
    assert event["packet"] == "HK" and list(event["values"]) == ["BATT_V"]
    assert event["values"]["BATT_V"] == [29.5]
    assert abs(event["time_ms"][0] - t * 1000) < 2
    # a client that drops mid-stream while packets land: nothing lost, nothing torn
    with server.client() as c, c.stream("GET", "/api/realtime") as s:
        next(s.iter_lines())
        for i in range(5):
            server.append_hk(30.0 + i, t + 1 + i, 2 + i)
    for i in range(5, 8):
        server.append_hk(30.0 + i, t + 1 + i, 2 + i)
    store = RawStore(server.archive.with_suffix(".kpa"))
    assert store.recovery.dropped_bytes == 0
    q = Archive(server.archive, load_dictionary()).query("BATT_V")
    assert q.sizes["time"] == 600 + 1 + 8
    with server.client() as c:
        status = c.get("/api/status").json()
        assert status["realtime"]["subscribers"] == 0
        latest = c.get("/api/history/BATT_V", params={"latest": 1, "limit": 3})
    deadline = time.monotonic() + 5
    while latest.json()["values"] != [35.0, 36.0, 37.0] and time.monotonic() < deadline:
        time.sleep(0.1)  # the Zarr view settles a moment after an append
        with server.client() as c:
            latest = c.get("/api/history/BATT_V", params={"latest": 1, "limit": 3})
    assert latest.json()["values"] == [35.0, 36.0, 37.0]


# --------------------------------------------------------------------------- CLI


def test_serve_refuses_a_short_token_with_exit_code_2(tmp_path):
    (tmp_path / "token").write_text("letmein")
    (tmp_path / "key").write_text("00" * 32)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "missions.cli",
            "ground",
            "serve",
            "--archive",
            str(tmp_path / "tm.zarr"),
            "--token-file",
            str(tmp_path / "token"),
            "--key-file",
            str(tmp_path / "key"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert "at least 16 characters" in r.stderr and "letmein" not in r.stderr


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"token_file": "TOKEN"}, ValueError, "give both or neither"),
        ({"token_file": "MISSING", "key_file": "KEY"}, FileNotFoundError, "token file not found"),
        ({"token_file": "TOKEN", "key_file": "SHORTKEY"}, ValueError, "at least 16 octets"),
        ({"poll_s": 0.0}, ValueError, "poll interval must be positive"),
    ],
)
def test_build_config_names_the_bad_option(tmp_path, options, error, words):
    from ground.server import build_config

    (tmp_path / "TOKEN").write_text("x" * 32)
    (tmp_path / "KEY").write_text("00" * 32)
    (tmp_path / "SHORTKEY").write_text("00" * 4)
    opts = {k: (tmp_path / v if isinstance(v, str) else v) for k, v in options.items()}
    with pytest.raises(error, match=words):
        build_config(tmp_path / "tm.zarr", **opts)


def test_unauthenticated_server_has_commanding_off(start_display):
    srv = start_display(commanding=False, contacts=False, inprocess=True)
    with srv.client() as c:
        r = c.post(
            "/api/commands",
            json={"command": "PING"},
            headers={"authorization": "Bearer " + "x" * 32},
        )
        contacts = c.get("/api/contacts").json()
        assert c.get("/api/status").json()["commanding"] is False
    assert r.status_code == 403 and "commanding is disabled" in r.json()["error"]
    assert contacts["available"] is False and "--trajectory" in contacts["reason"]


@pytest.mark.filterwarnings("ignore:Times can't be serialized faithfully:UserWarning")
def test_a_sub_second_packet_after_whole_seconds_is_served_at_its_time(start_display):
    srv = start_display(commanding=False, contacts=False, inprocess=True)
    # one CUC fine tick (2**-16 s) past a whole second, appended after whole-second packets
    unix_time = 1767226800 + 2.0**-16
    srv.append_hk(29.0, unix_time=unix_time)
    deadline = time.monotonic() + 20.0
    with srv.client() as c:
        while True:
            page = c.get("/api/history/BATT_V", params={"start": "2026-01-01T00:19:00Z"}).json()
            if page.get("count") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert page["values"] == [29.0]
    assert page["time_ms"] == [int(unix_time * 1000)]


def test_an_unreadable_packet_group_is_a_clear_500_and_the_rest_still_serves(start_display):
    srv = start_display(commanding=False, contacts=False, inprocess=True)
    with srv.client() as c:
        assert c.get("/api/history/BATT_V").status_code == 200
    # then replace that packet type's processed store with one whose time axis is not a
    # time (as a foreign or damaged writer might leave it); the raw store keeps the packets
    shutil.rmtree(Path(srv.archive) / "HK")
    xr.Dataset({"BATT_V": ("time", np.zeros(601))}, coords={"time": np.arange(601.0)}).to_zarr(
        srv.archive, group="HK", mode="a", consolidated=False
    )
    deadline = time.monotonic() + 20.0  # a fresh failure is first taken for an append in progress
    with srv.client() as c:
        while True:
            bad = c.get("/api/history/BATT_V")
            settled = bad.status_code != 200 and "changed while being read" not in bad.text
            if settled or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        good = c.get("/api/history/RATE_X", params={"limit": 3})
        status = c.get("/api/status")
    assert bad.status_code == 500 and "packet type HK" in bad.json()["error"]
    assert good.status_code == 200 and good.json()["count"] == 3
    assert status.status_code == 200 and "error" in status.json()["packets"]["HK"]


def test_a_group_replaced_under_the_cached_view_is_a_500_not_a_crash(start_display):
    # A writer that replaces a group changes the chunks under the view the server holds
    # for a moment (the store has not settled); reading through that view fails inside
    # zarr. The request must get a 500 naming the packet type, not an exception.
    srv = start_display(commanding=False, contacts=False, inprocess=True)
    with srv.client() as c:
        deadline = time.monotonic() + 10.0  # the fresh archive settles, then is cached
        while c.get("/api/history/BATT_V").json()["total"] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert c.get("/api/history/BATT_V").json()["total"] == 600
        shutil.rmtree(Path(srv.archive) / "HK")
        times = np.datetime64("2026-01-01T00:00:00", "ns") + np.arange(601) * np.timedelta64(1, "s")
        xr.Dataset({"BATT_V": ("time", np.zeros(601))}, coords={"time": times}).to_zarr(
            srv.archive, group="HK", mode="a", consolidated=False
        )
        os.utime(Path(srv.archive) / "HK" / "BATT_V" / "zarr.json")  # just written: not settled
        r = c.get("/api/history/BATT_V")
        assert r.status_code == 500, r.text
        assert "packet type HK" in r.json()["error"] and "changed while being read" in r.text
        assert c.get("/api/history/RATE_X", params={"limit": 3}).status_code == 200


def test_minmax_decimation_keeps_every_excursion(server):
    span = {"start": T0, "end": "2026-01-01T00:10:00Z"}
    with server.client() as c:
        full = c.get("/api/history/BATT_V", params=span).json()
        dec = c.get("/api/history/BATT_V", params=span | {"strategy": "minmax", "size": 40}).json()
        small = c.get(
            "/api/history/BATT_V", params=span | {"strategy": "minmax", "size": 5000}
        ).json()
        bad = c.get("/api/history/BATT_V", params=span | {"strategy": "minmax", "size": 1})
    assert dec["decimated"] == "minmax" and dec["total"] == 600 and dec["count"] <= 40
    assert max(dec["values"]) == max(full["values"]) and min(dec["values"]) == min(full["values"])
    # every returned sample is a real archived one, in time order
    lookup = dict(zip(full["time_ms"], full["values"], strict=True))
    assert all(lookup[t] == v for t, v in zip(dec["time_ms"], dec["values"], strict=True))
    assert dec["time_ms"] == sorted(dec["time_ms"])
    # the jump over the red limit (30.156 V -> 34.2 V at 00:09:00) survives decimation
    assert full["values"][539] in dec["values"] and full["values"][540] in dec["values"]
    assert "decimated" not in small and small["values"] == full["values"]
    assert bad.status_code == 400


def test_binds_loopback_only_by_default(server):
    """``kamo ground serve`` without ``--host`` listens on 127.0.0.1 (read from /proc/net/tcp)."""
    table = open("/proc/net/tcp").read().splitlines()[1:]
    listening = [
        line.split()[1]
        for line in table
        if line.split()[3] == "0A"  # state LISTEN
    ]
    ours = [addr for addr in listening if int(addr.split(":")[1], 16) == server.port]
    assert ours == [f"0100007F:{server.port:04X}"]  # 127.0.0.1, little-endian hex
