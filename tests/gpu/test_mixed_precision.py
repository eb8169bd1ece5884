"""bf16 and fp16 mixed precision on a GPU: float32 master weights under autocast, the loss falls, and the
saved model is in the checkpoint's own dtype (engine/precision.py)."""

from __future__ import annotations

import math

import pytest
from gpu_helpers import DEVICE, SHORT, falls, llm, losses, saved_dtypes, stored_as, text_batch

pytestmark = [pytest.mark.gpu, pytest.mark.cuda_only]  # CPU autocast keeps frozen weights float32

CASES = [
    # (--mixed-precision, the checkpoint's dtype, --peft): full fine-tuning in both half formats, and LoRA on a
    # frozen bf16 base, the usual combination (frozen weights stay in half precision on a GPU)
    ("bf16", "bfloat16", False),
    ("fp16", "float16", False),
    ("bf16", "bfloat16", True),
]


@pytest.mark.parametrize(("precision", "stored", "peft"), CASES)
def test_mixed_precision_trains_float32_weights(
    run_cli, lm256, text_data, tmp_path, loaded_models, precision, stored, peft
):
    import torch

    base = stored_as(lm256, tmp_path / "base", getattr(torch, stored))
    project = tmp_path / "run"
    extra = ("--peft", "--lora-r", "16", "--lora-alpha", "32", "--merge-adapter") if peft else ()
    code, log = run_cli(
        *llm("--trainer", "generic", "--model", base, "--data-path", text_data, "--project-name", project),
        *(*SHORT, "--mixed-precision", precision, "--epochs", "3", "--lr", "2e-3" if peft else "1e-3", *extra),
    )
    assert code == 0, log
    frozen = f"; frozen weights: {stored}" if peft else ""
    assert (
        f"Weights being trained: float32{frozen} (the checkpoint stores {stored}); --mixed-precision {precision} "
        "runs the forward and backward passes under autocast." in log
    )
    model = loaded_models[0]
    assert next(model.parameters()).device.type == DEVICE
    seen = losses(project)
    assert all(math.isfinite(x) for x in seen), seen  # fp16: the grad scaler skipped overflowing steps, no NaN
    assert falls(seen, 0.9 if peft else 0.8), seen
    # saved in the checkpoint's dtype (--save-dtype auto); with LoRA the merged model at the root is too
    assert saved_dtypes(project) == {getattr(torch, stored)}
    check_saved_model_predicts(project, getattr(torch, stored))


def check_saved_model_predicts(project, dtype) -> None:
    """The saved model reloads in its dtype on the GPU and its loss on counting lines is finite and well below
    the uniform guess, ln(vocabulary size) = what the random start scores: the training survived the cast."""
    from gpu_helpers import batch_loss
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(project)
    model = AutoModelForCausalLM.from_pretrained(project, dtype=dtype).to(DEVICE).eval()
    assert {p.dtype for p in model.parameters()} == {dtype}
    loss = batch_loss(model, text_batch(tokenizer))
    assert math.isfinite(loss) and loss < 0.8 * math.log(len(tokenizer)), loss
    del model
