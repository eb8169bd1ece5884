"""text-classification: binary or multi-class labels (strings or ints) on a text column."""

from __future__ import annotations

from typing import Any

import numpy as np

from aitraining.data.checks import check_text_column
from aitraining.data.mapping import tokenize_map
from aitraining.engine import modelload
from aitraining.engine.metrics import classification_metrics, logits_of
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import SupervisedTask, run_supervised
from aitraining.errors import DataError


class TextClassification(SupervisedTask):
    metric = "eval_f1"
    greater_is_better = True

    def __init__(self) -> None:
        self.labels: list[str] = []

    def columns(self, params: Any) -> dict[str, str]:
        return {"text_column": params.text_column, "target_column": params.target_column}

    def check_rows(self, dataset: Any, params: Any, split: str, source: str) -> None:
        check_text_column(dataset, params.text_column, split, source)
        for row, value in enumerate(dataset[params.target_column], start=1):
            if not _is_label(value):
                raise DataError(
                    f"Row {row} of the {split} split of {source}: label {value!r} in column "
                    f"'{params.target_column}' is not a class name or integer class id."
                )

    def stratify_values(self, dataset: Any, params: Any) -> list[Any]:
        return [str(v) for v in dataset[params.target_column]]

    def setup(self, train: Any, valid: Any, params: Any, tokenizer: Any, logger: Any) -> None:
        values = sorted({_label(v) for v in train[params.target_column]}, key=_sort_key)
        if len(values) < 2:
            raise DataError(
                f"Column '{params.target_column}' has a single class ({values[0]!r}) in the training data; "
                "classification needs at least two."
            )
        unseen = sorted({_label(v) for v in valid[params.target_column]} - set(values))
        if unseen:
            raise DataError(
                f"The validation split has labels that never occur in training: {', '.join(unseen)}. "
                "Add training examples for them or remove those rows."
            )
        self.labels = values
        logger.info(f"{len(values)} classes: {', '.join(values[:20])}{' ...' if len(values) > 20 else ''}")

    def load_model(self, params: Any) -> Any:
        from transformers import AutoModelForSequenceClassification

        return modelload.load_pretrained(
            AutoModelForSequenceClassification,
            params.model,
            num_labels=len(self.labels),
            id2label=dict(enumerate(self.labels)),
            label2id={label: i for i, label in enumerate(self.labels)},
        )

    def preprocess(self, dataset: Any, params: Any, tokenizer: Any, split: str) -> Any:
        index = {label: i for i, label in enumerate(self.labels)}

        def encode(batch: dict[str, list]) -> dict[str, list]:
            out = tokenizer(batch[params.text_column], truncation=True, max_length=params.max_seq_length)
            out["labels"] = [index[_label(v)] for v in batch[params.target_column]]
            return out

        return tokenize_map(dataset, encode, workers=params.num_workers)

    def compute_metrics(self) -> Any:
        num_classes = len(self.labels)

        def compute(prediction: Any) -> dict[str, float]:
            predicted = np.argmax(logits_of(prediction.predictions), axis=-1)
            return classification_metrics(prediction.label_ids, predicted, num_classes)

        return compute


def _is_label(value: Any) -> bool:
    if isinstance(value, bool | int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) and bool(value.strip())


def _label(value: Any) -> str:
    """Labels are compared as text: 1, 1.0 and '1' are one class."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _sort_key(label: str) -> tuple[int, Any]:
    return (0, int(label)) if label.lstrip("-").isdigit() else (1, label)


def run(ctx: RunContext) -> RunResult:
    return run_supervised(ctx, TextClassification())
