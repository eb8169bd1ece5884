"""Image tests train tiny conv/attention models: one torch thread is much faster on the shared test CPU."""

import pytest

from aitraining.testing.vision import torch_threads


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    with torch_threads(1):
        yield
