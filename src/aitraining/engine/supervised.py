"""The shared pipeline of the supervised tasks (text, token, seq2seq, QA, embeddings, vision).

A task subclasses `SupervisedTask` and fills in what differs; loading, the validation split, arguments,
early stopping, best-model selection, saving and metrics are done here once. The hooks, in call order:

- before any model file is read: `load_data`, `columns`, `check_rows`, `stratify_values` / `group_values` (the split);
- `load_processor`: the tokenizer by default (an image or multimodal processor for vision tasks);
- `setup`: what the task learns from the data (label names, ...), returned as a frozen `TaskState` that
  every later hook receives, so no task keeps run state on `self`; `with_findings` then adds what `load_data`
  found besides the rows (`LoadedData.findings`, e.g. the unreadable images skipped);
- `preprocess`, `load_model`, `selection`, `training_args`, `compute_metrics`;
- the trainer: `trainer_class` and `collator` (declared, not re-spelled); `build_trainer` only for another
  library's trainer (sentence-transformers);
- `before_training` (e.g. the base model's scores), `save`, `notes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from aitraining.data.loading import LoadedData, load_splits
from aitraining.engine import distributed, modelload, timings
from aitraining.engine.args import training_kwargs
from aitraining.engine.best import best_model_kwargs, best_summary, keeps_best
from aitraining.engine.guard import guarded_train
from aitraining.engine.hardware import check_mixed_precision
from aitraining.engine.logs import use_loss_lines
from aitraining.engine.precision import cast_for_saving
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.selection import Selection, check_selection_params, selection_report
from aitraining.engine.splits import Splits, load_checked
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.params.supervised import EarlyStoppingParams

P = TypeVar("P", bound=EarlyStoppingParams)
Metrics = Callable[[Any], dict[str, float]]


@dataclass(frozen=True, kw_only=True)
class TaskState(Generic[P]):
    """Everything a run's hooks need, fixed once `setup` has looked at the data. Tasks subclass it to add
    what they learnt (label names, a target's mean, ...)."""

    params: P
    logger: logging.Logger
    processor: Any  # a tokenizer, image processor or multimodal processor (upstream object)


S = TypeVar("S", bound=TaskState[Any])


class SupervisedTask(Generic[P, S]):
    """Defaults for a Trainer-based task; subclasses override what differs."""

    metric: ClassVar[str] = "eval_loss"  # metric_for_best_model and early stopping
    greater_is_better: ClassVar[bool] = False
    library: ClassVar[str] = "transformers"
    # Columns `preprocess` adds to the validation features for `compute_metrics` only; dropped before training.
    eval_only_columns: ClassVar[tuple[str, ...]] = ()

    # --- before any model file is read ---------------------------------------------------------------
    def load_data(self, params: P, *, strict: bool = False) -> LoadedData:
        """The train and (optional) validation split; image tasks read image folders here. `strict` (--strict):
        data problems a task would skip with a count are errors instead."""
        return load_splits(params.data_path or "", params.train_split, params.valid_split, params.max_samples)

    def columns(self, params: P) -> dict[str, str]:
        """{param name: column} that must exist in every split."""
        raise NotImplementedError

    def check_rows(self, dataset: Any, params: P, split: str, source: str) -> None:
        """Raise DataError naming the row and column of the first bad value."""

    def stratify_values(self, dataset: Any, params: P) -> list[Any] | None:
        """Per row, the class a held-out split keeps in proportion (classification)."""
        return None

    def group_values(self, dataset: Any, params: P) -> tuple[str, list[Any]] | None:
        """(what, per-row key): rows sharing a key stay on one side of a held-out split (no leakage)."""
        return None

    # --- the run --------------------------------------------------------------------------------------
    def load_processor(self, params: P) -> Any:
        return modelload.load_tokenizer(params.model or "")

    def setup(self, train: Any, valid: Any, params: P, processor: Any, logger: logging.Logger) -> S:
        """Learn what the model needs from the data and return the run's state."""
        raise NotImplementedError

    def with_findings(self, state: S, findings: Mapping[str, Any]) -> S:
        """`state` with what `load_data` found besides the rows (`LoadedData.findings`); most tasks find nothing."""
        return state

    def load_model(self, state: S) -> Any:
        raise NotImplementedError

    def preprocess(self, dataset: Any, state: S, split: str) -> Any:
        raise NotImplementedError

    def selection(self, state: S) -> Selection:
        """The metric that picks the kept checkpoint and drives early stopping."""
        return Selection(self.metric, self.greater_is_better)

    def training_args_class(self) -> type:
        from transformers import TrainingArguments

        return TrainingArguments

    def training_args(self, kwargs: dict[str, Any], state: S) -> Any:
        return self.training_args_class()(**kwargs)

    def compute_metrics(self, state: S, valid_rows: Any, valid_features: Any) -> Metrics | None:
        return None

    def trainer_class(self) -> type:
        from transformers import Trainer

        return Trainer

    def collator(self, state: S, model: Any) -> Any:
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(state.processor)

    def build_trainer(self, state: S, model: Any, args: Any, inputs: TrainerData) -> Any:
        return self.trainer_class()(
            model=model,
            args=args,
            train_dataset=inputs.train,
            eval_dataset=inputs.valid,
            data_collator=self.collator(state, model),
            compute_metrics=inputs.compute_metrics,
            callbacks=inputs.callbacks,
            **trainer_tokenizer_kwargs(state.processor),
        )

    def before_training(self, trainer: Any, state: S) -> dict[str, Any]:
        """Entries written to metrics.json beside final/history (e.g. the base model's scores)."""
        return {}

    def save(self, trainer: Any, state: S, project: Path) -> list[str]:
        """Write the model into the project folder; returns notes for the card about what was written."""
        trainer.save_model(str(project))
        state.processor.save_pretrained(str(project))
        return []

    def notes(self, state: S, metrics: dict[str, Any]) -> list[str]:
        return []


@dataclass(frozen=True)
class TrainerData:
    """What a trainer is built on besides the model and its arguments."""

    train: Any
    valid: Any
    compute_metrics: Metrics | None
    callbacks: list[Any]


def early_stopping_callbacks(params: EarlyStoppingParams) -> list[Any]:
    if params.early_stopping_patience is None:
        return []
    from transformers import EarlyStoppingCallback

    return [EarlyStoppingCallback(params.early_stopping_patience, params.early_stopping_threshold)]


def build(task: SupervisedTask[P, S], state: S, splits: Splits, project: Path) -> Any:
    """The trainer, with the validation features stripped of what only the metrics read."""
    params = state.params
    with timings.phase("preprocess"):
        train = task.preprocess(splits.train, state, "train")
        valid = task.preprocess(splits.valid, state, "valid")
    # New heads are drawn from the global generator: seeded here, they do not depend on what ran before
    from transformers import set_seed

    set_seed(params.seed)
    model = task.load_model(state)
    kwargs = {**training_kwargs(params, project, has_eval=True), **distributed.mean_loss_kwargs()}
    selection = task.selection(state)
    best = best_model_kwargs(params, kwargs["eval_strategy"], selection.metric, selection.greater_is_better)
    args = task.training_args({**kwargs, **best}, state)
    compute = task.compute_metrics(state, splits.valid, valid)
    if task.eval_only_columns:
        valid = valid.remove_columns([c for c in task.eval_only_columns if c in valid.column_names])
    inputs = TrainerData(train, valid, compute, early_stopping_callbacks(params))
    task.trainer_class()  # its import is start-up, not preprocessing (engine.timings)
    with timings.phase("preprocess"):  # building the trainer counts too, as TRL trainers tokenise there
        return use_loss_lines(task.build_trainer(state, model, args, inputs))


def run_supervised(ctx: RunContext, task: SupervisedTask[P, S]) -> RunResult:
    params, logger = ctx.params, ctx.logger
    check_mixed_precision(params.mixed_precision)
    check_selection_params(params)
    keeps_best(params, params.eval_strategy)  # fails before anything loads
    with distributed.main_process_first():  # rank 0 loads and tokenises (and caches) first
        splits = load_checked(task, params, logger, strict=ctx.resolved.strict)
        state = task.setup(splits.train, splits.valid, params, task.load_processor(params), logger)
        state = task.with_findings(state, splits.findings)
        trainer = build(task, state, splits, ctx.project.path)
    extra = task.before_training(trainer, state)
    ctx.claim_project()
    output = guarded_train(trainer, ctx)
    final = {"train_loss": output.training_loss, "train_steps": output.global_step}
    final.update(trainer.evaluate())  # the kept (best) model, on the validation split
    cast_for_saving(trainer.model, params.save_dtype, params.model, logger)  # peft models: see save_trained
    saved = task.save(trainer, state, ctx.project.path) if distributed.saves_here(params) else []
    distributed.barrier()
    history = [e for e in trainer.state.log_history if "loss" in e or "eval_loss" in e]
    report = selection_report(trainer.state, task.selection(state), trainer.args, splits.valid_description)
    logger.info(report.line)
    logger.info("Final: " + ", ".join(f"{k} {v:.4f}" for k, v in final.items() if isinstance(v, float)))
    metrics = {"final": final, "history": history, "selection": report.record, "best": best_summary(trainer), **extra}
    return RunResult(
        metrics=metrics,
        data_description=f"{splits.source} ({len(splits.train)} training rows, {len(splits.valid)} validation rows)",
        notes=[*task.notes(state, metrics), *saved, report.line],
        library=task.library,
    )
