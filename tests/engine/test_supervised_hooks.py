"""The supervised pipeline's contract: a task keeps no run state on itself; every hook after `setup` receives
the frozen state that `setup` returned."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import logging

import pytest

from aitraining.engine.supervised import SupervisedTask, TaskState
from aitraining.tasks.registry import TASKS

BEFORE_SETUP = {"load_data", "columns", "check_rows", "stratify_values", "group_values", "load_processor", "setup"}
NO_STATE = {"trainer_class", "training_args_class"}  # declarations: the class, not a run


def supervised_tasks() -> list[type]:
    found = []
    for spec in TASKS.values():
        if spec.runner is None:
            continue
        module = importlib.import_module(spec.runner.partition(":")[0])
        found += [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, SupervisedTask) and obj is not SupervisedTask
        ]
    return found


TASK_CLASSES = supervised_tasks()


def test_the_text_tasks_use_the_pipeline():
    assert len(TASK_CLASSES) >= 6


@pytest.mark.parametrize("task_class", TASK_CLASSES, ids=lambda c: c.__name__)
def test_a_task_holds_no_run_state(task_class):
    assert vars(task_class()) == {}
    for name, hook in inspect.getmembers(task_class, inspect.isfunction):
        if name.startswith("_") or name in BEFORE_SETUP | NO_STATE or name not in vars(SupervisedTask):
            continue
        assert "state" in inspect.signature(hook).parameters, f"{task_class.__name__}.{name} gets no state"


def test_the_state_is_frozen():
    state = TaskState(params=None, logger=logging.getLogger("x"), processor=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.processor = "another"  # type: ignore[misc]
