"""The task registry: every command the CLI offers, declared once.

Entries name their params class and runner as import strings so that listing commands and building
`--help` never imports torch or transformers. Core code iterates this table; it never names a task.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from aitraining.errors import NotAvailableError
from aitraining.tasks.llm.trainers import SPECS as LLM_TRAINERS
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
    # AutoTrain's other task names for this command (kebab-case), with the parameters they fix,
    # e.g. {"tabular-classification": {"task": "classification"}}; '<name>:<trainer>' works for each.
    config_names: dict[str, dict[str, Any]] = field(default_factory=dict)
    # True when the task holds out part of the training data for validation if no split is given.
    holdout_validation: bool = False
    # The metrics a run writes into metrics.json's "final" besides train_loss, {trainer: names} with "" for
    # every trainer; a name ending in '*' stands for a family (eval_f1_<class>). A sweep checks
    # --sweep-metric against them before its first trial; eval_* ones need validation data. Or a
    # "module:function" returning that dict, for names declared beside the task's code (imported on demand).
    metrics: dict[str, tuple[str, ...]] | str = field(default_factory=dict)

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

    def declared_metrics(self) -> dict[str, tuple[str, ...]]:
        metrics = _load(self.metrics)() if isinstance(self.metrics, str) else self.metrics
        return dict(metrics)

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


def _image_actions(package: str, predicts: str) -> dict[str, tuple[str, str]]:
    return {
        "predict": (
            f"Predict {predicts} for the images in --data-path (an image, a folder of images or an image dataset) "
            "with the model in --project-name; writes predictions.jsonl there.",
            f"aitraining.tasks.{package}.predict:run",
        ),
        "preview_data": (
            "Check the data before training: unreadable images, images per class / target or box statistics; "
            "loads no model.",
            f"aitraining.tasks.{package}.predict:preview",
        ),
    }


_CLASSIFICATION_METRICS = (
    "eval_loss",
    "eval_accuracy",
    "eval_precision",
    "eval_recall",
    "eval_f1",
    "eval_precision_*",
    "eval_recall_*",
    "eval_f1_*",
)
_REGRESSION_METRICS = ("eval_loss", "eval_mse", "eval_rmse", "eval_mae", "eval_r2", "eval_pearson", "eval_spearman")


def st_metrics() -> dict[str, tuple[str, ...]]:
    """sentence-transformers' metrics, named by its objectives (imported only when a sweep asks)."""
    from aitraining.tasks.sentence_transformers.objectives import OBJECTIVES, SOFTMAX

    metrics: dict[str, tuple[str, ...]] = {
        trainer: ("eval_loss", objective.metric) for trainer, objective in OBJECTIVES.items()
    }
    metrics["pair_class"] += (SOFTMAX.metric,)  # pair_class with other classes than 0/1 trains a classifier
    return metrics


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
            config_names={"lm-training": {}},
            metrics={spec.name: spec.metrics for spec in LLM_TRAINERS},
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
            config_names={"text-binary-classification": {}, "text-multi-class-classification": {}},
            metrics={"": _CLASSIFICATION_METRICS},
        ),
        TaskSpec(
            "text-regression",
            "Predict a number from a text.",
            params="aitraining.tasks.text_regression.params:TextRegressionParams",
            runner="aitraining.tasks.text_regression.task:run",
            holdout_validation=True,
            config_names={"text-single-column-regression": {}},
            metrics={"": _REGRESSION_METRICS},
        ),
        TaskSpec(
            "token-classification",
            "Tag each word (NER, POS).",
            params="aitraining.tasks.token_classification.params:TokenClassificationParams",
            runner="aitraining.tasks.token_classification.task:run",
            holdout_validation=True,
            config_names={"text-token-classification": {}},
            metrics={"": (*_CLASSIFICATION_METRICS, "eval_*_f1")},
        ),
        TaskSpec(
            "seq2seq",
            "Sequence-to-sequence generation (summarisation, translation).",
            params="aitraining.tasks.seq2seq.params:Seq2SeqParams",
            runner="aitraining.tasks.seq2seq.task:run",
            holdout_validation=True,
            metrics={
                "": (
                    "eval_loss",
                    "eval_rouge1",
                    "eval_rouge2",
                    "eval_rougeL",
                    "eval_rougeLsum",
                    "eval_bleu",
                    "eval_gen_len",
                )
            },
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
            config_names={"extractive-question-answering": {}, "text-extractive-question-answering": {}, "ext-qa": {}},
            metrics={"": ("eval_loss", "eval_exact_match", "eval_f1")},
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
            config_names={"st": {}},
            metrics="aitraining.tasks.registry:st_metrics",
        ),
        TaskSpec(
            "image-classification",
            "Classify images.",
            params="aitraining.tasks.image_classification.params:ImageClassificationParams",
            runner="aitraining.tasks.image_classification.task:run",
            holdout_validation=True,
            actions=_image_actions("image_classification", "labels"),
            config_names={"image-binary-classification": {}, "image-multi-class-classification": {}},
            metrics={"": ("eval_loss", "eval_accuracy", "eval_precision_macro", "eval_recall_macro", "eval_f1_macro")},
        ),
        TaskSpec(
            "image-regression",
            "Predict a number from an image.",
            params="aitraining.tasks.image_regression.params:ImageRegressionParams",
            runner="aitraining.tasks.image_regression.task:run",
            holdout_validation=True,
            actions=_image_actions("image_regression", "values"),
            config_names={"image-scoring": {}, "image-single-column-regression": {}},
            metrics={"": _REGRESSION_METRICS},
        ),
        TaskSpec(
            "object-detection",
            "Detect objects in images.",
            params="aitraining.tasks.object_detection.params:ObjectDetectionParams",
            runner="aitraining.tasks.object_detection.task:run",
            holdout_validation=True,
            actions=_image_actions("object_detection", "boxes"),
            config_names={"image-object-detection": {}},
            metrics={"": ("eval_loss", "eval_map", "eval_map_50", "eval_map_75")},
        ),
        TaskSpec(
            "vlm",
            "Fine-tune vision-language models (vqa, captioning).",
            params="aitraining.tasks.vlm.params:VLMParams",
            runner="aitraining.tasks.vlm.task:run",
            trainers=("vqa", "captioning"),
            holdout_validation=True,
            metrics={"": ("eval_loss",)},
            actions={
                "inference": (
                    "Answer --inference-prompts (image rows or images) with the model in --project-name; writes "
                    "inference.json there.",
                    "aitraining.tasks.vlm.inference:run",
                ),
                "preview_data": (
                    "Render --preview-samples samples exactly as training would (chat template, [[loss tokens]], "
                    "image tokens collapsed, image-token counts, length stats, dropped samples); loads the "
                    "processor only.",
                    "aitraining.tasks.vlm.preview:run",
                ),
            },
        ),
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
