"""int4 and int8 QLoRA through bitsandbytes, then the merged save (engine/models.py save_trained/merge_adapter).

The merged model must be a plain full-precision model (no bitsandbytes layers, no quantization config) whose
logits are those of the trained adapter: exactly so on the full-precision base (the merge itself), and up to
the base's own quantization error on the quantized base the adapter was trained with.
"""

from __future__ import annotations

import json
import math

import pytest
from gpu_helpers import DEVICE, SHORT, batch_logits, bnb_modules, falls, llm, losses, text_batch

pytestmark = [pytest.mark.gpu, pytest.mark.cuda_only, pytest.mark.requires("bitsandbytes")]


@pytest.mark.parametrize("mode", ["int4", "int8"])
def test_qlora_trains_and_merges_into_a_full_precision_model(
    run_cli, lm256, text_data, tmp_path, loaded_models, record_property, mode
):
    import torch

    project = tmp_path / mode
    code, log = run_cli(
        *llm("--trainer", "generic", "--model", lm256, "--data-path", text_data, "--project-name", project),
        *(*SHORT, "--quantization", mode, "--peft", "--lora-r", "16", "--lora-alpha", "32", "--merge-adapter"),
        *("--epochs", "3", "--lr", "3e-3"),
    )
    assert code == 0, log
    trained = loaded_models[0]
    assert trained.get_base_model().hf_device_map == {"": 0}  # the whole model on this process's GPU, never "auto"
    assert bnb_modules(trained), "the base was not quantized"
    seen = losses(project)
    assert all(math.isfinite(x) for x in seen) and falls(seen, 0.9), seen
    del trained, loaded_models[:]

    from transformers import AutoModelForCausalLM

    merged = AutoModelForCausalLM.from_pretrained(project).to(DEVICE).eval()
    assert not bnb_modules(merged) and "quantization_config" not in json.loads((project / "config.json").read_text())
    assert {p.dtype for p in merged.parameters()} == {torch.float32}  # the checkpoint's dtype
    for name, value in compare_logits(merged, lm256, project, mode).items():
        record_property(name, value)  # into the junit xml of the GPU run (scripts/gpu_checks.sh)


def compare_logits(merged, base_path, project, mode) -> dict[str, float]:
    """Tolerances, on float32 logits at the real positions of one padded batch:
    - merged vs adapter on the full-precision base (the merge itself): the same sums in another order, in
      float32 (TF32 is off for matmuls by default), so max |diff| < 1e-3 where logits are O(1). This is the
      check that catches the real bugs: an adapter dropped, or merged into dequantized int4/int8 weights (then
      the difference is the whole quantization error, 1e-2 and more);
    - the adapter changed the logits by far more than that merge error (else the check above proves nothing);
    - merged vs adapter on the quantized base the adapter was trained with: they differ by the base's
      quantization error, which `base vs quantized base` measures with no adapter. The adapter moves the
      activations that error acts on a little, and the frozen lm_head (after the final norm) keeps the logit
      scale, so the propagated error stays of that size: we allow 3x its mean |diff|, plus 1e-3 for int4's bf16
      compute.
    """
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from aitraining.engine.hardware import quantization_config

    batch = text_batch(AutoTokenizer.from_pretrained(project))
    adapter = str(project / "adapter")

    def full_base():
        return AutoModelForCausalLM.from_pretrained(base_path).to(DEVICE).eval()

    def quantized_base():
        return AutoModelForCausalLM.from_pretrained(
            base_path, quantization_config=quantization_config(mode, "none"), device_map={"": 0}
        ).eval()

    merged_logits = batch_logits(merged, batch)
    base_logits = batch_logits(full_base(), batch)
    exact = batch_logits(PeftModel.from_pretrained(full_base(), adapter).eval(), batch)
    on_quantized = batch_logits(PeftModel.from_pretrained(quantized_base(), adapter).eval(), batch)
    quantization_error = (batch_logits(quantized_base(), batch) - base_logits).abs().mean().item()

    merge_error = (merged_logits - exact).abs().max().item()
    adapter_effect = (merged_logits - base_logits).abs().max().item()
    transfer_error = (merged_logits - on_quantized).abs().mean().item()
    numbers = f"{merge_error=:.2e} {adapter_effect=:.2e} {transfer_error=:.2e} {quantization_error=:.2e}"
    assert merge_error < 1e-3, numbers
    assert adapter_effect > max(1e-2, 10 * merge_error), numbers
    assert transfer_error <= 3 * quantization_error + 1e-3, numbers
    return {
        "merge_error": merge_error,
        "adapter_effect": adapter_effect,
        "transfer_error": transfer_error,
        "quantization_error": quantization_error,
    }
