"""Loading the tokenizer and causal LM (with LoRA / quantization) and saving what was trained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aitraining.engine import distributed, modelload
from aitraining.engine.hardware import quantization_config
from aitraining.errors import AitrainingError

load_config = modelload.load_config


def load_tokenizer(model: str, logger: Any) -> Any:
    tokenizer = modelload.load_tokenizer(model)
    if tokenizer.pad_token is None:
        fallback = tokenizer.unk_token or tokenizer.eos_token
        tokenizer.pad_token = fallback
        logger.info(f"The tokenizer has no pad token; using {fallback!r} for padding (never counted in the loss).")
    return tokenizer


def load_model(params: Any, tokenizer: Any, kind: str = "causal") -> Any:
    """The base model to train: a causal LM, or a one-output sequence classifier for `kind="reward"`."""
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    kwargs: dict[str, Any] = {"num_labels": 1} if kind == "reward" else {}
    auto = AutoModelForSequenceClassification if kind == "reward" else AutoModelForCausalLM
    quant = quantization_config(params.quantization)
    if quant is not None:
        kwargs["quantization_config"] = quant
        kwargs["device_map"] = distributed.device_map()  # never "auto" under several processes
    if params.use_flash_attention_2:
        kwargs["attn_implementation"] = "flash_attention_2"
    modelload.check_model(params.model, auto)
    try:
        model = auto.from_pretrained(params.model, **kwargs)
    except Exception as exc:
        raise modelload.model_load_error("weights", params.model, exc) from None
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    if params.peft:
        model = add_lora(model, params, task_type="SEQ_CLS" if kind == "reward" else "CAUSAL_LM")
    return model


def load_reference(path: str) -> Any:
    """A separate, frozen reference policy (--model-ref)."""
    from transformers import AutoModelForCausalLM

    try:
        ref = AutoModelForCausalLM.from_pretrained(path)
    except Exception as exc:
        raise modelload.model_load_error("reference model (--model-ref)", path, exc) from None
    return ref.eval().requires_grad_(False)


def add_lora(model: Any, params: Any, *, task_type: str, modules_to_save: list[str] | None = None) -> Any:
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    if params.quantization != "none":
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=not params.disable_gradient_checkpointing
        )
    targets: Any = params.target_modules
    if targets != "all-linear":
        targets = [t.strip() for t in targets.split(",") if t.strip()]
    config = LoraConfig(
        r=params.lora_r,
        lora_alpha=params.lora_alpha,
        lora_dropout=params.lora_dropout,
        target_modules=targets,
        task_type=task_type,
        modules_to_save=modules_to_save,
    )
    try:
        return get_peft_model(model, config)
    except ValueError as exc:
        raise AitrainingError(f"--target-modules {params.target_modules}: {exc}") from None


def save_trained(model: Any, tokenizer: Any, params: Any, project: Path, logger: Any) -> dict[str, str]:
    """Save the model users load from the project root; with LoRA, the adapter goes to adapter/.

    With --merge-adapter (the default) the root holds the merged full model; without it the root
    holds the adapter itself (loadable with peft or transformers' adapter support).
    """
    saved: dict[str, str] = {}
    if not params.peft:
        model.save_pretrained(project)
        tokenizer.save_pretrained(project)
        return {"model": str(project)}
    adapter_dir = project / "adapter" if params.merge_adapter else project
    model.save_pretrained(adapter_dir)
    tokenizer.save_pretrained(adapter_dir)
    saved["adapter"] = str(adapter_dir)
    if params.merge_adapter:
        quantized = params.quantization != "none"  # quantized weights merge into a fresh full-precision base
        merged = merge_adapter(params.model, adapter_dir) if quantized else model.merge_and_unload()
        merged.save_pretrained(project)
        tokenizer.save_pretrained(project)
        saved["model"] = str(project)
        logger.info(f"LoRA adapter saved to {adapter_dir}; merged model saved to {project}")
    return saved


def merge_adapter(base_model: str, adapter_dir: str | Path) -> Any:
    """Load the base model unquantized, apply the adapter and merge it into the weights.

    The adapter's task type picks the head: SEQ_CLS adapters (reward models) merge into a sequence
    classifier with one output, SEQ_2_SEQ_LM ones into an encoder-decoder, others into a causal LM.
    """
    from peft import PeftConfig, PeftModel
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoModelForSequenceClassification

    config = PeftConfig.from_pretrained(str(adapter_dir))
    task_type = str(config.task_type).removeprefix("TaskType.")
    if task_type == "SEQ_CLS":
        base = AutoModelForSequenceClassification.from_pretrained(base_model, num_labels=1)
    elif task_type == "SEQ_2_SEQ_LM":
        base = AutoModelForSeq2SeqLM.from_pretrained(base_model)
    else:
        base = AutoModelForCausalLM.from_pretrained(base_model)
    return PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
