"""What users bring from AutoTrain Advanced: its task spellings, backend names and parameter names.

Light on purpose (no heavy imports): the config loader, the CLI parser and the params use it.
"""

from __future__ import annotations

from aitraining.errors import ParamError

# AutoTrain parameters that some aitraining command does not declare. Given to a command that does not
# use them, they get the spec-style "will be ignored" warning (an error with --strict) instead of an
# "unknown parameter" error. A reason is shown where we know what we do instead.


def _words(*groups: str) -> list[str]:
    return [word for group in groups for word in group.split()]


AUTOTRAIN_PARAMS: dict[str, str] = {
    name: ""
    for name in _words(
        # shared by AutoTrain's tasks
        "text_column target_column max_seq_length early_stopping_patience early_stopping_threshold "
        "eval_strategy save_total_limit logging_steps auto_find_batch_size warmup_ratio weight_decay "
        "max_grad_norm mixed_precision log trainer ",
        # LLM
        "add_eos_token block_size model_max_length padding use_flash_attention_2 disable_gradient_checkpointing "
        "chat_template quantization target_modules merge_adapter peft lora_r lora_alpha lora_dropout model_ref "
        "dpo_beta max_prompt_length max_completion_length prompt_text_column rejected_text_column unsloth "
        "distributed_backend ",
        # extractive QA, token classification, seq2seq, sentence-transformers
        "question_column answer_column max_doc_stride tokens_column tags_column max_target_length "
        "sentence1_column sentence2_column sentence3_column ",
        # image tasks, object detection, VLM
        "image_column image_square_size objects_column ",
        # tabular
        "id_column target_columns categorical_columns numerical_columns task num_trials time_limit "
        "categorical_imputer numerical_imputer numeric_scaler",
    )
}
_OWN_SEARCH = "tabular searches its own hyperparameters on every run: set the search with --num-trials and --time-limit"
AUTOTRAIN_PARAMS.update(
    {
        **dict.fromkeys(
            ("use_sweep", "sweep_backend", "sweep_n_trials", "sweep_metric", "sweep_direction", "sweep_params"),
            _OWN_SEARCH,
        ),
        "liger_kernel": "aitraining does not use Liger kernels; training runs on the standard transformers "
        "kernels (use --mixed-precision bf16 and --peft to save memory)",
        "use_liger_kernel": "aitraining does not use Liger kernels; training runs on the standard transformers "
        "kernels (use --mixed-precision bf16 and --peft to save memory)",
    }
)


def foreign_warning(name: str, command: str) -> str:
    """The spec-style line for an AutoTrain parameter this command does not use."""
    reason = AUTOTRAIN_PARAMS.get(name) or f"is an AutoTrain parameter that 'aitraining {command}' does not use"
    if AUTOTRAIN_PARAMS.get(name):
        reason = f"({reason})"
    return f"Warning: {name} {reason}, will be ignored"


# Backend families and the AutoTrain names that map onto them (a hardware suffix follows the prefix).
BACKEND_FAMILIES = {
    "local": "this machine",
    "spaces": "Hugging Face Spaces",
    "endpoint": "Hugging Face Inference Endpoints",
    "dgx": "NVIDIA DGX Cloud",
    "ngc": "NVIDIA NGC",
    "nvcf": "NVIDIA Cloud Functions",
}
_PREFIXES = {"local": "local", "spaces": "spaces", "ep": "endpoint", "endpoint": "endpoint"}
_PREFIXES.update({name: name for name in ("dgx", "ngc", "nvcf")})
RUNNABLE_BACKENDS = ("local",)


def backend_family(name: str) -> tuple[str, str]:
    """('spaces', 'a10g-largex4') for 'spaces-a10g-largex4'; ('local', 'cli') for 'local-cli'."""
    text = str(name).strip().lower()
    prefix, _, hardware = text.partition("-")
    if prefix not in _PREFIXES:
        raise ParamError(
            f"Invalid value '{name}' for backend: use local (also local-cli, local-ui), spaces[-<hardware>] such as "
            "spaces-a10g-large, ep-<cloud>-<region>-<size> such as ep-aws-useast1-m, or dgx-/ngc-/nvcf-<hardware>."
        )
    return _PREFIXES[prefix], hardware


def backend_unavailable_message(name: str) -> str | None:
    """None when the backend trains here; otherwise what is and is not available, in one paragraph."""
    family, hardware = backend_family(name)
    if family in RUNNABLE_BACKENDS:
        return None
    where = BACKEND_FAMILIES[family] + (f" with hardware '{hardware}'" if hardware else "")
    return (
        f"--backend {name} is not available in this version ({where}): aitraining trains on this "
        "machine only (--backend local, also written local-cli). Your other settings are accepted; run the same "
        "config on the target machine with --backend local, or remove the backend line."
    )
