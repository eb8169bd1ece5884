"""An LLM run writes a readable card, the loss curve, keeps the best checkpoint, and logs plain lines."""

import json

import pytest
from card_helpers import assert_common_card, assert_png, eval_losses, front_matter, run_usage

from aitraining.cli.main import main
from aitraining.testing import write_preference_dataset

FAST = ["--batch-size", "8", "--gradient-accumulation", "1", "--block-size", "64", "--warmup-ratio", "0"]


def train(capsys, *argv):
    code = main(["llm", "--train", *FAST, *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out + err


def test_sft_card_plot_best_checkpoint_and_console(capsys, tiny_lm, chat_data, tmp_path):
    project = tmp_path / "sft"
    log = train(
        capsys, "--trainer", "sft", "--model", tiny_lm, "--data-path", chat_data, "--valid-split", "valid",
        "--project-name", project, "--epochs", "4", "--lr", "3e-3", "--logging-steps", "5",
        "--padding", "left", "--rl-gamma", "0.9",
    )  # fmt: skip
    # best checkpoint: the kept model is the evaluation with the lowest eval_loss, and it is named
    metrics = json.loads((project / "metrics.json").read_text())
    evals = eval_losses(project)
    best_step = min(evals, key=evals.get)
    assert len(evals) == 4 and metrics["best"]["step"] == best_step, (evals, metrics["best"])
    assert metrics["final"]["eval_loss"] == evals[best_step]
    chosen = f"The saved model is the best checkpoint by eval_loss: step {best_step} of"
    assert chosen in log and chosen in (project / "training.log").read_text()
    # console: plain lines when not a terminal, and the same metric lines in training.log
    for bad in ("\x1b", "\r", "{'loss'"):
        assert bad not in log, log[max(0, log.find(bad) - 300) : log.find(bad) + 100]
    step_lines = [line for line in log.splitlines() if line.startswith("step ") and "eval_loss" in line]
    assert len(step_lines) == 4 and all("elapsed" in line for line in step_lines)
    assert all(line in (project / "training.log").read_text() for line in step_lines)
    # pictures
    assert_png(project / "loss_curve.png")
    # card
    card = assert_common_card(project)
    meta = front_matter(card)
    assert meta["library_name"] == "transformers" and meta["pipeline_tag"] == "text-generation"
    assert "base_model" not in meta  # a local folder is not a Hub id
    assert "![loss curve](loss_curve.png)" in card and chosen in card
    # parameters that do not apply are not in the table; the resolve warning about --rl-gamma is in the notes
    assert '| padding | `"left"` |' in card and "| rl_gamma |" not in card and "dpo_beta" not in card
    assert "Warning: rl_gamma only applies to PPO, will be ignored" in card
    assert "rows in split train" in card
    assert run_usage(card)  # the snippet loads the saved model and generates
    # padding is used: the saved tokenizer pads on the left
    assert json.loads((project / "tokenizer_config.json").read_text())["padding_side"] == "left"
    # training_params.json keeps everything, marking what did not apply
    saved = json.loads((project / "training_params.json").read_text())
    assert saved["rl_gamma"] == 1.0 and "rl_gamma" in saved["_not_applied"] and "dpo_beta" in saved["_not_applied"]
    assert "lr" not in saved["_not_applied"]


def test_keep_best_model_off_keeps_last_weights(capsys, tiny_lm, text_data, tmp_path):
    project = tmp_path / "gen"
    log = train(
        capsys, "--model", tiny_lm, "--data-path", text_data, "--valid-split", "valid", "--project-name", project,
        "--epochs", "2", "--lr", "3e-3", "--keep-best-model=False", "--block-size", "32",
    )  # fmt: skip
    metrics = json.loads((project / "metrics.json").read_text())
    assert metrics["best"] is None and "best checkpoint" not in log
    last = max(eval_losses(project))
    assert metrics["final"]["eval_loss"] == eval_losses(project)[last]
    assert "holds the weights of the last step" in (project / "README.md").read_text()


def test_lora_adapter_card_loads_with_peft(capsys, tiny_lm, text_data, tmp_path):
    project = tmp_path / "lora"
    train(
        capsys, "--model", tiny_lm, "--data-path", text_data, "--project-name", project, "--epochs", "1",
        "--peft", "--merge-adapter=False", "--block-size", "32", "--max-samples", "20",
    )  # fmt: skip
    card = assert_common_card(project)
    assert front_matter(card)["library_name"] == "peft" and "AutoPeftModelForCausalLM" in card
    assert run_usage(card)


PREF_COLUMNS = ["--prompt-text-column", "prompt", "--text-column", "chosen", "--rejected-text-column", "rejected"]


@pytest.mark.parametrize(
    ("trainer", "kind"), [("dpo", "text-generation"), ("orpo", "text-generation"), ("reward", "text-classification")]
)
def test_preference_trainers_keep_best_checkpoint(capsys, tiny_lm, tmp_path, trainer, kind):
    data = write_preference_dataset(tmp_path / "pref", n_train=48, n_valid=16)
    project = tmp_path / trainer
    log = train(
        capsys, "--trainer", trainer, "--model", tiny_lm, "--data-path", data, "--valid-split", "valid",
        "--project-name", project, "--epochs", "2", "--lr", "3e-3", "--disable-gradient-checkpointing",
        *PREF_COLUMNS[(2 if trainer == "reward" else 0):],
    )  # fmt: skip
    metrics = json.loads((project / "metrics.json").read_text())
    evals = eval_losses(project)
    assert metrics["best"]["step"] == min(evals, key=evals.get) and len(evals) == 2
    assert "The saved model is the best checkpoint by eval_loss" in log
    card = assert_common_card(project)
    assert front_matter(card)["pipeline_tag"] == kind
    assert run_usage(card)
