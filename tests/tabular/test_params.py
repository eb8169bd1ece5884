"""The tabular command surface: flags, help groups, list parsing, model names, optional lightgbm."""

from __future__ import annotations

import pytest
from tabular_helpers import final_metrics, run_cli, train_args

from aitraining.tasks.tabular.models import SPECS
from aitraining.tasks.tabular.params import MODEL_NAMES, TabularParams

ONLY = {"logistic_regression": ("classification",), "ridge": ("regression",), "lasso": ("regression",)}


def test_every_model_name_has_a_spec_and_every_spec_builds():
    assert set(MODEL_NAMES) == set(SPECS)
    for name, spec in SPECS.items():
        if name == "lightgbm":
            continue  # optional; covered below
        for task in ONLY.get(name, ("classification", "regression")):
            assert spec.build(task, spec.defaults(task), 0, 1) is not None


def test_help_groups_and_defaults(capsys):
    code, out = run_cli(capsys, "tabular", "--help")
    assert code == 0
    for text in (
        "Tabular columns:",
        "Tabular preprocessing:",
        "Tabular hyperparameter search:",
        "--predict",
        "--target-columns",
    ):
        assert text in out
    assert TabularParams().model == "xgboost" and "lr" not in TabularParams.model_fields


@pytest.mark.parametrize("value", ["a,b", '["a", "b"]'])
def test_target_columns_accept_comma_list_and_json(capsys, value):
    code, out = run_cli(capsys, "tabular", "--target-columns", value, "--explain")
    assert code == 0, out
    line = next(row for row in out.splitlines() if row.strip().startswith("target_columns"))
    assert '["a", "b"]' in line and "flag --target-columns" in line


def test_out_of_range_and_unknown_values(capsys):
    code, out = run_cli(capsys, "tabular", "--num-trials", "0", "--explain")
    assert code == 2 and "num_trials" in out
    code, out = run_cli(capsys, "tabular", "--model", "xgbost", "--explain")
    assert code == 2 and "Did you mean xgboost?" in out


def test_push_to_hub_never_uploads_a_card_without_the_model(capsys):
    from fnmatch import fnmatch

    from aitraining.engine.hub import PUSH_PATTERNS

    code, out = run_cli(capsys, "tabular", "--push-to-hub", "--username", "me", "--explain")
    if any(fnmatch("pipeline.joblib", p) for p in PUSH_PATTERNS):
        assert code == 0, out
    else:
        assert code == 3 and "pipeline.joblib" in out


def test_lightgbm_when_installed(capsys, tmp_path, breast_cancer):
    pytest.importorskip("lightgbm")
    project = tmp_path / "p"
    args = ["--model", "lightgbm", "--target-columns", "diagnosis", "--id-column", "id", "--valid-split", "valid"]
    code, log = run_cli(capsys, *train_args(breast_cancer, project, *args, "--num-trials", "1"))
    assert code == 0, log
    assert final_metrics(project)["accuracy"] > 0.9
