"""Parameter groups shared by every command. A command's params class inherits the ones it uses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from aitraining.params.fields import ParamsBase, param

CORE = "Core"
DATA = "Data"
OPTIM = "Optimisation"
PERF = "Performance"
LOGGING = "Logging & saving"
HUB = "Hugging Face Hub"
PEFT = "PEFT / LoRA"
DISTILL = "Distillation (cross-cutting)"
SWEEP = "Hyperparameter sweep (cross-cutting)"
EVAL = "Enhanced evaluation (cross-cutting)"
RESUME = "Resume & interruption"

# --help and the docs list the shared groups in this order; a command's own groups go after DATA.
SHARED_GROUP_ORDER = (CORE, DATA, OPTIM, PERF, LOGGING, RESUME, HUB, PEFT, DISTILL, SWEEP, EVAL)

OPTIMIZERS = (
    "adamw_torch",
    "adamw_torch_fused",
    "adamw_8bit",
    "paged_adamw_8bit",
    "adafactor",
    "sgd",
    "adagrad",
    "rmsprop",
    "lion_32bit",
)
SCHEDULERS = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "cosine_with_min_lr",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
    "reduce_lr_on_plateau",
    "warmup_stable_decay",
)
# Trainers whose data goes through `data.mapping.tokenize_map` (commands without trainers always do);
# ppo keeps its prompts in memory and tokenises them in one process.
TOKENISING_TRAINERS = ("generic", "sft", "dpo", "orpo", "reward", "pair", "pair_class", "pair_score", "triplet", "qa")
Optimizer = Literal[OPTIMIZERS]  # type: ignore[valid-type]
Scheduler = Literal[SCHEDULERS]  # type: ignore[valid-type]
LogBackend = Literal["none", "tensorboard", "wandb"]
Strategy = Literal["no", "steps", "epoch"]


class CoreParams(ParamsBase):
    model: str | None = param(None, "Base model: a local folder or a Hub model id.", group=CORE)
    project_name: str = param("project-name", "Output folder for the trained model, logs and model card.", group=CORE)
    data_path: str | None = param(
        None,
        "Training data: a folder of <split>.csv|jsonl|json|parquet files, one such file, "
        "a datasets.save_to_disk folder, or a Hub dataset id.",
        group=CORE,
    )
    backend: str = param(
        "local",
        "Where to train: local (this machine; AutoTrain's local-cli/local-ui too), spaces-<hardware>, "
        "ep-<cloud>-<region>-<size> (endpoints), dgx-/ngc-/nvcf-<hardware>. Only local trains in this version; "
        "the others are accepted and say so at run time.",
        group=CORE,
    )

    def feature_metrics(self) -> tuple[str, ...]:
        """Metrics a feature switched on by these params adds to metrics.json's "final" (e.g. distillation's
        eval_distill_loss), beyond those the command declares in the registry. A params class overrides it."""
        return ()

    def fingerprint_parts(self) -> dict[str, Any]:
        """What else identifies the run for resuming, beyond the parameters and the data: {label: value}, e.g.
        the files a parameter points to (a distillation teacher). A command's params class overrides it."""
        return {}

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        from aitraining.params.autotrain import backend_family

        backend_family(value)  # raises ParamError naming the accepted forms
        return value


class DataParams(ParamsBase):
    train_split: str = param("train", "Training split name ('config:split' for Hub datasets).", group=DATA)
    valid_split: str | None = param(
        None, "Validation split name; when given it is evaluated during training.", group=DATA
    )
    max_samples: int | None = param(
        None, "Use at most this many rows of each split (handy for quick trials).", group=DATA, ge=1
    )


class OptimParams(ParamsBase):
    lr: float = param(3e-5, "Peak learning rate.", group=OPTIM, gt=0)
    epochs: int = param(1, "Number of training epochs.", group=OPTIM, ge=1)
    batch_size: int = param(2, "Training batch size per device.", group=OPTIM, ge=1)
    gradient_accumulation: int = param(4, "Steps to accumulate gradients over before an update.", group=OPTIM, ge=1)
    optimizer: Optimizer = param("adamw_torch", "Optimizer (transformers optimizer name).", group=OPTIM)
    scheduler: Scheduler = param("linear", "Learning-rate schedule.", group=OPTIM)
    warmup_ratio: float = param(
        0.1, "Fraction of training steps used for learning-rate warmup.", group=OPTIM, ge=0, lt=1
    )
    warmup_steps: int | None = param(
        None, "Warmup in optimizer steps; when given it replaces --warmup-ratio.", group=OPTIM, ge=0
    )
    weight_decay: float = param(0.0, "Weight decay.", group=OPTIM, ge=0)
    max_grad_norm: float = param(1.0, "Gradient clipping norm.", group=OPTIM, gt=0)
    seed: int = param(42, "Random seed for reproducibility.", group=OPTIM)


class PerfParams(ParamsBase):
    mixed_precision: Literal["none", "fp16", "bf16"] = param(
        "none",
        "Mixed precision: fp16 needs a CUDA GPU; bf16 needs a GPU or CPU that supports it.",
        group=PERF,
    )
    auto_find_batch_size: bool = param(
        False,
        "On an out-of-memory error, retry with a 10% smaller batch until a step fits; the batch size found is logged.",
        group=PERF,
    )
    disable_gradient_checkpointing: bool = param(
        False, "Turn gradient checkpointing off (faster, uses more memory).", group=PERF
    )
    num_workers: int | None = param(
        None,
        "Processes that tokenise the data. Default: chosen from the row count and the CPU cores "
        "(one process below 40,000 rows).",
        group=PERF,
        ge=1,
        trainers=TOKENISING_TRAINERS,
    )


DistributedBackend = Literal["ddp", "fsdp", "deepspeed"]


class DistributedParams(ParamsBase):
    """Several processes (GPUs) or machines; engine/distributed.py launches and coordinates them."""

    distributed_backend: DistributedBackend = param(
        "ddp",
        "How several processes share the work: ddp (a full copy per process), fsdp (weights, gradients and "
        "optimizer state sharded; FSDP2 with transformer-layer auto-wrap) or deepspeed (ZeRO-3 unless "
        "--deepspeed-config says otherwise; needs the deepspeed package). Used with more than one process, "
        "or under accelerate launch / torchrun (then also with one process, e.g. FSDP on one GPU).",
        group=PERF,
    )
    num_processes: int | None = param(
        None,
        "Training processes on this machine (default: one per visible GPU, 1 without a GPU). With more than "
        "one, the command relaunches itself through accelerate; --batch-size stays per process.",
        group=PERF,
        ge=1,
    )
    num_machines: int = param(1, "Machines taking part (multi-node); start the same command on each.", group=PERF, ge=1)
    machine_rank: int = param(0, "This machine's rank, 0 to --num-machines - 1 (multi-node).", group=PERF, ge=0)
    main_process_ip: str | None = param(
        None, "Address of the rank-0 machine (needed with --num-machines > 1).", group=PERF
    )
    main_process_port: int | None = param(
        None,
        "Port of the rank-0 machine (default: a free port on one machine, 29500 across machines).",
        group=PERF,
        ge=0,
        le=65535,
    )
    fsdp_config: str | None = param(
        None, "A JSON file of transformers' fsdp_config settings, used with --distributed-backend fsdp.", group=PERF
    )
    deepspeed_config: str | None = param(
        None,
        "A DeepSpeed JSON config file, used with --distributed-backend deepspeed (default: ZeRO-3 with 'auto' values).",
        group=PERF,
    )

    @field_validator("distributed_backend", mode="before")
    @classmethod
    def _null_is_ddp(cls, value: object) -> object:
        return "ddp" if value is None else value  # AutoTrain configs write `distributed_backend: null`

    def single_process_reason(self) -> str | None:
        """Why this run can only use one process, or None; a command overrides it (e.g. llm's PPO)."""
        return None


class LoggingParams(ParamsBase):
    log: LogBackend = param(
        "none",
        "Experiment tracker: tensorboard (event files in the project folder), wandb, or none.",
        group=LOGGING,
    )
    logging_steps: int = param(10, "Log the training loss every N optimizer steps.", group=LOGGING, ge=1)
    eval_strategy: Strategy = param(
        "epoch",
        "When to evaluate on the validation split (needs --valid-split); 'steps' evaluates every --logging-steps.",
        group=LOGGING,
    )
    save_strategy: Strategy = param("epoch", "When to save checkpoints during training.", group=LOGGING)
    save_steps: int = param(500, "Save a checkpoint every N steps (with --save-strategy steps).", group=LOGGING, ge=1)
    save_total_limit: int = param(
        1,
        "Keep at most this many complete checkpoints; the newest complete one (and the best one, when the best "
        "model is kept) is never deleted.",
        group=LOGGING,
        ge=1,
    )
    keep_best_model: bool = param(
        True,
        "When a validation split is evaluated at the moments checkpoints are saved (--eval-strategy and "
        "--save-strategy alike), save the best checkpoint by the task's metric (eval_loss for LLMs) instead of "
        "the last weights; the log and the model card name the step.",
        group=LOGGING,
    )
    save_dtype: Literal["auto", "float32", "bfloat16", "float16"] = param(
        "auto",
        "Dtype of the saved model's weights: auto keeps the --model checkpoint's own (config.json dtype). "
        "Training always updates float32 weights; --mixed-precision only changes the dtype of the maths.",
        group=LOGGING,
    )


class ResumeParams(ParamsBase):
    resume_from_checkpoint: str | None = param(
        None,
        "Continue an interrupted run: 'auto' takes the newest complete checkpoint in the project folder (and "
        "starts from the beginning when there is none yet), or give a checkpoint folder. Weights, optimizer, "
        "scheduler, gradient scaler, random states and the data position are restored.",
        group=RESUME,
    )
    resume_allow_changes: bool = param(
        False,
        "Resume even though parameters that alter the run (model, data, schedule, batch size, number of "
        "processes...) differ from the checkpoint's; each difference is still listed in the log.",
        group=RESUME,
    )


class DivergenceParams(ParamsBase):
    max_bad_steps: int = param(
        3,
        "Stop the run after this many consecutive optimizer steps whose loss or gradient norm is NaN or "
        "infinite; checkpoints are never written at such steps, so the last good one is kept.",
        group=RESUME,
        ge=1,
    )


class HubParams(ParamsBase):
    push_to_hub: bool = param(False, "Upload the trained model and card to the Hugging Face Hub.", group=HUB)
    username: str | None = param(None, "Hub user or organisation to push to.", group=HUB, requires="push_to_hub")
    token: str | None = param(
        None, "Hub token (or set HF_TOKEN). Never written to disk or logs.", group=HUB, secret=True
    )
    repo_id: str | None = param(
        None, "Hub repository id (default: <username>/<project name>).", group=HUB, requires="push_to_hub"
    )


class CommonParams(
    HubParams,
    DivergenceParams,
    ResumeParams,
    LoggingParams,
    DistributedParams,
    PerfParams,
    OptimParams,
    DataParams,
    CoreParams,
):
    """The parameters every training command accepts."""


def ordered_groups(groups: list[str]) -> list[str]:
    """Core and Data first, then the command's own groups, then the other shared groups."""
    shared = [g for g in SHARED_GROUP_ORDER if g in groups]
    own = [g for g in groups if g not in SHARED_GROUP_ORDER]
    return shared[:2] + own + shared[2:]
