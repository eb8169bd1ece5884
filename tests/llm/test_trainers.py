"""generic and sft end to end on tiny offline models: loss falls, outputs reload and generate."""

import json
import math

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from aitraining.cli.main import main
from aitraining.testing.flags import FAST_LLM

FAST = [
    *FAST_LLM,
    "--logging-steps",
    "5",
    "--warmup-ratio",
    "0",
    "--save-strategy",
    "no",
]
SECRET = "hf_do_not_leak_123"


def train(capsys, model, data, project, *extra):
    code = main(
        [
            "llm",
            "--train",
            "--model",
            str(model),
            "--data-path",
            str(data),
            "--project-name",
            str(project),
            *FAST,
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    return out + err


def losses(project):
    history = json.loads((project / "metrics.json").read_text())["history"]
    return [h["loss"] for h in history if "loss" in h]


def generates(path):
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    ids = tok("one two", return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=5, do_sample=False, pad_token_id=tok.pad_token_id)
    assert out.shape[1] > ids["input_ids"].shape[1]
    return tok.decode(out[0])


def test_generic_lowers_loss_and_saves_project(capsys, tiny_lm, text_data, tmp_path):
    project = tmp_path / "gen"
    log = train(
        capsys,
        tiny_lm,
        text_data,
        project,
        "--trainer",
        "default",
        "--valid-split",
        "valid",
        "--epochs",
        "10",
        "--lr",
        "3e-3",
        "--log",
        "tensorboard",
        "--block-size",
        "32",
        "--token",
        SECRET,
    )
    seen = losses(project)
    assert seen[-1] < 0.6 * seen[0], seen
    metrics = json.loads((project / "metrics.json").read_text())["final"]
    assert metrics["eval_loss"] < 4.0 and "eval_perplexity" in metrics  # the validation split was evaluated
    assert "step 5/" in log and "loss" in log  # periodic loss lines
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "training_params.json",
        "README.md",
        "training.log",
        "metrics.json",
    ):
        assert (project / name).is_file(), name
    assert list((project / "logs").glob("events.out.tfevents*"))
    params = json.loads((project / "training_params.json").read_text())
    assert "token" not in params and params["trainer"] == "default" and params["lr"] == 3e-3
    card = (project / "README.md").read_text()
    assert str(tiny_lm) in card and "eval_loss" in card and "generic" in card
    for file in project.rglob("*"):
        if file.is_file():
            assert SECRET.encode() not in file.read_bytes(), file
    assert SECRET not in log
    generates(project)


@pytest.mark.parametrize("style", ["messages", "prompt_completion", "text"])
def test_sft_formats_lower_loss(capsys, tiny_lm, tmp_path, style):
    from aitraining.testing import write_chat_dataset

    data = write_chat_dataset(tmp_path / "d", n_train=96, n_valid=16, style=style)
    project = tmp_path / "sft"
    log = train(
        capsys,
        tiny_lm,
        data,
        project,
        "--trainer",
        "sft",
        "--epochs",
        "3",
        "--lr",
        "3e-3",
        "--assistant-only-loss",
        "--valid-split",
        "valid",
    )
    seen = losses(project)
    assert seen[-1] < 0.5 * seen[0], seen
    assert "sft data format" in log
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert final["eval_perplexity"] == pytest.approx(math.exp(final["eval_loss"]))  # an LM loss: a perplexity
    generates(project)


def test_sft_truncation_is_reported(capsys, tiny_lm, chat_data, tmp_path):
    log = train(
        capsys,
        tiny_lm,
        chat_data,
        tmp_path / "p",
        "--trainer",
        "sft",
        "--block-size",
        "12",
        "--max-samples",
        "16",
    )
    assert "rows longer than 12 tokens were truncated" in log


def test_sft_named_template_is_saved(capsys, tiny_lm, chat_data, tmp_path):
    project = tmp_path / "p"
    train(
        capsys,
        tiny_lm,
        chat_data,
        project,
        "--trainer",
        "sft",
        "--chat-template",
        "zephyr",
        "--max-samples",
        "16",
        "--packing",
    )
    tok = AutoTokenizer.from_pretrained(project)
    rendered = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    assert rendered.endswith("<|assistant|>\n")


def test_lora_merge_changes_logits(capsys, tiny_lm, text_data, tmp_path):
    project = tmp_path / "lora"
    train(
        capsys,
        tiny_lm,
        text_data,
        project,
        "--peft",
        "--lora-r",
        "4",
        "--lr",
        "5e-3",
        "--epochs",
        "1",
        "--target-modules",
        "q_proj,v_proj",
    )
    assert (project / "adapter" / "adapter_config.json").is_file()
    assert not (project / "adapter_config.json").exists()  # the root holds the merged full model
    ids = torch.tensor([[2, 10, 11, 12]])
    base = AutoModelForCausalLM.from_pretrained(tiny_lm)(ids).logits
    merged = AutoModelForCausalLM.from_pretrained(project)(ids).logits
    assert not torch.allclose(base, merged, atol=1e-4)
    generates(project)


def test_lora_without_merge_saves_adapter_only(capsys, tiny_lm, text_data, tmp_path):
    project = tmp_path / "adapter_only"
    train(capsys, tiny_lm, text_data, project, "--peft", "--merge-adapter=False", "--max-samples", "16")
    assert (project / "adapter_config.json").is_file() and not (project / "model.safetensors").exists()
