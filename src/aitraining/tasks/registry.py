"""The task registry: every command the CLI offers, declared once.

Entries name their params class and runner as import strings so that listing commands and building
`--help` never imports torch or transformers. Core code iterates this table; it never names a task.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from aitraining.errors import NotAvailableError


@dataclass(frozen=True)
class TaskSpec:
    name: str
    summary: str
    params: str | None = None  # "module:Class" of the parameter model (light import)
    runner: str | None = None  # "module:function(RunContext) -> RunResult" (heavy imports inside)
    trainers: tuple[str, ...] = ()
    trainer_aliases: dict[str, str] = field(default_factory=dict)
    # Extra actions besides training, as {flag name: (help, "module:function(Resolved) -> int")},
    # e.g. {"predict": ("Predict with a trained project.", "aitraining.tasks.tabular.predict:run")}.
    actions: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.params is not None and self.runner is not None

    def params_class(self) -> Any:
        if self.params is None:
            raise NotAvailableError(self.unavailable_message())
        return _load(self.params)

    def run(self, ctx: Any) -> Any:
        if self.runner is None:
            raise NotAvailableError(self.unavailable_message())
        return _load(self.runner)(ctx)

    def run_action(self, action: str, resolved: Any) -> int:
        return int(_load(self.actions[action][1])(resolved))

    def unavailable_message(self) -> str:
        return (
            f"'aitraining {self.name}' is part of the spec but not available in this version yet. "
            f"Available now: {', '.join(t.name for t in TASKS.values() if t.available)}."
        )


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


_LLM_TRAINERS = ("generic", "sft", "dpo", "orpo", "reward", "ppo")

TASKS: dict[str, TaskSpec] = {
    t.name: t
    for t in (
        TaskSpec(
            "llm",
            "Fine-tune causal language models (generic, sft, dpo, orpo, reward, ppo).",
            params="aitraining.tasks.llm.params:LLMParams",
            runner="aitraining.tasks.llm.task:run",
            trainers=_LLM_TRAINERS,
            trainer_aliases={"default": "generic"},
        ),
        TaskSpec("text-classification", "Classify texts into labels."),
        TaskSpec("text-regression", "Predict a number from a text."),
        TaskSpec("token-classification", "Tag each word (NER, POS)."),
        TaskSpec("seq2seq", "Sequence-to-sequence generation (summarisation, translation)."),
        TaskSpec("extractive-qa", "Extractive question answering."),
        TaskSpec("sentence-transformers", "Train sentence embedding models."),
        TaskSpec("image-classification", "Classify images."),
        TaskSpec("image-regression", "Predict a number from an image."),
        TaskSpec("object-detection", "Detect objects in images."),
        TaskSpec("vlm", "Fine-tune vision-language models."),
        TaskSpec("tabular", "Tabular classification and regression."),
    )
}


def get_task(name: str) -> TaskSpec:
    return TASKS[name]
