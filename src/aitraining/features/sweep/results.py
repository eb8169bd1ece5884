"""What a sweep leaves in the project folder: the trial table (CSV, JSON), the plot, best_params.yaml, and the
best trial's model at the top level with its card."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine.checkpoints import CHECKPOINTS_DIR, PREFIX
from aitraining.engine.project import CARD_FILE
from aitraining.features.sweep.study import OUTCOME, visible
from aitraining.features.sweep.trial import TRIALS_DIR, trial_dir, write_config

if TYPE_CHECKING:
    from aitraining.config import Resolved

TABLE = "sweep_results"
PLOT = "sweep.png"
BEST_CONFIG = "best_params.yaml"
SWEEP_FILES = ("sweep.db", "sweep.log", f"{TABLE}.csv", f"{TABLE}.json", PLOT, BEST_CONFIG, TRIALS_DIR)
COPIED = (CARD_FILE, "metrics.json", "training_params.json")  # edited or small: copied, never linked


def trial_rows(study: Any, project: Path) -> list[dict[str, Any]]:
    rows = []
    for t in visible(study):
        seconds = (t.datetime_complete - t.datetime_start).total_seconds() if t.datetime_complete else None
        rows.append(
            {
                "number": t.number,
                "state": t.system_attrs.get(OUTCOME) or t.state.name.lower(),
                "params": dict(t.params),
                "metric": t.value if t.value is not None else t.user_attrs.get("pruned_value"),
                "duration_s": round(seconds, 1) if seconds is not None else None,
                "folder": str(trial_dir(project, t.number)),
                "peak_rss_mb": t.user_attrs.get("peak_rss_mb"),  # the trial's own process
                "sweep_process_peak_rss_mb": t.user_attrs.get("sweep_process_peak_rss_mb"),
                "error": t.user_attrs.get("error"),
            }
        )
    return rows


def write_table(rows: list[dict[str, Any]], project: Path, metric: str) -> list[Path]:
    json_path, csv_path = project / f"{TABLE}.json", project / f"{TABLE}.csv"
    json_path.write_text(json.dumps({"metric": metric, "trials": rows}, indent=2, default=str) + "\n")
    names = sorted({k for r in rows for k in r["params"]})
    columns = ["number", "state", metric, *names, "duration_s", "peak_rss_mb", "folder", "error"]
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for r in rows:
            values = [r["number"], r["state"], r["metric"], *(r["params"].get(n) for n in names)]
            writer.writerow([*values, r["duration_s"], r["peak_rss_mb"], r["folder"], r["error"] or ""])
    return [csv_path, json_path]


def write_plot(rows: list[dict[str, Any]], project: Path, metric: str, log_params: set[str]) -> Path | None:
    """The metric by trial, then one panel per searched parameter (its value against the metric)."""
    scored = [r for r in rows if isinstance(r["metric"], (int, float)) and math.isfinite(r["metric"])]
    if not scored:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    names = sorted({k for r in scored for k in r["params"]})
    fig, axes = plt.subplots(1, 1 + len(names), figsize=(4 * (1 + len(names)), 3.4), squeeze=False)
    ax = axes[0][0]
    ax.plot([r["number"] for r in scored], [r["metric"] for r in scored], "o-")
    ax.set(xlabel="trial", ylabel=metric, title=f"{metric} by trial (pruned: value when stopped)")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    for ax, name in zip(axes[0][1:], names, strict=True):
        points = [(r["params"][name], r["metric"]) for r in scored if name in r["params"]]
        numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x, _ in points)
        xs = [x if numeric else str(x) for x, _ in points]
        ax.scatter(xs, [y for _, y in points])
        if numeric and name in log_params:
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set(xlabel=name, ylabel=metric, title=f"effect of {name}")
    fig.tight_layout()
    path = project / PLOT
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def write_best_config(resolved: Resolved, best: Any, project: Path) -> Path:
    """A config that trains the best trial again: `aitraining --config best_params.yaml`."""
    target = project / BEST_CONFIG
    write_config(resolved, dict(best.params), target, str(project / f"best-trial-{best.number:03d}-rerun"))
    header = f"# Reproduces trial {best.number} of the sweep in {project} ({best.value}).\n"
    target.write_text(header + target.read_text())
    return target


def place_best_model(project: Path, number: int) -> str:
    """Hard-link (same file system; no extra space, survives moving the folder) or else copy the best trial's
    saved files to the project's top level; its checkpoints stay in the trial's folder. Returns how."""
    source = trial_dir(project, number)
    clear_top_level(project)
    hows: set[str] = set()

    def place(item: str, target: str) -> None:
        hows.add(_link_or_copy(item, target))

    for item in source.iterdir():
        if item.name.startswith(PREFIX) or item.name == CHECKPOINTS_DIR:
            continue
        target = project / item.name
        if item.is_dir():
            shutil.copytree(item, target, copy_function=place)
        elif item.name in COPIED:
            shutil.copy2(item, target)
        else:
            place(str(item), str(target))
    return "hard-linked" if hows <= {"hard-linked"} else "copied" if hows == {"copied"} else "hard-linked or copied"


def _link_or_copy(source: str, target: str) -> str:
    try:
        os.link(source, target)
        return "hard-linked"
    except OSError:
        shutil.copy2(source, target)
        return "copied"


def clear_top_level(project: Path) -> None:
    """The previous best model's files (a resumed or continued sweep picks a new best); sweep files stay."""
    for item in project.iterdir():
        if item.name in SWEEP_FILES or item.name.startswith(("sweep.db", ".sweep")):
            continue
        shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()


def card_section(best: Any, rows: list[dict[str, Any]], metric: str, direction: str, how: str) -> str:
    states = {s: sum(r["state"] == s for r in rows) for s in ("complete", "pruned", "failed")}
    params = "\n".join(f"| {k} | {v} |" for k, v in sorted(best.params.items()))
    return (
        "\n## Hyperparameter sweep\n\n"
        f"This model is trial {best.number} of a sweep of {len(rows)} trials ({states['complete']} complete, "
        f"{states['pruned']} pruned, {states['failed']} failed), the best by {metric} ({direction}): "
        f"{best.value}. Its files were {how} from `{TRIALS_DIR}/trial-{best.number:03d}/`; every trial is in "
        f"`{TABLE}.csv`, the plot in `{PLOT}`, and `aitraining --config {BEST_CONFIG}` trains it again.\n\n"
        f"| parameter | value |\n|---|---|\n{params}\n"
    )
