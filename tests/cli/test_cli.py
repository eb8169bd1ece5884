"""The generated CLI: commands, flags, booleans, did-you-mean, config files, precedence, --explain."""

import json
import subprocess
import sys

import pytest

from aitraining.cli.main import main
from aitraining.tasks.registry import TASKS

TWELVE = {
    "llm",
    "text-classification",
    "text-regression",
    "token-classification",
    "seq2seq",
    "extractive-qa",
    "sentence-transformers",
    "image-classification",
    "image-regression",
    "object-detection",
    "vlm",
    "tabular",
}


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_twelve_commands(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    assert set(TASKS) == TWELVE
    for name in TWELVE:
        assert f"  {name} " in out


def test_help_is_light():
    """No heavy import behind --help (every command's: tests/cli/test_registry.py; the timing:
    bench/startup_and_offline_failures.py)."""
    probe = (
        "import sys; from aitraining.cli.main import main; "
        "main(['--help']); main(['llm', '--help']); "
        "heavy=[m for m in ('torch','transformers','trl','peft','datasets') if m in sys.modules]; "
        "print('RESULT', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    assert line == "RESULT []", line


def test_top_level_help_builds_no_parameter_model():
    """The command list needs no params class: pydantic (about 0.15 s to import) stays out of `aitraining --help`."""
    probe = (
        "import sys; from aitraining.cli.main import main; main(['--help']); print('RESULT', 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "RESULT False" in out, out


def test_llm_help_is_grouped(capsys):
    code, out, _ = run_cli(capsys, "llm", "--help")
    assert code == 0
    for group in (
        "Core:",
        "Data:",
        "LLM:",
        "Optimisation:",
        "PPO (RL):",
        "PEFT / LoRA:",
        "Hugging Face Hub:",
    ):
        assert group in out
    assert "--rl-gamma" in out and "--lora-r" in out


def test_unbuilt_command_says_so(capsys, monkeypatch):
    from aitraining.tasks.registry import TaskSpec

    monkeypatch.setitem(TASKS, "vlm", TaskSpec("vlm", "Fine-tune vision-language models."))  # as if not built
    code, _, err = run_cli(capsys, "vlm", "--train")
    assert code != 0
    assert "not available in this version yet" in err


def test_unknown_command_suggests(capsys):
    code, _, err = run_cli(capsys, "llmm", "--train")
    assert code == 2 and "Did you mean llm?" in err


def test_unknown_flag_suggests(capsys):
    code, _, err = run_cli(capsys, "llm", "--lerning-rate", "1", "--explain")
    assert code == 2
    code, _, err = run_cli(capsys, "llm", "--epoch", "3", "--explain")
    assert code == 2 and "Unknown flag '--epoch'" in err and "Did you mean --epochs?" in err


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        ("--trainer", "sfft", "Did you mean sft?"),
        ("--mixed-precision", "fp32", "choose one of none, fp16, bf16"),
        ("--scheduler", "cosin", "Did you mean cosine?"),
        ("--optimizer", "adam", "choose one of"),
        ("--log", "mlflow", "choose one of none, tensorboard, wandb"),
        ("--backend", "cloud", "local"),
    ],
)
def test_invalid_choices(capsys, flag, value, expected):
    code, _, err = run_cli(capsys, "llm", flag, value, "--explain")
    assert code == 2
    assert f"Invalid value '{value}'" in err and expected in err


def explained(capsys, *argv):
    code, out, err = run_cli(capsys, "llm", *argv, "--explain")
    assert code == 0, err
    table = {}
    for line in out.splitlines()[1:]:
        name, value, source = line.split(None, 1)[0], line.split()[1], line.rsplit("[", 1)[1].rstrip("]")
        table[name] = (json.loads(value), source)
    return table, err


def test_boolean_forms_and_snake_case(capsys):
    table, _ = explained(
        capsys,
        "--peft",
        "--lora_r",
        "8",
        "--merge-adapter=False",
        "--no-packing",
        "--trainer",
        "sft",
        "--auto-find-batch-size=True",
    )
    assert table["peft"] == (True, "flag --peft")
    assert table["lora_r"] == (8, "flag --lora-r")
    assert table["merge_adapter"][0] is False
    assert table["packing"][0] is False
    assert table["auto_find_batch_size"][0] is True
    assert table["lr"] == (3e-5, "default")


def test_json_and_list_params(capsys):
    code, out, err = run_cli(capsys, "llm", "--use-sweep", "--sweep-params", '{"lr": [1e-5, 1e-4]}', "--explain")
    assert code == 0 and '{"lr": [1e-05, 0.0001]}' in out, err  # parsed as JSON (the sweep checks it when it runs)
    code, _, err = run_cli(capsys, "llm", "--sweep-params", "{bad json", "--explain")
    assert code == 2 and "not valid JSON" in err


def test_spec_warning_for_rl_param_with_sft(capsys):
    table, err = explained(capsys, "--trainer", "sft", "--rl-gamma", "0.95")
    assert "Warning: rl_gamma only applies to PPO, will be ignored" in err
    assert table["rl_gamma"] == (1.0, "default")  # not used


def test_warning_lists_all_applicable_trainers(capsys):
    _, err = explained(capsys, "--trainer", "generic", "--max-prompt-length", "64")
    assert "Warning: max_prompt_length only applies to DPO, ORPO, will be ignored" in err
    _, err = explained(capsys, "--trainer", "sft", "--teacher-model", "x")
    assert "Warning: teacher_model only applies with --use-distillation, will be ignored" in err


def test_strict_turns_warning_into_error(capsys):
    code, _, err = run_cli(capsys, "llm", "--trainer", "sft", "--rl-gamma", "0.95", "--strict", "--explain")
    assert code == 2 and "rl_gamma only applies to PPO" in err and "--strict" in err


def test_ppo_without_reward_model(capsys):
    code, _, err = run_cli(capsys, "llm", "--train", "--trainer", "ppo", "--model", "/nonexistent")
    assert code == 2
    assert "--rl-reward-model-path" in err and "--trainer reward" in err


@pytest.mark.parametrize("trainer", ["reward", "ppo"])
def test_distillation_with_reward_or_ppo(capsys, trainer):
    extra = ["--rl-reward-model-path", "x"] if trainer == "ppo" else []
    code, _, err = run_cli(
        capsys,
        "llm",
        "--trainer",
        trainer,
        *extra,
        "--use-distillation=True",
        "--teacher-model",
        "t",
        "--explain",
    )
    assert code == 2 and f"--use-distillation does not work with --trainer {trainer}" in err


def test_distillation_without_teacher(capsys):
    code, _, err = run_cli(capsys, "llm", "--trainer", "sft", "--use-distillation", "--explain")
    assert code == 2 and "--use-distillation needs --teacher-model" in err


@pytest.mark.parametrize("trainer", ["dpo", "orpo"])
def test_preference_trainers_need_columns(capsys, trainer):
    code, _, err = run_cli(capsys, "llm", "--trainer", trainer, "--prompt-text-column", "p", "--explain")
    assert code == 2 and "--rejected-text-column" in err
    code, _, err = run_cli(capsys, "llm", "--trainer", trainer, "--explain")
    assert "--prompt-text-column and --rejected-text-column" in err


def test_other_backends_not_available(capsys, tmp_path):
    code, _, err = run_cli(
        capsys,
        "llm",
        "--train",
        "--backend",
        "spaces",
        "--model",
        "m",
        "--data-path",
        "d",
        "--project-name",
        str(tmp_path / "p"),
    )
    assert code == 3 and "--backend spaces is not available" in err


CONFIG = """
task: llm-sft
base_model: ./base
project_name: {project}
log: tensorboard
data:
  path: ./data
  train_split: train
  valid_split: valid
  column_mapping:
    text_column: messages
params:
  lr: 0.001
  epochs: 3
  peft: true
hub:
  push_to_hub: true
  username: ${{HF_USER_FOR_TEST}}
  token: ${{HF_TOKEN_FOR_TEST}}
"""


def write_config(tmp_path, text=CONFIG):
    path = tmp_path / "cfg.yml"
    path.write_text(text.format(project=tmp_path / "proj"))
    return path


def test_config_file_and_flag_precedence(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_USER_FOR_TEST", "alice")
    monkeypatch.setenv("HF_TOKEN_FOR_TEST", "hf_secret_value")
    cfg = write_config(tmp_path)
    code, out, err = run_cli(capsys, "--config", str(cfg), "--epochs", "5", "--explain")
    assert code == 0, err
    assert "hf_secret_value" not in out + err
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "3" not in lines["epochs"].split()[1] and "[flag --epochs]" in lines["epochs"]
    assert "0.001" in lines["lr"] and "(params.lr, line 13)" in lines["lr"]
    assert '"sft"' in lines["trainer"] and "(task)" in lines["trainer"]
    assert '"messages"' in lines["text_column"] and "column_mapping" in lines["text_column"]
    assert '"alice"' in lines["username"]
    assert "***" in lines["token"]
    # the same file through the command, too
    code, out2, _ = run_cli(capsys, "llm", "--config", str(cfg), "--explain")
    assert code == 0 and "[flag --epochs]" not in out2


def test_config_unknown_key_suggests(capsys, tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("task: llm\nbase_modle: x\n")
    code, _, err = run_cli(capsys, "--config", str(cfg))
    assert code == 2 and "Unknown key 'base_modle'" in err and "Did you mean base_model?" in err
    cfg.write_text("task: llm\nparams:\n  learning_rate: 1\n")
    code, _, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 2 and "Unknown parameter 'learning_rate'" in err


def test_config_missing_env_var(capsys, tmp_path, monkeypatch):
    """An unset ${VAR} in hub: is only a warning until pushing needs it; elsewhere it is an error at once."""
    monkeypatch.delenv("HF_USER_FOR_TEST", raising=False)
    monkeypatch.setenv("HF_TOKEN_FOR_TEST", "hf_x")
    cfg = write_config(tmp_path)
    code, _, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 0 and "${HF_USER_FOR_TEST}, which is not set" in err
    code, _, err = run_cli(capsys, "--config", str(cfg), "--train")
    assert code == 2 and "export HF_USER_FOR_TEST=" in err and "push_to_hub: false" in err
    assert not (tmp_path / "proj").exists()
    cfg.write_text(cfg.read_text().replace("push_to_hub: true", "push_to_hub: false"))
    code, _, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 0 and "HF_USER_FOR_TEST" not in err
    cfg.write_text(cfg.read_text().replace("path: ./data", "path: ${DATA_DIR_FOR_TEST}"))
    code, _, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 2 and "DATA_DIR_FOR_TEST" in err


def test_config_wrong_type_names_param(capsys, tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("task: llm\nparams:\n  epochs: many\n")
    code, _, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 2 and "epochs" in err and "params.epochs" in err


def test_overlapping_values_are_announced(capsys):
    _, err = explained(capsys, "--warmup-ratio", "0.2", "--warmup-steps", "5")
    assert "warmup_ratio is replaced by --warmup-steps" in err
    _, err = explained(capsys, "--eval-strategy", "steps")
    assert "eval_strategy needs --valid-split" in err
    _, err = explained(capsys, "--eval-strategy", "steps", "--valid-split", "valid")
    assert "eval_strategy" not in err


def test_quantization_needs_peft(capsys):
    code, _, err = run_cli(capsys, "llm", "--quantization", "int4", "--explain")
    assert code == 2 and "add --peft" in err


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--batch-size", "0"], "batch_size"),
        (["--lr", "-1"], "lr"),
        (["--warmup-ratio", "1.5"], "warmup_ratio"),
        (["--gradient-accumulation", "0"], "gradient_accumulation"),
        (["--block-size", "0"], "block_size"),
    ],
)
def test_out_of_range_values_fail_before_loading(capsys, flags, expected):
    code, _, err = run_cli(capsys, "llm", *flags, "--explain")
    assert code == 2 and f"{expected} (flag" in err


def test_lora_params_without_peft_warn(capsys):
    _, err = explained(capsys, "--trainer", "sft", "--lora-r", "4", "--merge-adapter=False")
    assert "Warning: lora_r only applies with --peft, will be ignored" in err
    assert "Warning: merge_adapter only applies with --peft, will be ignored" in err


def test_target_modules_accepts_json_list(capsys, tmp_path):
    table, _ = explained(capsys, "--peft", "--target-modules", '["q_proj", "v_proj"]')
    assert table["target_modules"][0] == "q_proj,v_proj"
    cfg = tmp_path / "c.yml"
    cfg.write_text("task: llm-sft\nparams:\n  peft: true\n  target_modules: [q_proj, k_proj]\n")
    code, out, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 0 and '"q_proj,k_proj"' in out, err


def test_unknown_chat_template_fails_early(capsys):
    code, _, err = run_cli(capsys, "llm", "--trainer", "sft", "--chat-template", "chatm", "--explain")
    assert code == 2 and "Did you mean chatml?" in err


def test_alias_hints_from_other_tools(capsys, tmp_path):
    code, _, err = run_cli(capsys, "llm", "--learning-rate", "1", "--explain")
    assert code == 2 and "Did you mean --lr?" in err
    cfg = tmp_path / "c.yml"
    cfg.write_text("task: llm\nparams:\n  num_train_epochs: 2\n")
    code, _, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 2 and "Did you mean epochs?" in err


def test_autotrain_tabular_task_names(capsys, tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("task: tabular_regression\nparams:\n  target_columns: [y]\n")
    code, out, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 0, err
    assert '"regression"' in next(line for line in out.splitlines() if line.split()[0] == "task")


def test_config_task_names_with_underscored_trainers(capsys, tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("task: sentence-transformers-pair_score\n")
    code, out, err = run_cli(capsys, "--config", str(cfg), "--explain")
    assert code == 0, err
    assert '"pair_score"' in next(line for line in out.splitlines() if line.split()[0] == "trainer")


def test_holdout_tasks_do_not_warn_about_eval_without_split(capsys):
    code, _, err = run_cli(capsys, "text-classification", "--eval-strategy", "steps", "--explain")
    assert code == 0 and "no evaluation will run" not in err
