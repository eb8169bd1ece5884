"""Hyperparameter sweeps (`--use-sweep`): many trainings of one command, each in a fresh process.

The CLI hands the resolved config here instead of to engine.runner.run_training. Nothing inside a task or
trainer knows about sweeps: each trial is an ordinary `aitraining --config trials/trial-NNN.yml` run.

- `space`: --sweep-params read and checked (names, types, ranges, each value through the params model).
- `metrics`: --sweep-metric checked against what the command/trainer reports; read from metrics.json.
- `study`: optuna storage (SQLite in the project, or any SQLAlchemy URL), samplers, pruner, budget, resume.
- `trial`: one trial's config file and process; `report`: the pruning callback inside that process.
- `results`: the table, the plot, best_params.yaml and the best model at the project's top level.
- `driver`: the loop tying them together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aitraining.config import Resolved


def run_sweep(resolved: Resolved, *, overwrite: bool = False) -> int:
    from aitraining.features.sweep.driver import run

    return run(resolved, overwrite=overwrite)
