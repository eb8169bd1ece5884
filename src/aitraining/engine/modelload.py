"""Loading a model's tokenizer/config with one clear error when the path or id is unusable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aitraining.engine.model_checks import check_model
from aitraining.errors import AitrainingError


def model_load_error(what: str, model: str, exc: Exception, flag: str = "--model") -> AitrainingError:
    looks_local = model.startswith((".", "/", "~")) or Path(model).expanduser().exists()
    if looks_local and not Path(model).expanduser().exists():
        return AitrainingError(f"{flag} {model}: no such folder. Pass an existing model folder or a Hub model id.")
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return AitrainingError(
        f"Could not load the {what} of {flag} {model}: {type(exc).__name__}: {first_line}. "
        "Pass a local model folder (config.json, weights and tokenizer files) or a Hub id reachable from here."
    )


def load_tokenizer(model: str) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(model)
    except Exception as exc:
        raise model_load_error("tokenizer", model, exc) from None


def ensure_pad_token(tokenizer: Any, logger: Any) -> None:
    """Give a tokenizer without a pad token one (unk, else eos): batches need padding, and padded positions
    are masked by the attention mask and never count in the loss."""
    if tokenizer.pad_token is not None:
        return
    fallback = tokenizer.unk_token or tokenizer.eos_token
    if fallback is None:
        raise AitrainingError(
            "The tokenizer has no pad, unk or eos token to pad batches with. Add a pad token to the tokenizer "
            "(tokenizer.add_special_tokens({'pad_token': '<pad>'}) and save it) and pass that folder as --model."
        )
    tokenizer.pad_token = fallback
    logger.info(f"The tokenizer has no pad token; using {fallback!r} for padding (never counted in the loss).")


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
