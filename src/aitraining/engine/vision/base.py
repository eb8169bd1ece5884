"""`ImageTask`: the shared-pipeline hooks every image command fills the same way.

Rows hold image references (see `aitraining.data.images`); `preprocess` attaches a transform that opens,
augments (train split, with --augment) and processes each batch when the Trainer asks for it.

The data scan (unreadable images, image sizes) happens in `load_data`, before `setup` exists: what it finds
travels in `LoadedData.findings` ("unreadable", "sizes": per split) and `with_findings` puts it into the state.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aitraining.data.images import load_image_splits, scan_images
from aitraining.data.loading import LoadedData, require_columns
from aitraining.engine.logs import get_logger
from aitraining.engine.models import make_trainable, save_trained
from aitraining.engine.supervised import SupervisedTask, TaskState, TrainerData
from aitraining.engine.vision.processor import load_image_processor, processor_size, set_image_size
from aitraining.engine.vision.upstream import reload_best_weights_callback, weight_converting_trainer

if TYPE_CHECKING:
    from aitraining.params.groups import CommonParams
    from aitraining.params.vision import ImageInputParams


@dataclass(frozen=True, kw_only=True)
class ImageState(TaskState[Any]):
    unreadable: dict[str, list[str]] = field(default_factory=dict)  # split -> "path (reason)" of each skipped image


S = TypeVar("S", bound=ImageState)
IP = TypeVar("IP", bound="ImageInputParams")  # the command's params class


class ImageTask(SupervisedTask[IP, S]):
    target_param = "target_column"  # the params field naming the label column
    lora_heads: tuple[str, ...] = ("classifier",)  # trained in full beside a LoRA adapter

    # ------------------------------------------------------------------ data
    def load_data(self, params: IP, *, strict: bool = False) -> LoadedData:
        data = load_image_splits(
            params.data_path or "",
            params.train_split,
            params.valid_split,
            params.max_samples,
            image_column=params.image_column,
            target_column=getattr(params, self.target_param),
        )
        splits = {params.train_split: data.train, **({str(params.valid_split): data.valid} if data.valid else {})}
        kept, sizes, unreadable = {}, {}, {}
        for name, dataset in splits.items():
            require_columns(dataset, self.columns(params), split=name, source=data.source)
            scan = scan_images(dataset, params.image_column, name, data.source, strict=strict, logger=get_logger())
            kept[name], sizes[name] = scan.kept, scan.sizes
            if scan.unreadable:
                unreadable[name] = scan.unreadable
        valid = kept[str(params.valid_split)] if data.valid is not None else None
        findings = {"sizes": sizes, "unreadable": unreadable}
        return LoadedData(train=kept[params.train_split], valid=valid, source=data.source, findings=findings)

    def columns(self, params: IP) -> dict[str, str]:
        return {"image_column": params.image_column, self.target_param: getattr(params, self.target_param)}

    def load_processor(self, params: IP) -> Any:
        processor = load_image_processor(params.model or "")
        set_image_size(processor, getattr(params, "image_size", None))
        return processor

    def base_state(self, params: IP, processor: Any, logger: logging.Logger) -> dict[str, Any]:
        """The ImageState fields, for the subclass's state constructor (`with_findings` adds the rest)."""
        logger.info(f"Images are processed at {processor_size(processor)} pixels by {type(processor).__name__}.")
        return {"params": params, "logger": logger, "processor": processor}

    def with_findings(self, state: S, findings: Mapping[str, Any]) -> S:
        return replace(state, unreadable=dict(findings.get("unreadable", {})))

    # ------------------------------------------------------------------ model
    def trainable(self, model: Any, params: CommonParams) -> Any:
        """The loaded (adapted) model made trainable: with --peft, LoRA beside the task's heads trained in full."""
        names = {name.split(".")[-1] for name, _ in model.named_modules()}
        heads = [n for n in self.lora_heads if n in names]
        return make_trainable(model, params, lora_task_type=None, lora_modules_to_save=heads)

    def collator(self, state: S, model: Any) -> Any:
        def collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
            import torch

            return {
                "pixel_values": torch.stack([r["pixel_values"] for r in rows]),
                "labels": torch.tensor([r["labels"] for r in rows]),
            }

        return collate

    def trainer_class(self) -> type:
        """Resume restores weights that transformers saves under other names than the modules carry (ViT,
        DETR, LLaVA): the Trainer's own load (strict=False) would keep those fresh, silently."""
        return weight_converting_trainer(super().trainer_class())

    def build_trainer(self, state: S, model: Any, args: Any, inputs: TrainerData) -> Any:
        for name in ("activation_checkpointing", "gradient_checkpointing"):
            if getattr(args, name, False) and not getattr(model, "supports_gradient_checkpointing", False):
                # e.g. ResNet: transformers refuses to start rather than train without it
                state.logger.info("This model does not support gradient checkpointing; training without it.")
                setattr(args, name, False)
        inputs = replace(inputs, callbacks=[*inputs.callbacks, reload_best_weights_callback()])
        return super().build_trainer(state, model, args, inputs)

    def before_training(self, trainer: Any, state: S) -> dict[str, Any]:
        return {"unreadable_images": state.unreadable} if state.unreadable else {}

    def save(self, trainer: Any, state: S, project: Path) -> list[str]:
        saved = save_trained(trainer.model, state.processor, state.params, project, state.logger)
        if "adapter" not in saved:
            return []
        where = "the folder root holds the merged model" if "model" in saved else "it is the folder root"
        return [f"LoRA adapter: `{saved['adapter']}` ({where})."]

    def skipped_notes(self, state: S) -> list[str]:
        if not state.unreadable:
            return []
        counts = ", ".join(f"{len(paths)} in {split}" for split, paths in state.unreadable.items())
        return [f"Unreadable images skipped: {counts} (listed in metrics.json)."]
