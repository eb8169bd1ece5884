"""Tiny models shared by the bad-input and secrets tests, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aitraining.testing import make_tiny_causal_lm, make_tiny_encoder


@pytest.fixture(scope="session")
def badinput_models(tmp_path_factory) -> dict[str, Path]:
    """{'lm': causal LM, 'enc': BERT encoder, 'badlm': the causal LM with its weights file cut in half}."""
    root = tmp_path_factory.mktemp("badinput-models")
    lm = make_tiny_causal_lm(root / "lm")
    enc = make_tiny_encoder(root / "enc")
    badlm = Path(shutil.copytree(lm, root / "badlm"))
    weights = badlm / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])  # an interrupted download: header intact, tensors cut short
    return {"lm": lm, "enc": enc, "badlm": badlm}
