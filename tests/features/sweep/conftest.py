"""A tiny chat corpus for the sweep tests (the tiny LM is the session-wide one in tests/conftest.py)."""

import pytest


@pytest.fixture(scope="session")
def small_chat(tmp_path_factory):
    from aitraining.testing import write_chat_dataset

    return write_chat_dataset(tmp_path_factory.mktemp("sweep_chat"), n_train=48, n_valid=8)
