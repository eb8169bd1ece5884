"""Which dtype each model is loaded in (trained: float32; frozen: the checkpoint's half precision on a GPU),
the dtype saved, and the one pad-token fallback."""

from __future__ import annotations

import json
import logging

import pytest
import torch
from precision_helpers import stored_as
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

from aitraining.engine import modelload, precision
from aitraining.engine.models import load_frozen, load_trainable
from aitraining.errors import AitrainingError, ParamError
from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.llm.ppo.value_head import ReferencePolicy
from aitraining.testing import make_tiny_causal_lm

LOGGER = logging.getLogger("test-precision")


@pytest.fixture(scope="module")
def bf16_lm(tmp_path_factory):
    root = tmp_path_factory.mktemp("bf16")
    return stored_as(make_tiny_causal_lm(root / "fp32"), root / "bf16", torch.bfloat16)


@pytest.fixture
def gpu(monkeypatch):
    """Pretend a CUDA GPU is present, for the dtype decisions only (nothing is moved to a device)."""
    monkeypatch.setattr(precision, "has_cuda", lambda: True)


def params(model, **values) -> LLMParams:
    return LLMParams(model=str(model), **values)


def test_checkpoint_dtype_reads_the_config(bf16_lm, tmp_path):
    assert precision.checkpoint_dtype(str(bf16_lm)) == torch.bfloat16
    legacy = stored_as(bf16_lm, tmp_path / "legacy", torch.float16)
    config = json.loads((legacy / "config.json").read_text())
    config["torch_dtype"] = config.pop("dtype")  # configs written before transformers 5
    (legacy / "config.json").write_text(json.dumps(config))
    assert precision.checkpoint_dtype(str(legacy)) == torch.float16
    assert precision.checkpoint_dtype(str(tmp_path / "no-config")) == torch.float32


def test_full_fine_tune_trains_float32_weights_even_on_a_gpu(bf16_lm, gpu, caplog):
    with caplog.at_level(logging.INFO, logger="aitraining"):
        model = load_trainable(AutoModelForCausalLM, params(bf16_lm, mixed_precision="bf16"))
    assert precision.floating_dtypes(model) == {torch.float32}
    assert "Weights being trained: float32 (the checkpoint stores bfloat16); --mixed-precision bf16" in caplog.text


@pytest.mark.parametrize("on_gpu", [True, False])
def test_lora_keeps_a_frozen_half_base_on_a_gpu_and_trains_float32(bf16_lm, monkeypatch, on_gpu, caplog):
    monkeypatch.setattr(precision, "has_cuda", lambda: on_gpu)
    with caplog.at_level(logging.INFO, logger="aitraining"):
        model = load_trainable(
            AutoModelForSequenceClassification, params(bf16_lm, peft=True), lora_task_type="SEQ_CLS", num_labels=1
        )
    frozen = torch.bfloat16 if on_gpu else torch.float32
    assert precision.floating_dtypes(model, trainable=False) == {frozen}
    assert precision.floating_dtypes(model, trainable=True) == {torch.float32}
    trained = {name for name, p in model.named_parameters() if p.requires_grad}
    assert any("lora_A" in n for n in trained) and any("score" in n for n in trained)  # the head trains too
    assert f"frozen weights: {precision.dtype_name(frozen)}" in caplog.text


def test_frozen_reference_keeps_half_precision_on_a_gpu_only(bf16_lm, monkeypatch):
    monkeypatch.setattr(precision, "has_cuda", lambda: True)
    ref = load_frozen(AutoModelForCausalLM, str(bf16_lm), "reference policy", "--model-ref")
    assert precision.floating_dtypes(ref) == {torch.bfloat16}
    assert not any(p.requires_grad for p in ref.parameters()) and not ref.training
    monkeypatch.setattr(precision, "has_cuda", lambda: False)
    assert precision.floating_dtypes(load_frozen(AutoModelForCausalLM, str(bf16_lm), "ref")) == {torch.float32}


def test_frozen_load_error_names_the_flag(tmp_path):
    with pytest.raises(AitrainingError, match=r"--model-ref .*no such folder"):
        load_frozen(AutoModelForCausalLM, str(tmp_path / "missing"), "reference policy", "--model-ref")


def test_ppo_reference_copy_is_cast_to_the_frozen_dtype(bf16_lm):
    policy = AutoModelForCausalLM.from_pretrained(bf16_lm, dtype=torch.float32)
    reference = ReferencePolicy(policy, dtype=torch.bfloat16)
    assert precision.floating_dtypes(reference.model) == {torch.bfloat16}
    assert precision.floating_dtypes(policy) == {torch.float32}  # the policy itself is untouched


def test_flash_attention_on_float32_weights_needs_autocast(bf16_lm):
    with pytest.raises(ParamError, match="--mixed-precision bf16"):
        load_trainable(AutoModelForCausalLM, params(bf16_lm), attn_implementation="flash_attention_2")


def test_cast_for_saving_follows_save_dtype_and_leaves_peft_models_alone(bf16_lm, caplog):
    model = AutoModelForCausalLM.from_pretrained(bf16_lm, dtype=torch.float32)
    with caplog.at_level(logging.INFO, logger="test-precision"):
        precision.cast_for_saving(model, "float32", str(bf16_lm), LOGGER)
        assert precision.floating_dtypes(model) == {torch.float32} and caplog.text == ""
        precision.cast_for_saving(model, "auto", str(bf16_lm), LOGGER)
    assert precision.floating_dtypes(model) == {torch.bfloat16}
    assert "Saving the weights in bfloat16 (the dtype of the --model checkpoint)" in caplog.text
    model.peft_config = {"default": object()}  # what a peft wrapper carries
    precision.cast_for_saving(model, "float16", str(bf16_lm), LOGGER)
    assert precision.floating_dtypes(model) == {torch.bfloat16}


class FakeTokenizer:
    def __init__(self, unk: str | None, eos: str | None) -> None:
        self.pad_token, self.unk_token, self.eos_token = None, unk, eos


@pytest.mark.parametrize(("unk", "eos", "pad"), [("<unk>", "</s>", "<unk>"), (None, "</s>", "</s>")])
def test_pad_token_fallback_prefers_unk_then_eos(unk, eos, pad, caplog):
    tokenizer = FakeTokenizer(unk, eos)
    with caplog.at_level(logging.INFO, logger="test-precision"):
        modelload.ensure_pad_token(tokenizer, LOGGER)
    assert tokenizer.pad_token == pad and f"using {pad!r} for padding" in caplog.text


def test_pad_token_fallback_without_candidates_is_a_clear_error():
    with pytest.raises(AitrainingError, match="no pad, unk or eos token"):
        modelload.ensure_pad_token(FakeTokenizer(None, None), LOGGER)
