"""vlm tests build each tiny model family once per session; torch runs on one thread (faster on the shared CPU)."""

import pytest

from aitraining.testing.vision import torch_threads
from aitraining.testing.vlm import make_tiny_llava, make_tiny_paligemma, make_tiny_qwen2_vl, write_square_vqa

FACTORIES = {"llava": make_tiny_llava, "qwen2_vl": make_tiny_qwen2_vl, "paligemma": make_tiny_paligemma}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    with torch_threads(1):
        yield


@pytest.fixture(scope="session")
def vlm_models(tmp_path_factory):
    root = tmp_path_factory.mktemp("vlm-models")
    made = {}

    def get(family: str):
        if family not in made:
            made[family] = FACTORIES[family](root / family)
        return made[family]

    return get


@pytest.fixture(scope="session")
def square_data(tmp_path_factory):
    """A split folder of 4 x 4 coloured-square images with metadata.jsonl (file_name, question, answer)."""
    return write_square_vqa(tmp_path_factory.mktemp("squares"), per_colour=4)
