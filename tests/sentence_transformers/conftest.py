"""Fixtures for the sentence-transformers tests: a tiny encoder that knows the synthetic words, and a runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from st_data import all_texts

from aitraining.cli.main import main


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from aitraining.testing import make_tiny_encoder

    return make_tiny_encoder(tmp_path_factory.mktemp("tiny_encoder"), texts=all_texts())


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    """Tiny models train several times faster on one thread than on threads that fight for 2 busy cores."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def train(capsys: pytest.CaptureFixture) -> Callable[..., tuple[int, str]]:
    """Run `aitraining sentence-transformers --train ...` in-process; return the exit code and stderr."""

    def run(*flags: str) -> tuple[int, str]:
        code = main(["sentence-transformers", "--train", *flags])
        return code, capsys.readouterr().err

    return run
