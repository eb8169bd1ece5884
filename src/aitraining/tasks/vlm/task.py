"""`aitraining vlm`: image + question (or caption) rows, encoded and checked before any weights load, trained
with loss on the answer tokens only through the shared supervised pipeline (split, arguments, resume, save)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aitraining.data.loading import LoadedData
from aitraining.engine.hardware import check_quantization
from aitraining.engine.models import load_weights, make_trainable, save_trained
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import run_supervised
from aitraining.engine.vision.base import ImageState, ImageTask
from aitraining.engine.vision.multimodal import is_images_only, keep_video_config, load_processor, uses_prefix_suffix
from aitraining.errors import DataError, ParamError
from aitraining.tasks.vlm.collate import make_collator
from aitraining.tasks.vlm.params import VLMParams
from aitraining.tasks.vlm.preflight import SplitReport, encode_split

LOSS_RULE = (
    "Loss: on the answer tokens only (each assistant reply and its end-of-turn token); image tokens, prompts, "
    "template markup and padding carry none."
)
TEXT_KEYS = ("input_ids", "labels")


@dataclass(frozen=True, kw_only=True)
class VLMState(ImageState):
    reports: dict[str, SplitReport] = field(default_factory=dict)
    extras: tuple[str, ...] = ()  # per-token processor outputs the collator pads (token_type_ids, ...)


def check_text_rows(dataset: Any, params: VLMParams, split: str, source: str) -> None:
    """Each answer is text (or chat messages); vqa rows need a question unless they are chat messages."""
    for index, row in enumerate(dataset):
        answer = row[params.text_column]
        where = f"{source}, split {split}, row {index + 1}"
        if isinstance(answer, list):
            if not all(isinstance(m, dict) and "role" in m for m in answer):
                raise DataError(
                    f"{where}: column '{params.text_column}' holds a list that is not chat messages "
                    "({'role': ..., 'content': ...}). Fix that row."
                )
            continue
        if not isinstance(answer, str) or not answer.strip():
            raise DataError(f"{where}: column '{params.text_column}' is {answer!r}, not an answer text. Fix that row.")
        if params.trainer == "vqa" and not params.prompt_text_column:
            raise ParamError(
                f"--trainer vqa needs --prompt-text-column (the question column) when --text-column "
                f"'{params.text_column}' holds plain answers ({where}). Pass it, or use --trainer captioning."
            )


class VLMTask(ImageTask[VLMParams, VLMState]):
    target_param = "text_column"

    def columns(self, params: VLMParams) -> dict[str, str]:
        columns = {"image_column": params.image_column, "text_column": params.text_column}
        if params.trainer == "vqa" and params.prompt_text_column:
            columns["prompt_text_column"] = params.prompt_text_column
        return columns

    def load_processor(self, params: VLMParams) -> Any:
        processor = load_processor(params.model or "")
        if not uses_prefix_suffix(processor) and not getattr(processor, "chat_template", None):
            raise ParamError(
                f"--model {params.model}: its processor has no chat template, so questions and answers cannot be "
                "rendered as the model expects. Use a model whose processor_config.json / chat_template.jinja "
                "carries one (instruction-tuned VLMs do), or add a chat_template.jinja to the model folder."
            )
        return processor

    def load_data(self, params: VLMParams, *, strict: bool = False) -> LoadedData:
        """The image rows (unreadable images skipped), then every sample encoded and length-checked: the
        preflight runs here, with the processor only, before any weights load."""
        data = super().load_data(params, strict=strict)
        processor = self.load_processor(params)
        encoded, reports, extras = {}, {}, set()
        splits = {params.train_split: data.train, **({str(params.valid_split): data.valid} if data.valid else {})}
        for name, rows in splits.items():
            check_text_rows(rows, params, name, data.source)
            encoded[name], reports[name] = encode_split(
                rows, name, processor, params, strict=strict, source=data.source
            )
            extras |= set(encoded[name].column_names) & {"token_type_ids", "mm_token_type_ids"}
        valid = encoded.get(str(params.valid_split)) if data.valid is not None else None
        findings = {**data.findings, "preflight": reports, "extras": tuple(sorted(extras))}
        return LoadedData(train=encoded[params.train_split], valid=valid, source=data.source, findings=findings)

    def setup(self, train: Any, valid: Any, params: VLMParams, processor: Any, logger: logging.Logger) -> VLMState:
        logger.info(LOSS_RULE)
        return VLMState(params=params, logger=logger, processor=processor)

    def with_findings(self, state: VLMState, findings: Mapping[str, Any]) -> VLMState:
        state = super().with_findings(state, findings)
        reports = dict(findings.get("preflight", {}))
        for report in reports.values():
            state.logger.info("Preflight, " + report.line())
        return replace(state, reports=reports, extras=tuple(findings.get("extras", ())))

    def preprocess(self, dataset: Any, state: VLMState, split: str) -> Any:
        return dataset  # encoded by the preflight; images are processed per batch by the collator

    def load_model(self, state: VLMState) -> Any:
        from transformers import AutoModelForImageTextToText

        model = load_weights(AutoModelForImageTextToText, state.params)
        return make_trainable(model, state.params, lora_task_type="CAUSAL_LM")

    def collator(self, state: VLMState, model: Any) -> Any:
        return make_collator(state.processor, state.params.image_column, state.extras)

    def before_training(self, trainer: Any, state: VLMState) -> dict[str, Any]:
        preflight = {split: report.record() for split, report in state.reports.items()}
        return {**super().before_training(trainer, state), "preflight": preflight}

    def save(self, trainer: Any, state: VLMState, project: Path) -> list[str]:
        from transformers import AutoModelForImageTextToText

        saved = save_trained(
            trainer.model, state.processor, state.params, project, state.logger, auto_class=AutoModelForImageTextToText
        )
        if is_images_only(state.processor):  # what a torchvision install needs to load the video half
            for folder in {Path(p) for p in saved.values()}:
                keep_video_config(state.params.model or "", folder)
        if "adapter" not in saved:
            return []
        where = "the folder root holds the merged model" if "model" in saved else "it is the folder root"
        return [f"LoRA adapter: `{saved['adapter']}` ({where})."]

    def notes(self, state: VLMState, metrics: dict[str, Any]) -> list[str]:
        lines = [f"Preflight, {report.line()}" for report in state.reports.values()]
        return [
            LOSS_RULE,
            *lines,
            "Use: `aitraining vlm --inference --project-name <this folder> --inference-prompts <rows.jsonl>` "
            "(writes inference.json), or AutoProcessor + AutoModelForImageTextToText.",
            *self.skipped_notes(state),
        ]


def run(ctx: RunContext) -> RunResult:
    check_quantization(ctx.params.quantization)  # before any data or weights load
    return run_supervised(ctx, VLMTask())
