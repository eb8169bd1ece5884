"""sentence-transformers: train an embedding model on pairs, scored or labelled pairs, triplets or QA pairs.

The shared supervised pipeline does loading, checks, the validation split, early stopping, best-model
selection and saving; this task picks the loss and evaluator (objectives.py) and hands the data over in
the layout sentence-transformers expects (data.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aitraining.engine.models import trainable_dtype_line
from aitraining.engine.precision import checkpoint_dtype
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.selection import Selection
from aitraining.engine.supervised import SupervisedTask, TaskState, TrainerData, run_supervised
from aitraining.errors import DataError
from aitraining.tasks.sentence_transformers import data, objectives, upstream_st
from aitraining.tasks.sentence_transformers.params import SentenceTransformersParams


@dataclass(frozen=True, kw_only=True)
class EmbeddingState(TaskState[SentenceTransformersParams]):
    classes: tuple[str, ...]  # pair_class: the class names, a class's id is its position
    objective: objectives.Objective


class SentenceTransformersTask(SupervisedTask[SentenceTransformersParams, EmbeddingState]):
    library = "sentence-transformers"

    def columns(self, params: SentenceTransformersParams) -> dict[str, str]:
        return data.columns(params)

    def check_rows(self, dataset: Any, params: SentenceTransformersParams, split: str, source: str) -> None:
        data.check_rows(dataset, params, split, source)

    def stratify_values(self, dataset: Any, params: SentenceTransformersParams) -> list[Any] | None:
        if params.trainer != "pair_class":
            return None
        return [data.class_of(v) for v in dataset[params.target_column]]

    def group_values(self, dataset: Any, params: SentenceTransformersParams) -> tuple[str, list[Any]] | None:
        """Rows sharing an anchor (pair, triplet) or question (qa) stay together, so a validation query is never
        trained on; scored and labelled pairs are held out row by row (pair_class stratified)."""
        if params.trainer not in ("pair", "qa", "triplet"):
            return None
        role = data.ROLE_NAMES[params.trainer][0]
        return f"{role} ('{params.sentence1_column}')", list(dataset[params.sentence1_column])

    def load_processor(self, params: SentenceTransformersParams) -> Any:
        return None  # the SentenceTransformer loads and saves its own tokenizer

    def setup(
        self, train: Any, valid: Any, params: SentenceTransformersParams, processor: Any, logger: logging.Logger
    ) -> EmbeddingState:
        classes: list[str] = []
        if params.trainer == "pair_class":
            classes = pair_classes(train, valid, params.target_column)
            logger.info(f"{len(classes)} classes: {', '.join(classes)}")
        objective = objectives.objective_for(params.trainer, classes)
        logger.info(f"Loss: {objective.loss}; evaluation metric: {objective.metric} (higher is better).")
        return EmbeddingState(
            params=params, logger=logger, processor=processor, classes=tuple(classes), objective=objective
        )

    def selection(self, state: EmbeddingState) -> Selection:
        # every evaluator metric here is a score (NDCG, accuracy, Spearman, AP)
        return Selection(state.objective.metric, greater_is_better=True)

    def load_model(self, state: EmbeddingState) -> Any:
        params = state.params
        model_id = params.model or ""  # engine.runner has checked --model is set
        model = upstream_st.load_model(model_id, params.max_seq_length, state.logger)
        state.logger.info(trainable_dtype_line(model, checkpoint_dtype(model_id), params.mixed_precision))
        return model

    def preprocess(self, dataset: Any, state: EmbeddingState, split: str) -> Any:
        index = {name: i for i, name in enumerate(state.classes)}
        return data.to_training_layout(dataset, state.params, index)

    def training_args(self, kwargs: dict[str, Any], state: EmbeddingState) -> Any:
        return upstream_st.training_arguments(kwargs, state.objective.in_batch_negatives)

    def build_trainer(self, state: EmbeddingState, model: Any, args: Any, inputs: TrainerData) -> Any:
        loss = objectives.build_loss(state.objective, model, len(state.classes))
        batch = args.per_device_eval_batch_size
        evaluator = objectives.build_evaluator(state.params.trainer, state.objective, inputs.train, inputs.valid, batch)
        return upstream_st.trainer(
            model=model,
            args=args,
            train_dataset=inputs.train,
            eval_dataset=inputs.valid,  # gives eval_loss next to the evaluator's metrics
            loss=loss,
            evaluator=evaluator,
            callbacks=inputs.callbacks,
        )

    def before_training(self, trainer: Any, state: EmbeddingState) -> dict[str, Any]:
        """Score the base model once: what fine-tuning gained is then on record, in metrics.json and the card."""
        baseline = {f"eval_{k}": float(v) for k, v in trainer.evaluator(trainer.model).items()}
        metric = state.objective.metric
        state.logger.info(f"Base model: {metric} {baseline.get(metric, float('nan')):.4f}")
        return {"baseline": baseline}

    def save(self, trainer: Any, state: EmbeddingState, project: Path) -> list[str]:
        trainer.save_model(str(project))  # the full sentence-transformers layout, tokenizer included
        return []

    def notes(self, state: EmbeddingState, metrics: dict[str, Any]) -> list[str]:
        metric = state.objective.metric
        shown = metrics.get("baseline", {}).get(metric)
        lines = [
            f"Loss: `{state.objective.loss}`. Metric: `{metric}` on the validation split.",
            "Load it with `SentenceTransformer(path)` from the sentence-transformers package.",
        ]
        if shown is not None:
            lines.append(f"Before fine-tuning the base model scored {metric} = {shown:.4f}.")
        return lines


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
    return run_supervised(ctx, SentenceTransformersTask())
