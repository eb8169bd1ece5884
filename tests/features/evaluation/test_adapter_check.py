"""The report is refused when the trained model's logits equal the base model's (an adapter never applied)."""

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from aitraining.features.evaluation.encode import Example, example_request
from aitraining.features.evaluation.loglik import first_batch_logits
from aitraining.features.evaluation.run import AdapterNotApplied, check_adapter_applied


def logits(model, tokenizer):
    requests = [example_request(Example(q, "apple"), tokenizer, eos_after_text=True) for q in ("red", "blue", "x")]
    return first_batch_logits(model, requests, batch_size=2, pad_id=tokenizer.pad_token_id, max_length=64)


def test_untrained_lora_adapter_is_refused_and_a_moved_one_passes(tiny_lm):
    from peft import LoraConfig, get_peft_model

    tokenizer = AutoTokenizer.from_pretrained(tiny_lm)
    base_logits = logits(AutoModelForCausalLM.from_pretrained(tiny_lm).eval(), tokenizer)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    adapted = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_lm), config).eval()
    assert base_logits.shape[0] > 0
    with pytest.raises(AdapterNotApplied, match="LoRA adapter was not applied"):
        check_adapter_applied(base_logits, logits(adapted, tokenizer))  # lora_B starts at zero: same logits
    with torch.no_grad():
        for name, weight in adapted.named_parameters():
            if "lora_B" in name:
                weight.fill_(0.05)
    passed = check_adapter_applied(base_logits, logits(adapted, tokenizer))
    assert passed["passed"] and passed["max_abs_logit_difference"] > 1e-3
