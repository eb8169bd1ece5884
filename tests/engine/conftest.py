import sys
from pathlib import Path

import pytest

from aitraining.testing import make_tiny_causal_lm, write_chat_dataset, write_text_corpus

sys.path.insert(0, str(Path(__file__).parent))  # card_helpers, shared with the text and tabular card tests


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory):
    return make_tiny_causal_lm(tmp_path_factory.mktemp("tiny_lm"))


@pytest.fixture(scope="session")
def text_data(tmp_path_factory):
    return write_text_corpus(tmp_path_factory.mktemp("text"), n_train=120, n_valid=24)


@pytest.fixture(scope="session")
def chat_data(tmp_path_factory):
    return write_chat_dataset(tmp_path_factory.mktemp("chat"), n_train=120, n_valid=24)
