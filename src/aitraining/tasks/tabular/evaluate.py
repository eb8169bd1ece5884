"""Score one set of hyperparameters: on the validation split when there is one, else by cross-validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from aitraining.errors import DataError
from aitraining.tasks.tabular.data import TabularData
from aitraining.tasks.tabular.metrics import aligned_probabilities, classification_metrics, regression_metrics

MAX_FOLDS = 5
Folds = list[tuple[np.ndarray, np.ndarray]]


def describe(folds: Folds | None) -> str:
    return "the validation split" if folds is None else f"{len(folds)}-fold cross-validation on the train split"


def plan_folds(data: TabularData, seed: int) -> Folds | None:
    """Cross-validation folds when there is no validation split (stratified for one class target)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    if data.has_valid:
        return None
    y2 = data.y_train.reshape(len(data.y_train), -1)
    smallest = len(y2)
    if data.task == "classification":
        for index, target in enumerate(data.columns.targets):
            counts = np.bincount(y2[:, index].astype(int))
            rarest = int(np.argmin(counts))
            if counts[rarest] < 2:
                label = data.encoders[target].classes_[rarest]
                numbers = not isinstance(label, str)
                hint = (
                    f" If '{target}' holds measurements rather than classes, use --task regression." if numbers else ""
                )
                raise DataError(
                    f"Class '{label}' of target column '{target}' has a single row in the train split of "
                    f"{data.source}; cross-validation needs at least two rows of every class. Add rows of that "
                    f"class, remove that row, or pass --valid-split with a separate validation split.{hint}"
                )
            smallest = min(smallest, int(counts[rarest]))
    folds = min(MAX_FOLDS, smallest)
    if folds < 2:
        raise DataError(f"The train split of {data.source} has fewer than 2 rows; cross-validation needs more.")
    if data.task == "classification" and len(data.columns.targets) == 1:
        splitter: Any = StratifiedKFold(folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(folds, shuffle=True, random_state=seed)
    return list(splitter.split(data.x_train, y2[:, 0]))


def class_counts(data: TabularData) -> list[int]:
    return [len(data.encoders[t].classes_) for t in data.columns.targets]


def predictions(model: Any, x: Any, data: TabularData) -> Any:
    """Class probabilities per target (classification) or predicted values (regression)."""
    if data.task == "classification":
        return aligned_probabilities(model, x, class_counts(data))
    return np.asarray(model.predict(x))


def score(y: np.ndarray, predicted: Any, data: TabularData) -> dict[str, Any]:
    if data.task == "classification":
        return classification_metrics(y, predicted, data.columns.targets)
    return regression_metrics(y, predicted, data.columns.targets)


def evaluate(make_pipeline: Callable[[], Any], data: TabularData, folds: Folds | None) -> dict[str, Any]:
    """Fit and score fresh pipelines; with folds, every row is scored by a model that never saw it."""
    if folds is None:
        model = make_pipeline().fit(data.x_train, data.y_train)
        return score(data.y_valid, predictions(model, data.x_valid, data), data)
    out_of_fold: Any = None
    for train_rows, test_rows in folds:
        model = make_pipeline().fit(data.x_train.iloc[train_rows], data.y_train[train_rows])
        part = predictions(model, data.x_train.iloc[test_rows], data)
        if out_of_fold is None:
            out_of_fold = _empty_like(part, len(data.x_train))
        if isinstance(part, list):
            for whole, piece in zip(out_of_fold, part, strict=True):
                whole[test_rows] = piece
        else:
            out_of_fold[test_rows] = part
    return score(data.y_train, out_of_fold, data)


def _empty_like(part: Any, rows: int) -> Any:
    if isinstance(part, list):
        return [np.zeros((rows, *p.shape[1:])) for p in part]
    return np.zeros((rows, *part.shape[1:]))
