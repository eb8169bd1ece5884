"""Batches for the Trainer: the encoded ids padded on the right, the images processed when the batch is built.

The image processor's outputs go through as it returns them, whatever the family: LLaVA and PaliGemma stack
one `pixel_values` tensor per image, Qwen2-VL concatenates every image's patches and adds `image_grid_thw`.
"""

from __future__ import annotations

from typing import Any

from aitraining.engine.tokens import right_pad
from aitraining.tasks.vlm.encode import IGNORE
from aitraining.tasks.vlm.preflight import row_images


def make_collator(processor: Any, image_column: str, extras: tuple[str, ...]) -> Any:
    """`extras`: per-token columns besides ids and labels (token_type_ids, mm_token_type_ids), padded with 0."""
    pad_id = processor.tokenizer.pad_token_id

    def collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
        images = [image for row in rows for image in row_images(row[image_column])]
        batch = dict(processor.image_processor(images=images, return_tensors="pt"))
        batch["input_ids"], batch["attention_mask"] = right_pad([list(r["input_ids"]) for r in rows], pad_id)
        for key, value in (("labels", IGNORE), *((key, 0) for key in extras)):
            batch[key] = right_pad([list(r[key]) for r in rows], value)[0]
        return batch

    return collate
