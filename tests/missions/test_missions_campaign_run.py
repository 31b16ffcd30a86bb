"""Campaigns on real Dask clusters: determinism across workers and batches, errors recorded,
resume after killing the CLI, an external scheduler started with ``dask scheduler``/``dask worker``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from missions.campaign.adapters import get_adapter
from missions.campaign.draw import draw_inputs, scenario_seed_sequence
from missions.campaign.runner import plan_batches, run_campaign
from missions.campaign.spec import parse_campaign

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

INJECTION = """
[campaign]
name = "injection-test"
scenario = "launch-injection"
runs = 24
seed = 5

[inputs]
dv_budget_m_s = 12.0

[inputs.c3_error_km2_s2]
distribution = "normal"
mean = 0.0
std = 0.3

[inputs.vinf_ra_error_deg]
distribution = "uniform"
low = -0.3
high = 0.3

# one run in six aims at a body that does not exist: that run raises
[inputs.target]
distribution = "choice"
values = ["kamooalewa", "no-such-body"]
weights = [5, 1]
"""

TAG = """
[campaign]
name = "tag-test"
scenario = "touch-and-go"
runs = 4
seed = 3

[inputs]
hover_s = 2.0
descent_s = 60.0
backaway_s = 30.0
dt_s = 2.0
truth_gravity = "ellipsoid"

[inputs.diameter_m]
distribution = "uniform"
low = 38.0
high = 44.0

[inputs.latitude_deg]
distribution = "choice"
values = [20.0, 30.0]
"""


def _load(path) -> xr.Dataset:
    ds = xr.open_zarr(str(path), consolidated=False).load()
    timing = [k for k, v in ds.data_vars.items() if v.attrs.get("role") == "timing"]
    return ds.drop_vars(timing)


def assert_same_store(a, b):
    da, db = _load(a), _load(b)
    assert sorted(da.data_vars) == sorted(db.data_vars)
    for k in da.data_vars:
        x, y = da[k].values, db[k].values
        if x.dtype.kind == "f":
            np.testing.assert_array_equal(x, y, err_msg=k)
        else:
            assert [str(v) for v in x.tolist()] == [str(v) for v in y.tolist()], k
    assert da.attrs == db.attrs


@pytest.fixture(scope="module")
def client2():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        with Client(cluster) as client:
            yield client


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("campaign")
    (d / "inj.toml").write_text(INJECTION)
    (d / "tag.toml").write_text(TAG)
    return d


@pytest.fixture(scope="module")
def injection_reference(files, client2):
    out = files / "inj-ref.zarr"
    run_campaign(files / "inj.toml", out, batch=24, client=client2)
    return out


@pytest.fixture(scope="module")
def tag_reference(files, client2):
    out = files / "tag-ref.zarr"
    run_campaign(files / "tag.toml", out, batch=2, client=client2)
    return out


@pytest.fixture(scope="module")
def long_reference(files, client2):
    out = files / "inj-300.zarr"
    run_campaign(files / "inj.toml", out, runs=300, batch=60, client=client2)
    return out


def test_plan_batches_cover_exactly_the_pending_runs():
    done = np.array([1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], bool)
    b = plan_batches(done, 2)
    assert b == [(2, 4), (4, 5), (6, 8), (8, 10), (10, 11)]
    covered = sorted(i for a, z in b for i in range(a, z))
    assert covered == list(np.flatnonzero(~done))


def test_same_store_whatever_workers_and_batch(files, client2, injection_reference):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        with Client(cluster) as one:
            run_campaign(files / "inj.toml", files / "inj-1w.zarr", batch=1, client=one)
    run_campaign(files / "inj.toml", files / "inj-b7.zarr", batch=7, client=client2)
    assert_same_store(injection_reference, files / "inj-1w.zarr")
    assert_same_store(injection_reference, files / "inj-b7.zarr")


def test_raising_runs_are_recorded_and_the_campaign_goes_on(injection_reference):
    ds = xr.open_zarr(str(injection_reference), consolidated=False).load()
    assert ds["done"].values.all()
    target = np.array([str(v) for v in ds["input_target"].values.tolist()])
    bad = target == "no-such-body"
    assert 0 < bad.sum() < ds.sizes["run"]
    errors = [str(v) for v in ds["error"].values.tolist()]
    tracebacks = [str(v) for v in ds["traceback"].values.tolist()]
    for i in np.flatnonzero(bad):
        assert errors[i].startswith("ValueError: unknown body 'no-such-body'")
        assert "Traceback (most recent call last)" in tracebacks[i]
        assert str(ds["outcome"].values[i]) == "error" and not ds["success"].values[i]
        assert np.isnan(ds["tcm_dv_m_s"].values[i])
    good = ~bad
    assert all(errors[i] == "" for i in np.flatnonzero(good))
    assert np.isfinite(ds["tcm_dv_m_s"].values[good]).all()
    # success means the correction fits the 12 m/s budget
    ok = ds["success"].values[good]
    assert np.array_equal(ok, ds["tcm_dv_m_s"].values[good] <= 12.0)


def test_touch_and_go_campaign_equals_direct_calls(files, tag_reference):
    ds = xr.open_zarr(str(tag_reference), consolidated=False).load()
    assert ds["done"].values.all()
    assert (ds["count_mpc"].values + ds["count_zem_zev"].values > 0).all()
    spec = parse_campaign(TAG)
    adapter = get_adapter("touch-and-go")
    i = 3
    direct = adapter.run(
        scenario_seed_sequence(spec.seed, i), {**spec.constants, **draw_inputs(spec, i)}
    )
    assert ds["input_diameter_m"].values[i] == draw_inputs(spec, i)["diameter_m"]
    for name in ("touchdown_error_m", "touchdown_east_m", "propellant_used_kg"):
        np.testing.assert_equal(ds[name].values[i], direct[name])
    assert str(ds["outcome"].values[i]) == direct["outcome"]
    assert int(ds["count_mpc"].values[i]) == direct["counts"]["mpc"]


def _cli(*args, **kw):
    return [sys.executable, "-m", "missions.cli", "campaign", *map(str, args)]


def _done_count(store: Path) -> int:
    import zarr

    try:
        return int(np.asarray(zarr.open_group(str(store), mode="r")["done"][:]).sum())
    except Exception:
        return 0


def _start_and_kill(cmd, out: Path, sig, after: int) -> int:
    """Start the CLI, wait until ``after`` runs are stored, send ``sig``; return the runs stored."""
    proc = subprocess.Popen(
        cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 180
        while _done_count(out) < after and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the local cluster's workers, if left behind
        except ProcessLookupError:
            pass
    if sig == signal.SIGINT:
        assert proc.returncode == 130
    return _done_count(out)


def test_resume_after_ctrl_c_and_kill_9_equals_uninterrupted(files, long_reference):
    # one run per task and one worker: the 300 runs take seconds however fast the scenario is
    out = files / "inj-killed.zarr"
    cmd = _cli(
        "run", files / "inj.toml", "--runs", "300", "--out", out,
        "--workers", "1", "--batch", "1", "--quiet", "--json",
    )  # fmt: skip
    first = _start_and_kill(cmd, out, signal.SIGINT, after=2)
    assert 2 <= first < 300
    second = _start_and_kill(cmd, out, signal.SIGKILL, after=first + 2)
    assert first + 2 <= second < 300
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout)
    assert report["already_done"] == second
    assert report["ran"] == 300 - second
    assert_same_store(long_reference, out)


def test_other_campaign_in_the_same_store_is_refused(files, injection_reference):
    other = files / "inj-other.toml"
    other.write_text(INJECTION.replace("seed = 5", "seed = 6"))
    res = subprocess.run(
        _cli("run", other, "--out", injection_reference, "--workers", "1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert "holds another campaign" in res.stderr and "seed 5" in res.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(tmp_path, *args):
    dask = str(Path(sys.executable).parent / "dask")
    return subprocess.Popen(
        [dask, *args, "--no-dashboard"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_external_scheduler_killed_and_replaced(files, long_reference, tmp_path):
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    scheduler = ["scheduler", "--host", "127.0.0.1", "--port", str(port)]
    worker = ["worker", addr, "--nworkers", "1", "--nthreads", "1"]
    procs = [_dask(tmp_path, *scheduler)]
    out = tmp_path / "ext.zarr"
    cmd = _cli(
        "run", files / "inj.toml", "--runs", "300", "--out", out,
        "--scheduler", addr, "--batch", "1", "--json", "--quiet",
    )  # fmt: skip
    try:
        procs.append(_dask(tmp_path, *worker))
        cli = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 120
        while _done_count(out) < 10 and cli.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cli.poll() is None, cli.communicate()[1][-2000:]
        os.killpg(procs[0].pid, signal.SIGKILL)  # the scheduler dies mid-campaign
        _, err = cli.communicate(timeout=120)
        assert cli.returncode == 3, err[-2000:]
        assert "lost the Dask cluster" in err and "run the same command again" in err
        stored = _done_count(out)
        assert 10 <= stored < 300
        # a new scheduler on the same address and a fresh worker; the same command resumes
        procs += [_dask(tmp_path, *scheduler), _dask(tmp_path, *worker)]
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        report = json.loads(res.stdout)
        assert (report["already_done"], report["ran"]) == (stored, 300 - stored)
        assert_same_store(long_reference, out)
        workers = {
            str(w) for w in xr.open_zarr(str(out), consolidated=False)["worker"].values.tolist()
        }
        assert not any(w.endswith(f":{cli.pid}") for w in workers)  # ran in the dask workers
    finally:
        for p in procs[::-1]:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=30)


def test_killed_worker_is_replaced_and_the_store_is_complete(files, client2, long_reference):
    import threading

    out = files / "inj-worker-killed.zarr"
    pids = client2.run(os.getpid)
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(
            run=run_campaign(files / "inj.toml", out, runs=300, batch=5, client=client2)
        )
    )
    thread.start()
    deadline = time.monotonic() + 120
    while _done_count(out) < 10 and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert thread.is_alive(), "the campaign ended before a worker could be killed"
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker; Dask reruns its task
    thread.join(timeout=300)
    assert result["run"].ran == 300
    assert victim not in client2.run(os.getpid).values()
    assert_same_store(long_reference, out)


def test_autonomy_scenario_campaign_records_decision_counts(files, client2):
    pytest.importorskip("missions.scenarios")
    from missions.campaign.summary import open_campaign

    (files / "auto.toml").write_text(
        """
[campaign]
scenario = "nominal"
runs = 2
seed = 4
[inputs]
duration_s = 120.0
[inputs.body__diameter_m]
distribution = "uniform"
low = 38.0
high = 44.0
"""
    )
    run_campaign(files / "auto.toml", files / "auto.zarr", batch=1, client=client2)
    c = open_campaign(files / "auto.zarr")
    ds = c.results
    assert ds.sizes["run"] == 2 and not any(str(e) for e in ds["error"].values.tolist())
    # two minutes is not enough to sample: the executive is still on its way
    assert [str(o) for o in ds["outcome"].values.tolist()] == ["postponed", "postponed"]
    assert not ds["success"].values.any()
    counts = [json.loads(str(t)) for t in ds["counts_json"].values.tolist()]
    assert all(k.get("GOAL") == 1 for k in counts)
    assert c.summary()["mean_counts"]["GOAL"] == 1.0
    assert (ds["min_altitude_m"].values > 100).all()


def _worker_settings():
    import dask

    return (
        os.environ.get("NUMBA_NUM_THREADS"),
        os.environ.get("KAMO_SINGLE_THREAD"),
        dask.config.get("distributed.worker.profile.enabled"),
        dask.config.get("distributed.admin.tick.interval"),
    )


def test_local_cluster_workers_keep_campaign_settings_after_a_restart():
    import dask
    from distributed import Client

    from missions.campaign.runner import local_cluster

    before = dask.config.get("distributed.worker.profile.enabled")
    with local_cluster(1) as cluster, Client(cluster) as client:
        want = [("1", "1", False, "500ms")]
        assert list(client.run(_worker_settings).values()) == want
        client.restart()  # new worker processes, as after a killed worker
        assert list(client.run(_worker_settings).values()) == want
    # this process's own configuration is left as it was
    assert dask.config.get("distributed.worker.profile.enabled") == before
