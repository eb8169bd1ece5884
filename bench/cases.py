"""The benchmark cases: each is one job, run by our CLI and by the plain upstream script, with one set of
settings that both sides read (batch, accumulation, warmup, lr, epochs, length, seed, logging, packing).

Both sides: no evaluation during training, no checkpoints during training, gradient checkpointing off,
the final model saved. The supervised commands hold out 20% and evaluate once at the end, and so do their
plain scripts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# AutoTrain's defaults, set explicitly on both sides (the commands' own defaults may differ).
COMMON: dict[str, Any] = {
    "batch_size": 2,
    "gradient_accumulation": 4,
    "warmup_ratio": 0.1,
    "epochs": 1,
    "seed": 42,
    "logging_steps": 10,
    "mixed_precision": "none",
    # Ours defaults to AutoTrain's adamw_torch; transformers 5 defaults to adamw_torch_fused (faster on CPU).
    "optimizer": "adamw_torch",
    "scheduler": "linear",
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,
}


@dataclass(frozen=True)
class Case:
    name: str
    plain: str  # script under bench/plain
    unit: str  # what `units` counts: trained tokens, samples, or row-fits (tabular)
    inputs: tuple[str, str]  # (model fixture, data fixture)
    settings: dict[str, Any]
    ours: Callable[[Path, Path, dict[str, Any]], list[str]]  # (model, data, settings) -> CLI arguments
    gpu_only: bool = False

    @property
    def all_settings(self) -> dict[str, Any]:
        return {**COMMON, **self.settings}


def trainer_flags(s: dict[str, Any]) -> list[str]:
    """The Trainer settings of `s` as our flags (every command but tabular)."""
    return [
        *("--lr", str(s["lr"]), "--epochs", str(s["epochs"]), "--batch-size", str(s["batch_size"])),
        *("--gradient-accumulation", str(s["gradient_accumulation"]), "--warmup-ratio", str(s["warmup_ratio"])),
        *("--seed", str(s["seed"]), "--logging-steps", str(s["logging_steps"]), "--save-strategy", "no"),
        *("--mixed-precision", s["mixed_precision"], "--disable-gradient-checkpointing"),
        *("--optimizer", s["optimizer"], "--scheduler", s["scheduler"]),
        *("--weight-decay", str(s["weight_decay"]), "--max-grad-norm", str(s["max_grad_norm"])),
    ]


def llm(trainer: str, *extra: str) -> Callable[[Path, Path, dict[str, Any]], list[str]]:
    def argv(model: Path, data: Path, s: dict[str, Any]) -> list[str]:
        flags = ["llm", "--train", "--trainer", trainer, "--model", str(model), "--data-path", str(data)]
        flags += ["--block-size", str(s["max_length"]), *extra, *trainer_flags(s)]
        return flags + (["--packing"] if s.get("packing") else [])

    return argv


def supervised(command: str, *extra: str) -> Callable[[Path, Path, dict[str, Any]], list[str]]:
    def argv(model: Path, data: Path, s: dict[str, Any]) -> list[str]:
        flags = [command, "--train", "--model", str(model), "--data-path", str(data), "--eval-strategy", "no"]
        flags += ["--max-seq-length", str(s["max_length"]), *extra, *trainer_flags(s)]
        if "max_target_length" in s:
            flags += ["--max-target-length", str(s["max_target_length"])]
        return flags

    return argv


def tabular(model: Path, data: Path, s: dict[str, Any]) -> list[str]:
    del model  # the algorithm is a flag, not a checkpoint
    return [
        *("tabular", "--train", "--model", "xgboost", "--data-path", str(data), "--target-columns", "target"),
        *("--num-trials", str(s["num_trials"]), "--time-limit", "100000", "--seed", str(s["seed"])),
    ]


SFT = {"lr": 1e-3, "max_length": 128, "assistant_only_loss": True}
CASES: tuple[Case, ...] = (
    Case("llm-sft-padded", "llm_sft.py", "tokens", ("causal_lm", "chat"), {**SFT, "packing": False}, llm("sft")),
    Case("llm-sft-packed", "llm_sft.py", "tokens", ("causal_lm", "chat"), {**SFT, "packing": True}, llm("sft")),
    Case(
        "llm-dpo",
        "llm_dpo.py",
        "tokens",
        ("causal_lm", "preference"),
        {"lr": 5e-4, "max_length": 128, "dpo_beta": 0.1},
        llm("dpo", "--text-column", "chosen", "--prompt-text-column", "prompt", "--rejected-text-column", "rejected"),
    ),
    Case(
        "llm-generic",
        "llm_generic.py",
        "tokens",
        ("causal_lm", "text"),
        {"lr": 1e-3, "max_length": 128},
        llm("generic"),
    ),
    Case(
        "text-classification",
        "text_classification.py",
        "samples",
        ("encoder", "sentiment"),
        {"lr": 1e-3, "max_length": 32},
        supervised("text-classification"),
    ),
    Case(
        "seq2seq",
        "seq2seq.py",
        "samples",
        ("seq2seq", "mapping"),
        {"lr": 3e-3, "max_length": 16, "max_target_length": 12},
        supervised("seq2seq"),
    ),
    Case("tabular", "tabular.py", "row-fits", ("", "tabular"), {"num_trials": 5}, tabular),
    Case(
        "mfu-sft-0.5b",
        "llm_sft.py",
        "tokens",
        ("mfu_model", "mfu_text"),
        {
            **SFT,
            "assistant_only_loss": False,
            "packing": True,
            "max_length": 1024,
            "lr": 1e-5,
            "batch_size": 8,
            "gradient_accumulation": 1,
            "mixed_precision": "bf16",
        },
        llm("sft"),
        gpu_only=True,
    ),
)
BY_NAME: dict[str, Case] = {case.name: case for case in CASES}
