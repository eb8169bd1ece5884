"""PPO test fixtures (ppo_helpers describes the reward model's signal)."""

from __future__ import annotations

import pytest
from ppo_helpers import one_thread, train_reward_model


@pytest.fixture(autouse=True)
def _one_thread():
    with one_thread():
        yield


@pytest.fixture(scope="session")
def reward_model(tiny_lm, tmp_path_factory):
    with one_thread():
        return train_reward_model(str(tiny_lm), tmp_path_factory.mktemp("reward_model"))
