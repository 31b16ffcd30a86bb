"""Fixtures for the display server: an archive made from a recorded pass, an SWPC cache made
from recorded products, a trajectory for contacts, and the real server (``kamo ground serve``)
on a free loopback port."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
import xarray as xr

from ground.archive import Archive
from ground.bulk import decode_bytes
from ground.decom import decommutate
from ground.dictionary import DEFAULT_DICTIONARY, load_dictionary
from ground.spaceweather.products import PRODUCTS

HERE = Path(__file__).parent
RECORDING = HERE / "data" / "pass.bin"
SWPC_DATA = HERE.parent / "spaceweather" / "data"
REPO = HERE.parents[2]
START_TAI58 = 2145916837.0  # 2026-01-01T00:00:00Z
TAI58_MINUS_UNIX = 378691200.0 + 37.0  # TAI seconds since 1958 = unix + this (37 s leap, 2026)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ingest(archive: Path, data: bytes) -> None:
    """Archive packets the way `kamo ground decode --out` and `follow` do (raw first)."""
    d = load_dictionary()
    result = decode_bytes(data, d)
    Archive(archive, d).ingest(result, decommutate(result, d))


def hk_packet(volts: float, *, unix_time: float, seq: int = 0) -> bytes:
    d = load_dictionary()
    return d.packet("HK").encode(
        {"BATT_V": round(volts * 1000), "OBC_TEMP": 2000, "MODE": 1},
        seq_count=seq,
        time_tai58=unix_time + TAI58_MINUS_UNIX,
    )


def make_archive(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    archive = directory / "tm.zarr"
    ingest(archive, RECORDING.read_bytes())
    shutil.copy(DEFAULT_DICTIONARY, archive.with_suffix(".dict.xml"))
    return archive


def make_swpc_cache(directory: Path, stale: tuple[str, ...] = ("mag",)) -> Path:
    """A client cache of recorded products; those in ``stale`` were fetched a day ago."""
    directory.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for name, product in PRODUCTS.items():
        src = SWPC_DATA / product.path
        if not src.exists():
            continue
        shutil.copy(src, directory / f"{name}.json")
        meta = {
            "url": "https://services.swpc.noaa.gov/" + product.path,
            "etag": None,
            "last_modified": None,
            "fetched_at": now - (86400.0 if name in stale else 0.0),
        }
        (directory / f"{name}.meta.json").write_text(json.dumps(meta))
    return directory


def make_trajectory(path: Path) -> Path:
    """A spacecraft at a fixed far direction (geocentric J2000), 2025-12-31 to 2026-01-05, hourly."""
    t = np.arange(
        np.datetime64("2025-12-31T00:00"), np.datetime64("2026-01-05T00:00"), np.timedelta64(1, "h")
    ).astype("datetime64[ns]")
    pos = np.tile([1.0e7, 1.0e7, 0.0], (t.size, 1))
    ds = xr.Dataset(
        {"position": (("time", "xyz"), pos, {"units": "km"})},
        coords={"time": t},
        attrs={"frame": "J2000", "center": "earth"},
    )
    ds.to_netcdf(path)
    return path


class RunningServer:
    def __init__(self, base: str, proc: subprocess.Popen, **paths):
        self.base = base
        self.proc = proc
        self.__dict__.update(paths)

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30.0, **kw)

    def append(self, data: bytes) -> None:
        """Archive packets while the server runs (this process writes, the server reads)."""
        ingest(self.archive, data)

    def append_hk(self, volts: float, unix_time: float, seq: int = 0) -> None:
        self.append(hk_packet(volts, unix_time=unix_time, seq=seq))


def start_server(
    workdir: Path, *, commanding: bool = True, contacts: bool = True, inprocess: bool = False
) -> RunningServer:
    """The display server on a free loopback port: ``kamo ground serve`` in a subprocess, or
    (``inprocess=True``, quicker to start) the same app under uvicorn in a thread here."""
    archive = make_archive(workdir / "arch")
    cache = make_swpc_cache(workdir / "swpc")
    port = free_port()
    options = {"archive": archive, "swpc_cache": cache}
    paths = {"archive": archive, "swpc_cache": cache, "port": port}
    if commanding:
        token = secrets.token_urlsafe(24)
        (workdir / "token").write_text(token + "\n")
        key = secrets.token_bytes(32)
        (workdir / "mission.key").write_text(key.hex())
        queue = workdir / "tcq"
        options |= {
            "token_file": workdir / "token",
            "key_file": workdir / "mission.key",
            "tc_queue": queue,
        }
        paths |= {"token": token, "key": key, "queue": queue}
    if contacts:
        options["trajectory"] = paths["trajectory"] = make_trajectory(workdir / "traj.nc")
    base = f"http://127.0.0.1:{port}"
    if inprocess:
        return _start_thread(base, port, options, paths)
    cmd = [sys.executable, "-m", "missions.cli", "ground", "serve", "--port", str(port)]
    for name, value in options.items():
        cmd += ["--" + name.replace("_", "-"), str(value)]
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 (closed with the process)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=env)
    deadline = time.monotonic() + 90.0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode}: {(workdir / 'server.log').read_text()}"
            )
        if _up(base):
            return RunningServer(base, proc, log=workdir / "server.log", **paths)
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not start: {(workdir / 'server.log').read_text()}")


def _up(base: str) -> bool:
    try:
        return httpx.get(base + "/api/status", timeout=2.0).status_code == 200
    except httpx.TransportError:
        return False


def _start_thread(base: str, port: int, options: dict, paths: dict) -> RunningServer:
    import threading

    import uvicorn

    from ground.server import build_config, create_app

    archive = options.pop("archive")
    app = create_app(build_config(archive, **options))
    uv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60.0
    while not _up(base):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("in-process server did not start")
        time.sleep(0.05)
    srv = RunningServer(base, None, **paths)
    srv.uvicorn, srv.thread = uv, thread
    return srv


def stop_server(server: RunningServer) -> None:
    if server.proc is None:
        server.uvicorn.should_exit = True
        server.thread.join(timeout=10)
        return
    server.proc.send_signal(signal.SIGINT)
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("display"))
    yield srv
    stop_server(srv)


@pytest.fixture
def start_display(tmp_path):
    """Start another server (options as :func:`start_server`); stopped after the test."""
    started = []

    def start(**kw) -> RunningServer:
        started.append(start_server(tmp_path / f"srv{len(started)}", **kw))
        return started[-1]

    yield start
    for srv in started:
        stop_server(srv)


@pytest.fixture(scope="module")
def browser_server(tmp_path_factory):
    """A server for the browser tests (no commanding; they append packets to its archive)."""
    srv = start_server(tmp_path_factory.mktemp("browser"), commanding=False, inprocess=True)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def command_server(tmp_path_factory):
    """A server with commanding on (token, mission key, queue) for the commanding form."""
    srv = start_server(tmp_path_factory.mktemp("cmd"), contacts=False, inprocess=True)
    yield srv
    stop_server(srv)
