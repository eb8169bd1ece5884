"""Keeping the best checkpoint: the TrainingArguments that select it and what was selected.

Shared by every Trainer-based task (LLM trainers and the supervised tasks): when a validation split is
evaluated at the moments checkpoints are saved, the model saved in the project is the best one by the
task's selection metric, unless --keep-best-model=False.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aitraining.errors import ParamError

if TYPE_CHECKING:
    from aitraining.params.groups import CommonParams


def best_model_kwargs(
    params: CommonParams, eval_strategy: str, metric: str = "eval_loss", greater_is_better: bool = False
) -> dict[str, Any]:
    """TrainingArguments keywords that keep the best checkpoint, or {} when it cannot or should not be kept."""
    if not keeps_best(params, eval_strategy):
        return {}
    return {"load_best_model_at_end": True, "metric_for_best_model": metric, "greater_is_better": greater_is_better}


def keeps_best(params: CommonParams, eval_strategy: str) -> bool:
    """Whether the best checkpoint is kept; raises when it should be but checkpoints miss the evaluations.
    Runs before any model loads (the tasks call it first with the strategy they will evaluate with)."""
    aligned = eval_strategy != "no" and params.save_strategy == eval_strategy
    if not aligned or not params.keep_best_model:
        return False
    if eval_strategy == "steps" and params.save_steps % params.logging_steps:
        raise ParamError(
            f"Keeping the best checkpoint with --save-strategy steps needs --save-steps ({params.save_steps}) to be a "
            f"multiple of --logging-steps ({params.logging_steps}, the evaluation interval): change one of them, "
            "or pass --keep-best-model=False to keep the last weights."
        )
    return True


def best_summary(trainer: Any) -> dict[str, Any] | None:
    """{'step', 'metric', 'value', 'of_steps'} of the checkpoint the Trainer reloaded at the end, else None."""
    args, state = getattr(trainer, "args", None), trainer.state  # our PPO trainer has no TrainingArguments
    if args is None or not args.load_best_model_at_end or state.best_model_checkpoint is None:
        return None
    step = state.best_global_step
    if step is None:
        step = int(str(state.best_model_checkpoint).rstrip("/").rsplit("-", 1)[-1])
    metric = args.metric_for_best_model or "loss"
    metric = metric if metric.startswith("eval_") else f"eval_{metric}"
    return {"step": step, "metric": metric, "value": state.best_metric, "of_steps": state.global_step}


def describe_best(best: dict[str, Any] | None) -> str:
    """One sentence for the log and the card."""
    if not best:
        return "The saved model holds the weights of the last step (no best-checkpoint selection ran)."
    value = best["value"]
    shown = f"{value:.4f}" if isinstance(value, float) else str(value)
    return (
        f"The saved model is the best checkpoint by {best['metric']}: step {best['step']} of {best['of_steps']} "
        f"({best['metric']} {shown})."
    )


def evaluation_at(state: Any, step: int) -> dict[str, Any] | None:
    """The evaluation logged at `step` (e.g. the kept best one), so it need not be recomputed."""
    for entry in reversed(state.log_history):
        if "eval_loss" in entry and entry.get("step") == step:
            return {k: v for k, v in entry.items() if k.startswith("eval_") or k == "epoch"}
    return None
