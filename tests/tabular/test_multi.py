"""Several targets: multi-label classification and multi-target regression."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from tabular_helpers import SEED, run_cli, train_args


def test_multi_label_classification(capsys, tmp_path):
    from sklearn.datasets import make_multilabel_classification

    x, y = make_multilabel_classification(n_samples=300, n_features=10, n_classes=3, random_state=SEED)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(10)])
    labels = ["sport", "politics", "science"]
    frame[labels] = y
    data = tmp_path / "multi.csv"
    frame.to_csv(data, index=False)
    project = tmp_path / "p"
    code, log = run_cli(
        capsys, *train_args(data, project, "--target-columns", "sport,politics,science", "--num-trials", "2")
    )
    assert code == 0, log
    metrics = json.loads((project / "metrics.json").read_text())
    final = metrics["final"]
    majority = np.mean([max(col.mean(), 1 - col.mean()) for col in y.T])
    assert final["accuracy"] > majority + 0.05  # mean per-label accuracy beats always guessing the majority
    assert 0 < final["subset_accuracy"] <= final["accuracy"]
    assert set(metrics["per_target"]) == set(labels) and "roc_auc" in metrics["per_target"]["sport"]
    assert "(multi-label)" in log

    code, log = run_cli(capsys, "tabular", "--predict", "--project-name", project, "--data-path", data)
    assert code == 0, log
    predicted = pd.read_csv(project / "predictions.csv")
    assert {*labels, "sport_proba_1", "science_proba_0"} <= set(predicted.columns)
    assert (predicted[labels].to_numpy() == y).mean() > majority


def test_multi_target_regression(capsys, tmp_path):
    from sklearn.datasets import make_regression

    x, y = make_regression(n_samples=300, n_features=6, n_targets=2, noise=10.0, random_state=SEED)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(6)])
    frame["price"], frame["volume"] = y[:, 0], y[:, 1] * 100  # different scales
    data = tmp_path / "reg.csv"
    frame.to_csv(data, index=False)
    project = tmp_path / "p"
    argv = train_args(
        data, project, "--task", "regression", "--model", "ridge", "--target-columns", '["price", "volume"]'
    )
    code, log = run_cli(capsys, *argv, "--num-trials", "2")
    assert code == 0, log
    metrics = json.loads((project / "metrics.json").read_text())
    assert metrics["search"]["objective"] == "normalized_rmse"
    assert metrics["final"]["r2"] > 0.9 and metrics["per_target"]["volume"]["r2"] > 0.9
    code, log = run_cli(capsys, "tabular", "--predict", "--project-name", project, "--data-path", data)
    predicted = pd.read_csv(project / "predictions.csv")
    assert list(predicted.columns) == ["price", "volume"]
    assert np.corrcoef(predicted["volume"], frame["volume"])[0, 1] > 0.95
