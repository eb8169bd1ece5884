"""Inside a trial's process: report each evaluation's metric to the study and stop when optuna prunes.

The sweep passes the study and trial in the AITRAINING_SWEEP_TRIAL environment variable; a run started any
other way has no such variable and this module does nothing. Hooked into every Trainer-based run by
engine.logs.use_loss_lines (the one place every such trainer passes through).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from aitraining.features.sweep.trial import ENV_TRIAL, PRUNED_FILE


def attach_pruning(trainer: Any) -> None:
    raw = os.environ.get(ENV_TRIAL)
    if not raw or int(os.environ.get("WORLD_SIZE", "1")) > 1:  # one process decides; no pruning across ranks
        return
    trainer.add_callback(_callback_class()(json.loads(raw)))


def open_trial(report: dict[str, Any]) -> Any:
    import optuna

    from aitraining.features.sweep.study import make_storage, pruner

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=report["study"], storage=make_storage(report["storage"]), pruner=pruner())
    return optuna.trial.Trial(study, report["trial_id"])


def report_and_decide(trial: Any, report: dict[str, Any], metrics: dict[str, Any], step: int) -> bool:
    """Report the metric at `step`; True (and the marker file written) when the trial should stop."""
    value = metrics.get(report["metric"])
    if not isinstance(value, (int, float)):
        return False
    trial.report(float(value), step)
    if not trial.should_prune():
        return False
    marker = {"step": step, "metric": report["metric"], "value": float(value)}
    Path(report["folder"]).mkdir(parents=True, exist_ok=True)
    (Path(report["folder"]) / PRUNED_FILE).write_text(json.dumps(marker) + "\n")
    from aitraining.engine.logs import get_logger

    get_logger().info(
        f"Sweep: trial pruned at step {step} ({report['metric']} {value:.4f} is worse than the median of the "
        "earlier trials at this step); training stops here."
    )
    return True


def _callback_class() -> type:
    from transformers import TrainerCallback

    class PruneOnEvaluate(TrainerCallback):
        def __init__(self, report: dict[str, Any]) -> None:
            self.report, self.trial, self.last_step = report, None, None

        def on_evaluate(self, args: Any, state: Any, control: Any, metrics: Any = None, **kwargs: Any) -> Any:
            if state.global_step == self.last_step:  # the final evaluation of the kept model: already reported
                return control
            self.last_step = state.global_step
            if self.trial is None:
                self.trial = open_trial(self.report)
            if report_and_decide(self.trial, self.report, metrics or {}, state.global_step):
                control.should_training_stop = True
            return control

    return PruneOnEvaluate
