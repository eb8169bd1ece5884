"""`ImageTask`: the shared-pipeline hooks every image command fills the same way.

Rows hold image references (see `aitraining.data.images`); `preprocess` attaches a transform that opens,
augments (train split, with --augment) and processes each batch when the Trainer asks for it.
"""

from __future__ import annotations

from typing import Any

from aitraining.data.images import ScanResult, load_image_splits, scan_images
from aitraining.data.loading import LoadedData, require_columns
from aitraining.engine.hardware import quantization_config
from aitraining.engine.supervised import SupervisedTask
from aitraining.tasks.llm.models import add_lora, save_trained
from aitraining.tasks.vision.processor import load_image_processor, processor_size, set_image_size
from aitraining.tasks.vision.upstream import reload_best_weights_callback


class ImageTask(SupervisedTask):
    target_param = "target_column"  # the params field naming the label column
    lora_heads: tuple[str, ...] = ("classifier",)  # trained in full beside a LoRA adapter

    def __init__(self, *, strict: bool = False, logger: Any = None) -> None:
        self.strict, self.logger = strict, logger
        self.params: Any = None
        self.scans: dict[str, ScanResult] = {}
        self.saved: dict[str, str] = {}
        self.checkpointing = True

    # ------------------------------------------------------------------ data
    def load_data(self, params: Any) -> LoadedData:
        target = getattr(params, self.target_param)
        data = load_image_splits(
            params.data_path,
            params.train_split,
            params.valid_split,
            params.max_samples,
            image_column=params.image_column,
            target_column=target,
        )
        splits = {params.train_split: data.train, **({str(params.valid_split): data.valid} if data.valid else {})}
        kept = {}
        for name, dataset in splits.items():
            require_columns(dataset, self.columns(params), split=name, source=data.source)
            self.scans[name] = scan_images(
                dataset, params.image_column, name, data.source, strict=self.strict, logger=self.logger
            )
            kept[name] = self.scans[name].kept
        valid = kept.get(str(params.valid_split)) if data.valid is not None else None
        return LoadedData(train=kept[params.train_split], valid=valid, source=data.source)

    def columns(self, params: Any) -> dict[str, str]:
        return {"image_column": params.image_column, self.target_param: getattr(params, self.target_param)}

    def load_processor(self, params: Any) -> Any:
        processor = load_image_processor(params.model)
        set_image_size(processor, getattr(params, "image_size", None))
        return processor

    def setup(self, train: Any, valid: Any, params: Any, tokenizer: Any, logger: Any) -> None:
        self.params, self.logger = params, logger
        logger.info(f"Images are processed at {processor_size(tokenizer)} pixels by {type(tokenizer).__name__}.")

    # ------------------------------------------------------------------ model
    def model_kwargs(self, params: Any) -> dict[str, Any]:
        """--quantization (with --peft): the base weights load quantized, the adapter trains."""
        quant = quantization_config(params.quantization)
        return {} if quant is None else {"quantization_config": quant, "device_map": "auto"}

    def with_lora(self, model: Any, params: Any) -> Any:
        if not getattr(params, "peft", False):
            return model
        heads = [n for n in self.lora_heads if any(name.split(".")[-1] == n for name, _ in model.named_modules())]
        return add_lora(model, params, task_type=None, modules_to_save=heads)  # type: ignore[arg-type]

    def fitted(self, model: Any) -> Any:
        """Remember what the training arguments must respect; returns the model (with LoRA when asked)."""
        self.checkpointing = bool(getattr(model, "supports_gradient_checkpointing", False))
        return self.with_lora(model, self.params)

    def training_args(self, kwargs: dict[str, Any]) -> Any:
        from transformers import TrainingArguments

        on = [k for k in ("activation_checkpointing", "gradient_checkpointing") if kwargs.get(k)]
        if on and not self.checkpointing:
            # e.g. ResNet: transformers refuses to start instead of training without it
            self.logger.info("This model does not support gradient checkpointing; training without it.")
            kwargs = {**kwargs, on[0]: False}
        return TrainingArguments(**kwargs, **self.extra_args)

    extra_args: dict[str, Any] = {}  # noqa: RUF012  (read-only per class)

    def collator(self, tokenizer: Any) -> Any:
        def collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
            import torch

            return {
                "pixel_values": torch.stack([r["pixel_values"] for r in rows]),
                "labels": torch.tensor([r["labels"] for r in rows]),
            }

        return collate

    def build_trainer(self, model: Any, tokenizer: Any, args: Any, train: Any, valid: Any, callbacks: list) -> Any:
        return super().build_trainer(model, tokenizer, args, train, valid, [*callbacks, reload_best_weights_callback()])

    def save(self, trainer: Any, tokenizer: Any, project: Any) -> None:
        self.saved = save_trained(trainer.model, tokenizer, self.params, project, self.logger)

    def skipped_notes(self) -> list[str]:
        skipped = {name: len(scan.unreadable) for name, scan in self.scans.items() if scan.unreadable}
        if not skipped:
            return []
        return ["Unreadable images skipped: " + ", ".join(f"{n} in {s}" for s, n in skipped.items()) + "."]

    def extra_metrics(self) -> dict[str, Any]:
        return {"unreadable_images": {name: scan.unreadable for name, scan in self.scans.items()}}
