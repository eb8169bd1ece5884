"""Everything a sweep refuses before its first trial: a malformed search space, a metric the run does not
report, a value the parameter itself refuses. One paragraph, exit code 2, no project folder written."""

import json

import pytest

from aitraining.features.sweep.space import parse_dimension

BASE = ["--model", "some-model", "--data-path", "some-data", "--use-sweep"]


def refused(run_cli, tmp_path, *argv, command="llm"):
    project = tmp_path / "never"
    code, out = run_cli(command, "--train", *BASE, "--project-name", project, *argv)
    assert code == 2, out
    assert not project.exists()  # refused before any trial (nothing written)
    assert "Traceback" not in out
    return out


@pytest.mark.parametrize(
    ("space", "expected"),
    [
        ({"learning_rate": [1e-4, 1e-3]}, "does not accept. Did you mean lr?"),
        ({"lora_rr": [8, 16]}, "Did you mean lora_r?"),
        ({"lr": {"type": "gaussian", "low": 1e-4, "high": 1e-3}}, "use one of loguniform, uniform, int, categorical"),
        ({"lr": {"type": "uniform", "low": 0.1, "high": 0.01}}, '"low" (0.1) must be below "high" (0.01)'),
        ({"lr": {"type": "loguniform", "low": 0, "high": 0.1}}, 'loguniform range needs "low" > 0'),
        ({"warmup_ratio": [0.1, 1.5]}, "the value 1.5 is not valid for warmup_ratio"),
        ({"lora_r": {"type": "int", "low": 0, "high": 8}}, "the value 0 is not valid for lora_r"),
        ({"optimizer": ["adamw_torch", "adamw_tourch"]}, "'adamw_tourch' is not valid for optimizer"),
        ({"batch_size": {"type": "int", "low": 1.5, "high": 4}}, '"low" must be an integer, got 1.5'),
        ({"lr": {"type": "uniform", "low": 0, "high": 1, "stepp": 0.1}}, "unknown key(s) stepp"),
        ({"lr": 0.001}, "to fix one value, leave it out of the search"),
        ({"lr": {"type": "categorical", "choices": []}}, "non-empty list"),
        ({"sweep_n_trials": [1, 2]}, "configures the sweep itself"),
        ({}, "needs a search space in --sweep-params"),
    ],
)
def test_malformed_search_space_is_refused(run_cli, tmp_path, space, expected):
    out = refused(run_cli, tmp_path, "--peft", "--valid-split", "valid", "--sweep-params", json.dumps(space))
    assert expected in out, out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--trainer", "sft"], "searches 'lora_r', which only applies with --peft here: every trial would ignore it"),
        (["--trainer", "sft", "--peft"], "searches 'dpo_beta', which only applies to DPO"),
    ],
)
def test_a_parameter_the_trials_would_ignore_is_not_searched(run_cli, tmp_path, argv, expected):
    space = {"lora_r": [8, 16]} if "--peft" not in argv else {"dpo_beta": [0.1, 0.2]}
    out = refused(run_cli, tmp_path, *argv, "--valid-split", "valid", "--sweep-params", json.dumps(space))
    assert expected in out, out


def test_grid_needs_points_for_continuous_ranges(run_cli, tmp_path):
    space = {"lr": {"type": "loguniform", "low": 1e-5, "high": 1e-3}, "lora_r": [8, 16]}
    argv = ["--peft", "--valid-split", "valid", "--sweep-backend", "grid", "--sweep-params", json.dumps(space)]
    out = refused(run_cli, tmp_path, *argv)
    assert "grid needs explicit points for 'lr'" in out and "give a list of values" in out, out


def test_search_space_from_a_yaml_mapping_is_checked_too(run_cli, tmp_path):
    config = tmp_path / "sweep.yml"
    config.write_text(
        "task: llm-sft\nbase_model: some-model\nproject_name: "
        f"{tmp_path / 'never'}\ndata:\n  path: some-data\n  valid_split: valid\n"
        "params:\n  use_sweep: true\n  sweep_params:\n    lr:\n      type: uniform\n      low: 0.5\n      high: 0.1\n"
    )
    code, out = run_cli("--config", config)
    assert code == 2 and '"low" (0.5) must be below "high" (0.1)' in out, out


def test_eval_metric_without_validation_data_names_valid_split(run_cli, tmp_path):
    out = refused(run_cli, tmp_path, "--trainer", "sft", "--sweep-params", '{"lr": [1e-4, 1e-3]}')
    assert "--sweep-metric eval_loss needs validation data" in out and "--valid-split" in out, out
    assert "train_loss" in out  # what it could optimise instead


def test_unknown_metric_lists_what_the_trainer_reports(run_cli, tmp_path):
    argv = ["--trainer", "sft", "--valid-split", "valid", "--sweep-metric", "eval_acuracy"]
    out = refused(run_cli, tmp_path, *argv, "--sweep-params", '{"lr": [1e-4, 1e-3]}')
    assert "eval_acuracy is not a metric 'aitraining llm' --trainer sft reports" in out, out
    assert "eval_loss, eval_perplexity" in out and "eval_mean_token_accuracy" in out


def test_ppo_sweeps_on_its_training_metrics(run_cli, tmp_path):
    argv = ["--trainer", "ppo", "--rl-reward-model-path", "some-reward-model"]
    out = refused(run_cli, tmp_path, *argv, "--sweep-params", '{"lr": [1e-5, 1e-4]}')
    assert "--sweep-metric eval_loss is not a metric 'aitraining llm' --trainer ppo reports" in out, out
    assert "train_reward_end" in out


def test_text_task_metric_family_and_short_name(run_cli, tmp_path):
    """eval_f1_<class> is a declared family; 'f1' alone means eval_f1; 'bleu' is not a classification metric."""
    argv = ["--sweep-params", '{"lr": [1e-4, 1e-3]}', "--sweep-metric", "bleu"]
    out = refused(run_cli, tmp_path, *argv, command="text-classification")
    assert "eval_f1_<name>" in out and "eval_accuracy" in out, out


def test_tabular_keeps_its_own_search_and_says_so(run_cli, tmp_path):
    code, out = run_cli("tabular", "--use-sweep", "--explain")
    assert code == 0 and "use_sweep (tabular searches its own hyperparameters" in out, out
    code, out = run_cli("tabular", "--use-sweep", "--strict", "--explain")
    assert code == 2 and "--strict turns this into an error" in out, out


def test_documented_syntax_and_the_old_log_form():
    assert parse_dimension("lr", {"low": 1e-5, "high": 1e-3, "log": True}).kind == "loguniform"
    assert parse_dimension("lora_r", {"low": 4, "high": 16}).kind == "int"
    assert parse_dimension("warmup_ratio", {"low": 0.0, "high": 0.2}).kind == "uniform"
    grid = parse_dimension("warmup_ratio", {"type": "uniform", "low": 0.0, "high": 0.2, "step": 0.1})
    assert grid.grid_points() == [0.0, 0.1, 0.2]
    assert parse_dimension("batch_size", {"type": "int", "low": 2, "high": 8, "step": 3}).grid_points() == [2, 5, 8]
    assert parse_dimension("lora_r", [8, 16]).grid_points() == [8, 16]


def test_example_sweep_configs_pass_the_sweep_checks():
    from pathlib import Path

    from aitraining.config import load_config_file, resolve
    from aitraining.features.sweep.driver import check_run
    from aitraining.tasks.registry import TASKS

    examples = Path(__file__).resolve().parents[3] / "examples"
    checked = 0
    for path in sorted(examples.glob("*.yml")):
        config = load_config_file(path)
        if config.values.get("use_sweep"):
            metric, dims = check_run(resolve(TASKS[config.command], {}, config))
            assert metric and dims, path
            checked += 1
    assert checked >= 1
