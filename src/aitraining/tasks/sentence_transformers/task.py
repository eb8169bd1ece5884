"""sentence-transformers: train an embedding model on pairs, scored or labelled pairs, triplets or QA pairs.

The shared supervised pipeline does loading, checks, the validation split, early stopping, best-model
selection and saving; this task picks the loss and evaluator (objectives.py) and hands the data over in
the layout sentence-transformers expects (data.py).
"""

from __future__ import annotations

from typing import Any

from aitraining.engine.models import trainable_dtype_line
from aitraining.engine.precision import checkpoint_dtype
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import SupervisedTask, run_supervised
from aitraining.errors import DataError
from aitraining.tasks.sentence_transformers import data, objectives, upstream_st


class SentenceTransformersTask(SupervisedTask):
    greater_is_better = True  # every evaluator metric here is a score (NDCG, accuracy, Spearman, AP)
    library = "sentence-transformers"

    def __init__(self, trainer: str) -> None:
        self.trainer = trainer
        self.classes: list[str] = []
        self.objective = objectives.objective_for(trainer, self.classes)
        self.metric = self.objective.metric
        self.baseline: dict[str, float] = {}
        self.logger: Any = None

    def columns(self, params: Any) -> dict[str, str]:
        return data.columns(params)

    def check_rows(self, dataset: Any, params: Any, split: str, source: str) -> None:
        data.check_rows(dataset, params, split, source)

    def stratify_values(self, dataset: Any, params: Any) -> list[Any] | None:
        if self.trainer != "pair_class":
            return None
        return [data.class_of(v) for v in dataset[params.target_column]]

    def setup(self, train: Any, valid: Any, params: Any, tokenizer: Any, logger: Any) -> None:
        self.logger = logger
        if self.trainer == "pair_class":
            self.classes = pair_classes(train, valid, params.target_column)
            self.objective = objectives.objective_for(self.trainer, self.classes)
            self.metric = self.objective.metric
            logger.info(f"{len(self.classes)} classes: {', '.join(self.classes)}")
        logger.info(f"Loss: {self.objective.loss}; evaluation metric: {self.metric} (higher is better).")

    def load_model(self, params: Any) -> Any:
        model = upstream_st.load_model(params.model, params.max_seq_length, self.logger)
        self.logger.info(trainable_dtype_line(model, checkpoint_dtype(params.model), params.mixed_precision))
        return model

    def preprocess(self, dataset: Any, params: Any, tokenizer: Any, split: str) -> Any:
        index = {name: i for i, name in enumerate(self.classes)}
        return data.to_training_layout(dataset, params, index)

    def training_args(self, kwargs: dict[str, Any]) -> Any:
        if "metric_for_best_model" in kwargs:  # pair_class learns its metric from the data, after the first look
            kwargs["metric_for_best_model"] = self.metric
        return upstream_st.training_arguments(kwargs, self.objective.in_batch_negatives)

    def build_trainer(self, model: Any, tokenizer: Any, args: Any, train: Any, valid: Any, callbacks: list) -> Any:
        loss = objectives.build_loss(self.objective, model, len(self.classes))
        batch = args.per_device_eval_batch_size
        evaluator = objectives.build_evaluator(self.trainer, self.objective, train, valid, batch)
        # Scored once before training: what fine-tuning gained is then on record, in metrics.json and the card.
        self.baseline = {f"eval_{k}": float(v) for k, v in evaluator(model).items()}
        self.logger.info(f"Base model: {self.metric} {self.baseline.get(self.metric, float('nan')):.4f}")
        return upstream_st.trainer(
            model=model,
            args=args,
            train_dataset=train,
            eval_dataset=valid,  # gives eval_loss next to the evaluator's metrics
            loss=loss,
            evaluator=evaluator,
            callbacks=callbacks,
        )

    def save(self, trainer: Any, tokenizer: Any, project: Any) -> None:
        trainer.save_model(str(project))  # the full sentence-transformers layout, tokenizer included

    def notes(self) -> list[str]:
        shown = self.baseline.get(self.metric)
        lines = [
            f"Loss: `{self.objective.loss}`. Metric: `{self.metric}` on the validation split.",
            "Load it with `SentenceTransformer(path)` from the sentence-transformers package.",
        ]
        if shown is not None:
            lines.append(f"Before fine-tuning the base model scored {self.metric} = {shown:.4f}.")
        return lines

    def extra_metrics(self) -> dict[str, Any]:
        return {"baseline": self.baseline}


def pair_classes(train: Any, valid: Any, column: str) -> list[str]:
    """The classes of the training split (0/1 first when binary); the validation split may add none."""
    found = sorted({str(data.class_of(v)) for v in train[column]}, key=_sort_key)
    if len(found) < 2:
        raise DataError(
            f"Column '{column}' has a single class ({found[0]!r}) in the training data; "
            "--trainer pair_class needs at least two (for example 1 = similar, 0 = not similar)."
        )
    unseen = sorted({str(data.class_of(v)) for v in valid[column]} - set(found))
    if unseen:
        raise DataError(
            f"The validation split has classes that never occur in training: {', '.join(unseen)}. "
            "Add training pairs for them or remove those rows."
        )
    return found


def _sort_key(name: str) -> tuple[int, Any]:
    return (0, int(name)) if name.lstrip("-").isdigit() else (1, name)


def run(ctx: RunContext) -> RunResult:
    return run_supervised(ctx, SentenceTransformersTask(ctx.params.trainer))
