"""On real bundled datasets the command scores close to a plain scikit-learn / xgboost fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tabular_helpers import SEED, final_metrics, run_cli, sklearn_frame, train_args, write_splits


def test_breast_cancer_xgboost_matches_baseline(capsys, tmp_path, breast_cancer):
    import xgboost
    from sklearn.metrics import accuracy_score, roc_auc_score

    train, valid = pd.read_csv(breast_cancer / "train.csv"), pd.read_csv(breast_cancer / "valid.csv")
    features = [c for c in train.columns if c not in ("id", "diagnosis")]
    baseline = xgboost.XGBClassifier(random_state=SEED).fit(train[features], train["diagnosis"] == "malignant")
    proba = baseline.predict_proba(valid[features])[:, 1]
    want_accuracy = accuracy_score(valid["diagnosis"] == "malignant", proba > 0.5)
    want_auc = roc_auc_score(valid["diagnosis"] == "malignant", proba)

    project = tmp_path / "p"
    args = ["--target-columns", "diagnosis", "--id-column", "id", "--valid-split", "valid", "--num-trials", "3"]
    code, log = run_cli(capsys, *train_args(breast_cancer, project, *args))
    assert code == 0, log
    got = final_metrics(project)
    print(f"breast cancer: accuracy {got['accuracy']:.4f} vs {want_accuracy:.4f}", end=", ")
    print(f"auc {got['roc_auc']:.4f} vs {want_auc:.4f}")
    assert got["accuracy"] >= want_accuracy - 0.03
    assert got["roc_auc"] >= want_auc - 0.01
    assert {"f1", "log_loss"} <= set(got)
    assert "Detected 30 numerical columns" in log and "Detected 0 categorical columns" in log
    for name in ("pipeline.joblib", "label_encoders.joblib", "training_params.json", "trials.csv", "README.md"):
        assert (project / name).is_file(), name
    assert (project / "feature_importance.png").read_bytes()[:4] == b"\x89PNG"
    assert len(pd.read_csv(project / "trials.csv")) == 3


def test_wine_random_forest_cross_validated_matches_baseline(capsys, tmp_path):
    from sklearn.datasets import load_wine
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    frame = sklearn_frame(load_wine, "cultivar")
    frame["cultivar"] = frame["cultivar"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
    data = tmp_path / "wine.csv"
    frame.to_csv(data, index=False)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    x = frame.drop(columns="cultivar")
    want = cross_val_score(RandomForestClassifier(random_state=SEED), x, frame["cultivar"], cv=folds).mean()

    project = tmp_path / "p"
    args = ["--model", "random_forest", "--target-columns", "cultivar", "--num-trials", "2"]
    code, log = run_cli(capsys, *train_args(data, project, *args))
    assert code == 0, log
    got = final_metrics(project)
    print(f"wine: accuracy {got['accuracy']:.4f} vs {want:.4f}")
    assert got["accuracy"] >= want - 0.03
    assert got["roc_auc"] > 0.95 and "f1_macro" in got
    assert "5-fold cross-validation" in log


def test_diabetes_regression_matches_baseline(capsys, tmp_path):
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folder = write_splits(tmp_path / "diabetes", sklearn_frame(load_diabetes, "progression"))
    train, valid = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "valid.csv")
    features = [c for c in train.columns if c != "progression"]
    baseline = make_pipeline(StandardScaler(), Ridge()).fit(train[features], train["progression"])
    predicted = baseline.predict(valid[features])
    want_r2 = r2_score(valid["progression"], predicted)
    want_rmse = float(np.sqrt(mean_squared_error(valid["progression"], predicted)))

    project = tmp_path / "p"
    args = ["--task", "regression", "--model", "ridge", "--target-columns", "progression", "--valid-split", "valid"]
    code, log = run_cli(capsys, *train_args(folder, project, *args, "--num-trials", "4"))
    assert code == 0, log
    got = final_metrics(project)
    print(f"diabetes: r2 {got['r2']:.4f} vs {want_r2:.4f}, rmse {got['rmse']:.2f} vs {want_rmse:.2f}")
    assert got["r2"] >= want_r2 - 0.03
    assert got["rmse"] <= want_rmse * 1.03
    assert got["mae"] > 0
    assert not (project / "label_encoders.joblib").exists()
