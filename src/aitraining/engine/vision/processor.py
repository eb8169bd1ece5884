"""The image processor: loaded with transformers' PIL backend, resized as asked, and the model fitted to it.

transformers 5 replaced `use_fast=` by `backend=`; the torchvision backend cannot be installed beside the
CPU torch here, so the PIL one is asked for explicitly (it is also what the model card's users get).
"""

from __future__ import annotations

from typing import Any

from aitraining.engine import modelload
from aitraining.errors import ParamError

BACKEND = {"backend": "pil"}


def load_image_processor(model: str) -> Any:
    from transformers import AutoImageProcessor

    try:
        return AutoImageProcessor.from_pretrained(model, **BACKEND)
    except Exception as exc:
        raise modelload.model_load_error("image processor", model, exc) from None


def processor_size(processor: Any) -> int | None:
    size = dict(getattr(processor, "size", None) or {})
    return size.get("height") or size.get("shortest_edge") or size.get("max_height")


def set_square_size(processor: Any, pixels: int) -> None:
    """Resize every image to pixels x pixels (boxes scale with it), so no padding is ever needed."""
    processor.size = {"height": pixels, "width": pixels}
    if hasattr(processor, "do_pad"):
        processor.do_pad = False


def set_image_size(processor: Any, pixels: int | None) -> None:
    if pixels is None:
        return
    size = dict(getattr(processor, "size", None) or {})
    if "shortest_edge" in size and "longest_edge" not in size:
        processor.size = {"shortest_edge": pixels}
    else:
        processor.size = {"height": pixels, "width": pixels}
    if getattr(processor, "crop_size", None):
        processor.crop_size = {"height": pixels, "width": pixels}


def fit_model_to_size(model: Any, pixels: int | None) -> bool:
    """Models with a fixed input size (ViT: config.image_size) get their position embeddings interpolated
    to `pixels`, so the saved model and processor agree and plain pipelines run. True when changed."""
    import torch

    current = getattr(model.config, "image_size", None)
    if pixels is None or current is None or current == pixels:
        return False
    embeddings = next(
        (m for m in model.modules() if hasattr(m, "interpolate_pos_encoding") and hasattr(m, "patch_embeddings")),
        None,
    )
    patch = getattr(model.config, "patch_size", None)
    if embeddings is None or not patch or pixels % patch:
        raise ParamError(
            f"--image-size {pixels} does not fit this model: it takes {current}x{current} images"
            + (f" in patches of {patch}; pass a multiple of {patch}" if patch else "")
            + ", or leave --image-size out."
        )
    with torch.no_grad():
        dummy = torch.zeros(1, (pixels // patch) ** 2 + 1, embeddings.position_embeddings.shape[-1])
        table = embeddings.interpolate_pos_encoding(dummy, pixels, pixels)
    embeddings.position_embeddings = torch.nn.Parameter(table.clone())
    embeddings.patch_embeddings.image_size = (pixels, pixels)
    embeddings.patch_embeddings.num_patches = (pixels // patch) ** 2
    if hasattr(embeddings, "image_size"):
        embeddings.image_size = (pixels, pixels)
    model.config.image_size = pixels
    return True
