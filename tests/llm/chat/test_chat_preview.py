"""`aitraining llm --preview-data`: masks, length stats and truncation counts, with no model weights loaded."""

from __future__ import annotations

import json
import shutil

import pytest
import transformers
from transformers import AutoTokenizer

from aitraining.cli.main import main
from aitraining.testing import write_chat_dataset


def write_jsonl(folder, rows, split="train"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


@pytest.fixture(autouse=True)
def no_weights(monkeypatch):
    """The preview must never load model weights (tokenizer and config only)."""

    def refuse(*args, **kwargs):
        raise AssertionError("--preview-data loaded model weights")

    monkeypatch.setattr(transformers.PreTrainedModel, "from_pretrained", classmethod(refuse))


@pytest.fixture(scope="module")
def chat_dir(tmp_path_factory):
    return write_chat_dataset(tmp_path_factory.mktemp("preview_chat"), n_train=24, n_valid=6)


def preview(capsys, model, data, *extra):
    code = main(["llm", "--preview-data", "--model", str(model), "--data-path", str(data), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_preview_marks_exactly_the_assistant_tokens(capsys, tiny_lm, chat_dir):
    code, out, err = preview(
        capsys, tiny_lm, chat_dir, "--trainer", "sft", "--assistant-only-loss", "--preview-samples", "2"
    )
    assert code == 0, err
    first = json.loads((chat_dir / "train.jsonl").read_text().splitlines()[0])["messages"]
    question, answer = first[0]["content"], first[1]["content"]
    assert f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n[[{answer}<|im_end|>]]" in out
    assert out.count("<|im_end|>]]") == 2 and "--- sample 2 (train row 2:" in out and "--- sample 3" not in out
    assert "train: 24 rows; tokens per row (before truncation) min " in out
    assert "limit 512 tokens: 0 truncated, 0 dropped." in out


def test_preview_shows_the_default_answer_only_loss_and_the_prompt_rule(capsys, tiny_lm, chat_dir):
    code, out, err = preview(capsys, tiny_lm, chat_dir, "--trainer", "sft", "--preview-samples", "1")
    assert code == 0, err
    first = json.loads((chat_dir / "train.jsonl").read_text().splitlines()[0])["messages"]
    question, answer = first[0]["content"], first[1]["content"]
    assert f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n[[{answer}<|im_end|>]]" in out
    assert "Loss: assistant replies only (each with its end-of-turn token)" in out
    assert "Prompt rule: the chat template is in use, so a plain-text prompt is a user turn" in out


def test_preview_counts_truncated_and_dropped_rows(capsys, tiny_lm, chat_dir):
    tok = AutoTokenizer.from_pretrained(tiny_lm)
    rows = [json.loads(line)["messages"] for line in (chat_dir / "train.jsonl").read_text().splitlines()]
    lengths = [len(tok.apply_chat_template(r, tokenize=True, return_dict=True)["input_ids"]) for r in rows]
    prompt_lengths = [
        len(tok.apply_chat_template(r[:1], tokenize=True, return_dict=True, add_generation_prompt=True)["input_ids"])
        for r in rows
    ]
    limit = sorted(lengths)[len(lengths) // 2]
    truncated = sum(n > limit for n in lengths)
    dropped = sum(p >= limit for p in prompt_lengths)  # the reply starts after the limit: nothing left to learn
    assert truncated > 0
    code, out, err = preview(
        capsys, tiny_lm, chat_dir, "--trainer", "sft", "--assistant-only-loss", "--block-size", str(limit)
    )
    assert code == 0, err
    assert f"limit {limit} tokens: {truncated} truncated, {dropped} dropped." in out
    assert f"min {min(lengths)}," in out and f"max {max(lengths)};" in out


def test_preview_converts_sharegpt_and_says_what_it_detected(capsys, tiny_lm, tmp_path):
    rows = [
        {"conversations": [{"from": "human", "value": f"Say {w}."}, {"from": "gpt", "value": w}]}
        for w in ("one", "two", "three")
    ]
    data = write_jsonl(tmp_path / "sharegpt", rows)
    code, out, err = preview(
        capsys,
        tiny_lm,
        data,
        "--trainer",
        "sft",
        "--auto-convert-dataset",
        "--chat-template",
        "zephyr",
        "--assistant-only-loss",
    )
    assert code == 0, err
    assert "Dataset format detected: ShareGPT conversations (from/value): conversations -> messages" in err
    assert "<|user|>\nSay one.<|im_end|>\n<|assistant|>\n[[one<|im_end|>]]\n" in out  # zephyr: EOS ends each turn
    assert "Chat template: 'zephyr' (saved with the trained tokenizer)." in out
    assert not (tmp_path / "project-name").exists()  # the preview writes nothing


def test_preview_of_preference_pairs(capsys, tiny_lm, tmp_path):
    rows = [{"question": "Colour of snow?", "chosen": " white", "rejected": " green"}] * 3
    data = write_jsonl(tmp_path / "pairs", rows)
    code, out, err = preview(
        capsys, tiny_lm, data, "--trainer", "dpo", "--auto-convert-dataset", "--chat-template", "none"
    )
    assert code == 0, err
    assert "preference pairs (prompt/chosen/rejected): question -> prompt" in err
    assert "prompt:   <|begin|>Colour of snow?" in out
    assert "chosen:   [[ white<|im_end|>]]" in out and "rejected: [[ green<|im_end|>]]" in out


def test_preview_names_the_malformed_row(capsys, tiny_lm, tmp_path):
    good = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    bad = {"messages": [{"role": "narrator", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    data = write_jsonl(tmp_path / "bad", [good, bad])
    code, _, err = preview(capsys, tiny_lm, data, "--trainer", "sft")
    assert code == 2
    assert "Row 2 of the train split of file" not in err  # a folder, not a file
    assert "Row 2 of the train split of folder" in err and "message 1: unknown role 'narrator'" in err


def test_preview_warns_when_the_template_is_another_familys(capsys, tiny_lm, chat_dir, tmp_path):
    gemma = shutil.copytree(tiny_lm, tmp_path / "gemma-like")
    config = json.loads((gemma / "config.json").read_text())
    (gemma / "config.json").write_text(json.dumps({**config, "model_type": "gemma", "architectures": ["X"]}))
    code, _, err = preview(
        capsys, gemma, chat_dir, "--trainer", "sft", "--chat-template", "llama3", "--block-size", "128"
    )
    assert code == 0, err
    assert "Warning: --chat-template llama3 is the Llama 3 format, but the model is a gemma model" in err
    assert "--chat-template gemma" in err


def test_preview_flags_only_apply_where_they_are_used(capsys, tiny_lm, chat_dir):
    code = main(["llm", "--explain", "--trainer", "sft", "--preview-samples", "5", "--conversation-extension", "2"])
    err = capsys.readouterr().err
    assert code == 0
    assert "Warning: preview_samples only applies with --preview-data, will be ignored" in err
    assert "Warning: conversation_extension only applies with --auto-convert-dataset, will be ignored" in err
    code, _, err = preview(capsys, tiny_lm, chat_dir, "--trainer", "ppo", "--rl-reward-model-path", str(tiny_lm))
    assert code == 2 and "--preview-data shows data for --trainer generic, sft, dpo, orpo, reward" in err
