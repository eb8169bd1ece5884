"""A bf16 checkpoint trains in float32: at lr 2e-5 its weights move and its loss falls exactly as its fp32
copy's does, on the causal LM, reward and seq2seq paths; the result is saved back in bf16 by default.

Trained in place in bf16, an Adam step of ~2e-5 is below half the spacing of a weight near 0.02 (~6e-5), so
it rounds away: before the fix about 30% of the LM's weights moved at all and its loss fell half as fast.
"""

from __future__ import annotations

import json
import random

import pytest
import torch
from precision_helpers import changed_fraction, losses, saved_dtypes, stored_as
from transformers import AutoModelForCausalLM

from aitraining.cli.main import main
from aitraining.testing import make_tiny_causal_lm, make_tiny_seq2seq, write_preference_dataset, write_text_corpus
from aitraining.testing._corpus import COLOUR_ANSWERS

REALISTIC = ["--lr", "2e-5", "--warmup-ratio", "0", "--epochs", "2", "--batch-size", "4", "--gradient-accumulation"]
QUICK = [*REALISTIC, "1", "--logging-steps", "1", "--save-strategy", "no", "--disable-gradient-checkpointing"]


def seq2seq_data(folder):
    rng = random.Random(0)
    folder.mkdir()
    for split, count in (("train", 24), ("valid", 4)):
        rows = []
        for _ in range(count):
            words = [rng.choice(sorted(COLOUR_ANSWERS)) for _ in range(3)]
            rows.append({"text": " ".join(words), "target": " ".join(COLOUR_ANSWERS[w] for w in words)})
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


PATHS = {
    "causal-lm": (
        make_tiny_causal_lm,
        lambda folder: write_text_corpus(folder, n_train=24, n_valid=4),
        ["llm", "--trainer", "generic", "--block-size", "32", "--valid-split", "valid"],
        [],
    ),
    "reward": (
        make_tiny_causal_lm,
        lambda folder: write_preference_dataset(folder, n_train=24, n_valid=4),
        ["llm", "--trainer", "reward", "--text-column", "chosen", "--rejected-text-column", "rejected"],
        [],
    ),
    "seq2seq": (
        make_tiny_seq2seq,
        seq2seq_data,
        ["seq2seq", "--valid-split", "valid", "--max-seq-length", "16", "--max-target-length", "12"],
        ["--batch-size", "8", "--epochs", "4"],  # less noise per step
    ),
}


def train(capsys, command, model, data, project, *extra):
    argv = [*command, "--train", "--model", model, "--data-path", data, "--project-name", project, *QUICK, *extra]
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out + err


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """For each path: the base model stored in bf16, and the very same weights stored in float32."""
    made = {}
    for name, (factory, *_) in PATHS.items():
        root = tmp_path_factory.mktemp(name)
        bf16 = stored_as(factory(root / "fp32-init"), root / "bf16", torch.bfloat16)
        made[name] = (bf16, stored_as(bf16, root / "fp32-copy", torch.float32))
    return made


@pytest.mark.parametrize("path", PATHS)
def test_bf16_checkpoint_trains_like_its_fp32_copy(capsys, tmp_path, checkpoints, path):
    _, write_data, command, overrides = PATHS[path]
    data = write_data(tmp_path / "data")
    bf16, fp32_copy = checkpoints[path]
    log = train(capsys, command, bf16, data, tmp_path / "from-bf16", *overrides, "--save-dtype", "float32")
    train(capsys, command, fp32_copy, data, tmp_path / "from-fp32", *overrides)
    assert "Weights being trained: float32 (the checkpoint stores bfloat16)" in log

    from_bf16, from_fp32 = losses(tmp_path / "from-bf16"), losses(tmp_path / "from-fp32")
    assert len(from_bf16) >= 5
    assert from_bf16 == pytest.approx(from_fp32, abs=1e-4)  # same float32 start, same steps
    assert sum(from_bf16[-3:]) < sum(from_bf16[:3])  # it learns (per-step losses are noisy: 3-step means)
    assert saved_dtypes(tmp_path / "from-bf16") == {torch.float32}  # --save-dtype float32: every update kept
    assert changed_fraction(bf16, tmp_path / "from-bf16") > 0.95


def test_bf16_checkpoint_is_saved_back_in_bf16(capsys, tmp_path, checkpoints):
    bf16, _ = checkpoints["causal-lm"]
    data = write_text_corpus(tmp_path / "data", n_train=8, n_valid=4)
    project = tmp_path / "run"
    log = train(capsys, PATHS["causal-lm"][2], bf16, data, project)
    assert "Saving the weights in bfloat16 (the dtype of the --model checkpoint)" in log
    assert saved_dtypes(project) == {torch.bfloat16}
    assert json.loads((project / "config.json").read_text())["dtype"] == "bfloat16"
    reloaded = AutoModelForCausalLM.from_pretrained(project)
    assert reloaded.dtype == torch.bfloat16
