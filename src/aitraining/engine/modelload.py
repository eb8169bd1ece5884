"""Loading a model's tokenizer/config with one clear error when the path or id is unusable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aitraining.engine.model_checks import check_model
from aitraining.errors import AitrainingError


def model_load_error(what: str, model: str, exc: Exception) -> AitrainingError:
    looks_local = model.startswith((".", "/", "~")) or Path(model).expanduser().exists()
    if looks_local and not Path(model).expanduser().exists():
        return AitrainingError(f"--model {model}: no such folder. Pass an existing model folder or a Hub model id.")
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return AitrainingError(
        f"Could not load the {what} of --model {model}: {type(exc).__name__}: {first_line}. "
        "Pass a local model folder (config.json, weights and tokenizer files) or a Hub id reachable from here."
    )


def load_tokenizer(model: str) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(model)
    except Exception as exc:
        raise model_load_error("tokenizer", model, exc) from None


def load_config(model: str) -> Any:
    """The model's config (sizes and limits) without loading any weights."""
    from transformers import AutoConfig

    try:
        return AutoConfig.from_pretrained(model)
    except Exception as exc:
        raise model_load_error("config", model, exc) from None


def load_pretrained(auto_class: Any, model: str, **kwargs: Any) -> Any:
    check_model(model, auto_class)
    try:
        return auto_class.from_pretrained(model, **kwargs)
    except Exception as exc:
        raise model_load_error("weights", model, exc) from None
