"""The sweep loop: check everything, open (or resume) the study, run trials until the budget is used, report."""

from __future__ import annotations

import math
import os
import resource
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine import logs
from aitraining.errors import AitrainingError, ParamError, ProjectError
from aitraining.features.sweep import results
from aitraining.features.sweep.metrics import check_metric, read_metric
from aitraining.features.sweep.settings import sweep_settings
from aitraining.features.sweep.space import Dimension, grid_space, parse_space
from aitraining.features.sweep.study import (
    DB_FILE,
    claim,
    counted,
    mark,
    open_study,
    requeue,
    requeue_interrupted,
    storage_url,
    study_name,
)
from aitraining.features.sweep.trial import TRIALS_DIR, run_trial, trial_config, trial_dir, write_config

if TYPE_CHECKING:
    from logging import Logger

    from aitraining.config import Resolved

LOG_FILE = "sweep.log"


def check_run(resolved: Resolved) -> tuple[str, list[Dimension]]:
    """Everything that can be checked before the first trial: (metric name, search space)."""
    params = sweep_settings(resolved)
    if not resolved.params.model:
        raise ParamError(f"--model is required for 'aitraining {resolved.task.name}' (a local folder or hub id).")
    if not resolved.params.data_path:
        raise ParamError(f"--data-path is required for 'aitraining {resolved.task.name}'.")
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise ParamError(
            "--use-sweep runs under accelerate launch / torchrun: start the sweep as a plain command instead; "
            "each trial starts its own processes (--num-processes)."
        )
    if getattr(params, "push_to_hub", False):
        raise ParamError(
            "--push-to-hub with --use-sweep: trials never push. Run the sweep without it, then push the best "
            "trial with 'aitraining --config <project>/best_params.yaml --push-to-hub'."
        )
    metric, dims = check_metric(resolved), parse_space(params.sweep_params, resolved)
    if params.sweep_backend == "grid":
        grid_space(dims)  # every dimension has points
    return metric, dims


def budget(resolved: Resolved, dims: list[Dimension], logger: Logger) -> int:
    n = sweep_settings(resolved).sweep_n_trials
    if sweep_settings(resolved).sweep_backend != "grid":
        return n
    points = math.prod(len(d.grid_points()) for d in dims)
    if points <= n:
        logger.info(f"Sweep: the grid has {points} points; running all {points} (--sweep-n-trials {n}).")
        return points
    logger.info(f"Sweep: the grid has {points} points; running {n} of them (--sweep-n-trials {n}).")
    return n


def prepare_folder(project: Path, overwrite: bool) -> None:
    """A sweep folder is resumed; any other non-empty folder needs --overwrite (which also starts a sweep over)."""
    if project.exists() and not project.is_dir():
        raise ProjectError(f"--project-name {project} is an existing file, not a folder. Pick another name.")
    swept = (project / TRIALS_DIR).is_dir() or (project / DB_FILE).is_file()
    non_empty = project.is_dir() and any(project.iterdir())
    if non_empty and not swept and not overwrite:
        raise ProjectError(
            f"Project folder {project} already exists and is not a sweep's folder; nothing was changed. Pick a new "
            "--project-name, or pass --overwrite to replace its contents."
        )
    if non_empty and overwrite:
        shutil.rmtree(project)
    (project / TRIALS_DIR).mkdir(parents=True, exist_ok=True)  # at once a sweep's folder for other workers


def run(resolved: Resolved, *, overwrite: bool = False) -> int:
    logger = logs.setup_console()
    params = sweep_settings(resolved)
    metric, dims = check_run(resolved)
    project = Path(resolved.params.project_name)
    prepare_folder(project, overwrite)
    handler = logs.attach_file(project / LOG_FILE)
    try:
        n = budget(resolved, dims, logger)
        url, name = storage_url(params, project), study_name(params, project)
        study = open_study(params, dims, url, name)
        if overwrite and len(study.trials):
            raise ProjectError(
                f"--overwrite cleared {project}, but the study '{name}' in {url} already holds trials: pick another "
                "--sweep-study-name (or delete the study) to start over."
            )
        describe_start(study, n, metric, url, name, logger)
        while (trial := claim(study, n)) is not None:
            run_one(study, trial, resolved, dims, metric, (url, name), logger)
        return finish(study, resolved, metric, logger)
    finally:
        logs.detach(handler)


def describe_start(study: Any, n: int, metric: str, url: str, name: str, logger: Logger) -> None:
    requeued = requeue_interrupted(study)
    if requeued:
        shown = ", ".join(str(i) for i in requeued)
        logger.info(
            f"Sweep: trial(s) {shown} were left running by a stopped process: marked failed, values queued again."
        )
    done = len(counted(study))
    state = f"resuming: {done} of {n} trials already finished or running" if done else f"{n} trials"
    logger.info(f"Sweep: study '{name}' in {url}; optimising {metric} ({study.direction.name.lower()}); {state}.")


def run_one(
    study: Any,
    trial: Any,
    resolved: Resolved,
    dims: list[Dimension],
    metric: str,
    where: tuple[str, str],
    logger: Logger,
) -> None:
    project = Path(resolved.params.project_name)
    values = {d.name: d.suggest(trial) for d in dims}
    folder, config = trial_dir(project, trial.number), trial_config(project, trial.number)
    write_config(resolved, values, config, str(folder))
    logger.info(f"Sweep: trial {trial.number} in {folder}: {values}")
    report = {
        "storage": where[0],
        "study": where[1],
        "trial_id": trial._trial_id,
        "metric": metric,
        "folder": str(folder),
    }
    try:
        token = getattr(resolved.params, "token", None)
        outcome = run_trial(config, folder, trial.number, report, lambda line: print(line, file=sys.stderr), token)
    except BaseException:  # Ctrl-C or SIGTERM: this trial runs again when the sweep is resumed
        requeue(study, trial)
        logger.info(f"Sweep: stopped during trial {trial.number}; run the same command again to resume.")
        raise
    trial.set_user_attr("peak_rss_mb", outcome.peak_rss_mb)
    trial.set_user_attr(
        "sweep_process_peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    )
    tell(study, trial, outcome, folder, metric, logger)


def tell(study: Any, trial: Any, outcome: Any, folder: Path, metric: str, logger: Logger) -> None:
    from optuna.trial import TrialState

    value = read_metric(folder, metric) if outcome.exit_code == 0 else None
    if outcome.exit_code == 0 and outcome.pruned:
        trial.set_user_attr("pruned_value", outcome.pruned["value"])
        mark(study, trial, "pruned")
        study.tell(trial, state=TrialState.PRUNED)
        logger.info(f"Sweep: trial {trial.number} pruned at step {outcome.pruned['step']} ({outcome.seconds:.0f} s).")
    elif value is not None:
        mark(study, trial, "complete")
        study.tell(trial, value)
        logger.info(f"Sweep: trial {trial.number} finished: {metric} {value:.4f} ({outcome.seconds:.0f} s).")
    else:
        why = f"exit code {outcome.exit_code}" if outcome.exit_code else f"its metrics.json has no finite {metric}"
        last = next((line for line in reversed(outcome.last_lines) if line.strip()), "")
        trial.set_user_attr("error", f"{why}: {last}"[:500])
        mark(study, trial, "failed")
        study.tell(trial, state=TrialState.FAIL)
        logger.info(f"Sweep: trial {trial.number} failed ({why}; see {folder}/training.log); the sweep continues.")


def finish(study: Any, resolved: Resolved, metric: str, logger: Logger) -> int:
    from optuna.trial import TrialState

    params, project = sweep_settings(resolved), Path(resolved.params.project_name)
    with _lock(project):
        rows = results.trial_rows(study, project)
        paths = results.write_table(rows, project, metric)
        log_params = {d.name for d in parse_space(params.sweep_params, resolved) if d.kind == "loguniform" or d.log}
        plot = results.write_plot(rows, project, metric, log_params)
        if not any(t.state == TrialState.COMPLETE for t in study.trials):
            raise AitrainingError(
                f"All {len(rows)} trials of the sweep failed or were pruned; nothing was kept. The table "
                f"{paths[0]} lists each trial's error; each trial's log is in {project / TRIALS_DIR}/trial-NNN/."
            )
        best = study.best_trial
        config = results.write_best_config(resolved, best, project)
        placed = place(project, best, rows, metric, params.sweep_direction, logger)
    logger.info(f"Sweep: results in {', '.join(str(p) for p in [*paths, plot, config] if p)}.")
    logger.info(f"Sweep: best trial {best.number} ({metric} {best.value:.4f}): {best.params}. {placed}")
    return 0


def place(project: Path, best: Any, rows: list[dict[str, Any]], metric: str, direction: str, logger: Logger) -> str:
    if not trial_dir(project, best.number).is_dir():  # another machine's worker ran it
        return f"Its model is in that worker's {trial_dir(project, best.number)}."
    how = results.place_best_model(project, best.number)
    card = project / results.CARD_FILE
    if card.is_file():
        card.write_text(card.read_text() + results.card_section(best, rows, metric, direction, how))
    return f"Its model was {how} to {project}."


@contextmanager
def _lock(project: Path) -> Any:
    """Workers sharing a folder write the results one at a time."""
    try:
        import fcntl
    except ImportError:  # not on Unix: one worker per folder
        yield
        return
    with (project / ".sweep.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
