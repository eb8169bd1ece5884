"""Tiny vision-language models (LLaVA-style and Qwen2-VL-style) with their processors, and a learnable
VQA dataset of coloured squares.

Each factory trains a byte-level BPE tokenizer on the spot (with the family's image tokens as special
tokens), gives it a ChatML-style chat template that renders `{"type": "image"}` content entries as the
family's image placeholder, builds a random model well under 2M parameters, and saves model, processor
and template with `save_pretrained`, so `AutoProcessor` + `AutoModelForImageTextToText` load the folder
offline. The image processors are the PIL-backend classes (torchvision does not install here).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from aitraining.testing._corpus import default_corpus
from aitraining.testing.models import _seeded_init
from aitraining.testing.tokenizers import BPE_SPECIAL_TOKENS, BPE_TOKEN_ROLES, train_bpe_tokenizer

SQUARE_COLOURS = {"red": (220, 40, 40), "green": (40, 200, 60), "blue": (50, 70, 230), "yellow": (235, 220, 40)}
QUESTION = "What colour is the square?"


def vlm_chat_template(image_placeholder: str) -> str:
    """ChatML where a content list's `{"type": "image"}` entries render as `image_placeholder`, and each
    assistant reply plus its `<|im_end|>` sits inside `{% generation %}` markers."""
    return (
        "{%- for message in messages %}"
        "{{- '<|im_start|>' + message['role'] + '\\n' }}"
        "{%- if message['content'] is string %}{%- set body = message['content'] %}"
        "{%- else %}{%- set ns = namespace(text='') %}"
        "{%- for part in message['content'] %}"
        "{%- if part['type'] == 'image' %}{%- set ns.text = ns.text + '" + image_placeholder + "' %}"
        "{%- elif part['type'] == 'text' %}{%- set ns.text = ns.text + part['text'] %}{%- endif %}"
        "{%- endfor %}{%- set body = ns.text %}{%- endif %}"
        "{%- if message['role'] == 'assistant' %}"
        "{%- generation %}{{- body + '<|im_end|>' }}{%- endgeneration %}"
        "{%- else %}{{- body + '<|im_end|>' }}{%- endif %}"
        "{{- '\\n' }}"
        "{%- endfor %}"
        "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
    )


def _texts(extra: Iterable[str]) -> list[str]:
    return [*default_corpus(), *extra, *(f"{QUESTION} {c}" for c in SQUARE_COLOURS)]


def _tokenizer(image_tokens: Sequence[str], texts: Iterable[str] | None) -> Any:
    tokenizer = train_bpe_tokenizer(
        _texts(texts or []), special_tokens=(*BPE_SPECIAL_TOKENS, *image_tokens), token_roles=BPE_TOKEN_ROLES
    )
    return tokenizer


def _llama_text(tokenizer: Any, hidden: int, layers: int) -> dict[str, Any]:
    return {
        "vocab_size": len(tokenizer),
        "hidden_size": hidden,
        "intermediate_size": 2 * hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": hidden // 4,
        "max_position_embeddings": 512,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }


def _save(model: Any, processor: Any, tokenizer: Any, out_dir: str | Path) -> Path:
    from transformers import GenerationConfig

    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    path = Path(out_dir)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    processor.save_pretrained(path)
    return path


def make_tiny_llava(
    out_dir: str | Path,
    *,
    image_size: int = 28,
    patch_size: int = 7,
    hidden_size: int = 64,
    seed: int = 0,
    texts: Iterable[str] | None = None,
) -> Path:
    """A LLaVA model: a 1-layer CLIP vision tower, a 2-layer Llama, and a LlavaProcessor that expands
    `<image>` to (image_size / patch_size)^2 tokens (one per patch; the CLS token is dropped)."""
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration, LlavaProcessor
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    tokenizer = _tokenizer(["<image>"], texts)
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        image_size=image_size,
        patch_size=patch_size,
        projection_dim=32,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=LlamaConfig(**_llama_text(tokenizer, hidden_size, 2)),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_select_strategy="default",  # drop CLIP's CLS token, as llava-1.5 does
        vision_feature_layer=-1,
        image_seq_length=(image_size // patch_size) ** 2,
        projector_hidden_act="gelu",
        tie_word_embeddings=False,
    )
    model = _seeded_init(seed, lambda: LlavaForConditionalGeneration(config))
    image_processor = CLIPImageProcessorPil(
        size={"height": image_size, "width": image_size},
        crop_size={"height": image_size, "width": image_size},
        do_center_crop=False,
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=patch_size,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's CLS, which "default" drops again
        chat_template=vlm_chat_template("<image>"),
        image_token="<image>",
    )
    return _save(model, processor, tokenizer, out_dir)


QWEN_IMAGE_TOKENS = ("<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>")


def make_tiny_qwen2_vl(
    out_dir: str | Path,
    *,
    image_size: int = 56,
    hidden_size: int = 64,
    seed: int = 0,
    texts: Iterable[str] | None = None,
) -> Path:
    """A Qwen2-VL model: a 1-block vision tower (patch 14, 2x2 merge) and a 2-layer Qwen2 text model with
    M-RoPE; images are resized to `image_size` pixels square, so each expands to (image_size/28)^2
    `<|image_pad|>` tokens between `<|vision_start|>` and `<|vision_end|>`."""
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration, Qwen2VLProcessor
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    from aitraining.engine.vision.multimodal import PROCESSOR_CONFIG, image_only_class

    tokenizer = _tokenizer(QWEN_IMAGE_TOKENS, texts)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in QWEN_IMAGE_TOKENS}
    text = {
        **_llama_text(tokenizer, hidden_size, 2),
        "rope_parameters": {"rope_type": "default", "mrope_section": [4, 2, 2], "rope_theta": 10000.0},
    }
    text.pop("head_dim")
    config = Qwen2VLConfig(
        text_config=text,
        vision_config={
            "depth": 1,
            "embed_dim": 32,
            "hidden_size": hidden_size,
            "num_heads": 2,
            "mlp_ratio": 2,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=False,
    )
    model = _seeded_init(seed, lambda: Qwen2VLForConditionalGeneration(config))
    pixels = image_size * image_size
    image_processor = Qwen2VLImageProcessorPil(size={"shortest_edge": pixels, "longest_edge": pixels})
    processor = image_only_class(Qwen2VLProcessor)(  # video processors need torchvision, missing here
        image_processor=image_processor,
        tokenizer=tokenizer,
        chat_template=vlm_chat_template("<|vision_start|><|image_pad|><|vision_end|>"),
    )
    path = _save(model, processor, tokenizer, out_dir)
    # What a torchvision install reads to build the video half (Qwen2-VL's video defaults)
    config = json.loads((path / PROCESSOR_CONFIG).read_text())
    config["video_processor"] = {
        "video_processor_type": "Qwen2VLVideoProcessor",
        "patch_size": 14,
        "temporal_patch_size": 2,
        "merge_size": 2,
    }
    (path / PROCESSOR_CONFIG).write_text(json.dumps(config, indent=2) + "\n")
    return path


def square_image(colour: str, size: int = 32, rng: random.Random | None = None) -> Any:
    """A grey image with a `colour` square at a random place (the colour is what there is to learn)."""
    from PIL import Image, ImageDraw

    rng = rng or random.Random(0)
    shade = rng.randint(90, 160)
    image = Image.new("RGB", (size, size), (shade, shade, shade))
    side = rng.randint(size // 2, size - 4)
    x, y = rng.randint(0, size - side), rng.randint(0, size - side)
    ImageDraw.Draw(image).rectangle([x, y, x + side - 1, y + side - 1], fill=SQUARE_COLOURS[colour])
    return image


def write_square_vqa(
    out_dir: str | Path,
    *,
    per_colour: int = 12,
    size: int = 32,
    seed: int = 0,
    question: str | None = QUESTION,
    colours: Sequence[str] = tuple(SQUARE_COLOURS),
) -> Path:
    """A split folder `<out_dir>/train` of PNGs with a metadata.jsonl (file_name, question, answer); the
    answer is the square's colour word. `question=None` writes captioning data (file_name, answer)."""
    rng = random.Random(seed)
    folder = Path(out_dir) / "train"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for index in range(per_colour):
        for colour in colours:
            name = f"{colour}_{index:03d}.png"
            square_image(colour, size, rng).save(folder / name)
            row = {"file_name": name, "answer": colour}
            rows.append({**row, "question": question} if question is not None else row)
    with (folder / "metadata.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    return Path(out_dir)


def make_tiny_paligemma(out_dir: str | Path, *, image_size: int = 28, patch_size: int = 7, seed: int = 0) -> Path:
    """A PaliGemma model (1-layer SigLIP, 2-layer Gemma) whose processor follows PaliGemma's prefix/suffix
    convention: no chat template; `processor(text=prompt, images=..., suffix=answer)` returns the labels."""
    from transformers import (
        GemmaConfig,
        PaliGemmaConfig,
        PaliGemmaForConditionalGeneration,
        PaliGemmaProcessor,
        SiglipVisionConfig,
    )
    from transformers.models.siglip.image_processing_pil_siglip import SiglipImageProcessorPil

    tokenizer = _tokenizer(["<image>"], None)
    image_processor = SiglipImageProcessorPil(size={"height": image_size, "width": image_size})
    image_processor.image_seq_length = (image_size // patch_size) ** 2
    processor = PaliGemmaProcessor(image_processor=image_processor, tokenizer=tokenizer)  # adds its loc/seg tokens
    text = {**_llama_text(tokenizer, 64, 2), "vocab_size": len(tokenizer)}
    vision = SiglipVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        image_size=image_size,
        patch_size=patch_size,
    )
    config = PaliGemmaConfig(
        vision_config=vision.to_dict(),
        text_config=GemmaConfig(**text).to_dict(),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        projection_dim=64,
        hidden_size=64,
        vocab_size=len(tokenizer),
    )
    model = _seeded_init(seed, lambda: PaliGemmaForConditionalGeneration(config))
    return _save(model, processor, tokenizer, out_dir)
