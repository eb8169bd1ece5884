"""text-regression: predict one number (a score, a rating, a price) from a text column."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

# One text check for every text task; imported rather than copied so both tasks report bad text alike.
from aitraining.data.checks import check_text_column
from aitraining.data.mapping import tokenize_map
from aitraining.engine.metrics import logits_of, regression_metrics
from aitraining.engine.models import load_trainable
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import Metrics, SupervisedTask, TaskState, run_supervised
from aitraining.engine.targets import as_number, check_number_column, start_head_at, training_numbers
from aitraining.tasks.text_regression.params import TextRegressionParams


@dataclass(frozen=True, kw_only=True)
class RegressionState(TaskState[TextRegressionParams]):
    mean: float  # of the training targets: where the head starts


class TextRegression(SupervisedTask[TextRegressionParams, RegressionState]):
    metric = "eval_rmse"
    greater_is_better = False

    def columns(self, params: TextRegressionParams) -> dict[str, str]:
        return {"text_column": params.text_column, "target_column": params.target_column}

    def check_rows(self, dataset: Any, params: TextRegressionParams, split: str, source: str) -> None:
        check_text_column(dataset, params.text_column, split, source)
        check_number_column(dataset, params.target_column, split, source, "text-regression")

    def setup(
        self, train: Any, valid: Any, params: TextRegressionParams, processor: Any, logger: logging.Logger
    ) -> RegressionState:
        values = training_numbers(train[params.target_column], params.target_column, logger)
        return RegressionState(params=params, logger=logger, processor=processor, mean=float(values.mean()))

    def load_model(self, state: RegressionState) -> Any:
        from transformers import AutoModelForSequenceClassification

        target = state.params.target_column
        # The single output is named after the target column, so pipelines report it as e.g. 'score'.
        model = load_trainable(
            AutoModelForSequenceClassification,
            state.params,
            num_labels=1,
            problem_type="regression",
            id2label={0: target},
            label2id={target: 0},
        )
        if start_head_at(model, state.mean):
            state.logger.info(f"The regression head starts at the training mean ({state.mean:.4g}).")
        return model

    def preprocess(self, dataset: Any, state: RegressionState, split: str) -> Any:
        params, tokenizer = state.params, state.processor

        def encode(batch: dict[str, list]) -> dict[str, list]:
            out = tokenizer(batch[params.text_column], truncation=True, max_length=params.max_seq_length)
            out["labels"] = [as_number(v) for v in batch[params.target_column]]
            return out

        return tokenize_map(dataset, encode, workers=params.num_workers)

    def compute_metrics(self, state: RegressionState, valid_rows: Any, valid_features: Any) -> Metrics:
        def compute(prediction: Any) -> dict[str, float]:
            return regression_metrics(prediction.label_ids, logits_of(prediction.predictions))

        return compute

    def notes(self, state: RegressionState, metrics: dict[str, Any]) -> list[str]:
        return [
            f"The model has a single output, the predicted '{state.params.target_column}': read `logits[0]` of "
            '`AutoModelForSequenceClassification`, or use `pipeline("text-classification", '
            'function_to_apply="none")`.'
        ]


def run(ctx: RunContext) -> RunResult:
    return run_supervised(ctx, TextRegression())
