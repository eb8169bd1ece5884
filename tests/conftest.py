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


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory):
    """One tiny causal LM (tokenizer trained on the spot) for every LLM test of the session."""
    from aitraining.testing import make_tiny_causal_lm

    return make_tiny_causal_lm(tmp_path_factory.mktemp("tiny_lm"))


@pytest.fixture(scope="session")
def text_data(tmp_path_factory):
    from aitraining.testing import write_text_corpus

    return write_text_corpus(tmp_path_factory.mktemp("text"), n_train=120, n_valid=24)


@pytest.fixture(scope="session")
def chat_data(tmp_path_factory):
    from aitraining.testing import write_chat_dataset

    return write_chat_dataset(tmp_path_factory.mktemp("chat"), n_train=120, n_valid=24)
