"""Gradient checkpointing (on by default) with a LoRA adapter on a GPU: the adapter in every layer learns.

The classic failure: with checkpointing, a frozen base gives the checkpointed blocks inputs that do not
require grad, and with re-entrant checkpointing no gradient reaches the adapters inside them ("none of the
inputs have requires_grad"): training "runs" while the adapters stay at their start. LoRA's B matrices start
at zero, so a B that is still zero after training is an adapter that got no gradient.
"""

from __future__ import annotations

import math

import pytest
from gpu_helpers import DEVICE, SHORT, falls, llm, losses

pytestmark = pytest.mark.gpu


def test_lora_with_gradient_checkpointing_trains_every_adapter(run_cli, lm256, text_data, tmp_path, loaded_models):
    from safetensors.torch import load_file

    project = tmp_path / "gc"
    code, log = run_cli(
        *llm("--trainer", "generic", "--model", lm256, "--data-path", text_data, "--project-name", project),
        *(*SHORT, "--peft", "--lora-r", "8", "--lora-alpha", "16", "--merge-adapter=False"),
        *("--epochs", "3", "--lr", "3e-3", "--mixed-precision", "bf16"),
    )
    assert code == 0, log
    model = loaded_models[0]
    assert model.get_base_model().is_gradient_checkpointing  # the Trainer turned it on (no --disable flag)
    assert next(model.parameters()).device.type == DEVICE
    seen = losses(project)
    assert all(math.isfinite(x) for x in seen) and falls(seen, 0.9), seen
    adapter = load_file(project / "adapter_model.safetensors")  # --merge-adapter=False: the root is the adapter
    b_matrices = {name: t for name, t in adapter.items() if "lora_B" in name}
    layers = model.get_base_model().config.num_hidden_layers
    assert len(b_matrices) >= 7 * layers  # all-linear: q, k, v, o, gate, up, down in each layer
    untrained = [name for name, t in b_matrices.items() if not t.abs().sum() > 0]
    assert not untrained, untrained
