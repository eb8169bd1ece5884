"""The optuna study behind a sweep: storage, sampler, pruner, the trial budget and resuming.

Several workers (processes or machines) running the same command with the same --sweep-storage share one
study; each trial is owned by the worker that asked for it (recorded as host:pid), so a re-run can tell a
trial its own killed process left RUNNING from one another worker is still training.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.errors import NotAvailableError, ParamError

if TYPE_CHECKING:
    from aitraining.features.sweep.space import Dimension
    from aitraining.params.crosscutting import SweepParams

OUTCOME = "aitraining_outcome"  # complete | pruned | failed | interrupted | excess
WORKER = "aitraining_worker"  # host:pid of the process that ran the trial
COUNTED = ("complete", "pruned", "failed")  # outcomes that use up --sweep-n-trials
DB_FILE = "sweep.db"


def storage_url(params: SweepParams, project: Path) -> str:
    return params.sweep_storage or f"sqlite:///{(project / DB_FILE).absolute()}"


def study_name(params: SweepParams, project: Path) -> str:
    if params.sweep_study_name:
        return params.sweep_study_name
    return "aitraining-" + (re.sub(r"[^0-9A-Za-z_.-]+", "-", project.absolute().name).strip("-") or "sweep")


def make_storage(url: str) -> Any:
    import optuna

    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):  # several workers and their trials write to one file: wait for the lock
        kwargs["engine_kwargs"] = {"connect_args": {"timeout": 120}}
    try:
        return optuna.storages.RDBStorage(url, **kwargs)
    except ImportError as exc:
        raise NotAvailableError(
            f"--sweep-storage {url.split('://')[0]}://... needs a database driver that is not installed ({exc}); "
            "for PostgreSQL: pip install 'psycopg[binary]' and write postgresql+psycopg://user:pass@host/db."
        ) from None
    except Exception as exc:  # sqlalchemy.exc.ArgumentError and connection errors
        raise ParamError(f"--sweep-storage {url!r} cannot be opened: {exc}. Give a SQLAlchemy URL.") from None


def pruner() -> Any:
    """Median pruning on the intermediate metric, after two finished trials; the child processes load the
    study with this same pruner (optuna does not store it)."""
    import optuna

    return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)


def sampler(params: SweepParams, dims: list[Dimension]) -> Any:
    import optuna

    from aitraining.features.sweep.space import grid_space

    seed = getattr(params, "seed", None)
    if params.sweep_backend == "grid":
        return bounded_grid()(grid_space(dims), seed=seed)
    if params.sweep_backend == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def bounded_grid() -> type:  # built on first use, so optuna is imported only then
    import optuna

    class BoundedGrid(optuna.samplers.GridSampler):
        """The sweep counts its trials itself (ask/tell): optuna's own end-of-grid `study.stop()` only works
        inside `study.optimize`, and it expects a grid id that re-queued trials do not have."""

        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            return None

    return BoundedGrid


def open_study(params: SweepParams, dims: list[Dimension], url: str, name: str) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for attempt in range(3):  # two workers starting at once may race to create the tables
        try:
            return optuna.create_study(
                study_name=name,
                storage=make_storage(url),
                sampler=sampler(params, dims),
                pruner=pruner(),
                direction=params.sweep_direction,
                load_if_exists=True,
            )
        except ValueError as exc:  # an existing study with the other direction
            raise ParamError(
                f"The study '{name}' in {url} exists with another direction ({exc}); use the same "
                "--sweep-direction, or another --sweep-study-name."
            ) from None
        except Exception:
            if attempt == 2:
                raise
            time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's worker: only it (or its own re-run) may declare it gone
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_interrupted(study: Any) -> list[int]:
    """RUNNING trials whose worker process on this machine is gone: marked failed (interrupted) and their
    values queued again. Returns their numbers."""
    from optuna.trial import TrialState

    found = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = trial.system_attrs.get(WORKER)
        if worker is None or _alive(worker):
            continue
        requeue(study, trial)
        found.append(trial.number)
    return found


def requeue(study: Any, trial: Any) -> None:
    """Close an unfinished trial as failed ('interrupted', not counted) and queue its values again."""
    from optuna.trial import TrialState

    mark(study, trial, "interrupted")
    study.tell(trial.number, state=TrialState.FAIL)
    study.enqueue_trial(trial.params, skip_if_exists=False)


def counted(study: Any) -> list[Any]:
    """Trials that use up the budget: finished ones (complete, pruned, failed while training) and the ones
    other workers are running now."""
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    return [
        t
        for t in trials
        if t.system_attrs.get(OUTCOME) in COUNTED
        or (t.state == TrialState.RUNNING and t.system_attrs.get(OUTCOME) != "excess")
    ]


def claim(study: Any, budget: int) -> Any | None:
    """Ask for the next trial, or None when the budget is used up (also when another worker took the last
    place between our count and our ask: that trial is closed as 'excess' and never trains)."""
    from optuna.trial import TrialState

    if len(counted(study)) >= budget:
        return None
    trial = study.ask()
    study._storage.set_trial_system_attr(trial._trial_id, WORKER, this_worker())
    ahead = [t for t in counted(study) if t.number < trial.number]
    if len(ahead) >= budget:
        study._storage.set_trial_system_attr(trial._trial_id, OUTCOME, "excess")
        study.tell(trial, state=TrialState.FAIL)
        return None
    return trial


def visible(study: Any) -> list[Any]:
    """The trials a results table shows: every trial except the never-run 'excess' ones and queued ones."""
    from optuna.trial import TrialState

    return [
        t
        for t in study.get_trials(deepcopy=False)
        if t.system_attrs.get(OUTCOME) != "excess" and t.state != TrialState.WAITING
    ]


def mark(study: Any, trial: Any, outcome: str) -> None:
    study._storage.set_trial_system_attr(trial._trial_id, OUTCOME, outcome)
