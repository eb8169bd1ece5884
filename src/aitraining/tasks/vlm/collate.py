"""Batches for the Trainer: the encoded ids padded on the right, the images processed when the batch is built.

The image processor's outputs go through as it returns them, whatever the family: LLaVA and PaliGemma stack
one `pixel_values` tensor per image, Qwen2-VL concatenates every image's patches and adds `image_grid_thw`.
"""

from __future__ import annotations

from typing import Any

from aitraining.tasks.vlm.encode import IGNORE
from aitraining.tasks.vlm.preflight import row_images


def pad_rows(rows: list[dict[str, Any]], key: str, value: int, width: int) -> Any:
    import torch

    return torch.tensor([list(r[key]) + [value] * (width - len(r[key])) for r in rows])


def make_collator(processor: Any, image_column: str, extras: tuple[str, ...]) -> Any:
    """`extras`: per-token columns besides ids and labels (token_type_ids, mm_token_type_ids), padded with 0."""
    pad_id = processor.tokenizer.pad_token_id

    def collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        images = [image for row in rows for image in row_images(row[image_column])]
        batch = dict(processor.image_processor(images=images, return_tensors="pt"))
        width = max(len(r["input_ids"]) for r in rows)
        batch["input_ids"] = pad_rows(rows, "input_ids", pad_id, width)
        batch["labels"] = pad_rows(rows, "labels", IGNORE, width)
        batch["attention_mask"] = torch.tensor(
            [[1] * len(r["input_ids"]) + [0] * (width - len(r["input_ids"])) for r in rows]
        )
        for key in extras:
            batch[key] = pad_rows(rows, key, 0, width)
        return batch

    return collate
