"""Run every ``benchmarks/bench_*.py`` in its own process and print what each reports.

Each benchmark prints its figures and the ratio against a reference measured in the
same run. ``make bench`` runs them all; ``python benchmarks/run_all.py lambert`` runs
the ones whose name contains ``lambert``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    scripts = sorted(HERE.glob("bench_*.py"))
    if wanted:
        scripts = [s for s in scripts if any(w in s.stem for w in wanted)]
    failures = 0
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {script.stem}: {time.perf_counter() - start:.1f} s wall", flush=True)
        failures += result.returncode != 0
    if failures:
        print(f"\n{failures} benchmark(s) failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
