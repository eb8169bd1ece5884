"""Fixtures of the token-classification tests: a tiny encoder that knows the synthetic words, an in-process CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from ner_helpers import synthetic_rows


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> Path:
    from aitraining.testing import make_tiny_encoder

    texts = [" ".join(row["tokens"]) for row in synthetic_rows(300, seed=1)]
    return make_tiny_encoder(tmp_path_factory.mktemp("encoder"), texts=texts)
