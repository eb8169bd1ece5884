"""Fixtures of the text-regression tests: a tiny encoder that knows the synthetic data's words, an in-process CLI."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from regression_helpers import synthetic_rows

from aitraining.cli.main import main


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> Path:
    from aitraining.testing import make_tiny_encoder

    texts = [row["review"] for row in synthetic_rows(300, seed=1)]
    return make_tiny_encoder(tmp_path_factory.mktemp("encoder"), texts=texts)


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process and return (exit code, everything printed)."""

    def run(*argv) -> tuple[int, str]:
        # The engine's console handler keeps the stderr it was created with; capsys swaps stderr per test.
        for handler in logging.getLogger("aitraining").handlers:
            if getattr(handler, "_aitraining_console", False):
                handler.stream = sys.stderr
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out + err

    return run
