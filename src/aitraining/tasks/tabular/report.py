"""Artefacts that explain a run: the trial table and the feature importances (values and a plot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TRIALS_FILE = "trials.csv"
IMPORTANCE_PLOT = "feature_importance.png"
MAX_IMPORTANCE_ROWS = 2000  # permutation importance predicts n_repeats x features times: keep it quick
PLOTTED = 20


def write_trials(rows: list[dict[str, Any]], path: Path) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _scoring(task: str, n_targets: int) -> str | None:
    """The objective's scorer for one target; several targets use the pipeline's own score (R² / subset accuracy)."""
    if n_targets > 1:
        return None
    return "neg_log_loss" if task == "classification" else "neg_root_mean_squared_error"


def feature_importance(pipeline: Any, x: pd.DataFrame, y: np.ndarray, task: str, seed: int) -> dict[str, float]:
    """How much the score drops when one raw column is shuffled: model-agnostic, per original column."""
    from sklearn.inspection import permutation_importance

    if len(x) > MAX_IMPORTANCE_ROWS:
        rows = np.random.default_rng(seed).choice(len(x), MAX_IMPORTANCE_ROWS, replace=False)
        x, y = x.iloc[rows], y[rows]
    n_targets = 1 if y.ndim == 1 else y.shape[1]
    try:
        result = permutation_importance(
            pipeline, x, y, scoring=_scoring(task, n_targets), n_repeats=5, random_state=seed
        )
    except ValueError:  # e.g. log-loss on a sample lacking a class: fall back to the pipeline's own score
        result = permutation_importance(pipeline, x, y, n_repeats=5, random_state=seed)
    pairs = sorted(zip(x.columns, result.importances_mean, strict=True), key=lambda p: -p[1])
    return {str(name): float(value) for name, value in pairs}


def plot_importance(importance: dict[str, float], title: str, path: Path) -> Path:
    # The object-oriented API renders with Agg and never touches pyplot's global backend or windows.
    from matplotlib.figure import Figure

    top = list(importance.items())[:PLOTTED][::-1]
    figure = Figure(figsize=(8, 0.35 * len(top) + 1.5), layout="constrained")
    axes = figure.add_subplot()
    axes.barh([name for name, _ in top], [value for _, value in top], color="#4878a8")
    axes.set_xlabel("Score drop when the column is shuffled (permutation importance)")
    axes.set_title(title)
    figure.savefig(path, dpi=100)
    return path
