"""The shared pipeline of the supervised tasks (text, token, seq2seq, QA, embeddings, vision).

A task subclasses `SupervisedTask` and fills in what differs (columns, row checks, labels, model,
preprocessing, metrics); loading, the validation split, arguments, early stopping, best-model
selection, saving and metrics are done here once.
"""

from __future__ import annotations

from typing import Any

from aitraining.data.loading import load_splits, require_columns
from aitraining.engine import distributed, modelload
from aitraining.engine.args import training_kwargs
from aitraining.engine.hardware import check_mixed_precision
from aitraining.engine.logs import use_loss_lines
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.splits import holdout_split
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.errors import ParamError


class SupervisedTask:
    """Defaults for a Trainer-based task; subclasses override what differs."""

    metric = "eval_loss"  # metric_for_best_model and early stopping
    greater_is_better = False
    library = "transformers"

    def columns(self, params: Any) -> dict[str, str]:
        """{param name: column} that must exist in every split."""
        raise NotImplementedError

    def check_rows(self, dataset: Any, params: Any, split: str, source: str) -> None:
        """Raise DataError naming the row and column of the first bad value."""

    def stratify_values(self, dataset: Any, params: Any) -> list[Any] | None:
        return None

    def setup(self, train: Any, valid: Any, params: Any, tokenizer: Any, logger: Any) -> None:
        """Learn what the model needs from the data (label names, ...)."""

    def load_model(self, params: Any) -> Any:
        raise NotImplementedError

    def preprocess(self, dataset: Any, params: Any, tokenizer: Any, split: str) -> Any:
        raise NotImplementedError

    def collator(self, tokenizer: Any) -> Any:
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(tokenizer)

    def compute_metrics(self) -> Any:
        return None

    def training_args(self, kwargs: dict[str, Any]) -> Any:
        from transformers import TrainingArguments

        return TrainingArguments(**kwargs)

    def build_trainer(self, model: Any, tokenizer: Any, args: Any, train: Any, valid: Any, callbacks: list) -> Any:
        from transformers import Trainer

        return Trainer(
            model=model,
            args=args,
            train_dataset=train,
            eval_dataset=valid,
            data_collator=self.collator(tokenizer),
            compute_metrics=self.compute_metrics(),
            callbacks=callbacks,
            **trainer_tokenizer_kwargs(tokenizer),
        )

    def save(self, trainer: Any, tokenizer: Any, project: Any) -> None:
        trainer.save_model(str(project))
        tokenizer.save_pretrained(str(project))

    def notes(self) -> list[str]:
        return []

    def extra_metrics(self) -> dict[str, Any]:
        """Entries written to metrics.json beside final/history (e.g. the base model's scores)."""
        return {}


def best_model_kwargs(task: SupervisedTask, params: Any) -> dict[str, Any]:
    """Keep the best checkpoint by the task's metric when checkpoints line up with evaluations."""
    aligned = params.eval_strategy != "no" and params.save_strategy == params.eval_strategy
    if params.early_stopping_patience is not None and not aligned:
        raise ParamError(
            "--early-stopping-patience needs evaluations and checkpoints at the same moments: set --eval-strategy "
            "and --save-strategy to the same value (epoch or steps)."
        )
    if not aligned:
        return {}
    return {
        "load_best_model_at_end": True,
        "metric_for_best_model": task.metric,
        "greater_is_better": task.greater_is_better,
    }


def load_checked(task: SupervisedTask, params: Any, logger: Any) -> tuple[Any, Any, str]:
    data = load_splits(params.data_path, params.train_split, params.valid_split, params.max_samples)
    columns = task.columns(params)
    splits = [(params.train_split, data.train)] + ([(str(params.valid_split), data.valid)] if data.valid else [])
    for name, dataset in splits:
        require_columns(dataset, columns, split=name, source=data.source)
        task.check_rows(dataset, params, name, data.source)
    train, valid = data.train, data.valid
    if valid is None:
        train, valid = holdout_split(train, params.seed, task.stratify_values(train, params), logger)
    return train, valid, data.source


def run_supervised(ctx: RunContext, task: SupervisedTask) -> RunResult:
    from transformers import EarlyStoppingCallback

    params, logger = ctx.params, ctx.logger
    check_mixed_precision(params.mixed_precision)
    best = best_model_kwargs(task, params)
    with distributed.main_process_first():  # rank 0 loads and tokenises (and caches) first
        train, valid, source = load_checked(task, params, logger)
        tokenizer = modelload.load_tokenizer(params.model)
        task.setup(train, valid, params, tokenizer, logger)
        train_ds = task.preprocess(train, params, tokenizer, "train")
        valid_ds = task.preprocess(valid, params, tokenizer, "valid")
    model = task.load_model(params)
    kwargs = {**training_kwargs(params, ctx.project.path, has_eval=True), **best, **distributed.mean_loss_kwargs()}
    args = task.training_args(kwargs)
    callbacks = []
    if params.early_stopping_patience is not None:
        callbacks.append(EarlyStoppingCallback(params.early_stopping_patience, params.early_stopping_threshold))
    trainer = use_loss_lines(task.build_trainer(model, tokenizer, args, train_ds, valid_ds, callbacks))
    ctx.claim_project()
    output = trainer.train()
    final = {"train_loss": output.training_loss, "train_steps": output.global_step}
    final.update(trainer.evaluate())  # the kept (best) model, on the validation split
    if distributed.saves_here(params):
        task.save(trainer, tokenizer, ctx.project.path)
    distributed.barrier()
    history = [e for e in trainer.state.log_history if "loss" in e or "eval_loss" in e]
    logger.info("Final: " + ", ".join(f"{k} {v:.4f}" for k, v in final.items() if isinstance(v, float)))
    return RunResult(
        metrics={"final": final, "history": history, **task.extra_metrics()},
        data_description=f"{source} ({len(train)} training rows, {len(valid)} validation rows)",
        notes=task.notes(),
        library=task.library,
    )
