"""Fixtures of the enhanced-evaluation tests: a 20-item colour benchmark, question/answer data, a trained run."""

import json

import pytest
from eval_helpers import colour_items

from aitraining.testing import write_chat_dataset


@pytest.fixture(scope="session")
def colour_benchmark(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "colours.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in colour_items()))
    return path


@pytest.fixture(scope="session")
def qa_data(tmp_path_factory):
    return write_chat_dataset(tmp_path_factory.mktemp("qa"), n_train=160, n_valid=16, style="prompt_completion")
