"""Shared test setup: the suite must never reach the HuggingFace Hub."""

import os

import pytest

# Set before transformers / huggingface_hub are imported so every test (and every library) runs offline.
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process (imports are paid once per test session) and return (exit code, all output)."""
    from aitraining.cli.main import main

    def run(*argv) -> tuple[int, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out + err

    return run
