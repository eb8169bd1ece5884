"""Pictures written into every project folder: the loss curve and, when the task has one, its metric.

matplotlib is imported inside the functions and used through its object-oriented API (Agg canvas), so
`--help` stays light and no window or global pyplot state is ever touched.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

LOSS_PLOT = "loss_curve.png"
SEARCH_PLOT = "search_curve.png"


def _points(history: list[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    pairs = [
        (int(e["step"]), float(e[key]))
        for e in history
        if isinstance(e.get(key), (int, float)) and "step" in e and not math.isnan(e[key])
    ]
    return [s for s, _ in pairs], [v for _, v in pairs]


def _figure(title: str, xlabel: str, ylabel: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    return figure, axes


def _mark_best(axes: Any, best: dict[str, Any] | None, metric: str) -> None:
    if best and best.get("metric") == metric and isinstance(best.get("value"), (int, float)):
        axes.axvline(best["step"], color="#999999", linestyle=":", linewidth=1)
        axes.plot(
            [best["step"]], [best["value"]], "*", color="#d62728", markersize=12, label=f"kept (step {best['step']})"
        )


def plot_losses(history: list[dict[str, Any]], path: Path, best: dict[str, Any] | None = None) -> Path | None:
    """Train and eval loss per optimizer step; None when nothing was logged."""
    train, evals = _points(history, "loss"), _points(history, "eval_loss")
    if not train[0] and not evals[0]:
        return None
    figure, axes = _figure("Loss", "step", "loss")
    if train[0]:
        axes.plot(*train, label="train loss", color="#1f77b4", marker="." if len(train[0]) < 30 else None)
    if evals[0]:
        axes.plot(*evals, label="eval loss", color="#ff7f0e", marker="o")
    _mark_best(axes, best, "eval_loss")
    axes.legend()
    figure.savefig(path, dpi=100)
    return path


# Task metrics worth a picture when no best-checkpoint selection names one (the first found is drawn).
KNOWN_METRICS = ("eval_f1", "eval_accuracy", "eval_rmse", "eval_rougeL", "eval_exact_match", "eval_rewards/accuracies")


def task_metric(history: list[dict[str, Any]], best: dict[str, Any] | None) -> str | None:
    """The selection metric when it is not the loss, else a known task metric the evaluations logged."""
    if best and best.get("metric") not in (None, "eval_loss"):
        return best["metric"]
    logged = {key for entry in history for key in entry}
    return next((m for m in KNOWN_METRICS if m in logged), None)


def plot_metric(
    history: list[dict[str, Any]], metric: str, path: Path, best: dict[str, Any] | None = None
) -> Path | None:
    steps, values = _points(history, metric)
    if not steps:
        return None
    name = metric.removeprefix("eval_")
    figure, axes = _figure(f"Validation {name}", "step", name)
    axes.plot(steps, values, marker="o", color="#2ca02c", label=metric)
    _mark_best(axes, best, metric)
    axes.legend()
    figure.savefig(path, dpi=100)
    return path


def write_training_plots(project: Path, history: list[dict[str, Any]], best: dict[str, Any] | None) -> list[str]:
    """The loss curve and the task metric's curve; returns the file names written (relative to project)."""
    written = []
    if plot_losses(history, project / LOSS_PLOT, best):
        written.append(LOSS_PLOT)
    metric = task_metric(history, best)
    name = f"{metric.replace('/', '_')}.png" if metric else ""
    if metric and plot_metric(history, metric, project / name, best):
        written.append(name)
    return written


def plot_search(trials: list[dict[str, Any]], objective: str, path: Path) -> Path | None:
    """A search without training steps (tabular): each trial's objective and the best so far (lower is better)."""
    done = [(int(t["trial"]), float(t["value"])) for t in trials if isinstance(t.get("value"), (int, float))]
    if not done:
        return None
    done.sort()
    best, running = [], math.inf
    for _, value in done:
        running = min(running, value)
        best.append(running)
    figure, axes = _figure(f"Hyperparameter search: {objective} per trial", "trial", objective)
    axes.plot([t for t, _ in done], [v for _, v in done], "o", color="#1f77b4", alpha=0.6, label="trial")
    axes.step([t for t, _ in done], best, where="post", color="#d62728", label="best so far")
    axes.legend()
    figure.savefig(path, dpi=100)
    return path
