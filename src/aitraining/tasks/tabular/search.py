"""The hyperparameter search: an Optuna study kept in the project folder, so an interrupted run resumes.

`--num-trials` counts completed trials over the whole study: a resumed search runs only the missing
ones. `--time-limit` bounds the search of each run (checked between trials). The first trial of a
new study is the model's library defaults, so the search starts from a plain fit.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.errors import AitrainingError
from aitraining.tasks.tabular.data import TabularData
from aitraining.tasks.tabular.evaluate import Folds, evaluate
from aitraining.tasks.tabular.metrics import objective_name
from aitraining.tasks.tabular.models import ModelSpec
from aitraining.tasks.tabular.pipeline import build_pipeline

if TYPE_CHECKING:
    from aitraining.tasks.tabular.params import TabularParams

STUDY_FILE = "study.sqlite"
STUDY_NAME = "aitraining-tabular"


class SearchError(AitrainingError):
    """No trial of the search finished."""


@dataclass
class SearchOutcome:
    best_params: dict[str, Any]
    best_metrics: dict[str, Any]
    best_trial: int
    objective: str
    completed: int
    resumed_from: int  # completed trials found in the study when this run started
    stopped_by: str  # "trial count" or "time limit"
    trials: list[dict[str, Any]]  # one row per trial, for trials.csv


def open_study(project: Path, seed: int, logger: Any) -> Any:
    """Create the study, or load the one an interrupted run left (failing its never-finished trials)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(f"sqlite:///{(project / STUDY_FILE).resolve()}")
    existing = _fail_interrupted(storage, logger)
    # Offset the seed by the stored trials, so a resumed search does not replay the first run's samples.
    return optuna.create_study(
        study_name=STUDY_NAME,
        storage=storage,
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=seed + existing),
        load_if_exists=True,
    )


def _fail_interrupted(storage: Any, logger: Any) -> int:
    """Mark trials still 'running' in a stored study as failed (they died with the run that started
    them); return how many trials the study holds."""
    from optuna.trial import TrialState

    try:
        study_id = storage.get_study_id_from_name(STUDY_NAME)
    except KeyError:
        return 0
    for trial in storage.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
        trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, trial.number)
        storage.set_trial_state_values(trial_id, state=TrialState.FAIL)
        logger.info(f"Trial {trial.number} was interrupted by the previous run; it will not count.")
    return len(storage.get_all_trials(study_id, deepcopy=False))


def _completed(study: Any) -> list[Any]:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def _objective(spec: ModelSpec, data: TabularData, params: TabularParams, folds: Folds | None) -> Any:
    key = objective_name(data.task, len(data.columns.targets))

    def objective(trial: Any) -> float:
        hp = spec.space(trial, data.task)
        try:
            with warnings.catch_warnings():
                # Linear models on hard trials may stop before converging; the score still counts.
                warnings.filterwarnings("ignore", message=".*(converge|iterations).*")
                scores = evaluate_candidate(spec, hp, data, params, folds)
        except ValueError as exc:  # a fit this combination cannot do; the search goes on
            trial.set_user_attr("error", str(exc))
            raise
        trial.set_user_attr("metrics", scores)
        return float(scores[key])

    return objective


def evaluate_candidate(
    spec: ModelSpec, hp: dict[str, Any], data: TabularData, params: TabularParams, folds: Folds | None
) -> dict[str, Any]:
    """One trial's scores (a module function so tests can interrupt a search here)."""
    n_targets, rows = len(data.columns.targets), len(data.x_train)
    return evaluate(lambda: build_pipeline(spec, hp, data.columns, params, n_targets, rows), data, folds)


def _progress(total: int, key: str, logger: Any) -> Any:
    from optuna.trial import TrialState

    def log(study: Any, trial: Any) -> None:
        if trial.state != TrialState.COMPLETE:
            logger.warning(f"Trial {trial.number} failed: {trial.user_attrs.get('error', trial.state.name)}")
            return
        done = len(_completed(study))
        best = study.best_trial
        logger.info(f"Trial {trial.number} ({done}/{total}): {key} {trial.value:.4f} | best {best.value:.4f}")

    return log


def run_search(
    study: Any, spec: ModelSpec, data: TabularData, params: TabularParams, folds: Folds | None, logger: Any
) -> SearchOutcome:
    key = objective_name(data.task, len(data.columns.targets))
    resumed_from, trials_before = len(_completed(study)), len(study.trials)
    if not study.trials:
        study.enqueue_trial(spec.defaults(data.task))
    elif resumed_from:
        logger.info(f"Resuming the search: {resumed_from} of {params.num_trials} trials already done.")
    remaining = params.num_trials - resumed_from
    started = time.monotonic()
    if remaining > 0:
        study.optimize(
            _objective(spec, data, params, folds),
            n_trials=remaining,
            timeout=params.time_limit,
            catch=(ValueError,),
            callbacks=[_progress(params.num_trials, key, logger)],
        )
    completed = _completed(study)
    if not completed:
        errors = [t.user_attrs["error"] for t in study.trials if "error" in t.user_attrs]
        raise SearchError(
            f"No trial of the {spec.name} search finished. Last error: {errors[-1] if errors else 'none recorded'}. "
            "Check the data and the preprocessing flags, or try another --model."
        )
    # optimize() returns early only when the time limit is reached (failed trials count as run).
    stopped_by = "time limit" if len(study.trials) - trials_before < remaining else "trial count"
    if stopped_by == "time limit":
        logger.info(
            f"Search stopped by --time-limit {params.time_limit} after {time.monotonic() - started:.0f} s with "
            f"{len(completed)} of {params.num_trials} trials done."
        )
    best = study.best_trial
    return SearchOutcome(
        best_params=dict(best.params),
        best_metrics=best.user_attrs["metrics"],
        best_trial=best.number,
        objective=key,
        completed=len(completed),
        resumed_from=resumed_from,
        stopped_by=stopped_by,
        trials=[_trial_row(t) for t in study.trials],
    )


def _trial_row(trial: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"trial": trial.number, "state": trial.state.name, "value": trial.value}
    if trial.datetime_start and trial.datetime_complete:
        row["seconds"] = round((trial.datetime_complete - trial.datetime_start).total_seconds(), 3)
    row.update({f"param_{k}": v for k, v in trial.params.items()})
    metrics = trial.user_attrs.get("metrics", {})
    row.update({k: v for k, v in metrics.items() if not isinstance(v, dict)})
    if "error" in trial.user_attrs:
        row["error"] = trial.user_attrs["error"]
    return row
