"""The multimodal processor of image-text-to-text models (the vlm command): loaded offline through
`AutoProcessor` with one work-around, and what is read from it (the image token, the family's convention).

Work-around (transformers 5.24): processors of video-capable families (Qwen2-VL, Qwen2.5-VL, ...) need a
video processor, and every video processor needs torchvision. Where torchvision is missing, `AutoProcessor`
fails although images alone need none of it; the processor is then built from its image processor, tokenizer
and chat template, without video support (said in the log). One place to drop when upstream relaxes this.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from aitraining.engine import modelload
from aitraining.engine.logs import get_logger

PROCESSOR_CONFIG = "processor_config.json"


@cache
def image_only_class(cls: type) -> type:
    """`cls` without its `video_processor` argument (ProcessorMixin reads the sub-processors from the
    __init__ signature); saved under the original class name, so the folder loads with AutoProcessor."""

    def __init__(
        self: Any, image_processor: Any = None, tokenizer: Any = None, chat_template: Any = None, **kwargs: Any
    ) -> None:
        cls.__init__(  # type: ignore[misc]
            self,
            image_processor=image_processor,
            tokenizer=tokenizer,
            video_processor=None,
            chat_template=chat_template,
            **kwargs,
        )

    return type(cls.__name__, (cls,), {"__init__": __init__, "__module__": cls.__module__, "images_only": True})


def _needs_video(exc: Exception) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return "video" in text.lower() or "torchvision" in text.lower()


def _image_only(model: str) -> Any:
    import transformers
    from transformers import AutoImageProcessor, AutoTokenizer

    config_file = Path(model) / PROCESSOR_CONFIG
    name = json.loads(config_file.read_text()).get("processor_class") if config_file.is_file() else None
    cls = getattr(transformers, str(name), None)
    if cls is None:
        raise ValueError(f"no {PROCESSOR_CONFIG} naming the processor class")
    template_file = Path(model) / "chat_template.jinja"
    template = template_file.read_text() if template_file.is_file() else None
    processor = image_only_class(cls)(
        image_processor=AutoImageProcessor.from_pretrained(model),
        tokenizer=AutoTokenizer.from_pretrained(model),
        chat_template=template,
    )
    _say_once(f"{name}: built without its video processor (torchvision is not installed); images only.")
    return processor


@cache
def _say_once(line: str) -> None:
    get_logger().info(line)


def is_images_only(processor: Any) -> bool:
    return bool(getattr(type(processor), "images_only", False))


def keep_video_config(base_model: str, saved: Path) -> bool:
    """An images-only processor saves no video half: copy the base model's video settings into the saved
    processor_config.json, so the folder loads with AutoProcessor where torchvision is installed."""
    from transformers.utils import cached_file

    found = cached_file(base_model, PROCESSOR_CONFIG, _raise_exceptions_for_missing_entries=False)
    video = json.loads(Path(found).read_text()).get("video_processor") if found else None
    if video is None:
        separate = cached_file(
            base_model, "video_preprocessor_config.json", _raise_exceptions_for_missing_entries=False
        )
        video = json.loads(Path(separate).read_text()) if separate else None
    target = saved / PROCESSOR_CONFIG
    if video is None or not target.is_file():
        return False
    config = json.loads(target.read_text())
    config["video_processor"] = video
    target.write_text(json.dumps(config, indent=2) + "\n")
    return True


def load_processor(model: str) -> Any:
    """`AutoProcessor.from_pretrained(model)`, images-only where the video half cannot load here."""
    from transformers import AutoProcessor

    try:
        processor = AutoProcessor.from_pretrained(model)
    except Exception as exc:
        if not _needs_video(exc):
            raise modelload.model_load_error("processor", model, exc) from None
        try:
            processor = _image_only(model)
        except Exception as inner:
            raise modelload.model_load_error("processor", model, inner) from None
    if not hasattr(processor, "image_processor") or not hasattr(processor, "tokenizer"):
        from aitraining.errors import ParamError

        raise ParamError(
            f"--model {model}: its processor ({type(processor).__name__}) has no image processor and tokenizer, "
            "so it is not a vision-language model. Pass a model that loads with AutoProcessor and "
            "AutoModelForImageTextToText (LLaVA, Qwen2-VL, PaliGemma, Idefics, ...)."
        )
    modelload.ensure_pad_token(processor.tokenizer, get_logger())
    return processor


def image_token_id(processor: Any) -> int | None:
    token_id = getattr(processor, "image_token_id", None)
    if token_id is None and getattr(processor, "image_token", None):
        token_id = processor.tokenizer.convert_tokens_to_ids(processor.image_token)
    return token_id


def uses_prefix_suffix(processor: Any) -> bool:
    """PaliGemma's convention: no chat template; the processor takes the prompt as `text` and the answer as
    `suffix`, and returns the labels and token_type_ids itself."""
    return type(processor).__name__.startswith("PaliGemma")
