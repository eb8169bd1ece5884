"""The image commands load through `engine.models` too: a bf16 ViT trains in float32 (its weights move and its
loss follows its fp32 copy's exactly), and with --peft the adapter and the new head train in float32."""

from __future__ import annotations

import pytest
import torch
from precision_helpers import changed_fraction, losses, saved_dtypes, stored_as

from aitraining.testing.vision import make_tiny_vit, write_colour_classes

QUICK = ["--lr", "2e-5", "--warmup-ratio", "0", "--epochs", "2", "--batch-size", "4", "--logging-steps", "1"]
QUICK += ["--save-strategy", "no", "--disable-gradient-checkpointing"]


@pytest.fixture(scope="module")
def vits(tmp_path_factory):
    """A tiny ViT stored in bf16, and the very same weights stored in float32."""
    root = tmp_path_factory.mktemp("vit")
    bf16 = stored_as(make_tiny_vit(root / "init"), root / "bf16", torch.bfloat16)
    return bf16, stored_as(bf16, root / "fp32-copy", torch.float32)


@pytest.fixture(scope="module")
def colours(tmp_path_factory):
    return write_colour_classes(tmp_path_factory.mktemp("colours"), n=40)


def train(run_cli, model, data, project, *extra):
    args = ["--train", "--model", model, "--data-path", data, "--project-name", project, *QUICK, *extra]
    code, log = run_cli("image-classification", *args)
    assert code == 0, log
    return log


def test_bf16_vit_trains_in_float32_like_its_fp32_copy(run_cli, tmp_path, vits, colours):
    bf16, fp32_copy = vits
    log = train(run_cli, bf16, colours, tmp_path / "from-bf16", "--save-dtype", "float32")
    train(run_cli, fp32_copy, colours, tmp_path / "from-fp32")
    assert "Weights being trained: float32 (the checkpoint stores bfloat16)" in log
    from_bf16 = losses(tmp_path / "from-bf16")
    assert len(from_bf16) >= 10
    assert from_bf16 == pytest.approx(losses(tmp_path / "from-fp32"), abs=1e-4)  # same float32 start and steps
    assert saved_dtypes(tmp_path / "from-bf16") == {torch.float32}
    assert changed_fraction(bf16, tmp_path / "from-bf16") > 0.95  # in bf16, lr 2e-5 steps would round away


def test_bf16_vit_lora_trains_adapter_and_head_in_float32(run_cli, tmp_path, vits, colours):
    bf16, _ = vits
    project = tmp_path / "lora"
    log = train(run_cli, bf16, colours, project, "--peft", "--lora-r", "4", "--epochs", "1")
    assert "Weights being trained: float32; frozen weights: float32 (the checkpoint stores bfloat16)" in log
    assert (project / "adapter" / "adapter_config.json").is_file()
    assert saved_dtypes(project) == {torch.bfloat16}  # the merged model goes back to the checkpoint's dtype
