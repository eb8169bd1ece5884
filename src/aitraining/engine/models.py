"""Model code every task shares: loading weights to train or to keep frozen (dtype, quantization, LoRA),
merging a LoRA adapter and saving what was trained. Which dtype is chosen, and why: engine/precision.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from aitraining.engine import distributed, modelload
from aitraining.engine.hardware import quantization_config
from aitraining.engine.logs import get_logger
from aitraining.engine.precision import (
    cast_for_saving,
    checkpoint_dtype,
    describe,
    dtype_name,
    floating_dtypes,
    frozen_dtype,
    upcast_trainable,
)
from aitraining.errors import AitrainingError, ParamError
from aitraining.params.crosscutting import PeftParams

if TYPE_CHECKING:
    from aitraining.params.groups import CommonParams


class LoraParams(Protocol):
    """What `add_lora` and `save_trained` read: a command's params class that mixes PeftParams into
    CommonParams (Python has no intersection type, so this names the attributes both parts contribute)."""

    @property
    def model(self) -> str | None: ...
    @property
    def peft(self) -> bool: ...
    @property
    def quantization(self) -> str: ...
    @property
    def target_modules(self) -> str: ...
    @property
    def lora_r(self) -> int: ...
    @property
    def lora_alpha(self) -> int: ...
    @property
    def lora_dropout(self) -> float: ...
    @property
    def merge_adapter(self) -> bool: ...
    @property
    def disable_gradient_checkpointing(self) -> bool: ...
    @property
    def save_dtype(self) -> str: ...


def load_trainable(auto_class: Any, params: CommonParams, *, lora_task_type: str | None = None, **kwargs: Any) -> Any:
    """`params.model` loaded to be trained: float32 weights, or with --peft a frozen base plus float32 LoRA
    adapters (`lora_task_type`: peft's task type); quantized with --quantization. Logs the dtypes."""
    if isinstance(params, PeftParams) and params.peft and lora_task_type is None:
        raise ParamError(f"--peft is not supported by this command ({type(params).__name__}).")
    model = load_weights(auto_class, params, **kwargs)
    return make_trainable(model, params, lora_task_type=lora_task_type)


def load_weights(auto_class: Any, params: CommonParams, **kwargs: Any) -> Any:
    """The first half of `load_trainable`, for tasks that adapt the model before LoRA wraps it (an image
    model's size, a regression head's start): the weights in the dtype training needs, seeded by --seed."""
    peft = isinstance(params, PeftParams) and params.peft
    quantization = params.quantization if isinstance(params, PeftParams) else "none"
    quant = quantization_config(quantization, params.mixed_precision)
    if quant is not None:  # bitsandbytes quantizes; peft's k-bit preparation casts the rest to float32
        # the whole model on this process's GPU, never device_map "auto" (see distributed.device_map)
        kwargs.update(quantization_config=quant, device_map=distributed.device_map())
    else:
        kwargs["dtype"] = frozen_dtype(checkpoint_dtype(params.model or "")) if peft else to_float32()
    if kwargs.get("attn_implementation") == "flash_attention_2":
        check_flash_attention_dtype(params, kwargs.get("dtype"))
    from transformers import set_seed

    set_seed(params.seed)  # new heads (a classifier, a reward score) start from --seed, not from the RNG's history
    return modelload.load_pretrained(auto_class, params.model or "", **kwargs)


def make_trainable(
    model: Any, params: CommonParams, *, lora_task_type: str | None, lora_modules_to_save: list[str] | None = None
) -> Any:
    """The second half of `load_trainable`: with --peft, wrap `model` in LoRA (`lora_task_type` None is what
    peft takes for image models; `lora_modules_to_save`: new heads trained in full); log the dtypes."""
    if isinstance(params, PeftParams) and params.peft:
        model = add_lora(model, params, task_type=lora_task_type, modules_to_save=lora_modules_to_save)
    stored = checkpoint_dtype(params.model or "")
    get_logger().info(trainable_dtype_line(model, stored, params.mixed_precision))
    return model


def to_float32() -> Any:
    import torch

    return torch.float32


def check_flash_attention_dtype(params: CommonParams, dtype: Any) -> None:
    """FlashAttention 2 runs on half-precision tensors only: float32 weights need autocast."""
    if dtype == to_float32() and params.mixed_precision == "none":
        raise ParamError(
            "--use-flash-attention-2 needs half-precision activations, and the weights being trained are float32: "
            "add --mixed-precision bf16 (or fp16), or drop --use-flash-attention-2."
        )


def trainable_dtype_line(model: Any, stored: Any, mixed_precision: str) -> str:
    trained, frozen = floating_dtypes(model, trainable=True), floating_dtypes(model, trainable=False)
    line = f"Weights being trained: {describe(trained)}"
    if frozen:
        line += f"; frozen weights: {describe(frozen)}"
    line += f" (the checkpoint stores {dtype_name(stored)})"
    if mixed_precision != "none":
        return line + f"; --mixed-precision {mixed_precision} runs the forward and backward passes under autocast."
    return line + "; no autocast (--mixed-precision none)."


def load_frozen(auto_class: Any, path: str, what: str, flag: str = "--model", **kwargs: Any) -> Any:
    """A model that is only evaluated (a reference policy): half precision kept on a GPU, eval mode, no grads."""
    dtype = frozen_dtype(checkpoint_dtype(path))
    try:
        model = auto_class.from_pretrained(path, dtype=dtype, **kwargs)
    except Exception as exc:
        raise modelload.model_load_error("weights", path, exc, flag) from None
    get_logger().info(f"The {what} ({flag} {path}) runs frozen in {dtype_name(dtype)}.")
    return model.eval().requires_grad_(False)


def add_lora(model: Any, params: LoraParams, *, task_type: str | None, modules_to_save: list[str] | None = None) -> Any:
    """Wrap `model` with a LoRA adapter (and prepare a quantized base); every trainable weight in float32.
    `modules_to_save`: new heads trained in full beside the adapter (e.g. an image classifier's head)."""
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
        model = get_peft_model(model, config)
    except ValueError as exc:
        raise AitrainingError(f"--target-modules {params.target_modules}: {exc}") from None
    upcast_trainable(model)  # the heads peft keeps trainable (e.g. a reward model's score) are not adapters
    return model


def save_trained(model: Any, tokenizer: Any, params: LoraParams, project: Path, logger: Any) -> dict[str, str]:
    """Save the model users load from the project root; with LoRA, the adapter goes to adapter/.

    With --merge-adapter (the default) the root holds the merged full model; without it the root
    holds the adapter itself (loadable with peft or transformers' adapter support). Full models are
    written in the --save-dtype (auto: the base checkpoint's dtype); the adapter keeps float32.
    """
    saved: dict[str, str] = {}
    base = params.model or ""  # engine.runner has checked --model is set
    if not params.peft:
        cast_for_saving(model, params.save_dtype, base, logger)
        model.save_pretrained(project)
        tokenizer.save_pretrained(project)
        return {"model": str(project)}
    adapter_dir = project / "adapter" if params.merge_adapter else project
    model.save_pretrained(adapter_dir)
    tokenizer.save_pretrained(adapter_dir)
    saved["adapter"] = str(adapter_dir)
    if params.merge_adapter:
        quantized = params.quantization != "none"  # quantized weights merge into a fresh full-precision base
        merged = merge_adapter(base, adapter_dir) if quantized else model.merge_and_unload()
        cast_for_saving(merged, params.save_dtype, base, logger)
        merged.save_pretrained(project)
        tokenizer.save_pretrained(project)
        saved["model"] = str(project)
        logger.info(f"LoRA adapter saved to {adapter_dir}; merged model saved to {project}")
    return saved


def merge_adapter(base_model: str, adapter_dir: str | Path) -> Any:
    """Load the base model unquantized (in its stored dtype), apply the adapter and merge it into the weights.

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
