"""tests/data: every test gets its own empty datasets cache (Arrow files of read files, map results)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def datasets_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh datasets cache per test, outside the test's tmp_path (tests snapshot that folder):
    'cold' really is cold, and nothing lands in ~/.cache."""
    import datasets

    cache = tmp_path_factory.mktemp("hf-datasets-cache")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)
    return cache
