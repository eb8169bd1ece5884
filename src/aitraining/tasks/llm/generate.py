"""Generate from a trained model folder, prompts rendered under the prompt rule (tasks/llm/prompt_rule.py):
a user turn when the saved tokenizer has a chat template, raw text when it has none (--chat-template none)."""

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


def generate(
    model_dir: str | Path, prompts: list[str], sampling: Sampling | None = None, tokenizer: Any = None
) -> list[str]:
    """One reply per prompt, decoded without special tokens (`tokenizer`: the folder's, already loaded)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from aitraining.tasks.llm.prompt_rule import encode_prompt

    sampling = sampling or Sampling()
    tokenizer = tokenizer or AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    replies = []
    for prompt in prompts:
        ids = torch.tensor([encode_prompt(prompt, tokenizer)], device=model.device)
        with torch.no_grad():
            out = model.generate(
                input_ids=ids,
                attention_mask=torch.ones_like(ids),
                **sampling.generate_kwargs(),
                pad_token_id=tokenizer.pad_token_id,
            )
        replies.append(tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True).strip())
    return replies
