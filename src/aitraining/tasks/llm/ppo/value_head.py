"""The policy with a value head, and the frozen reference policy.

The value head is one Linear layer on the policy's last hidden state: V(s_t) estimates the return
still to come after the response prefix s_t. It shares the policy's body, so one forward gives both
the next-token logits and the values. With LoRA, the base weights stay frozen and the adapter plus
the value head are what trains. Only the policy is saved; the value head is a training aid.
"""

from __future__ import annotations

import copy
import functools
import inspect
import math
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn


def is_peft_model(model: Any) -> bool:
    return hasattr(model, "disable_adapter") and hasattr(model, "get_base_model")


def place_on_device(model: Any) -> Any:
    """Move the policy to the GPU when there is one. A model that accelerate already dispatched
    (quantized or `device_map` loading, which records `hf_device_map`) stays where it is."""
    if getattr(model, "hf_device_map", None) or not torch.cuda.is_available():
        return model
    return model.to("cuda")


@functools.cache
def _forward_accepts_logits_to_keep(forward: Any) -> bool:
    return "logits_to_keep" in inspect.signature(forward).parameters


def _accepts_logits_to_keep(model: Any) -> bool:
    base = model.get_base_model() if is_peft_model(model) else model
    return _forward_accepts_logits_to_keep(type(base).forward)


def response_forward(model: Any, response_length: int, *, hidden: bool = False, **inputs: Any) -> Any:
    """Forward prompt + response; return the logits that predict the R response tokens [B, R, V]
    and, with `hidden`, the last hidden states at the same positions [B, R, H].

    The logits at position t predict token t + 1, so the R response tokens (the last R positions)
    are predicted by the R positions before them: [-R - 1, -1). `logits_to_keep` saves computing
    the vocabulary projection over the whole prompt.
    """
    kwargs: dict[str, Any] = {"use_cache": False, "output_hidden_states": hidden}
    if _accepts_logits_to_keep(model):
        kwargs["logits_to_keep"] = response_length + 1
    out = model(**inputs, **kwargs)
    logits = out.logits[:, -response_length - 1 : -1]
    if not hidden:
        return logits
    return logits, out.hidden_states[-1][:, -response_length - 1 : -1]


class PolicyWithValueHead(nn.Module):
    """`forward(input_ids, attention_mask, position_ids, response_length) -> (logits, values)`."""

    def __init__(self, policy: Any) -> None:
        super().__init__()
        self.policy = policy
        hidden_size = policy.config.get_text_config().hidden_size
        self.value_head = nn.Linear(hidden_size, 1)
        # Small initial values: the first advantages are then driven by the rewards, not by noise.
        nn.init.normal_(self.value_head.weight, std=1 / math.sqrt(hidden_size + 1))
        nn.init.zeros_(self.value_head.bias)
        # The head reads the last hidden state, which lives where the output layer lives.
        self.value_head.to(policy.get_output_embeddings().weight.device)

    @property
    def device(self) -> torch.device:
        """Where inputs go: the device of the input embeddings (the first layer)."""
        return self.policy.get_input_embeddings().weight.device

    def forward(self, response_length: int, **inputs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        logits, hidden = response_forward(self.policy, response_length, hidden=True, **inputs)
        values = self.value_head(hidden.to(self.value_head.weight.dtype)).squeeze(-1)
        return logits, values.float()  # float32 even under autocast: GAE sums many small terms


class ReferencePolicy:
    """log pi_ref: the policy as it was before PPO, used for the KL penalty.

    With a LoRA policy the reference is the same model with its adapter switched off (no second
    copy in memory); otherwise it is a frozen copy of the starting model (cast to `dtype` when given:
    the checkpoint's half precision on a GPU), or `ref_model` if given.
    """

    def __init__(self, policy: Any, ref_model: Any = None, dtype: torch.dtype | None = None) -> None:
        self.policy = policy
        self.model = ref_model
        if ref_model is None and not is_peft_model(policy):
            self.model = copy.deepcopy(policy)
            if dtype is not None:
                self.model.to(dtype)
        if self.model is not None:
            self.model.eval()
            self.model.requires_grad_(False)

    @property
    def shares_policy(self) -> bool:
        return self.model is None

    @torch.no_grad()
    def __call__(self, response_length: int, **inputs: Any) -> torch.Tensor:
        if self.model is not None:
            return response_forward(self.model, response_length, **inputs)
        with self.policy.disable_adapter():
            return response_forward(self.policy, response_length, **inputs)


def trainable_parameters(model: nn.Module) -> Iterator[nn.Parameter]:
    return (p for p in model.parameters() if p.requires_grad)
