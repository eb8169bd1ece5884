"""Phase clock for the plain scripts, measured exactly as aitraining.engine.timings measures ours.

start-up: process start (psutil) to the training loop, minus preprocessing; preprocess: tokenisation and
building the trainer; train: `trainer.train()` (or the search and final fit for tabular).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil


class Phases:
    def __init__(self) -> None:
        self.process_start = psutil.Process().create_time()
        self.durations: dict[str, float] = {}
        self.train_started: float | None = None
        self.extra: dict[str, Any] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if name == "train" and self.train_started is None:
            self.train_started = time.time()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.durations[name] = self.durations.get(name, 0.0) + time.perf_counter() - start

    def report(self) -> dict[str, Any]:
        preprocess = self.durations.get("preprocess", 0.0)
        assert self.train_started is not None, "the script never entered its training phase"
        return {
            "startup_s": round(self.train_started - self.process_start - preprocess, 3),
            "preprocess_s": round(preprocess, 3),
            "train_s": round(self.durations.get("train", 0.0), 3),
            **self.extra,
        }

    def write(self, out: Path) -> None:
        (Path(out) / "timings.json").write_text(json.dumps(self.report(), indent=2))


def load_config() -> dict[str, Any]:
    """The case's settings, written by the harness as JSON (argv[1])."""
    return json.loads(Path(sys.argv[1]).read_text())


def training_arguments(settings: dict[str, Any], out: str) -> dict[str, Any]:
    """TrainingArguments keywords from the settings both sides share (bench/cases.py: Settings)."""
    return {
        "output_dir": out,
        "learning_rate": settings["lr"],
        "optim": settings["optimizer"],
        "lr_scheduler_type": settings["scheduler"],
        "weight_decay": settings["weight_decay"],
        "max_grad_norm": settings["max_grad_norm"],
        "num_train_epochs": settings["epochs"],
        "per_device_train_batch_size": settings["batch_size"],
        "per_device_eval_batch_size": settings["batch_size"],
        "gradient_accumulation_steps": settings["gradient_accumulation"],
        "warmup_steps": settings["warmup_ratio"],  # transformers 5: a float below 1 is a ratio
        "seed": settings["seed"],
        "data_seed": settings["seed"],
        "logging_steps": settings["logging_steps"],
        "eval_strategy": "no",
        "save_strategy": "no",
        "report_to": [],
        "disable_tqdm": True,
        "bf16": settings["mixed_precision"] == "bf16",
        "fp16": settings["mixed_precision"] == "fp16",
        "dataloader_pin_memory": _has_cuda(),  # as ours: pinned host memory only feeds a GPU
        **_no_checkpointing(),
    }


def _no_checkpointing() -> dict[str, bool]:
    """Activation checkpointing off, as ours with --disable-gradient-checkpointing (TRL's configs turn it on
    by default). transformers 5.24 renamed gradient_checkpointing to activation_checkpointing."""
    from transformers import TrainingArguments

    fields = TrainingArguments.__dataclass_fields__
    return {"activation_checkpointing" if "activation_checkpointing" in fields else "gradient_checkpointing": False}


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()
