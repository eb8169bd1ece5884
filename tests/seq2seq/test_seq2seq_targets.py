"""seq2seq targets end with EOS even when the tokenizer adds none, and evaluation generates with exactly the
generation config that is saved with the model."""

from __future__ import annotations

import logging
from pathlib import Path

import datasets
import pytest
from transformers import AutoTokenizer, GenerationConfig

from aitraining.tasks.seq2seq.params import Seq2SeqParams
from aitraining.tasks.seq2seq.task import Seq2Seq
from aitraining.testing import make_tiny_seq2seq

ROWS = [{"text": "red blue", "target": "apple sky"}, {"text": "green", "target": "grass"}]


@pytest.fixture(scope="module")
def no_eos_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny T5 whose tokenizer, like many post-processors, ends `text_target` on the last word, and whose
    generation_config.json asks for beam search, as some published checkpoints do."""
    path = make_tiny_seq2seq(tmp_path_factory.mktemp("t5_no_eos"))
    tokenizer = AutoTokenizer.from_pretrained(path, add_eos_token=False)
    tokenizer.save_pretrained(path)
    GenerationConfig.from_pretrained(path).save_pretrained(path)
    config = GenerationConfig.from_pretrained(path)
    config.num_beams = 4
    config.save_pretrained(path)
    return path


def _state(model: Path, caplog: pytest.LogCaptureFixture, **flags: object) -> tuple[Seq2Seq, object]:
    params = Seq2SeqParams(model=str(model), data_path="unused", max_target_length=8, **flags)
    task = Seq2Seq()
    rows = datasets.Dataset.from_list(ROWS)
    logger = logging.getLogger("aitraining.test.seq2seq")
    return task, task.setup(rows, rows, params, task.load_processor(params), logger)


def test_targets_end_with_eos_when_the_tokenizer_adds_none(no_eos_model, caplog):
    task, state = _state(no_eos_model, caplog)
    tokenizer = state.processor
    eos = tokenizer.eos_token_id
    assert tokenizer(text_target="apple sky")["input_ids"][-1] != eos  # the premise: no EOS from the tokenizer
    with caplog.at_level(logging.INFO, logger="aitraining.test.seq2seq"):
        features = task.preprocess(datasets.Dataset.from_list(ROWS), state, "train")
    labels = features["labels"]
    assert all(row[-1] == eos for row in labels)
    assert tokenizer.decode(labels[0], skip_special_tokens=True).strip() == "apple sky"
    assert "2 of 2 train targets did not end with the EOS token '</s>'" in caplog.text


def test_long_targets_keep_the_length_limit_and_end_with_eos(no_eos_model, caplog):
    task, state = _state(no_eos_model, caplog)
    long_row = [{"text": "red", "target": " ".join(["apple"] * 30)}]
    labels = task.preprocess(datasets.Dataset.from_list(long_row), state, "train")["labels"]
    assert len(labels[0]) == 8 and labels[0][-1] == state.processor.eos_token_id


def test_evaluation_generates_with_the_config_that_is_saved(no_eos_model, caplog, tmp_path):
    task, state = _state(no_eos_model, caplog)
    assert GenerationConfig.from_pretrained(no_eos_model).num_beams == 4  # the base asks for beams
    args = task.training_args({"output_dir": str(tmp_path), "use_cpu": True}, state)
    assert args.generation_config is state.generation  # what evaluation generates with ...
    assert state.generation.num_beams == 1 and state.generation.do_sample is False  # ... greedy, as reported
    assert state.generation.max_new_tokens == 8
    assert args.generation_max_length is None and args.generation_num_beams is None  # nothing overrides it


@pytest.mark.slow  # about a minute on two free CPU cores: 40 short epochs
def test_a_model_trained_without_tokenizer_eos_learns_to_stop(no_eos_model, tmp_path):
    """With EOS appended the model stops after the answer: generations match the targets exactly (before
    the fix: exact match 0.0, every generation ran on to the length limit)."""
    import json

    from aitraining.cli.main import main
    from aitraining.tasks.seq2seq.predict import generate_texts

    words = {"red": "apple", "blue": "sky", "green": "grass", "yellow": "sun"}
    rows = [{"text": f"{a} {b}", "target": f"{words[a]} {words[b]}"} for a in words for b in words]
    data = tmp_path / "data"
    data.mkdir()
    for split in ("train", "valid"):
        (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    flags = ["--epochs", "40", "--lr", "3e-3", "--batch-size", "8", "--valid-split", "valid"]
    flags += ["--eval-strategy", "no", "--save-strategy", "no", "--max-target-length", "12"]
    flags += ["--disable-gradient-checkpointing", "--logging-steps", "50"]
    argv = ["seq2seq", "--train", "--model", no_eos_model, "--data-path", data, "--project-name", tmp_path / "p"]
    assert main([str(a) for a in [*argv, *flags]]) == 0
    predicted = generate_texts(tmp_path / "p", [r["text"] for r in rows], max_new_tokens=12)
    exact = sum(p == r["target"] for p, r in zip(predicted, rows, strict=True)) / len(rows)
    assert exact >= 0.9, predicted[:4]
