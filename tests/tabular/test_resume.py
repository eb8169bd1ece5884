"""An interrupted search resumes from the study in the project folder; a finished search stops on time."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tabular_helpers import run_cli, train_args

from aitraining.engine.project import RESUME_MARKER, Project
from aitraining.errors import ProjectError
from aitraining.tasks.tabular import search


@pytest.fixture
def wine_csv(tmp_path):
    from sklearn.datasets import load_wine

    path = tmp_path / "wine.csv"
    load_wine(as_frame=True).frame.to_csv(path, index=False)
    return path


def interrupt_after(monkeypatch, calls: int) -> None:
    """Let `calls` trials finish, then raise KeyboardInterrupt (Ctrl-C) inside the next one."""
    real = search.evaluate_candidate
    seen = []

    def flaky(*args, **kwargs):
        seen.append(1)
        if len(seen) > calls:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "evaluate_candidate", flaky)


def simulate_killed_trial(project) -> None:
    """A process killed mid-trial leaves that trial 'running' in the study."""
    import optuna

    study = optuna.load_study(study_name=search.STUDY_NAME, storage=f"sqlite:///{project / search.STUDY_FILE}")
    study.ask()


def test_interrupted_search_resumes(capsys, monkeypatch, tmp_path, wine_csv):
    project = tmp_path / "p"
    argv = train_args(wine_csv, project, "--model", "logistic_regression", "--num-trials", "5")
    interrupt_after(monkeypatch, 2)
    code, log = run_cli(capsys, *argv)
    assert code == 130, log
    assert (project / RESUME_MARKER).is_file() and (project / search.STUDY_FILE).is_file()
    assert not (project / "metrics.json").exists()
    simulate_killed_trial(project)
    monkeypatch.undo()

    code, log = run_cli(capsys, *argv)  # the same command, no --overwrite
    assert code == 0, log
    assert "Resuming the search: 2 of 5 trials already done." in log
    assert "Trial 3 was interrupted by the previous run" in log
    trials = pd.read_csv(project / "trials.csv")
    assert (trials["state"] == "COMPLETE").sum() == 5
    assert list(trials.loc[trials["state"] == "FAIL", "trial"]) == [2, 3]
    tried = trials.loc[trials["state"] == "COMPLETE", "param_C"]
    assert tried.nunique() == 5  # the resumed sampler does not replay the first run's samples
    summary = json.loads((project / "metrics.json").read_text())["search"]
    assert summary["trials_resumed"] == 2 and summary["trials_completed"] == 5
    assert not (project / RESUME_MARKER).exists()

    code, log = run_cli(capsys, *argv)  # finished: a re-run needs --overwrite as usual
    assert code == 2 and "already exists" in log


def test_resume_with_other_settings_is_refused(capsys, monkeypatch, tmp_path, wine_csv):
    project = tmp_path / "p"
    interrupt_after(monkeypatch, 1)
    assert run_cli(capsys, *train_args(wine_csv, project, "--model", "knn", "--num-trials", "3"))[0] == 130
    monkeypatch.undo()
    code, log = run_cli(capsys, *train_args(wine_csv, project, "--model", "decision_tree", "--num-trials", "3"))
    assert code == 2 and "--model was 'knn', now 'decision_tree'" in log and "--overwrite" in log
    code, log = run_cli(
        capsys, *train_args(wine_csv, project, "--model", "decision_tree", "--num-trials", "1", "--overwrite")
    )
    assert code == 0, log
    assert len(pd.read_csv(project / "trials.csv")) == 1  # a fresh study


def test_time_limit_stops_the_search(capsys, tmp_path, wine_csv):
    project = tmp_path / "p"
    argv = train_args(wine_csv, project, "--model", "random_forest", "--num-trials", "500", "--time-limit", "1")
    code, log = run_cli(capsys, *argv)
    assert code == 0, log
    summary = json.loads((project / "metrics.json").read_text())["search"]
    assert summary["stopped_by"] == "time limit" and 1 <= summary["trials_completed"] < 500
    assert "Search stopped by --time-limit 1" in log
    assert not (project / RESUME_MARKER).exists()


def test_project_marker_lets_a_folder_be_reused(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "study.sqlite").write_text("x")
    with pytest.raises(ProjectError):
        Project(folder).check()
    project = Project(folder, task="tabular")
    project.mark_unfinished("tabular")
    with pytest.raises(ProjectError):
        Project(folder, task="llm").check()  # another command never writes into an unfinished tabular run
    project.check()
    project.claim()
    assert (folder / "study.sqlite").is_file() and project.unfinished_task() == "tabular"
    fresh = Project(folder, overwrite=True, task="tabular")
    fresh.check()
    fresh.claim()  # --overwrite still starts over
    assert list(folder.iterdir()) == [] and not fresh.resumable
