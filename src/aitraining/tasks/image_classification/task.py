"""image-classification: one label per image, from class subfolders, metadata.jsonl or a data file."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from aitraining.data.images import count_values, open_image
from aitraining.engine.hardware import check_quantization
from aitraining.engine.metrics import logits_of
from aitraining.engine.models import load_weights
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import Metrics, run_supervised
from aitraining.engine.targets import check_label_column, label_text, training_classes
from aitraining.engine.vision.augment import augment_image
from aitraining.engine.vision.base import ImageState, ImageTask
from aitraining.engine.vision.processor import fit_model_to_size
from aitraining.tasks.image_classification.params import ImageClassificationParams


@dataclass(frozen=True, kw_only=True)
class ImageClassificationState(ImageState):
    labels: tuple[str, ...]  # class names; a class's id is its position


def averaged_metrics(labels: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Accuracy, and precision / recall / F1 macro-averaged over the classes (every class counts the same)."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    precision, recall, f1, _ = precision_recall_fscore_support(labels, predicted, average="macro", zero_division=0)
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "precision_macro": float(precision),
        "recall_macro": float(recall),
        "f1_macro": float(f1),
    }


class ImageClassification(ImageTask[ImageClassificationParams, ImageClassificationState]):
    metric = "eval_f1_macro"
    greater_is_better = True

    def check_rows(self, dataset: Any, params: ImageClassificationParams, split: str, source: str) -> None:
        check_label_column(dataset, params.target_column, split, source)

    def stratify_values(self, dataset: Any, params: ImageClassificationParams) -> list[Any]:
        return [label_text(v) for v in dataset[params.target_column]]

    def setup(
        self, train: Any, valid: Any, params: ImageClassificationParams, processor: Any, logger: logging.Logger
    ) -> ImageClassificationState:
        labels = training_classes(
            train[params.target_column], valid[params.target_column], params.target_column, "images"
        )
        counts = count_values([label_text(v) for v in train[params.target_column]])
        logger.info(f"{len(labels)} classes; training images per class: {counts}")
        return ImageClassificationState(**self.base_state(params, processor, logger), labels=tuple(labels))

    def load_model(self, state: ImageClassificationState) -> Any:
        from transformers import AutoModelForImageClassification

        params = state.params
        model = load_weights(
            AutoModelForImageClassification,
            params,
            num_labels=len(state.labels),
            id2label=dict(enumerate(state.labels)),
            label2id={label: i for i, label in enumerate(state.labels)},
            ignore_mismatched_sizes=True,  # a new head when the base model has other classes
        )
        fit_model_to_size(model, params.image_size)
        return self.trainable(model, params)

    def preprocess(self, dataset: Any, state: ImageClassificationState, split: str) -> Any:
        params, processor = state.params, state.processor
        index = {label: i for i, label in enumerate(state.labels)}
        augment = params.augment and split == "train"

        def transform(batch: dict[str, list]) -> dict[str, Any]:
            images = [open_image(ref) for ref in batch[params.image_column]]
            if augment:
                images = [augment_image(image) for image in images]
            pixels = processor(images=images, return_tensors="pt")["pixel_values"]
            return {"pixel_values": pixels, "labels": [index[label_text(v)] for v in batch[params.target_column]]}

        return dataset.with_transform(transform)

    def compute_metrics(self, state: ImageClassificationState, valid_rows: Any, valid_features: Any) -> Metrics:
        def compute(prediction: Any) -> dict[str, float]:
            predicted = np.argmax(logits_of(prediction.predictions), axis=-1)
            return averaged_metrics(prediction.label_ids, predicted)

        return compute

    def notes(self, state: ImageClassificationState, metrics: dict[str, Any]) -> list[str]:
        return [
            "Precision, recall and F1 are macro averages over the classes; the kept checkpoint has the best "
            "eval_f1_macro.",
            'Use: `pipeline("image-classification", model=<this folder>)`, or `aitraining image-classification '
            "--predict --project-name <this folder> --data-path <image or folder>` (writes predictions.jsonl).",
            *self.skipped_notes(state),
        ]


def run(ctx: RunContext) -> RunResult:
    check_quantization(ctx.params.quantization)  # before any data or weights load
    return run_supervised(ctx, ImageClassification())
