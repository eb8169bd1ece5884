"""dpo, orpo and reward on a learnable preference set: margins grow, the scorer ranks pairs."""

import json
import logging

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer

from aitraining.cli.main import main
from aitraining.data.loading import load_splits
from aitraining.tasks.llm import prep_pref
from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.llm.task import build
from aitraining.testing import write_preference_dataset
from aitraining.testing.flags import FAST_LLM

COLUMNS = ["--prompt-text-column", "prompt", "--text-column", "chosen", "--rejected-text-column", "rejected"]
FAST = [
    *FAST_LLM,
    "--logging-steps",
    "10",
    "--save-strategy",
    "no",
    "--disable-gradient-checkpointing",
    "--warmup-ratio",
    "0.05",
]


@pytest.fixture(scope="module")
def pref_data(tmp_path_factory):
    return write_preference_dataset(tmp_path_factory.mktemp("pref"), n_train=160, n_valid=40)


def train(capsys, *argv):
    code = main(["llm", "--train", *FAST, *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out + err


def heldout_margin(model_dir, data_dir):
    """Mean log p(chosen | prompt) - log p(rejected | prompt) over the validation pairs."""
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    valid = load_splits(str(data_dir), valid_split="valid").valid
    limits = prep_pref.PrefLimits(prompt=None, completion=None, total=512)
    cols = {"prompt": "prompt", "chosen": "chosen", "rejected": "rejected"}
    ids, _ = prep_pref.prepare(valid, cols, tok, limits, "valid", "test")
    margins = []
    with torch.no_grad():
        for row in ids:
            scores = []
            for side in ("chosen_ids", "rejected_ids"):
                seq = torch.tensor([row["prompt_ids"] + row[side]])
                logp = model(seq).logits.log_softmax(-1)[0, :-1].gather(-1, seq[0, 1:, None])[:, 0]
                scores.append(logp[len(row["prompt_ids"]) - 1 :].sum().item())
            margins.append(scores[0] - scores[1])
    return sum(margins) / len(margins)


# ORPO's preference term is weighted 0.1 against its NLL term, so its margin needs more epochs to open up.
@pytest.mark.parametrize(("trainer", "epochs"), [("dpo", "4"), ("orpo", "10")])
def test_preference_margin_grows(capsys, tiny_lm, pref_data, tmp_path, trainer, epochs):
    project = tmp_path / trainer
    log = train(
        capsys,
        "--trainer",
        trainer,
        "--model",
        str(tiny_lm),
        "--data-path",
        str(pref_data),
        "--project-name",
        str(project),
        "--valid-split",
        "valid",
        "--epochs",
        epochs,
        "--lr",
        "3e-3",
        *COLUMNS,
    )
    assert "preference pairs" in log
    before, after = heldout_margin(tiny_lm, pref_data), heldout_margin(project, pref_data)
    assert after > before + 1.0, (before, after)
    # exp(preference loss) is no perplexity: neither metrics.json nor the card may call it one
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert "eval_loss" in final and "eval_perplexity" not in final
    assert "perplexity" not in (project / "README.md").read_text()


def test_length_limits_are_applied_and_reported(capsys, tiny_lm, pref_data, tmp_path):
    log = train(
        capsys,
        "--trainer",
        "dpo",
        "--model",
        str(tiny_lm),
        "--data-path",
        str(pref_data),
        "--project-name",
        str(tmp_path / "p"),
        "--max-prompt-length",
        "4",
        "--max-completion-length",
        "1",
        "--max-samples",
        "16",
        *COLUMNS,
    )
    assert "16 prompts cut from the left to 4 tokens" in log
    assert "rows had a completion cut from the right" in log


def test_orpo_warns_about_model_ref_before_loading_and_records_it(capsys, tiny_lm, pref_data, tmp_path):
    project = tmp_path / "o"
    log = train(
        capsys,
        "--trainer",
        "orpo",
        "--model",
        str(tiny_lm),
        "--data-path",
        str(pref_data),
        "--project-name",
        str(project),
        "--model-ref",
        str(tiny_lm),
        "--max-samples",
        "16",
        *COLUMNS,
    )
    warning = "model_ref is not used by ORPO (ORPO is reference-free"
    assert log.count(warning) == 1 and log.index(warning) < log.index("preference pairs")  # before the data
    assert warning in (project / "README.md").read_text()
    assert json.loads((project / "training_params.json").read_text())["model_ref"] is None


@pytest.mark.parametrize("trainer", ["dpo", "orpo", "reward"])
def test_lora_dropout_survives_trls_disable_dropout(tiny_lm, pref_data, tmp_path, trainer):
    """TRL's disable_dropout zeroes every torch Dropout, peft's LoRA dropout included; --lora-dropout is
    put back on the adapter while the base model's dropout stays off."""
    params = LLMParams(
        trainer=trainer,
        model=str(tiny_lm),
        data_path=str(pref_data),
        text_column="chosen",
        prompt_text_column="prompt" if trainer != "reward" else None,
        rejected_text_column="rejected",
        max_samples=8,
        block_size=64,
        peft=True,
        lora_dropout=0.3,
        target_modules="q_proj,v_proj",
        save_strategy="no",
    )
    built = build(params, logging.getLogger("test"), tmp_path / "p")
    dropouts = {n: m.p for n, m in built.trainer.model.named_modules() if isinstance(m, torch.nn.Dropout)}
    lora = {n: p for n, p in dropouts.items() if n.endswith(".lora_dropout.default")}
    assert len(lora) == 2 * built.trainer.model.config.num_hidden_layers  # q_proj and v_proj of each layer
    assert set(lora.values()) == {0.3}
    # the base model's dropout, and DPO's frozen "ref" adapter copy, stay off
    assert {p for n, p in dropouts.items() if n not in lora} <= {0.0}


def test_dpo_with_separate_reference_and_lora(capsys, tiny_lm, pref_data, tmp_path):
    project = tmp_path / "d"
    train(
        capsys,
        "--trainer",
        "dpo",
        "--model",
        str(tiny_lm),
        "--data-path",
        str(pref_data),
        "--project-name",
        str(project),
        "--model-ref",
        str(tiny_lm),
        "--max-samples",
        "16",
        "--peft",
        *COLUMNS,
    )
    assert (project / "adapter" / "adapter_config.json").is_file()


def test_reward_model_ranks_heldout_pairs(capsys, tiny_lm, pref_data, tmp_path):
    project = tmp_path / "rm"
    log = train(
        capsys,
        "--trainer",
        "reward",
        "--model",
        str(tiny_lm),
        "--data-path",
        str(pref_data),
        "--project-name",
        str(project),
        "--valid-split",
        "valid",
        "--epochs",
        "12",
        "--lr",
        "3e-3",
        "--text-column",
        "chosen",
        "--rejected-text-column",
        "rejected",
    )
    assert "cannot generate" in log and "cannot generate" in (project / "README.md").read_text()
    assert "prompt taken from column 'prompt'" in log
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert final["eval_accuracy"] > 0.8, final
    scorer = AutoModelForSequenceClassification.from_pretrained(project).eval()
    tok = AutoTokenizer.from_pretrained(project)
    assert scorer.config.num_labels == 1 and scorer.config.pad_token_id == tok.pad_token_id
    batch = tok(["some text", "other"], return_tensors="pt", padding=True)
    assert scorer(**batch).logits.shape == (2, 1)
