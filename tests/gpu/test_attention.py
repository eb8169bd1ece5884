"""Attention backends on a GPU: the model trains with the implementation asked for, and that implementation
gives the loss eager attention gives on the same padded batch.

The product has one attention flag, --use-flash-attention-2; without it transformers picks SDPA (PyTorch's
fused scaled_dot_product_attention), which is what every other run here trains with.
"""

from __future__ import annotations

import math

import pytest
from gpu_helpers import DEVICE, SHORT, batch_loss, falls, llm, losses, text_batch

pytestmark = pytest.mark.gpu


def train(run_cli, model, data, project, *extra):
    code, log = run_cli(
        *llm("--trainer", "generic", "--model", model, "--data-path", data, "--project-name", project),
        *(*SHORT, "--epochs", "2", "--lr", "2e-3", *extra),
    )
    assert code == 0, log
    seen = losses(project)
    assert all(math.isfinite(x) for x in seen) and falls(seen, 0.9), seen
    return log


def losses_by_backend(project, runs: list[tuple[str, str]]) -> dict[str, float]:
    """The saved model's loss on one padded batch, loaded with each (attn_implementation, dtype) of `runs`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    batch = text_batch(AutoTokenizer.from_pretrained(project))
    found = {}
    for implementation, dtype in runs:
        model = AutoModelForCausalLM.from_pretrained(
            project, attn_implementation=implementation, dtype=getattr(torch, dtype)
        )
        model = model.to(DEVICE).eval()
        assert model.config._attn_implementation == implementation
        found[f"{implementation}_{dtype}"] = batch_loss(model, batch)
        del model
    return found


def test_default_is_sdpa_and_matches_eager(run_cli, lm256, text_data, tmp_path, loaded_models, record_property):
    project = tmp_path / "sdpa"
    train(run_cli, lm256, text_data, project)
    assert loaded_models[0].config._attn_implementation == "sdpa"
    found = losses_by_backend(project, [("eager", "float32"), ("sdpa", "float32"), ("eager", "bfloat16")])
    for name, value in found.items():
        record_property(name, value)
    # float32: the same maths with the softmax fused, so only summation order differs (~1e-6 relative);
    # 1e-4 relative still catches a wrong mask (padding attended, or causality lost), which moves the loss by
    # whole percents.
    assert found["sdpa_float32"] == pytest.approx(found["eager_float32"], rel=1e-4), found


@pytest.mark.cuda_only
@pytest.mark.requires("flash_attn")
def test_flash_attention_2_trains_and_matches_eager(
    run_cli, lm256, text_data, tmp_path, loaded_models, record_property
):
    project = tmp_path / "fa2"
    # float32 weights being trained: FlashAttention runs on half-precision activations, hence autocast
    train(run_cli, lm256, text_data, project, "--use-flash-attention-2", "--mixed-precision", "bf16")
    assert loaded_models[0].config._attn_implementation == "flash_attention_2"
    runs = [("eager", "float32"), ("eager", "bfloat16"), ("flash_attention_2", "bfloat16")]
    found = losses_by_backend(project, runs)
    for name, value in found.items():
        record_property(name, value)
    # FlashAttention runs in bf16, so it can only match eager up to bf16 rounding. We measure that rounding
    # on this batch (eager in bf16 against eager in float32) and allow twice it, or 1% of the loss when the
    # two happen to agree closely; a masking error (padding attended by the unpadded varlen kernel, or no
    # causality) moves the loss by far more.
    rounding = abs(found["eager_bfloat16"] - found["eager_float32"])
    allowed = max(2 * rounding, 0.01 * found["eager_float32"])
    assert abs(found["flash_attention_2_bfloat16"] - found["eager_bfloat16"]) <= allowed, found
