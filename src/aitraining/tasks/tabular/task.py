"""`aitraining tabular`: check the data, search hyperparameters, fit the best pipeline, save it.

An interrupted run leaves its study (and the resume marker) in the project folder; running the same
command again continues the search instead of starting over.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine import timings
from aitraining.engine.fingerprint import RESUME_MAY_CHANGE  # what a resumed search may change
from aitraining.engine.logs import get_logger
from aitraining.engine.plots import SEARCH_PLOT, plot_search
from aitraining.engine.project import PARAMS_FILE, Project
from aitraining.engine.runner import RunContext, RunResult
from aitraining.errors import ParamError, ProjectError
from aitraining.params.flags import flag_for
from aitraining.tasks.tabular import report
from aitraining.tasks.tabular.data import TabularData, load_tabular
from aitraining.tasks.tabular.evaluate import describe, plan_folds
from aitraining.tasks.tabular.models import SPECS, ModelSpec, check_available
from aitraining.tasks.tabular.pipeline import build_pipeline
from aitraining.tasks.tabular.search import STUDY_FILE, SearchOutcome, open_study, run_search

if TYPE_CHECKING:
    from aitraining.tasks.tabular.params import TabularParams

TASK = "tabular"
PIPELINE_FILE = "pipeline.joblib"
ENCODERS_FILE = "label_encoders.joblib"
COLUMNS_FILE = "columns.json"


def check_resume(project: Project, params: TabularParams) -> None:
    """A resumed search must score trials exactly as the interrupted one did."""
    if project.overwrite or not project.resumable:
        return
    owner = project.unfinished_task()
    if owner != TASK:
        raise ProjectError(
            f"Project folder {project.path} holds an unfinished '{owner}' run, not a tabular one. Pick another "
            "--project-name, or pass --overwrite to replace it."
        )
    stored_file = project.path / PARAMS_FILE
    stored = json.loads(stored_file.read_text()) if stored_file.is_file() else {}
    current = params.public_dict()
    changed = [k for k in current if k not in RESUME_MAY_CHANGE and k in stored and stored[k] != current[k]]
    diffs = "; ".join(f"{flag_for(k)} was {stored[k]!r}, now {current[k]!r}" for k in changed)
    if changed and params.resume_allow_changes:
        get_logger().warning(f"Resuming the search with other settings (--resume-allow-changes): {diffs}.")
    elif changed:
        raise ProjectError(
            f"Project folder {project.path} holds an unfinished search with other settings ({diffs}). Re-run with "
            "the same settings to resume it (only --num-trials and --time-limit may change), pass "
            "--resume-allow-changes to accept the changes, or pass --overwrite to start a new search."
        )


def check_missing_values(spec: ModelSpec, data: TabularData, params: TabularParams) -> None:
    if params.numerical_imputer != "none" or spec.handles_missing:
        return
    frames = [data.x_train] + ([data.x_valid] if data.x_valid is not None else [])
    for column in data.columns.numerical:
        if any(frame[column].isna().any() for frame in frames):
            raise ParamError(
                f"Numerical column '{column}' has missing values, --numerical-imputer is none and --model "
                f"{spec.name} cannot take missing values. Pick --numerical-imputer median (or mean), or a model "
                "that accepts them (xgboost, lightgbm, gradient_boosting, random_forest, extra_trees, decision_tree)."
            )


def run(ctx: RunContext) -> RunResult:
    params, logger = ctx.params, ctx.logger
    spec = SPECS[params.model]
    check_available(spec, params.task)
    check_resume(ctx.project, params)
    data = load_tabular(params, logger)
    check_missing_values(spec, data, params)
    folds = plan_folds(data, params.seed)
    ctx.claim_project()  # every input is checked: only now is the project folder written
    ctx.project.mark_unfinished(TASK)
    logger.info(f"{data.describe()}. Searching {spec.name} hyperparameters, scored on {describe(folds)}.")
    study = open_study(ctx.project.path, params.seed, logger)
    n_targets, rows = len(data.columns.targets), len(data.x_train)
    with timings.phase("train"):  # the search and the final fit: tabular's training loop
        outcome = run_search(study, spec, data, params, folds, logger)
        pipeline = build_pipeline(spec, outcome.best_params, data.columns, params, n_targets, rows)
        pipeline.fit(data.x_train, data.y_train)
    importance = save_outputs(ctx.project.path, pipeline, data, params)
    report.write_trials(outcome.trials, ctx.project.path / report.TRIALS_FILE)
    curve = plot_search(outcome.trials, outcome.objective, ctx.project.path / SEARCH_PLOT)
    ctx.project.mark_finished()
    final = {k: v for k, v in outcome.best_metrics.items() if k != "per_target"}
    metrics = {
        "final": final,
        "evaluated_on": describe(folds),
        "search": search_summary(outcome, params),
        "best_params": outcome.best_params,
        "columns": data.columns.to_json(),
        "feature_importance": importance,
    }
    if "per_target" in outcome.best_metrics:
        metrics["per_target"] = outcome.best_metrics["per_target"]
    return RunResult(
        metrics=metrics,
        data_description=data.describe(),
        notes=card_notes(data, outcome, spec, describe(folds), ctx.project.path),
        usage=usage_code(data, Path(params.project_name)),
        library="scikit-learn",
        pipeline_tag=f"tabular-{data.task}",
        plots=[SEARCH_PLOT] if curve else [],
    )


def save_outputs(project: Path, pipeline: Any, data: TabularData, params: TabularParams) -> dict[str, float]:
    """The fitted pipeline, label encoders, column roles and the importance plot; returns the importances."""
    import joblib

    joblib.dump(pipeline, project / PIPELINE_FILE)
    if data.encoders:
        joblib.dump(data.encoders, project / ENCODERS_FILE)
    classes = {t: [_plain(c) for c in e.classes_] for t, e in data.encoders.items()}
    roles = {**data.columns.to_json(), "task": data.task, "problem": data.problem, "classes": classes}
    (project / COLUMNS_FILE).write_text(json.dumps(roles, indent=2) + "\n")
    x, y = (data.x_valid, data.y_valid) if data.has_valid else (data.x_train, data.y_train)
    importance = report.feature_importance(pipeline, x, y, data.task, params.seed)
    split = "validation" if data.has_valid else "train"
    report.plot_importance(
        importance, f"{params.model}: feature importance ({split} split)", project / report.IMPORTANCE_PLOT
    )
    return importance


def _plain(value: Any) -> Any:
    """numpy scalars to Python values, for JSON."""
    return value.item() if hasattr(value, "item") else value


def search_summary(outcome: SearchOutcome, params: TabularParams) -> dict[str, Any]:
    return {
        "objective": outcome.objective,
        "best_trial": outcome.best_trial,
        "trials_completed": outcome.completed,
        "trials_resumed": outcome.resumed_from,
        "num_trials": params.num_trials,
        "time_limit": params.time_limit,
        "stopped_by": outcome.stopped_by,
        "study": STUDY_FILE,
    }


def card_notes(
    data: TabularData, outcome: SearchOutcome, spec: ModelSpec, evaluated_on: str, project: Path
) -> list[str]:
    targets = ", ".join(f"`{t}`" for t in data.columns.targets)
    return [
        f"**Task:** {data.problem} ({data.task}) of {targets} with `{spec.name}`; "
        f"{len(data.columns.numerical)} numerical and {len(data.columns.categorical)} categorical features.",
        f"**Search:** {outcome.completed} trials completed (stopped by the {outcome.stopped_by}); the saved pipeline "
        f"is the best trial, {outcome.best_trial}, by {outcome.objective}. Metrics are measured on {evaluated_on}.",
        "**Data preparation:**\n\n" + "\n".join(f"- {line}" for line in data.notes),
        "The pipeline takes raw rows (a pandas DataFrame with the feature columns; missing values and unseen "
        f"categories are handled); `aitraining tabular --predict --project-name {project} --data-path new.csv` "
        "writes predictions too.",
        f"![Feature importance]({report.IMPORTANCE_PLOT})",
    ]


def usage_code(data: TabularData, project: Path) -> str:
    """The card's snippet: load the saved pipeline (and label encoders) and predict rows from a CSV file."""
    decode = (
        f"encoders = joblib.load(project / '{ENCODERS_FILE}')\n"
        f"print(encoders['{data.columns.targets[0]}'].inverse_transform(pipeline.predict(rows)))\n"
        if data.encoders and len(data.columns.targets) == 1
        else "print(pipeline.predict(rows))\n"
    )
    return (
        "from pathlib import Path\n\nimport joblib\nimport pandas as pd\n\n"
        f"project = Path('{project}')\npipeline = joblib.load(project / '{PIPELINE_FILE}')\n"
        f"rows = pd.read_csv('new.csv')  # rows with the feature columns\n{decode}"
    )
