"""Optimiser, learning-rate schedule and mixed precision for the PPO updates.

The shared flags mean what they mean for the other trainers: --lr and --weight-decay configure
AdamW, --scheduler with --warmup-ratio/--warmup-steps shapes the learning rate over all PPO
updates, --max-grad-norm clips gradients, --mixed-precision runs the forward passes under autocast.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams


def build_optimizer(parameters: list[torch.nn.Parameter], params: LLMParams) -> torch.optim.Optimizer:
    fused = params.optimizer == "adamw_torch_fused" and all(p.is_cuda for p in parameters)
    return torch.optim.AdamW(parameters, lr=params.lr, weight_decay=params.weight_decay, fused=fused or None)


def check_schedule(params: LLMParams) -> None:
    params.check_ppo_schedule()  # also run at resolve time, by LLMParams.check()


def build_schedule(optimizer: torch.optim.Optimizer, params: LLMParams, total_updates: int) -> Any:
    """transformers' named schedule over `total_updates` optimiser steps."""
    from transformers import get_scheduler

    check_schedule(params)
    ratio_warmup = int(params.warmup_ratio * total_updates)
    warmup = ratio_warmup if params.warmup_steps is None else int(params.warmup_steps)
    return get_scheduler(params.scheduler, optimizer, num_warmup_steps=warmup, num_training_steps=total_updates)


class Precision:
    """Autocast for forward passes and, with fp16, loss scaling for the backward pass."""

    def __init__(self, mode: str, device: torch.device) -> None:
        self.device_type = device.type
        self.dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(mode)
        self.scaler = torch.amp.GradScaler(device.type) if mode == "fp16" else None

    def autocast(self) -> AbstractContextManager:
        if self.dtype is None:
            return nullcontext()
        return torch.autocast(device_type=self.device_type, dtype=self.dtype)

    def step(
        self,
        loss: torch.Tensor,
        optimizer: torch.optim.Optimizer,
        parameters: list[torch.nn.Parameter],
        max_grad_norm: float,
    ) -> float:
        """Backward, clip the gradient norm to `max_grad_norm`, step, clear; returns the norm before clipping."""
        if self.scaler is None:
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
            optimizer.step()
        else:
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(optimizer)
            norm = torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
            self.scaler.step(optimizer)
            self.scaler.update()
        optimizer.zero_grad(set_to_none=True)
        return float(norm)
