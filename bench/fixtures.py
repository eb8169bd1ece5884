"""The models and datasets every case trains on, built on the spot (offline) once per suite run.

Sizes: `tiny` (seconds per case, for the test and noisy machines) and `small` (a wider model and ten times
the rows, for an idle machine). Each builder writes into `root` and returns the folder; builds are cached
by name, so two cases sharing a model build it once.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROWS = {"tiny": 160, "small": 2000}
LM_WIDTH = {"tiny": (64, 2), "small": (256, 4)}  # (hidden size, layers)
POSITIVE = ("great", "wonderful", "lovely", "excellent")
NEGATIVE = ("awful", "terrible", "boring", "dreadful")
NOUNS = ("film", "meal", "book", "trip", "show", "hotel")


class Fixtures:
    def __init__(self, root: Path, size: str, rows: int | None = None) -> None:
        self.root, self.size, self.rows = Path(root), size, rows or ROWS[size]
        self._built: dict[str, Path] = {}

    def get(self, name: str) -> Path:
        if name not in self._built:
            self._built[name] = BUILDERS[name](self)
        return self._built[name]

    def path(self, name: str) -> Path:
        return self.root / name


def _causal_lm(f: Fixtures) -> Path:
    from aitraining.testing import make_tiny_causal_lm

    hidden, layers = LM_WIDTH[f.size]
    return make_tiny_causal_lm(f.path("causal_lm"), hidden_size=hidden, num_layers=layers)


def _encoder(f: Fixtures) -> Path:
    from aitraining.testing import make_tiny_encoder

    return make_tiny_encoder(f.path("encoder"))


def _seq2seq(f: Fixtures) -> Path:
    from aitraining.testing import make_tiny_seq2seq

    return make_tiny_seq2seq(f.path("t5"))


def _chat(f: Fixtures) -> Path:
    from aitraining.testing import write_chat_dataset

    return write_chat_dataset(f.path("chat"), n_train=f.rows, n_valid=8)


def _text(f: Fixtures) -> Path:
    from aitraining.testing import write_text_corpus

    return write_text_corpus(f.path("text"), n_train=f.rows * 4, n_valid=8)


def _preference(f: Fixtures) -> Path:
    from aitraining.testing import write_preference_dataset

    return write_preference_dataset(f.path("preference"), n_train=f.rows, n_valid=8)


def _write_jsonl(folder: Path, rows: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def _sentiment(f: Fixtures) -> Path:
    rng = random.Random(0)
    rows = []
    for _ in range(f.rows * 2):
        label = rng.choice(("positive", "negative"))
        word = rng.choice(POSITIVE if label == "positive" else NEGATIVE)
        rows.append({"text": f"the {rng.choice(NOUNS)} was {word} and we stayed", "target": label})
    return _write_jsonl(f.path("sentiment"), rows)


def _mapping(f: Fixtures) -> Path:
    """'red blue' -> 'apple sky' (the seq2seq tests' learnable task)."""
    from aitraining.testing._corpus import COLOUR_ANSWERS

    rng, colours = random.Random(0), sorted(COLOUR_ANSWERS)
    rows = []
    for _ in range(f.rows * 2):
        words = [rng.choice(colours) for _ in range(rng.randint(2, 4))]
        rows.append({"text": " ".join(words), "target": " ".join(COLOUR_ANSWERS[w] for w in words)})
    return _write_jsonl(f.path("mapping"), rows)


def _tabular(f: Fixtures) -> Path:
    """scikit-learn's bundled breast-cancer data (569 rows), repeated with noise for `small`."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    if f.size == "small":  # 9 x 569 rows: still under the 10k rows where fits go multi-threaded
        rng, features = np.random.default_rng(0), frame.columns.drop("target")
        noisy = [frame.assign(**{c: frame[c] * rng.normal(1, 0.05, len(frame)) for c in features}) for _ in range(8)]
        frame = pd.concat([frame, *noisy], ignore_index=True)
    frame["target"] = np.where(frame["target"] == 1, "benign", "malignant")
    folder = f.path("tabular")
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "train.csv", index=False)
    return folder


def _mfu_model(f: Fixtures) -> Path:
    """A Qwen2-0.5B-shaped model (random weights, ~494M parameters) with a tokenizer trained on the spot."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from aitraining.testing import CHAT_TEMPLATE, train_bpe_tokenizer

    tokenizer = train_bpe_tokenizer(None, add_bos_token=True)
    tokenizer.chat_template = CHAT_TEMPLATE
    config = Qwen2Config(
        vocab_size=151936,
        hidden_size=896,
        intermediate_size=4864,
        num_hidden_layers=24,
        num_attention_heads=14,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    path = f.path("qwen2_0.5b_shape")
    Qwen2ForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def _mfu_text(f: Fixtures) -> Path:
    from aitraining.testing import write_text_corpus

    return write_text_corpus(f.path("mfu_text"), n_train=20_000, n_valid=8)  # ~30 steps of 8 x 1024 packed tokens


BUILDERS: dict[str, Callable[[Fixtures], Path]] = {
    "causal_lm": _causal_lm,
    "encoder": _encoder,
    "seq2seq": _seq2seq,
    "chat": _chat,
    "text": _text,
    "preference": _preference,
    "sentiment": _sentiment,
    "mapping": _mapping,
    "tabular": _tabular,
    "mfu_model": _mfu_model,
    "mfu_text": _mfu_text,
}
