"""Checks on `--model` before any weight is read: the right kind of model for the task, and weight
files that are complete.

A model of the wrong kind (an encoder given to `llm`, a causal LM given to extractive QA) is refused
from its config alone. transformers would often load it anyway: BERT has a `BertLMHeadModel` and Llama a
`LlamaForQuestionAnswering`, so a wrong choice trains a head-less or half-random model without a word.
The checks read `config.json` (`model_type`, `architectures`, `is_encoder_decoder`) and the auto class
the task is about to use; they name no task.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from aitraining.errors import AitrainingError, ParamError

# auto class name -> (what the task trains, examples of suitable models)
_NEEDS = {
    "AutoModelForCausalLM": ("a causal (decoder-only) language model", "Llama, Qwen, Mistral, GPT-2, SmolLM"),
    "AutoModelForQuestionAnswering": ("an encoder with a span-extraction head", "BERT, RoBERTa, DeBERTa, MiniLM"),
    "AutoModelForSeq2SeqLM": ("an encoder-decoder model", "T5, BART, mT5, Marian"),
    "AutoModelForSequenceClassification": ("a model with a sequence-classification head", "BERT, RoBERTa"),
    "AutoModelForTokenClassification": ("a model with a token-classification head", "BERT, RoBERTa"),
}
_DECODER_SUFFIXES = ("ForCausalLM", "LMHeadModel")


def check_model(model: str, auto_class: Any) -> None:
    """Everything that can be checked before `auto_class.from_pretrained(model)` reads the weights."""
    check_model_kind(model, auto_class)
    check_weight_files(model)


def check_model_kind(model: str, auto_class: Any) -> None:
    """Raise `ParamError` when `--model` cannot be what `auto_class` is meant to load.

    A config that cannot be read is left to the loader, which reports it; models with their own code
    (`auto_map`) are trusted.
    """
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(model)
    except Exception:
        return
    wanted = getattr(auto_class, "__name__", str(auto_class))
    if wanted in (getattr(config, "auto_map", None) or {}):
        return
    problem = kind_problem(config, auto_class)
    if problem is None:
        return
    what, examples = _NEEDS.get(wanted, (f"a model {wanted} can load", "one made for this task"))
    raise ParamError(
        f"--model {model} is {problem}, but this command trains {what} ({wanted}). No weights were loaded. "
        f"Pass a model of that kind, such as {examples}."
    )


def kind_problem(config: Any, auto_class: Any) -> str | None:
    """Why `config` does not fit `auto_class` (a phrase), or None when it fits."""
    from transformers.models.auto import modeling_auto

    name = getattr(auto_class, "__name__", "")
    described = describe(config)
    mapping = getattr(auto_class, "_model_mapping", None)
    if mapping is not None and type(config) not in mapping:
        return f"{described}, for which transformers has no {name}"
    masked_lm = config.model_type in modeling_auto.MODEL_FOR_MASKED_LM_MAPPING_NAMES
    architectures = list(getattr(config, "architectures", None) or [])
    decoder_only = bool(architectures) and all(a.endswith(_DECODER_SUFFIXES) for a in architectures)
    if name == "AutoModelForCausalLM":
        if getattr(config, "is_encoder_decoder", False):
            return f"{described}, an encoder-decoder model (use 'aitraining seq2seq')"
        if masked_lm and not decoder_only and not getattr(config, "is_decoder", False):
            return f"{described}, an encoder (masked language model) that cannot generate text"
    if name == "AutoModelForQuestionAnswering" and decoder_only and not masked_lm:
        return f"{described}, a causal (decoder-only) language model"
    return None


def describe(config: Any) -> str:
    architectures = ", ".join(getattr(config, "architectures", None) or []) or "no architectures listed"
    return f"a '{config.model_type}' model ({architectures})"


def check_weight_files(model: str) -> None:
    """Refuse a local model folder whose .safetensors files are truncated or have a broken header.

    Reads only each file's header (8 bytes of length, then JSON), so it costs nothing for big models.
    """
    folder = Path(model).expanduser()
    if not folder.is_dir():
        return
    for file in sorted(folder.glob("*.safetensors")):
        problem = safetensors_problem(file)
        if problem is not None:
            raise AitrainingError(
                f"--model {model}: the weights file {file.name} is {problem}, so it is truncated or corrupt "
                "(an interrupted download or save). No weights were loaded. Download or save the model again."
            )


def safetensors_problem(file: Path) -> str | None:
    size = file.stat().st_size
    with file.open("rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            return f"only {size} bytes long"
        (length,) = struct.unpack("<Q", head)
        if length > size - 8:
            return f"{size} bytes long but announces a {length}-byte header"
        try:
            header = json.loads(handle.read(length))
        except (UnicodeDecodeError, ValueError):
            return "unreadable (its header is not valid JSON)"
    if not isinstance(header, dict):
        return "unreadable (its header is not a JSON object)"
    ends = [e["data_offsets"][1] for k, e in header.items() if k != "__metadata__" and isinstance(e, dict)]
    needed = 8 + length + max(ends, default=0)
    if needed > size:
        return f"{size} bytes long but its header describes {needed} bytes"
    return None
