"""engine.timings: the phases written to metrics.json add up and start from the right clock."""

from __future__ import annotations

import importlib
import time

from aitraining.engine import timings


def test_phases_accumulate_and_startup_excludes_preprocessing():
    timings.start_run()
    timings.start_run()  # a second run in one process counts from its own start, not the process start
    time.sleep(0.05)
    for _ in range(2):
        with timings.phase("preprocess"):
            time.sleep(0.03)
    with timings.phase("train"):
        time.sleep(0.05)
    report = timings.report()
    assert set(report) == {"startup_s", "preprocess_s", "train_s"}
    assert 0.05 <= report["preprocess_s"] < 0.5
    assert 0.05 <= report["train_s"] < 0.5
    assert 0.04 <= report["startup_s"] < 0.5  # the sleep before preprocessing, not the whole test session


def test_no_training_phase_no_record():
    timings.start_run()
    with timings.phase("preprocess"):
        pass
    assert timings.report() == {}


def test_every_upstream_trainer_class_resolves():
    """The classes imported before the preprocessing clock starts exist under the declared names."""
    from aitraining.tasks.llm.trainers import SPECS

    for spec in SPECS:
        if spec.upstream:
            module, _, name = spec.upstream.partition(":")
            assert isinstance(getattr(importlib.import_module(module), name), type), spec.upstream
    assert [s.name for s in SPECS if s.upstream is None] == ["ppo"]  # our own loop
