"""Which metric a sweep optimises: checked before the first trial, read from each trial's metrics.json."""

from __future__ import annotations

import fnmatch
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from aitraining.errors import ParamError
from aitraining.features.sweep.settings import sweep_settings
from aitraining.suggest import did_you_mean

if TYPE_CHECKING:
    from aitraining.config import Resolved

TRAIN_METRICS = ("train_loss",)  # every training command writes it into metrics.json's "final"


def reported_metrics(resolved: Resolved) -> tuple[str, ...]:
    """The metric names this command and trainer write into metrics.json's "final" ('*' ends a family)."""
    declared = resolved.task.declared_metrics()
    own = declared.get(resolved.trainer or "", declared.get("", ()))
    return (*TRAIN_METRICS, *own, *resolved.params.feature_metrics())


def has_validation(resolved: Resolved) -> bool:
    return resolved.task.holdout_validation or bool(getattr(resolved.params, "valid_split", None))


def check_metric(resolved: Resolved) -> str:
    """The metric's name as metrics.json holds it; a ParamError when this run would not produce it."""
    metric = sweep_settings(resolved).sweep_metric
    names = reported_metrics(resolved)
    who = f"'aitraining {resolved.task.name}'" + (f" --trainer {resolved.trainer}" if resolved.trainer else "")
    if not any(fnmatch.fnmatchcase(metric, n) for n in names) and f"eval_{metric}" in names:
        metric = f"eval_{metric}"  # 'accuracy' for eval_accuracy, as the Trainer's metric_for_best_model reads
    if not any(fnmatch.fnmatchcase(metric, n) for n in names):
        shown = ", ".join(n.replace("*", "<name>") for n in names)
        raise ParamError(
            f"--sweep-metric {metric} is not a metric {who} reports.{did_you_mean(metric, names)} It reports: {shown}."
        )
    if metric.startswith("eval_") and not has_validation(resolved):
        train_names = ", ".join(n for n in names if not n.startswith("eval_"))
        raise ParamError(
            f"--sweep-metric {metric} needs validation data, and this run has none: pass --valid-split (a split "
            f"of --data-path to evaluate on), or optimise a training metric ({train_names})."
        )
    return metric


def read_metric(trial_dir: Path, metric: str) -> float | None:
    """The trial's final value of `metric`, or None when its metrics.json lacks it (or it is not finite)."""
    path = trial_dir / "metrics.json"
    if not path.is_file():
        return None
    final = json.loads(path.read_text()).get("final", {})
    value = final.get(metric)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)
