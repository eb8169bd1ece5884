"""PPOTrainer: the RLHF loop of Ouyang et al. (2022), one readable step at a time.

For each of --epochs passes over the prompts, in chunks of --rl-chunk-size prompts (one "PPO step"):

1. rollout: the policy samples a response per prompt; policy, reference and value head score it;
2. reward: the reward model scores prompt + response;
3. advantages: per-token rewards (score minus KL penalty) through GAE, whitened;
4. update: --rl-num-ppo-epochs passes over the chunk in shuffled minibatches of
   --rl-mini-batch-size, each one AdamW step on policy_loss + rl_value_loss_coef * value_loss.

The policy runs in eval mode throughout: dropout off, so before the first update pi_new == pi_old
exactly and the PPO ratio starts at 1 (gradients flow in eval mode all the same).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from aitraining.engine.precision import checkpoint_dtype, frozen_dtype
from aitraining.tasks.llm.ppo.advantages import gae, masked_mean, masked_whiten, token_rewards
from aitraining.tasks.llm.ppo.checkpoint import Position, load_checkpoint, save_checkpoint, save_due
from aitraining.tasks.llm.ppo.losses import entropy, policy_loss, value_loss
from aitraining.tasks.llm.ppo.optim import Precision, build_optimizer, build_schedule
from aitraining.tasks.llm.ppo.reward import RewardScorer
from aitraining.tasks.llm.ppo.rollout import Rollout, SamplingSettings, collect_rollout, model_inputs, token_logprobs
from aitraining.tasks.llm.ppo.value_head import (
    PolicyWithValueHead,
    ReferencePolicy,
    place_on_device,
    trainable_parameters,
)

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams


@dataclass
class PPOTrainOutput:
    """What `train()` returns; the same attributes as transformers' TrainOutput."""

    global_step: int
    training_loss: float
    metrics: dict[str, float]


@dataclass
class PPOState:
    """Progress, with one `log_history` entry per PPO step (what task.py reads, like a Trainer's state)."""

    global_step: int = 0
    epoch: float = 0.0
    max_steps: int = 0
    log_history: list[dict[str, float]] = field(default_factory=list)


class PPOTrainer:
    """Trains `model` (a causal LM, or a peft LoRA model) with PPO against the reward model at
    `params.rl_reward_model_path`. After `train()`, `.model` is the trained policy to save."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        prompts_dataset: Any,
        params: LLMParams,
        project: Path,
        logger: Any,
        ref_model: Any = None,
    ) -> None:
        from transformers import set_seed

        set_seed(params.seed)  # value-head initialisation, prompt order and sampling
        model = place_on_device(model)
        self.model, self.tokenizer, self.params = model, tokenizer, params
        self.project, self.logger = Path(project), logger
        self.prompts = [list(row["input_ids"]) for row in prompts_dataset]
        # copied (if at all) before any update; frozen, so half precision is kept on a GPU
        self.reference = ReferencePolicy(model, ref_model, frozen_dtype(checkpoint_dtype(params.model or "")))
        self.policy_with_value = PolicyWithValueHead(model).eval()
        device = self.policy_with_value.device
        self.scorer = RewardScorer(params.rl_reward_model_path or "", tokenizer, device, logger, params.batch_size)
        self.sampling = SamplingSettings.from_params(params, tokenizer, model)
        self.trainable = list(trainable_parameters(self.policy_with_value))
        self.optimizer = build_optimizer(self.trainable, params)
        self.schedule = build_schedule(self.optimizer, params, self.total_updates())
        self.precision = Precision(params.mixed_precision, device)
        self.generator = torch.Generator().manual_seed(params.seed)  # prompt order and minibatches
        self.state = PPOState(max_steps=params.epochs * math.ceil(len(self.prompts) / params.rl_chunk_size))
        self.tensorboard: Any = None

    def total_updates(self) -> int:
        """Optimiser steps over the whole run (the learning-rate schedule spans them)."""
        p = self.params
        chunks = [min(p.rl_chunk_size, len(self.prompts) - s) for s in range(0, len(self.prompts), p.rl_chunk_size)]
        per_epoch = sum(math.ceil(size / p.rl_mini_batch_size) for size in chunks) * p.rl_num_ppo_epochs
        return max(1, per_epoch * p.epochs)

    def train(self, resume_from_checkpoint: str | None = None, guard: Any = None) -> PPOTrainOutput:
        """Run every PPO step; `guard` (engine/guard.py) sees each step and saves checkpoints."""
        started = time.time()
        position = Position()
        if resume_from_checkpoint:
            position = load_checkpoint(self, Path(resume_from_checkpoint))
            self.logger.info(f"PPO: resumed at step {self.state.global_step} of {self.state.max_steps}.")
        self.log_plan()
        if self.params.log == "tensorboard":
            from torch.utils.tensorboard import SummaryWriter

            self.tensorboard = SummaryWriter(str(self.project / "logs"))
        try:
            for epoch in range(position.epoch, self.params.epochs):
                self.run_epoch(epoch, position if epoch == position.epoch else Position(epoch), guard)
        finally:
            if self.tensorboard is not None:
                self.tensorboard.close()
        return self.output(time.time() - started)

    def log_plan(self) -> None:
        chunk = self.params.rl_chunk_size
        self.logger.info(
            f"PPO: {self.state.max_steps} steps ({len(self.prompts)} prompts in chunks of {chunk}, "
            f"epochs: {self.params.epochs}), {self.total_updates()} optimiser updates; reference policy: "
            + ("the policy with its LoRA adapter disabled." if self.reference.shares_policy else "a frozen copy.")
        )

    def run_epoch(self, epoch: int, position: Position, guard: Any) -> None:
        """One pass over the prompts, from `position.chunk` on (a resumed epoch keeps its prompt order)."""
        chunk = self.params.rl_chunk_size
        order = position.order or torch.randperm(len(self.prompts), generator=self.generator).tolist()
        starts = list(range(0, len(order), chunk))
        for index in range(position.chunk, len(starts)):
            stats = self.step([self.prompts[i] for i in order[starts[index] : starts[index] + chunk]])
            self.state.global_step += 1
            self.state.epoch = epoch + (index + 1) / len(starts)
            self.record(stats)
            if guard is not None:
                self.after_step(guard, stats, Position(epoch, index + 1, order), index + 1 == len(starts))

    def after_step(self, guard: Any, stats: dict[str, float], position: Position, last_of_epoch: bool) -> None:
        """Divergence check, scheduled or signal-requested checkpoint, and the stop after a signal."""
        step = self.state.global_step
        if guard.observe(step, stats["loss"], stats["grad_norm"]):
            return  # never a checkpoint of a diverged policy
        if guard.stop_requested or save_due(self.params, step, last_of_epoch):
            folder = guard.save(step, self.state.epoch, lambda staged: save_checkpoint(self, staged, position))
            if guard.stop_requested:
                raise guard.stop(folder, step)

    def step(self, queries: list[list[int]]) -> dict[str, float]:
        """One PPO step on a chunk of prompts; returns its statistics."""
        p = self.params
        with self.precision.autocast():
            rollout = collect_rollout(
                self.policy_with_value, self.reference, queries, self.sampling, p.batch_size
            )  # --batch-size rows per generation / scoring forward pass
        scores = self.scorer.score(rollout)
        mask = rollout.response_mask
        rewards, kl = token_rewards(rollout.logprobs, rollout.ref_logprobs, scores, mask, p.rl_kl_coef)
        advantages, returns = gae(rewards, rollout.values, mask, p.rl_gamma, p.rl_gae_lambda)
        advantages = masked_whiten(advantages, mask)
        stats = self.update(rollout, advantages, returns)
        stats.update(
            reward_mean=float(scores.mean()),
            reward_std=float(scores.std()) if len(scores) > 1 else 0.0,
            kl=float(kl.sum(dim=1).mean()),  # KL(policy || reference) per response, summed over tokens
            response_length=float(mask.sum(dim=1).float().mean()),
            responses=float(len(queries)),
            responses_cut=float(rollout.cut.sum()) if rollout.cut is not None else 0.0,
        )
        return stats

    def update(self, rollout: Rollout, advantages: torch.Tensor, returns: torch.Tensor) -> dict[str, float]:
        """--rl-num-ppo-epochs passes of shuffled minibatches; returns the mean of each statistic."""
        totals: dict[str, list[float]] = defaultdict(list)
        rows = rollout.response_ids.shape[0]
        for _ in range(self.params.rl_num_ppo_epochs):
            for index in torch.randperm(rows, generator=self.generator).split(self.params.rl_mini_batch_size):
                index = index.to(rollout.response_ids.device)
                minibatch = self.update_minibatch(rollout.rows(index), advantages[index], returns[index])
                for key, value in minibatch.items():
                    totals[key].append(value)
        return {key: sum(values) / len(values) for key, values in totals.items()}

    def update_minibatch(self, batch: Rollout, advantages: torch.Tensor, returns: torch.Tensor) -> dict[str, float]:
        p = self.params
        mask = batch.response_mask
        inputs = model_inputs(batch.query_ids, batch.query_mask, batch.response_ids)
        with self.precision.autocast():
            logits, values = self.policy_with_value(**inputs, response_length=batch.response_ids.shape[1])
        logprobs = token_logprobs(logits, batch.response_ids, p.rl_temperature)
        policy = policy_loss(logprobs, batch.logprobs, advantages, mask, p.rl_clip_range)
        value = value_loss(values.float(), batch.values, returns, mask, p.rl_value_clip_range)
        loss = policy.loss + p.rl_value_loss_coef * value.loss
        grad_norm = self.precision.step(loss, self.optimizer, self.trainable, p.max_grad_norm)
        learning_rate = self.schedule.get_last_lr()[0]
        self.schedule.step()
        return {
            "policy_loss": policy.loss.item(),
            "value_loss": value.loss.item(),
            "loss": loss.item(),
            "clip_fraction": policy.clip_fraction,
            "value_clip_fraction": value.clip_fraction,
            "approx_kl": policy.approx_kl,
            "entropy": entropy(logits, mask, p.rl_temperature),
            "value_mean": float(masked_mean(values.detach().float(), mask)),
            "grad_norm": grad_norm,
            "learning_rate": learning_rate,
        }

    def record(self, stats: dict[str, float]) -> None:
        entry = {"step": self.state.global_step, "epoch": round(self.state.epoch, 4), **stats}
        self.state.log_history.append(entry)
        self.logger.info(
            f"ppo step {entry['step']} | reward {stats['reward_mean']:.3f} | kl {stats['kl']:.3f} | "
            f"policy_loss {stats['policy_loss']:.4f} | value_loss {stats['value_loss']:.4f} | "
            f"clip {stats['clip_fraction']:.2f} | cut at --rl-max-new-tokens {stats['responses_cut']:.0f}/"
            f"{stats['responses']:.0f}"
        )
        if self.tensorboard is not None:
            for key, value in stats.items():
                self.tensorboard.add_scalar(f"ppo/{key}", value, entry["step"])

    def output(self, runtime: float) -> PPOTrainOutput:
        """Mean loss over all steps, and the reward at the start and the end (first / last quarter)."""
        history = self.state.log_history
        if not history:
            return PPOTrainOutput(0, 0.0, {"train_runtime": runtime})
        window = max(1, len(history) // 4)
        metrics = {
            "train_runtime": runtime,
            "train_reward_start": _mean(history[:window], "reward_mean"),
            "train_reward_end": _mean(history[-window:], "reward_mean"),
            "train_kl_end": _mean(history[-window:], "kl"),
            **cut_summary(history, self.params.rl_max_new_tokens, self.logger),
        }
        return PPOTrainOutput(self.state.global_step, _mean(history, "loss"), metrics)


def cut_summary(history: list[dict[str, float]], limit: int, logger: Any) -> dict[str, float]:
    """How many rollouts ran into --rl-max-new-tokens without a stop token; said in the log when any did."""
    cut = int(sum(entry.get("responses_cut", 0) for entry in history))
    total = int(sum(entry.get("responses", 0) for entry in history))
    if cut:
        logger.warning(
            f"Warning: {cut} of {total} PPO responses were cut at --rl-max-new-tokens {limit} before an EOS or "
            "end-of-turn token; the reward model scored them unfinished. Raise --rl-max-new-tokens if this is high."
        )
    return {"train_responses_cut": cut, "train_responses": total}


def _mean(entries: list[dict[str, float]], key: str) -> float:
    return sum(entry[key] for entry in entries) / len(entries)
