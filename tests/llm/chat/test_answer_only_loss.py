"""Train on the answers by default (issue 9, item 11).

A learnable chat check: each user turn is 24 random filler words and then a colour; the reply is the
colour's fixed word. Answer-only loss (the default) spends every gradient on the reply; training on the user
turns too spends most of it on predicting filler. Measured (16 epochs, lr 1e-2, 64 conversations, 16
held-out prompts, tiny Llama): default 100% correct, --assistant-only-loss=False 44%.
"""

from __future__ import annotations

import json
import random

import pytest
import torch

from aitraining.cli.main import main
from aitraining.tasks.llm.generate import Sampling, generate

FILLER = [
    "the",
    "cat",
    "dog",
    "sees",
    "big",
    "tree",
    "sky",
    "my",
    "friend",
    "likes",
    "a",
    "hello",
    "old",
    "new",
    "small",
    "green",
]
ANSWERS = {"red": "apple", "blue": "ocean", "yellow": "banana", "white": "snow"}


def conversation(rng: random.Random) -> tuple[str, str]:
    colour = rng.choice(sorted(ANSWERS))
    return " ".join(rng.choice(FILLER) for _ in range(24)) + f" colour {colour}?", ANSWERS[colour]


@pytest.fixture(autouse=True)
def one_thread():
    """A tiny model gains nothing from threads; on a busy machine they make this 10x slower."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


@pytest.fixture(scope="module")
def chat_check(tmp_path_factory):
    folder = tmp_path_factory.mktemp("answer_only")
    rng = random.Random(0)
    rows = [conversation(rng) for _ in range(64)]
    turns = [[{"role": "user", "content": q}, {"role": "assistant", "content": a}] for q, a in rows]
    (folder / "train.jsonl").write_text("".join(json.dumps({"messages": t}) + "\n" for t in turns))
    return folder, [conversation(random.Random(100 + i)) for i in range(16)]


def accuracy_after_training(capsys, model, data, held_out, project, *extra) -> tuple[float, str]:
    argv = ["llm", "--train", "--trainer", "sft", "--model", str(model), "--data-path", str(data)]
    argv += ["--project-name", str(project), "--epochs", "16", "--lr", "1e-2", "--batch-size", "8"]
    argv += ["--gradient-accumulation", "1", "--warmup-ratio", "0", "--save-strategy", "no", "--block-size", "64"]
    code = main([*argv, *extra])
    log = capsys.readouterr().err
    assert code == 0, log
    replies = generate(project, [q for q, _ in held_out], Sampling(max_new_tokens=4))
    return sum(r == a for r, (_, a) in zip(replies, held_out, strict=True)) / len(held_out), log


def test_the_default_trains_on_the_answers_and_learns_the_chat_check(capsys, tiny_lm, chat_check, tmp_path):
    data, held_out = chat_check
    accuracy, log = accuracy_after_training(capsys, tiny_lm, data, held_out, tmp_path / "default")
    print(f"answer-only loss (default): {accuracy:.0%} of held-out prompts answered correctly")
    assert "Loss: assistant replies only (each with its end-of-turn token)" in log
    assert accuracy >= 0.85  # seen: 100%


@pytest.mark.slow
def test_answer_only_loss_learns_better_than_training_on_everything(capsys, tiny_lm, chat_check, tmp_path):
    data, held_out = chat_check
    default, _ = accuracy_after_training(capsys, tiny_lm, data, held_out, tmp_path / "default")
    everything, log = accuracy_after_training(
        capsys, tiny_lm, data, held_out, tmp_path / "all", "--assistant-only-loss=False"
    )
    print(f"held-out accuracy: answer-only {default:.0%}, every token {everything:.0%}")
    assert "Loss: every token, user turns included (--assistant-only-loss=False)." in log
    assert default >= everything + 0.25  # seen: 100% vs 44%
