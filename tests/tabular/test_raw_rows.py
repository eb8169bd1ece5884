"""The saved pipeline predicts from raw rows (blanks, unseen categories), here and in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tabular_helpers import run_cli, train_args


def new_rows(raw_rows: Path, folder: Path) -> Path:
    """Validation rows made harder: more blanks, categories never seen in training, a column order change."""
    rows = pd.read_csv(raw_rows / "valid.csv")
    rows.loc[::7, "colour"] = "purple"
    rows.loc[::11, "size"] = "gigantic"
    rows.loc[::5, ["mean texture", "size"]] = np.nan
    rows = rows[list(reversed(rows.columns))]
    path = folder / "new.csv"
    rows.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, raw_rows) -> Path:
    from aitraining.cli.main import main

    project = tmp_path_factory.mktemp("raw") / "p"
    argv = train_args(raw_rows, project, "--target-columns", "diagnosis", "--valid-split", "valid", "--num-trials", "2")
    assert main([str(a) for a in argv]) == 0
    return project


def test_detection_and_columns_file(trained):
    roles = json.loads((trained / "columns.json").read_text())
    assert roles["categorical"] == ["size", "colour"]
    assert "mean radius" in roles["numerical"] and "diagnosis" not in roles["numerical"]
    assert roles["classes"] == {"diagnosis": [0, 1]} and roles["problem"] == "binary"


def test_predict_command_writes_csv_and_never_replaces_it(capsys, tmp_path, raw_rows, trained):
    data = new_rows(raw_rows, tmp_path)
    code, log = run_cli(capsys, "tabular", "--predict", "--project-name", trained, "--data-path", data)
    assert code == 0, log
    predicted = pd.read_csv(trained / "predictions.csv")
    truth = pd.read_csv(data)["diagnosis"]
    assert list(predicted.columns) == ["diagnosis", "diagnosis_proba_0", "diagnosis_proba_1"]
    assert (predicted["diagnosis"] == truth).mean() > 0.9
    assert np.allclose(predicted[["diagnosis_proba_0", "diagnosis_proba_1"]].sum(axis=1), 1.0)
    code, log = run_cli(capsys, "tabular", "--predict", "--project-name", trained, "--data-path", data)
    assert code == 0 and (trained / "predictions_2.csv").is_file() and "predictions_2.csv" in log


def test_linear_model_handles_unseen_categories(capsys, tmp_path, raw_rows):
    project = tmp_path / "p"
    argv = train_args(raw_rows, project, "--target-columns", "diagnosis", "--model", "logistic_regression")
    code, log = run_cli(capsys, *argv, "--num-trials", "1", "--valid-split", "valid")
    assert code == 0, log
    code, log = run_cli(
        capsys, "tabular", "--predict", "--project-name", project, "--data-path", new_rows(raw_rows, tmp_path)
    )
    assert code == 0, log
    assert pd.read_csv(project / "predictions.csv")["diagnosis"].isin([0, 1]).all()


RELOAD = """
import json, sys
import joblib, pandas as pd
pipeline = joblib.load(sys.argv[1] + "/pipeline.joblib")
encoders = joblib.load(sys.argv[1] + "/label_encoders.joblib")
rows = pd.read_csv(sys.argv[2])
labels = encoders["diagnosis"].inverse_transform(pipeline.predict(rows))
print(json.dumps({"labels": [int(v) for v in labels], "aitraining": "aitraining" in sys.modules}))
"""


def test_pipeline_reloads_in_a_fresh_process(capsys, tmp_path, raw_rows, trained):
    data = new_rows(raw_rows, tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", RELOAD, str(trained), str(data)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["aitraining"] is False  # the artefact needs scikit-learn and xgboost only
    code, log = run_cli(capsys, "tabular", "--predict", "--project-name", trained, "--data-path", data)
    assert code == 0, log
    written = Path(log.rsplit("written to ", 1)[1].strip())
    assert result["labels"] == pd.read_csv(written)["diagnosis"].tolist()
    truth = pd.read_csv(data)["diagnosis"]
    assert (np.array(result["labels"]) == truth).mean() > 0.9
