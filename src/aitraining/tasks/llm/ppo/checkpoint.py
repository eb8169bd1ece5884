"""PPO checkpoints: everything needed to continue the same run from a chunk boundary.

A checkpoint holds the trainable weights (policy or its LoRA adapter, and the value head), the AdamW
and schedule states, the fp16 loss scaler, every random state (Python, NumPy, torch, CUDA, and the
trainer's own generator for prompt order and minibatches), the current epoch's prompt order and the
position in it, and the log history. The engine (engine/guard.py) writes it atomically with a manifest.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams
    from aitraining.tasks.llm.ppo.trainer import PPOTrainer

STATE_FILE = "ppo_state.pt"
PROGRESS_FILE = "ppo_progress.json"  # the same progress, readable


@dataclass
class Position:
    """Where the loop continues: epoch, next chunk index, and that epoch's prompt order (None: draw it)."""

    epoch: int = 0
    chunk: int = 0
    order: list[int] | None = None


def save_checkpoint(trainer: PPOTrainer, folder: Path, position: Position) -> None:
    weights = {n: p.detach().cpu() for n, p in trainer.policy_with_value.named_parameters() if p.requires_grad}
    scaler = trainer.precision.scaler
    state = {
        "weights": weights,
        "optimizer": trainer.optimizer.state_dict(),
        "schedule": trainer.schedule.state_dict(),
        "scaler": scaler.state_dict() if scaler is not None else None,
        "rng": {
            "python": random.getstate(),
            "numpy": np.random.get_state(),
            "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            "generator": trainer.generator.get_state(),
        },
        "position": {"epoch": position.epoch, "chunk": position.chunk, "order": position.order},
        "global_step": trainer.state.global_step,
        "epoch": trainer.state.epoch,
        "log_history": trainer.state.log_history,
    }
    torch.save(state, folder / STATE_FILE)
    progress = {k: state[k] for k in ("global_step", "epoch", "position", "log_history")}
    (folder / PROGRESS_FILE).write_text(json.dumps(progress, indent=2, default=str) + "\n")


def load_checkpoint(trainer: PPOTrainer, folder: Path) -> Position:
    state = torch.load(folder / STATE_FILE, map_location="cpu", weights_only=False)  # our own file
    named = dict(trainer.policy_with_value.named_parameters())
    with torch.no_grad():
        for name, tensor in state["weights"].items():
            named[name].copy_(tensor.to(named[name].device))
    trainer.optimizer.load_state_dict(state["optimizer"])
    trainer.schedule.load_state_dict(state["schedule"])
    if state["scaler"] is not None and trainer.precision.scaler is not None:
        trainer.precision.scaler.load_state_dict(state["scaler"])
    rng = state["rng"]
    random.setstate(rng["python"])
    np.random.set_state(rng["numpy"])
    torch.set_rng_state(rng["torch"])
    if rng["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])
    trainer.generator.set_state(rng["generator"])
    trainer.state.global_step, trainer.state.epoch = state["global_step"], state["epoch"]
    trainer.state.log_history = list(state["log_history"])
    return Position(**state["position"])


def save_due(params: LLMParams, global_step: int, last_of_epoch: bool) -> bool:
    """--save-strategy for PPO steps: every --save-steps PPO steps, or at the end of each epoch."""
    if params.save_strategy == "steps":
        return global_step % params.save_steps == 0
    return params.save_strategy == "epoch" and last_of_epoch
