"""Fixtures of the text-regression tests: a tiny encoder that knows the synthetic data's words, an in-process CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from regression_helpers import synthetic_rows


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> Path:
    from aitraining.testing import make_tiny_encoder

    texts = [row["review"] for row in synthetic_rows(300, seed=1)]
    return make_tiny_encoder(tmp_path_factory.mktemp("encoder"), texts=texts)
