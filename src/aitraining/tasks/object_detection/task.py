"""object-detection: boxes and categories per image (COCO boxes), DETR-style models, COCO mAP.

Images are resized to --image-square-size squared (no padding), so the model's normalised boxes are relative
to the whole image and the processor's `post_process_object_detection(target_sizes=original sizes)` returns
boxes in each original image's pixels.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from aitraining.data.images import open_image
from aitraining.data.loading import LoadedData
from aitraining.engine.hardware import check_quantization
from aitraining.engine.logs import get_logger
from aitraining.engine.models import load_weights
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import Metrics, run_supervised
from aitraining.engine.targets import label_sort_key, label_text
from aitraining.engine.vision.augment import augment_with_boxes
from aitraining.engine.vision.base import ImageState, ImageTask
from aitraining.engine.vision.processor import load_image_processor, set_square_size
from aitraining.errors import DataError
from aitraining.tasks.object_detection.boxes import BoxCounts, box_statistics, clip_boxes, coco_target, parse_objects
from aitraining.tasks.object_detection.metrics import Detections, coco_map
from aitraining.tasks.object_detection.params import ObjectDetectionParams

CLEAN = "__objects"  # the clipped objects of a row, as JSON text (arrow cannot type all-empty box lists)
# Only logits and boxes are kept from evaluation outputs (the Trainer would gather hidden states too).
INFERENCE_IGNORED = [
    "loss_dict",
    "auxiliary_outputs",
    "last_hidden_state",
    "intermediate_hidden_states",
    "intermediate_reference_points",
    "encoder_last_hidden_state",
    "init_reference_points",
    "enc_outputs_class",
    "enc_outputs_coord_logits",
]


def clean_split(
    rows: Any, sizes: list[tuple[int, int]], params: ObjectDetectionParams, split: str
) -> tuple[Any, BoxCounts]:
    """Validate and clip each row's objects to its image; the result goes to the CLEAN column."""
    counts, cleaned = BoxCounts(), []
    for row, (value, (width, height)) in enumerate(zip(rows[params.objects_column], sizes, strict=True), start=1):
        try:
            boxes, categories = parse_objects(value)
        except ValueError as exc:
            raise DataError(
                f"Row {row} of the {split} split ({rows[row - 1][params.image_column]}): column "
                f"'{params.objects_column}' {exc}. Write objects as {{\"bbox\": [[x, y, w, h], ...], "
                '"category": [...]}, COCO boxes in pixels.'
            ) from None
        boxes, categories, found = clip_boxes(boxes, categories, width, height)
        counts.add(found)
        cleaned.append(json.dumps({"bbox": boxes, "category": [label_text(c) for c in categories]}))
    return rows.add_column(CLEAN, cleaned), counts


@dataclass(frozen=True, kw_only=True)
class DetectionState(ImageState):
    labels: tuple[str, ...]  # category names; a category's id is its position
    counts: dict[str, BoxCounts] = field(default_factory=dict)  # per split: boxes clipped / dropped, empty images


class ObjectDetection(ImageTask[ObjectDetectionParams, DetectionState]):
    metric = "eval_map"
    greater_is_better = True
    target_param = "objects_column"
    lora_heads = ("class_labels_classifier", "bbox_predictor")

    def load_data(self, params: ObjectDetectionParams, *, strict: bool = False) -> LoadedData:
        data = super().load_data(params, strict=strict)
        counts: dict[str, BoxCounts] = {}
        train, counts[params.train_split] = clean_split(
            data.train, data.findings["sizes"][params.train_split], params, params.train_split
        )
        valid = None
        if data.valid is not None:
            name = str(params.valid_split)
            valid, counts[name] = clean_split(data.valid, data.findings["sizes"][name], params, name)
        for split, count in counts.items():
            get_logger().info(
                f"{split} split: {count.boxes} boxes, {count.clipped} clipped to their image, {count.dropped} "
                f"degenerate dropped, {count.empty_images} images without objects."
            )
        findings = {**data.findings, "boxes": counts}
        return LoadedData(train=train, valid=valid, source=data.source, findings=findings)

    def load_processor(self, params: ObjectDetectionParams) -> Any:
        processor = load_image_processor(params.model or "")
        set_square_size(processor, params.image_square_size)
        return processor

    def setup(
        self, train: Any, valid: Any, params: ObjectDetectionParams, processor: Any, logger: logging.Logger
    ) -> DetectionState:
        objects = {split: [json.loads(v) for v in rows[CLEAN]] for split, rows in (("train", train), ("valid", valid))}
        labels = sorted({c for o in objects["train"] for c in o["category"]}, key=label_sort_key)
        if not labels:
            raise DataError("The training images hold no objects at all: there is nothing to detect.")
        unseen = sorted({c for o in objects["valid"] for c in o["category"]} - set(labels), key=label_sort_key)
        if unseen:
            raise DataError(
                f"The validation images have categories that never occur in training: {', '.join(unseen)}. "
                "Add training images with them or remove those objects."
            )
        logger.info(f"Training boxes: {box_statistics(objects['train'])}")
        base = self.base_state(params, processor, logger)
        return DetectionState(**base, labels=tuple(labels))

    def with_findings(self, state: DetectionState, findings: Mapping[str, Any]) -> DetectionState:
        return replace(super().with_findings(state, findings), counts=dict(findings.get("boxes", {})))

    def load_model(self, state: DetectionState) -> Any:
        from transformers import AutoModelForObjectDetection

        params = state.params
        model = load_weights(
            AutoModelForObjectDetection,
            params,
            id2label=dict(enumerate(state.labels)),
            label2id={label: i for i, label in enumerate(state.labels)},
            ignore_mismatched_sizes=True,
        )
        model.config.keys_to_ignore_at_inference = INFERENCE_IGNORED
        return self.trainable(model, params)

    def training_args(self, kwargs: dict[str, Any], state: DetectionState) -> Any:
        # every evaluation batch keeps its own list of per-image targets (sizes, boxes)
        return self.training_args_class()(**kwargs, eval_do_concat_batches=False)

    def preprocess(self, dataset: Any, state: DetectionState, split: str) -> Any:
        params, processor = state.params, state.processor
        index = {label: i for i, label in enumerate(state.labels)}
        augment = params.augment and split == "train"

        def transform(batch: dict[str, list]) -> dict[str, Any]:
            images, targets = [], []
            for number, (ref, text) in enumerate(zip(batch[params.image_column], batch[CLEAN], strict=True)):
                image, objects = open_image(ref), json.loads(text)
                boxes, categories = objects["bbox"], objects["category"]
                if augment:
                    image, boxes = augment_with_boxes(image, boxes, random.Random(random.getrandbits(32)))
                    boxes, categories, _ = clip_boxes(boxes, categories, image.width, image.height)
                images.append(image)
                targets.append(coco_target(number, boxes, [index[c] for c in categories]))
            out = processor(images=images, annotations=targets, return_tensors="pt")
            return {"pixel_values": out["pixel_values"], "labels": out["labels"]}

        return dataset.with_transform(transform)

    def collator(self, state: DetectionState, model: Any) -> Any:
        def collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
            import torch

            return {
                "pixel_values": torch.stack([r["pixel_values"] for r in rows]),
                "labels": [r["labels"] for r in rows],
            }

        return collate

    def compute_metrics(self, state: DetectionState, valid_rows: Any, valid_features: Any) -> Metrics:
        processor, num_labels = state.processor, len(state.labels)

        def compute(prediction: Any) -> dict[str, float]:
            truth, predicted = evaluation_detections(processor, prediction.predictions, prediction.label_ids)
            return coco_map(truth, predicted, num_labels)

        return compute

    def before_training(self, trainer: Any, state: DetectionState) -> dict[str, Any]:
        boxes = {split: vars(count) for split, count in state.counts.items()}
        return {**super().before_training(trainer, state), "boxes": boxes}

    def notes(self, state: DetectionState, metrics: dict[str, Any]) -> list[str]:
        counts = "; ".join(
            f"{s}: {c.boxes} boxes, {c.clipped} clipped, {c.dropped} degenerate dropped, {c.empty_images} images "
            "without objects"
            for s, c in state.counts.items()
        )
        return [
            "mAP (IoU 0.50:0.95), mAP@50 and mAP@75 are COCO box AP from pycocotools on the validation images, in "
            "their original coordinates; the kept checkpoint has the best eval_map.",
            f"Boxes: {counts}.",
            "Use: `processor(images=image, return_tensors='pt')`, the model, then "
            "`processor.post_process_object_detection(outputs, threshold=0.5, target_sizes=[(height, width)])`; "
            "or `aitraining object-detection --predict` (writes predictions.jsonl with COCO boxes).",
            *self.skipped_notes(state),
        ]


def evaluation_detections(processor: Any, batches: Any, label_batches: Any) -> tuple[list, list]:
    """Ground truth and predictions of every evaluated image as `Detections` in original pixels."""
    import torch
    from transformers.utils import ModelOutput

    truth: list[Detections] = []
    predicted: list[Detections] = []
    for outputs, labels in zip(batches, label_batches, strict=True):
        logits, boxes = outputs[0], outputs[1]
        sizes = [tuple(int(v) for v in label["orig_size"]) for label in labels]
        for label, (height, width) in zip(labels, sizes, strict=True):
            cx, cy, w, h = (np.asarray(label["boxes"], dtype=float).reshape(-1, 4) * [width, height, width, height]).T
            truth.append(
                Detections(
                    np.stack([cx - w / 2, cy - h / 2, w, h], axis=1).tolist(), [int(c) for c in label["class_labels"]]
                )
            )
        raw = ModelOutput(logits=torch.as_tensor(logits), pred_boxes=torch.as_tensor(boxes))
        for result in processor.post_process_object_detection(raw, threshold=0.0, target_sizes=sizes):
            predicted.append(as_detections(result))
    return truth, predicted


def as_detections(result: dict[str, Any]) -> Detections:
    """A post-processed result (corner boxes) as COCO [x, y, w, h] detections."""
    corners = result["boxes"].detach().cpu().numpy().reshape(-1, 4)
    boxes = np.stack([corners[:, 0], corners[:, 1], corners[:, 2] - corners[:, 0], corners[:, 3] - corners[:, 1]], 1)
    return Detections(boxes.tolist(), [int(v) for v in result["labels"]], [float(v) for v in result["scores"]])


def run(ctx: RunContext) -> RunResult:
    check_quantization(ctx.params.quantization)  # before any data or weights load
    return run_supervised(ctx, ObjectDetection())
