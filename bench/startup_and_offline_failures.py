"""Benchmark: how fast `--help` renders and how fast unreachable-Hub failures come back.

These were timing assertions in the test suite (help under 0.5 s in-process and 2 s wall, offline Hub
failures under 5-10 s); timings depend on the machine and its load, so they are measured here instead and
compared with those budgets by eye. The tests keep the functional checks (no heavy import, the message).

Run: HF_HUB_OFFLINE=1 .venv/bin/python bench/startup_and_offline_failures.py
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BUDGETS = {"help in-process": 0.5, "help wall": 2.0, "hub push offline": 10.0, "hub dataset offline": 5.0}


def help_times() -> tuple[float, float]:
    probe = (
        "import time; t=time.perf_counter(); from aitraining.cli.main import main; "
        "main(['--help']); main(['llm', '--help']); print('RESULT', time.perf_counter()-t)"
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - start
    return float(next(x for x in out.splitlines() if x.startswith("RESULT")).split()[-1]), wall


def timed_failure(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(Exception):  # the failure is the point; its message is checked by the tests
        call()
    return time.perf_counter() - start


def push_offline() -> None:
    from aitraining.engine.hub import push

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "config.json").write_text("{}")
        push(Path(folder), "someone/model", "hf_secret_token")


def dataset_offline() -> None:
    from aitraining.data.loading import load_splits

    load_splits("someone/some-dataset")


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    in_process, wall = help_times()
    results = {
        "help in-process": in_process,
        "help wall": wall,
        "hub push offline": timed_failure(push_offline),
        "hub dataset offline": timed_failure(dataset_offline),
    }
    for name, seconds in results.items():
        verdict = "ok" if seconds < BUDGETS[name] else "OVER BUDGET"
        print(f"{name:22s} {seconds:6.2f} s  (budget {BUDGETS[name]:.1f} s)  {verdict}")


if __name__ == "__main__":
    main()
