"""The LLM command's model loading: the tokenizer, the causal LM or reward scorer, the --model-ref reference.

Dtypes, quantization, LoRA, merging and saving are shared with the other commands in engine/models.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aitraining.engine import modelload
from aitraining.engine.models import add_lora, load_frozen, load_trainable, save_trained

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

__all__ = ["add_lora", "load_config", "load_model", "load_reference", "load_tokenizer", "save_trained"]

load_config = modelload.load_config


def load_tokenizer(model: str, logger: Any) -> Any:
    tokenizer = modelload.load_tokenizer(model)
    modelload.ensure_pad_token(tokenizer, logger)
    return tokenizer


def load_model(params: LLMParams, tokenizer: Any, kind: str = "causal") -> Any:
    """The base model to train: a causal LM, or a one-output sequence classifier for `kind="reward"`."""
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    reward = kind == "reward"
    kwargs: dict[str, Any] = {"num_labels": 1} if reward else {}
    if params.use_flash_attention_2:
        kwargs["attn_implementation"] = "flash_attention_2"
    auto = AutoModelForSequenceClassification if reward else AutoModelForCausalLM
    model = load_trainable(auto, params, lora_task_type="SEQ_CLS" if reward else "CAUSAL_LM", **kwargs)
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return model


def load_reference(path: str, flag: str = "--model-ref") -> Any:
    """A frozen reference policy: --model-ref, or (flag --model) the base model for dpo without LoRA."""
    from transformers import AutoModelForCausalLM

    return load_frozen(AutoModelForCausalLM, path, "reference policy", flag)
