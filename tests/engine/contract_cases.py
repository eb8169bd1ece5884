"""One small run per command and LLM trainer, for the contract tests: data, base model and the flags the
command needs besides the shared ones. Built lazily and once per session (tiny models, a few rows)."""

from __future__ import annotations

import json
from pathlib import Path

from transformers import AutoModelForSequenceClassification

from aitraining.testing import (
    make_tiny_causal_lm,
    make_tiny_encoder,
    make_tiny_seq2seq,
    write_chat_dataset,
    write_preference_dataset,
    write_text_corpus,
)
from aitraining.testing.vision import (
    make_tiny_detr,
    make_tiny_vit,
    write_box_metadata,
    write_brightness_metadata,
    write_colour_classes,
)
from aitraining.testing.vlm import make_tiny_llava, write_square_vqa

WORDS = ("red", "blue", "green", "apple", "sky", "grass", "one", "two")


def write_jsonl(folder: Path, rows: list[dict], valid_rows: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for split, part in (("train", rows[valid_rows:]), ("valid", rows[:valid_rows])):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
    return folder


def sentence(i: int, n: int = 4) -> str:
    return " ".join(WORDS[(i + k) % len(WORDS)] for k in range(n))


def classification_rows() -> list[dict]:
    return [{"text": sentence(i), "target": "pos" if i % 2 else "neg"} for i in range(16)]


def regression_rows() -> list[dict]:
    return [{"text": sentence(i), "target": float(i % 5)} for i in range(16)]


def tagging_rows() -> list[dict]:
    return [{"tokens": sentence(i).split(), "tags": ["B-X", "O", "O", "B-Y"]} for i in range(16)]


def seq2seq_rows() -> list[dict]:
    return [{"text": sentence(i), "target": sentence(i + 1, 2)} for i in range(16)]


def qa_rows() -> list[dict]:
    rows = []
    for i in range(16):
        context = f"{sentence(i)} and {WORDS[i % len(WORDS)]} is the answer"
        answer = WORDS[i % len(WORDS)]
        start = context.index(f" and {answer}") + len(" and ")
        answers = {"text": [answer], "answer_start": [start]}
        rows.append({"question": f"what is {i}?", "context": context, "answers": answers})
    return rows


def similarity_rows() -> list[dict]:
    return [{"sentence1": sentence(i), "sentence2": sentence(i + 1), "target": (i % 5) / 4} for i in range(16)]


def reward_model(base: Path, out: Path) -> Path:
    """An untrained one-output scorer on the tiny LM: what --rl-reward-model-path needs to load."""
    from transformers import AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(base).save_pretrained(out)
    return out


IMAGE_CASES = {  # command -> (tiny model factory, writer of a train/valid image layout)
    "image-classification": (make_tiny_vit, write_colour_classes),
    "image-regression": (lambda p: make_tiny_vit(p, num_labels=1), write_brightness_metadata),
    "object-detection": (make_tiny_detr, write_box_metadata),
}


class Cases:
    """Builds what each case needs on first use, under one temporary root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: dict[str, Path] = {}

    def _once(self, key: str, build) -> Path:
        if key not in self._made:
            self._made[key] = build(self.root / key)
        return self._made[key]

    def lm(self) -> Path:
        return self._once("lm", make_tiny_causal_lm)

    def encoder(self) -> Path:
        return self._once("encoder", lambda p: make_tiny_encoder(p, texts=[sentence(i) for i in range(32)]))

    def t5(self) -> Path:
        return self._once("t5", make_tiny_seq2seq)

    def argv(self, command: str, trainer: str | None) -> list[str]:
        """`[command, flags...]` without the shared flags under test."""
        key = f"{command}-{trainer}" if trainer else command
        if command == "llm":
            return ["llm", "--trainer", str(trainer), "--model", str(self.lm()), *self._llm(str(trainer), key)]
        if command == "vlm":
            model = self._once("vlm-model", make_tiny_llava)
            folder = self._once(key, lambda p: write_square_vqa(p, per_colour=3))
            columns = ["--prompt-text-column", "question", "--text-column", "answer"]
            return ["vlm", "--trainer", str(trainer), "--model", str(model), "--data-path", str(folder), *columns]
        if command in IMAGE_CASES:
            make_model, write = IMAGE_CASES[command]
            model = self._once(f"{command}-model", make_model)
            folder = self._once(key, lambda p: write(write(p, n=8), n=4, split="valid", seed=1))
            return [command, "--model", str(model), "--data-path", str(folder), "--valid-split", "valid"]
        data = {
            "text-classification": classification_rows,
            "text-regression": regression_rows,
            "token-classification": tagging_rows,
            "seq2seq": seq2seq_rows,
            "extractive-qa": qa_rows,
            "sentence-transformers": similarity_rows,
        }[command]
        folder = self._once(key, lambda p: write_jsonl(p, data()))
        model = self.t5() if command == "seq2seq" else self.encoder()
        extra = ["--max-seq-length", "64", "--max-doc-stride", "16"] if command == "extractive-qa" else []
        return [command, "--model", str(model), "--data-path", str(folder), "--valid-split", "valid", *extra]

    def _llm(self, trainer: str, key: str) -> list[str]:
        if trainer == "generic":
            data = self._once(key, lambda p: write_text_corpus(p, n_train=16, n_valid=4))
            return ["--data-path", str(data), "--valid-split", "valid", "--block-size", "32"]
        if trainer == "sft":
            data = self._once(key, lambda p: write_chat_dataset(p, n_train=8, n_valid=4))
            return ["--data-path", str(data), "--valid-split", "valid", "--text-column", "messages"]
        if trainer in ("dpo", "orpo", "reward"):
            data = self._once("preference", lambda p: write_preference_dataset(p, n_train=8, n_valid=4))
            columns = ["--text-column", "chosen", "--rejected-text-column", "rejected"]
            if trainer != "reward":
                columns += ["--prompt-text-column", "prompt"]
            return ["--data-path", str(data), "--valid-split", "valid", *columns]
        if trainer == "ppo":
            data = self._once(key, lambda p: write_text_corpus(p, n_train=12, n_valid=2))
            scorer = self._once("reward-model", lambda p: reward_model(self.lm(), p))
            return ["--data-path", str(data), "--rl-reward-model-path", str(scorer), "--rl-chunk-size", "4"]
        raise AssertionError(f"no contract case for llm --trainer {trainer}: add one to contract_cases.py")
