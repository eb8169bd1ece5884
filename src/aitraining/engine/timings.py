"""Where a run's wall time went: start-up, preprocessing and the training loop, for metrics.json.

`phase("preprocess")` wraps tokenisation (and building the trainer, where TRL tokenises); `phase("train")`
wraps the training loop (engine.guard for every Trainer, the search and final fit for tabular). Start-up is
what comes before the training loop minus preprocessing: interpreter start, imports, reading the data and
loading the model. bench/ compares these numbers with the plain upstream scripts'.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

_durations: dict[str, float] = {}
_train_started: list[float] = []  # epoch seconds when the (first) training phase began
_run_started: list[float] = []  # epoch seconds the run's clock starts from


def _process_started() -> float:
    import psutil

    return psutil.Process().create_time()


def start_run() -> None:
    """Called once per run: the first run of a process counts from the process start (imports included),
    a later one in the same process (tests, sweeps) from this call."""
    first = not _run_started
    _durations.clear()
    _train_started.clear()
    _run_started[:] = [_process_started() if first else time.time()]


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the wall time of the block to `name` (phases may repeat: train and valid preprocessing)."""
    if name == "train" and not _train_started:
        _train_started.append(time.time())
    start = time.perf_counter()
    try:
        yield
    finally:
        _durations[name] = _durations.get(name, 0.0) + time.perf_counter() - start


def report() -> dict[str, float]:
    """{startup_s, preprocess_s, train_s} in seconds; empty when no training phase ran."""
    if not _train_started or not _run_started:
        return {}
    preprocess = _durations.get("preprocess", 0.0)
    startup = _train_started[0] - _run_started[0] - preprocess
    return {
        "startup_s": round(max(startup, 0.0), 3),
        "preprocess_s": round(preprocess, 3),
        "train_s": round(_durations.get("train", 0.0), 3),
    }
