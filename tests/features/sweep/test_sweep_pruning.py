"""Pruning inside a trial's process: the evaluation is reported to the shared study and a trial worse than
the median of the earlier ones at the same step is stopped (marker file for the sweep process)."""

import json

import optuna

from aitraining.features.sweep.report import open_trial, report_and_decide
from aitraining.features.sweep.study import make_storage, pruner
from aitraining.features.sweep.trial import PRUNED_FILE


def finished_study(url):
    study = optuna.create_study(study_name="s", storage=make_storage(url), pruner=pruner(), direction="minimize")
    for losses in ([3.0, 2.0], [3.2, 2.2]):
        trial = study.ask()
        for step, loss in enumerate(losses, start=1):
            trial.report(loss, step)
        study.tell(trial, losses[-1])
    return study


def test_a_worse_trial_is_pruned_and_a_better_one_goes_on(tmp_path):
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    study = finished_study(url)
    worse, better = study.ask(), study.ask()
    for trial, loss in ((worse, 5.0), (better, 1.5)):
        folder = tmp_path / f"trial-{trial.number}"
        report = {"storage": url, "study": "s", "trial_id": trial._trial_id, "metric": "eval_loss"}
        report["folder"] = str(folder)
        child_trial = open_trial(report)  # as the trial's own process opens it
        assert report_and_decide(child_trial, report, {"eval_loss": 2.5, "epoch": 1.0}, 1) is False  # = median
        stopped = report_and_decide(child_trial, report, {"eval_loss": loss}, 2)
        assert stopped is (trial is worse)
        assert (folder / PRUNED_FILE).is_file() is (trial is worse)
    marker = json.loads((tmp_path / f"trial-{worse.number}" / PRUNED_FILE).read_text())
    assert marker == {"step": 2, "metric": "eval_loss", "value": 5.0}
    stored = study.trials[worse.number].intermediate_values
    assert stored == {1: 2.5, 2: 5.0}  # reported to the shared storage, seen by the sweep process


def test_evaluations_without_the_metric_are_not_reported(tmp_path):
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    study = finished_study(url)
    trial = study.ask()
    report = {"storage": url, "study": "s", "trial_id": trial._trial_id, "metric": "eval_f1", "folder": str(tmp_path)}
    assert report_and_decide(open_trial(report), report, {"eval_loss": 9.0}, 1) is False
    assert study.trials[trial.number].intermediate_values == {}
