"""Running a campaign on Dask: batches of runs per task, results streamed into Zarr, resumable.

:func:`run_campaign` lays out the store (or reopens it), splits the runs not yet
``done`` into contiguous batches, and submits one task per batch to a
``dask.distributed`` cluster: a :class:`~distributed.LocalCluster` it starts
(``workers`` processes, one thread each) or an existing scheduler
(``scheduler="tcp://host:8786"``). Each task draws its runs' inputs from the
master seed (:mod:`missions.campaign.draw`), runs the scenario adapter, catches
and records exceptions, and hands back columns; the calling process writes them
into the store as tasks finish (``done`` last). Workers load SPICE kernels
themselves (a worker plugin, and again inside each task: it is idempotent).

Kill it any way you like (Ctrl-C, a worker, the scheduler, the process): run the
same command again and only the runs not ``done`` run; since every run depends
only on (seed, index, campaign), the final store is the uninterrupted one.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
import traceback
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from missions.campaign.adapters import get_adapter
from missions.campaign.draw import draw_inputs, scenario_seed_sequence
from missions.campaign.spec import CampaignSpec, load_campaign
from missions.campaign.store import StoreWriter, create_store, layout, open_for_resume

__all__ = [
    "CampaignLost",
    "CampaignRun",
    "local_cluster",
    "plan_batches",
    "run_batch",
    "run_campaign",
]


class CampaignLost(RuntimeError):
    """The Dask cluster went away mid-campaign; the runs stored so far stay, run again to resume."""


#: Each local worker owns one core: libraries that would start threads of their own
#: (numba's parallel kernels, polyhedral-gravity's TBB) stay on one, or the workers
#: fight over the same cores. Start workers of an external cluster with the same.
WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "KAMO_SINGLE_THREAD": "1"}

#: Dask settings for the workers kamo starts. Dask's defaults suit interactive work
#: watched on the dashboard; in a worker whose task holds the GIL for seconds they cost
#: time: the statistical profiler samples the task's stack every 10 ms, the event loop
#: ticks every 20 ms, and each wake-up takes the GIL from the task. When every core runs
#: a worker, the woken thread also has to wait for a core while the task waits for the
#: GIL. Measured on the 2-core touch-and-go benchmark: a run takes ~12 % less time, and
#: two workers slow each other by ~5 % instead of ~15 %.
WORKER_DASK_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
}


def local_cluster(n_workers: int, **kwargs: Any):
    """A ``LocalCluster`` of ``n_workers`` one-thread worker processes, set up for campaigns.

    Each worker owns one core (:data:`WORKER_ENV`) and runs with
    :data:`WORKER_DASK_CONFIG`; the dashboard is on a free port
    (``cluster.dashboard_link``). ``kwargs`` go to ``LocalCluster``.
    """
    import copy

    import dask
    from distributed import LocalCluster

    with dask.config.set(WORKER_DASK_CONFIG):
        # A nanny keeps a shallow copy of the configuration for the workers it (re)starts:
        # give it a subtree of its own, or a worker restarted after the `with` ends (a
        # killed worker) would get Dask's defaults back.
        worker_config = {"distributed": copy.deepcopy(dask.config.get("distributed"))}
        options = {
            "n_workers": n_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",
            "silence_logs": logging.ERROR,
            "env": WORKER_ENV,
            "config": worker_config,
            **kwargs,
        }
        return LocalCluster(**options)


def _ensure_kernels() -> None:
    from orbits.spice import ensure_kernels

    ensure_kernels()


def run_batch(spec: CampaignSpec, start: int, stop: int) -> dict[str, list]:
    """Run ``start..stop-1`` of ``spec`` here and return one list per store variable."""
    import json

    _ensure_kernels()
    adapter = get_adapter(spec.scenario)
    names = layout(spec, adapter)
    cols: dict[str, list] = {k: [] for k in names if k != "done"}
    where = f"{socket.gethostname()}:{os.getpid()}"
    for i in range(start, stop):
        t0 = time.perf_counter()
        err = tb = ""
        try:
            drawn = draw_inputs(spec, i)
        except Exception as exc:  # a bad draw is this run's failure, not the campaign's
            drawn, out = {}, {"outcome": "error"}
            err, tb = f"{type(exc).__name__}: {exc}", traceback.format_exc()
        if not err:
            try:
                out = adapter.run(scenario_seed_sequence(spec.seed, i), {**spec.constants, **drawn})
            except Exception as exc:
                out = {"outcome": "error"}
                err, tb = f"{type(exc).__name__}: {exc}", traceback.format_exc()
        wall = time.perf_counter() - t0
        for name in spec.dispersed:
            cols[f"input_{name}"].append(drawn.get(name, math.nan))
        for o in adapter.outputs:
            v = out.get(o.name, math.nan)
            cols[o.name].append(math.nan if v is None else float(v))
        counts = out.get("counts") or {}
        for c in adapter.counts:
            cols[f"count_{c}"].append(int(counts.get(c, 0)) if not err else -1)
        cols["counts_json"].append(json.dumps(counts, sort_keys=True) if counts else "")
        outcome = str(out.get("outcome", "error" if err else "unknown"))
        cols["outcome"].append(outcome)
        cols["success"].append(outcome in adapter.success)
        cols["error"].append(err)
        cols["traceback"].append(tb)
        cols["wall_time_s"].append(wall)
        cols["worker"].append(where)
    return cols


def plan_batches(done: np.ndarray, batch: int) -> list[tuple[int, int]]:
    """Contiguous ``(start, stop)`` ranges of at most ``batch`` runs covering every run not done."""
    pending = np.flatnonzero(~np.asarray(done, bool))
    if pending.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(pending) != 1) + 1
    out = []
    for seg in np.split(pending, breaks):
        a, b = int(seg[0]), int(seg[-1]) + 1
        out.extend((s, min(s + batch, b)) for s in range(a, b, batch))
    return out


def auto_batch(runs: int, typical_run_s: float, workers: int = 2) -> int:
    """Runs per task: about a second of work, and at least four tasks per worker when runs allow."""
    per_second = max(1, int(1.0 / max(typical_run_s, 1e-6)))
    return max(1, min(per_second, math.ceil(runs / (4 * max(workers, 1)))))


@dataclass
class CampaignRun:
    """What one invocation of :func:`run_campaign` did."""

    store: Path
    runs: int
    already_done: int
    ran: int
    failures: int
    errors: int
    wall_s: float
    batch: int
    workers: int

    def __repr__(self) -> str:
        return (
            f"CampaignRun({self.store}: {self.runs} runs, {self.already_done} already stored, "
            f"{self.ran} run now ({self.failures} not successful, {self.errors} raised) "
            f"in {self.wall_s:.1f} s on {self.workers} workers, batch {self.batch})"
        )


def _kernel_plugin():
    from distributed.diagnostics.plugin import WorkerPlugin

    class SpiceKernels(WorkerPlugin):
        """Load kamo's SPICE kernels in each worker as it starts."""

        name = "kamo-spice-kernels"

        def setup(self, worker):
            _ensure_kernels()

    return SpiceKernels()


def _progress(total: int, already: int, enabled: bool):
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from missions.cli._common import err_console

    prog = Progress(
        TextColumn("[bold]campaign[/]"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TextColumn("[red]{task.fields[failures]} failed[/]"),
        TextColumn("{task.fields[rate]} runs/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        disable=not enabled,
        transient=False,
    )
    task = prog.add_task("runs", total=total, completed=already, failures=0, rate="-")
    return prog, task


def run_campaign(
    campaign: str | Path | CampaignSpec,
    out: str | Path,
    *,
    runs: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    batch: int | None = None,
    client: Any = None,
    progress: bool = False,
) -> CampaignRun:
    """Run (or resume) a campaign into the Zarr store ``out``; see the module docstring.

    ``client`` reuses an existing ``distributed.Client`` (notebooks, tests);
    otherwise ``scheduler`` connects to a running Dask scheduler, or a
    ``LocalCluster`` of ``workers`` processes (default: the CPU count) is started
    and closed again.
    """
    spec = campaign if isinstance(campaign, CampaignSpec) else load_campaign(campaign)
    if runs is not None:
        spec = spec.with_runs(runs)
    if workers is not None and (int(workers) != workers or workers < 1):
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if batch is not None and (int(batch) != batch or batch < 1):
        raise ValueError(f"batch must be a positive integer, got {batch!r}")
    if (
        scheduler is not None
        and client is None
        and not str(scheduler).startswith(("tcp://", "tls://", "inproc://", "ucx://"))
    ):
        raise ValueError(f"scheduler must be an address like tcp://HOST:8786, got {scheduler!r}")
    adapter = get_adapter(spec.scenario)
    out = Path(out)
    n_workers = int(workers or os.cpu_count() or 1)
    size = int(batch or spec.batch or auto_batch(spec.runs, adapter.typical_run_s, n_workers))
    new_store = not out.exists()
    if new_store:
        # laid out once the tasks are out, so the workers start while it is written
        out.parent.mkdir(parents=True, exist_ok=True)
        done = np.zeros(spec.runs, dtype=bool)
    else:
        done = open_for_resume(out, spec)
    already = int(done.sum())
    batches = plan_batches(done, size)
    t0 = time.perf_counter()
    ran = failures = errors = 0
    if not batches:
        return CampaignRun(out, spec.runs, already, 0, 0, 0, 0.0, size, 0)

    from distributed import Client, as_completed

    cluster = None
    own_client = client is None
    try:
        if client is None:
            if scheduler:
                try:
                    client = Client(scheduler, timeout="20s")
                except (OSError, TimeoutError) as exc:
                    raise CampaignLost(
                        f"cannot reach the Dask scheduler at {scheduler} ({exc}); "
                        f"{already} of {spec.runs} runs are stored"
                    ) from None
            else:
                cluster = local_cluster(n_workers)
                client = Client(cluster)
            client.register_plugin(_kernel_plugin())
        n_workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
        if n_workers == 0 and progress:
            from missions.cli._common import err_console

            err_console.print("no Dask workers yet: the runs wait for workers to join")
        # the spec travels with each task (a few kB): no scatter, so tasks can wait for workers
        futures = {
            client.submit(
                run_batch,
                spec,
                a,
                b,
                pure=False,
                key=f"campaign-runs-{a}-{b}-{os.getpid()}-{time.time_ns()}",
            ): (a, b)
            for a, b in batches
        }
        if new_store:
            try:
                create_store(out, spec, adapter, chunk=min(spec.runs, max(size, 256)))
            except BaseException:
                client.cancel(list(futures))
                raise
        writer = StoreWriter(out)
        prog, task = _progress(spec.runs, already, progress)
        with prog:
            try:
                for fut in as_completed(futures):
                    a, b = futures[fut]
                    cols = _result_or_record(fut, spec, adapter, a, b)
                    writer.write_batch(a, b, cols)
                    ran += b - a
                    failures += int(sum(not s for s in cols["success"]))
                    errors += int(sum(bool(e) for e in cols["error"]))
                    dt = time.perf_counter() - t0
                    prog.update(task, advance=b - a, failures=failures, rate=f"{ran / dt:.1f}")
            except (OSError, TimeoutError, CancelledError) as exc:
                raise CampaignLost(
                    f"lost the Dask cluster after {already + ran} of {spec.runs} runs were stored "
                    f"({type(exc).__name__}: {exc}); run the same command again to resume"
                ) from exc
    finally:
        if own_client and client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    return CampaignRun(
        out, spec.runs, already, ran, failures, errors, time.perf_counter() - t0, size, n_workers
    )


def _result_or_record(fut, spec, adapter, a, b) -> dict[str, list]:
    """A batch's columns; a batch whose worker died repeatedly is recorded as errors."""
    from distributed import KilledWorker

    try:
        return fut.result()
    except KilledWorker as exc:
        msg = f"KilledWorker: {exc}"
        n = b - a
        names = layout(spec, adapter)
        cols: dict[str, list] = {}
        for k, (_dtype, fill, _) in names.items():
            cols[k] = [fill] * n
        cols["outcome"] = ["error"] * n
        cols["error"] = [msg] * n
        cols["traceback"] = ["the worker process died while running this batch"] * n
        drawn = [draw_inputs(spec, i) for i in range(a, b)]
        for name in spec.dispersed:
            cols[f"input_{name}"] = [d[name] for d in drawn]
        return cols
