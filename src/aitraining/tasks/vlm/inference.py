"""`aitraining vlm --inference`: answer image rows with a trained model, results to inference.json.

The prompt is rendered as training rendered it (a user turn with the image and the question, then the
generation prompt; PaliGemma's prefix), so the reloaded model is asked exactly what it learnt to answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.data.images import IMAGE_SUFFIXES, list_images
from aitraining.engine.predict import trained_model_folder, with_training_settings
from aitraining.errors import DataError, ParamError

if TYPE_CHECKING:
    from aitraining.tasks.vlm.params import VLMParams

RESULTS_FILE = "inference.json"
TRAINED_SETTINGS = ("trainer", "image_column", "prompt_text_column", "text_column")


def read_rows(spec: str, params: VLMParams) -> list[dict[str, Any]]:
    """Rows of {image_column, prompt (vqa), text (when given)} from an image, a folder or a data file."""
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
        return [{params.image_column: str(path)}]
    if path.is_dir() and not any(path.glob("metadata.*")) and list_images(path):
        return [{params.image_column: str(p)} for p in list_images(path)]
    if not path.exists():
        raise ParamError(
            f"--inference-prompts {spec}: no such file or folder. Pass a .jsonl/.csv of image rows, "
            "an image, or a folder of images."
        )
    from aitraining.data.images import load_image_splits

    loaded = load_image_splits(str(path), "train", None, None, image_column=params.image_column, target_column=None)
    rows = [dict(r) for r in loaded.train]
    if not rows or params.image_column not in rows[0]:
        raise DataError(f"{spec} holds no rows with the image column '{params.image_column}' (--image-column).")
    return rows


def answer(
    folder: str | Path, rows: list[dict[str, Any]], params: VLMParams, max_new_tokens: int = 16, processor: Any = None
) -> list[str]:
    """Greedy answers of the model in `folder` to each row (its image and, for vqa, its question)."""
    import torch
    from transformers import AutoModelForImageTextToText

    from aitraining.engine.vision.multimodal import load_processor
    from aitraining.tasks.vlm.encode import prompt_inputs
    from aitraining.tasks.vlm.preflight import row_images, row_prompt

    processor = processor or load_processor(str(folder))
    model = AutoModelForImageTextToText.from_pretrained(folder).eval()
    replies = []
    for row in rows:
        inputs = prompt_inputs(processor, row_images(row[params.image_column]), row_prompt(row, params))
        inputs = {k: v.to(model.device) for k, v in inputs.items()}
        with torch.no_grad():
            out = model.generate(
                **inputs, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=processor.tokenizer.pad_token_id
            )
        new = out[0, inputs["input_ids"].shape[1] :]
        replies.append(processor.tokenizer.decode(new, skip_special_tokens=True).strip())
    return replies


def run(resolved: Any) -> int:
    from aitraining.engine.logs import setup_console

    logger = setup_console()
    folder = trained_model_folder(resolved.params.project_name, "vlm")
    params = with_training_settings(resolved, folder, TRAINED_SETTINGS)
    if not params.inference_prompts:
        raise ParamError("--inference needs --inference-prompts (a .jsonl/.csv of image rows, an image or a folder).")
    rows = read_rows(params.inference_prompts, params)
    replies = answer(folder, rows, params, params.inference_max_new_tokens)
    results = []
    for row, reply in zip(rows, replies, strict=True):
        image = row[params.image_column]
        item = {"image": image.get("path") if isinstance(image, dict) else str(image), "response": reply}
        prompt = row.get(params.prompt_text_column or "") if params.trainer == "vqa" else None
        if prompt is not None:
            item["prompt"] = prompt
        if isinstance(row.get(params.text_column), str):
            item["expected"] = row[params.text_column]
        results.append(item)
    expected = [r for r in results if "expected" in r]
    if expected:
        right = sum(r["response"] == r["expected"] for r in expected)
        logger.info(f"Exact-match answers on these labelled rows: {right}/{len(expected)}")
    target = folder / RESULTS_FILE
    target.write_text(json.dumps({"model": str(folder), "results": results}, indent=2, ensure_ascii=False) + "\n")
    logger.info(f"{len(results)} answers written to {target}")
    return 0
