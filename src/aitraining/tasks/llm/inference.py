"""`aitraining llm --inference`: answer prompts with a trained model, results to JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aitraining.engine.predict import trained_model_folder
from aitraining.errors import DataError, ParamError

RESULTS_FILE = "inference.json"


def read_prompts(spec: str, text_column: str) -> list[str]:
    """Prompts from a file (.txt lines, or the text column of .jsonl/.json/.csv) or the text itself."""
    path = Path(spec)
    if not path.is_file():
        return [spec]
    if path.suffix == ".txt":
        prompts = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        from aitraining.data.loading import load_splits, require_columns

        data = load_splits(str(path))
        require_columns(data.train, {"text_column": text_column}, split="train", source=data.source)
        prompts = [str(v) for v in data.train[text_column]]
    if not prompts:
        raise DataError(f"{path} holds no prompts.")
    return prompts


def trained_with(folder: Path) -> str | None:
    """The --trainer of the run that saved this folder (its training_params.json), when known."""
    from aitraining.engine.project import PARAMS_FILE

    try:
        return json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8")).get("trainer")
    except (OSError, ValueError, AttributeError):
        return None


def prompt_tokenizer(folder: Path, logger: Any) -> Any:
    """The saved tokenizer, set up to render prompts as the run trained (the prompt rule, said once)."""
    from transformers import AutoTokenizer

    from aitraining.tasks.llm.prompt_rule import announce, without_template_for_generic

    tokenizer = AutoTokenizer.from_pretrained(folder)
    without_template_for_generic(tokenizer, trained_with(folder), logger)
    announce(tokenizer, logger)
    return tokenizer


def run(resolved: Any) -> int:
    from aitraining.engine.logs import setup_console
    from aitraining.tasks.llm.generate import Sampling, generate

    params = resolved.params
    logger = setup_console()
    if not params.inference_prompts:
        raise ParamError("--inference needs --inference-prompts (a file of prompts, or the prompt text).")
    folder = trained_model_folder(params.project_name, "llm")
    prompts = read_prompts(params.inference_prompts, params.text_column)
    sampling = Sampling(
        params.inference_max_new_tokens, params.inference_temperature, params.inference_top_k, params.inference_top_p
    )
    replies = generate(folder, prompts, sampling, prompt_tokenizer(folder, logger))
    results = [{"prompt": p, "response": r} for p, r in zip(prompts, replies, strict=True)]
    target = folder / RESULTS_FILE
    target.write_text(json.dumps({"model": str(folder), "results": results}, indent=2, ensure_ascii=False) + "\n")
    for item in results[:3]:
        logger.info(f"prompt: {item['prompt']}\nresponse: {item['response']}")
    logger.info(f"{len(results)} responses written to {target}")
    return 0
