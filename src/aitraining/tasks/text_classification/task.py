"""text-classification: binary or multi-class labels (strings or ints) on a text column."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from aitraining.data.checks import check_text_column
from aitraining.data.mapping import tokenize_map
from aitraining.engine.metrics import binary_note, classification_metrics, logits_of
from aitraining.engine.models import load_trainable
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import Metrics, SupervisedTask, TaskState, run_supervised
from aitraining.engine.targets import check_label_column, label_text, training_classes
from aitraining.tasks.text_classification.params import TextClassificationParams


@dataclass(frozen=True, kw_only=True)
class ClassificationState(TaskState[TextClassificationParams]):
    labels: tuple[str, ...]  # class names; a class's id is its position


class TextClassification(SupervisedTask[TextClassificationParams, ClassificationState]):
    metric = "eval_f1"
    greater_is_better = True

    def columns(self, params: TextClassificationParams) -> dict[str, str]:
        return {"text_column": params.text_column, "target_column": params.target_column}

    def check_rows(self, dataset: Any, params: TextClassificationParams, split: str, source: str) -> None:
        check_text_column(dataset, params.text_column, split, source)
        check_label_column(dataset, params.target_column, split, source)

    def stratify_values(self, dataset: Any, params: TextClassificationParams) -> list[Any]:
        return [str(v) for v in dataset[params.target_column]]

    def setup(
        self, train: Any, valid: Any, params: TextClassificationParams, processor: Any, logger: logging.Logger
    ) -> ClassificationState:
        values = training_classes(
            train[params.target_column], valid[params.target_column], params.target_column, "rows"
        )
        logger.info(f"{len(values)} classes: {', '.join(values[:20])}{' ...' if len(values) > 20 else ''}")
        if len(values) == 2:
            logger.info(binary_note(values))
        return ClassificationState(params=params, logger=logger, processor=processor, labels=tuple(values))

    def load_model(self, state: ClassificationState) -> Any:
        from transformers import AutoModelForSequenceClassification

        return load_trainable(
            AutoModelForSequenceClassification,
            state.params,
            num_labels=len(state.labels),
            id2label=dict(enumerate(state.labels)),
            label2id={label: i for i, label in enumerate(state.labels)},
        )

    def preprocess(self, dataset: Any, state: ClassificationState, split: str) -> Any:
        params, tokenizer = state.params, state.processor
        index = {label: i for i, label in enumerate(state.labels)}

        def encode(batch: dict[str, list]) -> dict[str, list]:
            out = tokenizer(batch[params.text_column], truncation=True, max_length=params.max_seq_length)
            out["labels"] = [index[label_text(v)] for v in batch[params.target_column]]
            return out

        return tokenize_map(dataset, encode, workers=params.num_workers)

    def compute_metrics(self, state: ClassificationState, valid_rows: Any, valid_features: Any) -> Metrics:
        def compute(prediction: Any) -> dict[str, float]:
            predicted = np.argmax(logits_of(prediction.predictions), axis=-1)
            return classification_metrics(prediction.label_ids, predicted, state.labels)

        return compute

    def notes(self, state: ClassificationState, metrics: dict[str, Any]) -> list[str]:
        return [binary_note(state.labels)] if len(state.labels) == 2 else []


def run(ctx: RunContext) -> RunResult:
    return run_supervised(ctx, TextClassification())
