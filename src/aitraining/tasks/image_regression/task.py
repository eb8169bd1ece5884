"""image-regression: one number per image (a score, an age, a count), with a one-output image model."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aitraining.data.images import open_image
from aitraining.engine.hardware import check_quantization
from aitraining.engine.metrics import logits_of, regression_metrics
from aitraining.engine.models import load_weights
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import Metrics, run_supervised
from aitraining.engine.targets import as_number, check_number_column, start_head_at, training_numbers
from aitraining.engine.vision.augment import augment_image
from aitraining.engine.vision.base import ImageState, ImageTask
from aitraining.engine.vision.processor import fit_model_to_size
from aitraining.tasks.image_regression.params import ImageRegressionParams


@dataclass(frozen=True, kw_only=True)
class ImageRegressionState(ImageState):
    mean: float  # of the training targets: where the head starts


class ImageRegression(ImageTask[ImageRegressionParams, ImageRegressionState]):
    metric = "eval_mse"
    greater_is_better = False

    def check_rows(self, dataset: Any, params: ImageRegressionParams, split: str, source: str) -> None:
        check_number_column(dataset, params.target_column, split, source, "image-regression")

    def setup(
        self, train: Any, valid: Any, params: ImageRegressionParams, processor: Any, logger: logging.Logger
    ) -> ImageRegressionState:
        values = training_numbers(train[params.target_column], params.target_column, logger)
        return ImageRegressionState(**self.base_state(params, processor, logger), mean=float(values.mean()))

    def load_model(self, state: ImageRegressionState) -> Any:
        from transformers import AutoModelForImageClassification

        params, target = state.params, state.params.target_column
        model = load_weights(
            AutoModelForImageClassification,
            params,
            num_labels=1,
            problem_type="regression",
            id2label={0: target},
            label2id={target: 0},
            ignore_mismatched_sizes=True,
        )
        fit_model_to_size(model, params.image_size)
        if start_head_at(model, state.mean):
            state.logger.info(f"The regression head starts at the training mean ({state.mean:.4g}).")
        return self.trainable(model, params)

    def preprocess(self, dataset: Any, state: ImageRegressionState, split: str) -> Any:
        params, processor = state.params, state.processor
        augment = params.augment and split == "train"

        def transform(batch: dict[str, list]) -> dict[str, Any]:
            images = [open_image(ref) for ref in batch[params.image_column]]
            if augment:
                images = [augment_image(image) for image in images]
            pixels = processor(images=images, return_tensors="pt")["pixel_values"]
            return {"pixel_values": pixels, "labels": [as_number(v) for v in batch[params.target_column]]}

        return dataset.with_transform(transform)

    def compute_metrics(self, state: ImageRegressionState, valid_rows: Any, valid_features: Any) -> Metrics:
        def compute(prediction: Any) -> dict[str, float]:
            return regression_metrics(prediction.label_ids, logits_of(prediction.predictions))

        return compute

    def notes(self, state: ImageRegressionState, metrics: dict[str, Any]) -> list[str]:
        return [
            f"The model has a single output, the predicted '{state.params.target_column}': load it with "
            "`AutoModelForImageClassification` (num_labels=1, problem_type regression) and read `logits[0]`, or "
            "run `aitraining image-regression --predict`. The kept checkpoint has the lowest eval_mse.",
            *self.skipped_notes(state),
        ]


def run(ctx: RunContext) -> RunResult:
    check_quantization(ctx.params.quantization)  # before any data or weights load
    return run_supervised(ctx, ImageRegression())
