"""Which checkpoint a supervised run keeps, and the sentence that says so in the log, metrics and card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aitraining.errors import ParamError
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import EarlyStoppingParams


@dataclass(frozen=True)
class Selection:
    metric: str  # as the Trainer logs it, eval_ prefix included
    greater_is_better: bool


def aligned(params: CommonParams) -> bool:
    """Checkpoints line up with evaluations, so the best one can be kept."""
    return params.eval_strategy != "no" and params.save_strategy == params.eval_strategy


def check_selection_params(params: EarlyStoppingParams) -> None:
    if params.early_stopping_patience is not None and not aligned(params):
        raise ParamError(
            "--early-stopping-patience needs evaluations and checkpoints at the same moments: set --eval-strategy "
            "and --save-strategy to the same value (epoch or steps)."
        )


@dataclass(frozen=True)
class SelectionReport:
    line: str  # for the log and the card
    record: dict[str, Any]  # for metrics.json


def selection_report(state: Any, selection: Selection, args: Any, valid_description: str) -> SelectionReport:
    """Describe the kept model from the Trainer's state: the best checkpoint, or the last step."""
    record: dict[str, Any] = {"metric": selection.metric, "greater_is_better": selection.greater_is_better}
    record["split"] = valid_description
    step = getattr(state, "best_global_step", None)
    if getattr(args, "load_best_model_at_end", False) and step is not None:
        record.update(kept="best", step=int(step), value=float(state.best_metric))
        direction = "highest" if selection.greater_is_better else "lowest"
        line = (
            f"Kept the checkpoint of step {step}, the {direction} {selection.metric} ({state.best_metric:.4f}) on "
            f"{valid_description}; the final metrics are that checkpoint's, on the same rows."
        )
    else:
        record.update(kept="last", step=int(state.global_step))
        line = (
            f"Kept the model of the last step ({state.global_step}): no checkpoint selection (it needs the same "
            f"--eval-strategy and --save-strategy); the final metrics are on {valid_description}."
        )
    return SelectionReport(line, record)
