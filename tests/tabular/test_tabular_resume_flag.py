"""--resume-from-checkpoint for tabular maps to its resumable search."""

from __future__ import annotations

from tabular_helpers import run_cli, train_args

from aitraining.engine.project import RESUME_MARKER
from aitraining.tasks.tabular import search


def test_resume_flag_continues_the_search_and_refuses_a_finished_folder(capsys, monkeypatch, tmp_path):
    from sklearn.datasets import load_wine

    data = tmp_path / "wine.csv"
    load_wine(as_frame=True).frame.to_csv(data, index=False)
    project = tmp_path / "p"
    argv = train_args(data, project, "--model", "knn", "--num-trials", "3", "--resume-from-checkpoint", "auto")
    real, calls = search.evaluate_candidate, []

    def interrupted_after_one(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "evaluate_candidate", interrupted_after_one)
    code, log = run_cli(capsys, *argv)  # first launch: auto with nothing to resume starts the search
    assert code == 130 and (project / RESUME_MARKER).is_file(), log
    monkeypatch.undo()
    code, log = run_cli(capsys, *argv)
    assert code == 0 and "Resuming the search: 1 of 3 trials already done." in log, log
    code, log = run_cli(capsys, *argv)  # finished: nothing left to resume, nothing changed
    assert code == 2 and "holds no checkpoint and no unfinished run to resume" in log and "--overwrite" in log
