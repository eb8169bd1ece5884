"""Generate from a trained model folder (chat template applied when the tokenizer has one)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Sampling:
    max_new_tokens: int = 32
    temperature: float = 0.0  # 0: greedy
    top_k: int = 0
    top_p: float = 1.0

    def generate_kwargs(self) -> dict[str, Any]:
        if self.temperature <= 0:
            return {"max_new_tokens": self.max_new_tokens, "do_sample": False}
        return {
            "max_new_tokens": self.max_new_tokens,
            "do_sample": True,
            "temperature": self.temperature,
            "top_k": self.top_k,
            "top_p": self.top_p,
        }


def generate(model_dir: str | Path, prompts: list[str], sampling: Sampling | None = None) -> list[str]:
    """One reply per prompt, decoded without special tokens."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    sampling = sampling or Sampling()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    replies = []
    for prompt in prompts:
        inputs: Any
        if tokenizer.chat_template:
            messages = [{"role": "user", "content": prompt}]
            inputs = tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, return_dict=True, return_tensors="pt"
            )
        else:
            inputs = tokenizer(prompt, return_tensors="pt")
        inputs = inputs.to(model.device)
        with torch.no_grad():
            out = model.generate(**inputs, **sampling.generate_kwargs(), pad_token_id=tokenizer.pad_token_id)
        replies.append(tokenizer.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True).strip())
    return replies
