"""Tiny teacher/student checkpoints and data for the distillation tests (built once per session/module)."""

import pytest

from aitraining.testing import make_tiny_causal_lm, write_chat_dataset, write_preference_dataset, write_text_corpus


@pytest.fixture(scope="session")
def fresh_student(tmp_path_factory):
    """Same tokenizer as `tiny_lm` (the factory trains it deterministically), other random weights."""
    return make_tiny_causal_lm(tmp_path_factory.mktemp("student"), seed=1)


@pytest.fixture(scope="session")
def text_data(tmp_path_factory):
    return write_text_corpus(tmp_path_factory.mktemp("text"), n_train=96, n_valid=24)


@pytest.fixture(scope="session")
def qa_data(tmp_path_factory):
    return write_chat_dataset(tmp_path_factory.mktemp("qa"), n_train=96, n_valid=24, style="prompt_completion")


@pytest.fixture(scope="session")
def pref_data(tmp_path_factory):
    return write_preference_dataset(tmp_path_factory.mktemp("pref"), n_train=96, n_valid=24)
