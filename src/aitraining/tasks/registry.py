"""The task registry: every command the CLI offers, declared once.

Entries name their params class and runner as import strings so that listing commands and building
`--help` never imports torch or transformers. Core code iterates this table; it never names a task.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from aitraining.errors import NotAvailableError
from aitraining.tasks.llm.trainers import TRAINER_ALIASES, TRAINER_NAMES


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
    # AutoTrain-style config task names that map onto this command with fixed parameters,
    # e.g. {"tabular-classification": {"task": "classification"}}.
    config_names: dict[str, dict[str, Any]] = field(default_factory=dict)
    # True when the task holds out part of the training data for validation if no split is given.
    holdout_validation: bool = False

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


TASKS: dict[str, TaskSpec] = {
    t.name: t
    for t in (
        TaskSpec(
            "llm",
            f"Fine-tune causal language models ({', '.join(TRAINER_NAMES)}).",
            params="aitraining.tasks.llm.params:LLMParams",
            runner="aitraining.tasks.llm.task:run",
            trainers=TRAINER_NAMES,
            trainer_aliases=TRAINER_ALIASES,
            actions={
                "inference": (
                    "Answer --inference-prompts with the model in --project-name; writes inference.json there.",
                    "aitraining.tasks.llm.inference:run",
                ),
                "preview_data": (
                    "Render --preview-samples rows exactly as training would (chat template, [[loss tokens]], "
                    "length stats, truncation counts); loads the tokenizer and config only.",
                    "aitraining.tasks.llm.preview:run",
                ),
            },
        ),
        TaskSpec(
            "text-classification",
            "Classify texts into labels.",
            params="aitraining.tasks.text_classification.params:TextClassificationParams",
            runner="aitraining.tasks.text_classification.task:run",
            holdout_validation=True,
        ),
        TaskSpec(
            "text-regression",
            "Predict a number from a text.",
            params="aitraining.tasks.text_regression.params:TextRegressionParams",
            runner="aitraining.tasks.text_regression.task:run",
            holdout_validation=True,
        ),
        TaskSpec(
            "token-classification",
            "Tag each word (NER, POS).",
            params="aitraining.tasks.token_classification.params:TokenClassificationParams",
            runner="aitraining.tasks.token_classification.task:run",
            holdout_validation=True,
        ),
        TaskSpec(
            "seq2seq",
            "Sequence-to-sequence generation (summarisation, translation).",
            params="aitraining.tasks.seq2seq.params:Seq2SeqParams",
            runner="aitraining.tasks.seq2seq.task:run",
            holdout_validation=True,
            actions={
                "predict": (
                    "Generate for the --data-path rows with the model in --project-name; writes predictions.jsonl "
                    "there.",
                    "aitraining.tasks.seq2seq.predict:run",
                )
            },
        ),
        TaskSpec(
            "extractive-qa",
            "Extractive question answering.",
            params="aitraining.tasks.extractive_qa.params:ExtractiveQAParams",
            runner="aitraining.tasks.extractive_qa.task:run",
            holdout_validation=True,
            actions={
                "predict": (
                    "Answer the --data-path questions with the model in --project-name; writes predictions.jsonl "
                    "there.",
                    "aitraining.tasks.extractive_qa.predict:run",
                )
            },
        ),
        TaskSpec(
            "sentence-transformers",
            "Train sentence embedding models (pair, pair_class, pair_score, triplet, qa).",
            params="aitraining.tasks.sentence_transformers.params:SentenceTransformersParams",
            runner="aitraining.tasks.sentence_transformers.task:run",
            holdout_validation=True,
            trainers=("pair", "pair_class", "pair_score", "triplet", "qa"),
        ),
        TaskSpec("image-classification", "Classify images."),
        TaskSpec("image-regression", "Predict a number from an image."),
        TaskSpec("object-detection", "Detect objects in images."),
        TaskSpec("vlm", "Fine-tune vision-language models."),
        TaskSpec(
            "tabular",
            "Tabular classification and regression.",
            params="aitraining.tasks.tabular.params:TabularParams",
            runner="aitraining.tasks.tabular.task:run",
            actions={
                "predict": (
                    "Predict --data-path rows with the model in --project-name.",
                    "aitraining.tasks.tabular.predict:run",
                )
            },
            config_names={
                "tabular-classification": {"task": "classification"},
                "tabular-regression": {"task": "regression"},
            },
        ),
    )
}
