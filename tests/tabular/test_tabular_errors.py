"""Bad input fails before the project folder is written, with one message that names the column."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from tabular_helpers import run_cli, train_args


def csv(tmp_path, frame: dict) -> str:
    path = tmp_path / "data.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    return str(path)


GOOD = {"a": [1.0, 2, 3, 4, 5, 6], "b": ["x", "y", "x", "y", "x", "y"], "label": ["p", "q", "p", "q", "p", "q"]}


@pytest.mark.parametrize(
    ("frame", "flags", "expected"),
    [
        (GOOD, ["--target-columns", "lable"], ["Column 'lable' (set by target_columns) not found", "label"]),
        (
            {**GOOD, "label": ["p"] * 6},
            ["--target-columns", "label"],
            ["Target column 'label' holds a single class ('p')"],
        ),
        (
            {**GOOD, "a": ["1", "2", "oops", "4", "5", "6"]},
            ["--target-columns", "label", "--numerical-columns", "a"],
            ["Column 'a' is declared numerical (--numerical-columns)", "row 3", "'oops'", "--categorical-columns"],
        ),
        (
            GOOD,
            ["--target-columns", "label", "--task", "regression", "--model", "ridge"],
            ["Target column 'label' must hold numbers for --task regression", "row 1", "'p'"],
        ),
        (
            {**GOOD, "label": ["p", "q", "p", "q", "p", "r"]},
            ["--target-columns", "label"],
            ["Class 'r' of target column 'label' has a single row", "--valid-split"],
        ),
        (
            {**GOOD, "a": [1.0, None, 3, 4, 5, 6]},
            ["--target-columns", "label", "--model", "logistic_regression", "--numerical-imputer", "none"],
            ["Numerical column 'a' has missing values", "--numerical-imputer median"],
        ),
        (GOOD, ["--target-columns", "label", "--id-column", "a", "--categorical-columns", "b,label"], ["'label'"]),
        (GOOD, ["--target-columns", "label", "--model", "ridge"], ["--model ridge is a regression model"]),
    ],
    ids=["missing target", "single class", "text in numeric", "text target", "lone class", "nan", "roles", "ridge"],
)
def test_bad_input_is_named_before_anything_is_written(capsys, tmp_path, frame, flags, expected):
    project = tmp_path / "p"
    code, log = run_cli(capsys, *train_args(csv(tmp_path, frame), project, *flags))
    assert code == 2, log
    for text in expected:
        assert text in log
    assert "Traceback" not in log and not project.exists()


def test_unseen_validation_class(capsys, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    pd.DataFrame(GOOD).to_csv(folder / "train.csv", index=False)
    pd.DataFrame({**GOOD, "label": ["p", "z", "p", "q", "p", "q"]}).to_csv(folder / "valid.csv", index=False)
    code, log = run_cli(
        capsys, *train_args(folder, tmp_path / "p", "--target-columns", "label", "--valid-split", "valid")
    )
    assert code == 2 and "class(es) 'z' that never occur in the train split" in log


def test_missing_lightgbm_names_the_package(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "lightgbm", None)  # import fails as if it were not installed
    code, log = run_cli(
        capsys, *train_args(csv(tmp_path, GOOD), tmp_path / "p", "--model", "lightgbm", "--target-columns", "label")
    )
    assert code == 3 and "pip install 'lightgbm" in log and not (tmp_path / "p").exists()


def test_predict_needs_a_trained_project(capsys, tmp_path):
    code, log = run_cli(
        capsys, "tabular", "--predict", "--project-name", tmp_path / "none", "--data-path", csv(tmp_path, GOOD)
    )
    assert code == 2 and "No trained tabular model" in log


def test_predict_names_missing_feature_columns(capsys, tmp_path):
    project = tmp_path / "p"
    code, log = run_cli(
        capsys,
        *train_args(
            csv(tmp_path, GOOD), project, "--target-columns", "label", "--model", "decision_tree", "--num-trials", "1"
        ),
    )
    assert code == 0, log
    rows = tmp_path / "rows.csv"
    pd.DataFrame({"a": [1.0]}).to_csv(rows, index=False)
    code, log = run_cli(capsys, "tabular", "--predict", "--project-name", project, "--data-path", rows)
    assert code == 2 and "lacks column(s) b" in log
    pd.DataFrame({"a": ["many"], "b": ["x"]}).to_csv(rows, index=False)
    code, log = run_cli(capsys, "tabular", "--predict", "--project-name", project, "--data-path", rows)
    assert code == 2 and "Column 'a'" in log and "'many'" in log
