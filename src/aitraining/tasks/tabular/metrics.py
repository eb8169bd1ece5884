"""Scores of a fitted pipeline: accuracy, F1, log-loss and ROC-AUC, or RMSE, MAE and R².

Several targets are scored one by one and averaged (the per-target scores are kept too); multi-label
tasks add subset accuracy, the share of rows with every label right.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def objective_name(task: str, n_targets: int) -> str:
    """The score the search minimises: log-loss rewards calibrated probabilities, not just right labels.

    Several regression targets are compared in units of each target's spread, so no target dominates.
    """
    if task == "classification":
        return "log_loss"
    return "rmse" if n_targets == 1 else "normalized_rmse"


def aligned_probabilities(model: Any, x: Any, n_classes: list[int]) -> list[np.ndarray]:
    """Class probabilities per target, with one column per class even if a fit saw fewer classes."""
    raw = model.predict_proba(x)
    raw = raw if isinstance(raw, list) else [raw]
    classes = model.classes_ if isinstance(model.classes_, list) else [model.classes_]
    out = []
    for proba, seen, count in zip(raw, classes, n_classes, strict=True):
        full = np.zeros((len(proba), count))
        full[:, np.asarray(seen, dtype=int)] = proba
        # Renormalise: float32 probabilities (xgboost) miss 1.0 by enough for log_loss to warn.
        out.append(full / np.clip(full.sum(axis=1, keepdims=True), 1e-12, None))
    return out


def _as_2d(y: np.ndarray) -> np.ndarray:
    return y.reshape(len(y), -1)


def _one_classification(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    from sklearn import metrics

    count = proba.shape[1]
    predicted = proba.argmax(axis=1)
    scores = {
        "accuracy": metrics.accuracy_score(y, predicted),
        "f1_macro": metrics.f1_score(y, predicted, average="macro", labels=range(count), zero_division=0),
        "log_loss": metrics.log_loss(y, proba, labels=range(count)),
    }
    present = np.unique(y)
    if count == 2:
        scores["f1"] = metrics.f1_score(y, predicted, zero_division=0)
        if len(present) == 2:
            scores["roc_auc"] = metrics.roc_auc_score(y, proba[:, 1])
    elif len(present) == count:  # one-vs-rest AUC is defined only when every class occurs
        scores["roc_auc"] = metrics.roc_auc_score(y, proba, multi_class="ovr", labels=range(count))
    return {k: float(v) for k, v in scores.items()}


def classification_metrics(y: np.ndarray, probas: list[np.ndarray], targets: list[str]) -> dict[str, Any]:
    y2 = _as_2d(y)
    per_target = {t: _one_classification(y2[:, i], p) for i, (t, p) in enumerate(zip(targets, probas, strict=True))}
    if len(targets) == 1:
        return per_target[targets[0]]
    out = _mean_of(per_target)
    predicted = np.column_stack([p.argmax(axis=1) for p in probas])
    out["subset_accuracy"] = float(np.mean(np.all(predicted == y2, axis=1)))
    out["per_target"] = per_target
    return out


def _one_regression(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    from sklearn import metrics

    rmse = float(np.sqrt(metrics.mean_squared_error(y, predicted)))
    spread = float(np.std(y)) or 1.0
    return {
        "rmse": rmse,
        "mae": float(metrics.mean_absolute_error(y, predicted)),
        "r2": float(metrics.r2_score(y, predicted)),
        "normalized_rmse": rmse / spread,
    }


def regression_metrics(y: np.ndarray, predicted: np.ndarray, targets: list[str]) -> dict[str, Any]:
    y2, p2 = _as_2d(y), _as_2d(predicted)
    per_target = {t: _one_regression(y2[:, i], p2[:, i]) for i, t in enumerate(targets)}
    if len(targets) == 1:
        return per_target[targets[0]]
    return {**_mean_of(per_target), "per_target": per_target}


def _mean_of(per_target: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Average the scores every target has (ROC-AUC is missing where a target lacks a class)."""
    keys = set.intersection(*(set(scores) for scores in per_target.values()))
    return {k: float(np.mean([scores[k] for scores in per_target.values()])) for k in sorted(keys)}
