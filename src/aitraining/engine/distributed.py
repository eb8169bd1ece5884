"""Several processes: who is rank 0, how the CLI relaunches itself through accelerate, and the
TrainingArguments keywords of each backend (ddp, fsdp, deepspeed).

One process or many, the same code runs: a run started by `accelerate launch` or `torchrun` (WORLD_SIZE
set) is never relaunched; a plain `aitraining ...` with more than one planned process relaunches itself
as `accelerate launch --multi_gpu ... -m aitraining <same args>`. Backends are configured through the
TrainingArguments keywords, so every way of starting the run trains the same way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from aitraining.errors import NotAvailableError, ParamError

if TYPE_CHECKING:
    from aitraining.params.groups import CommonParams, CoreParams, DistributedParams

# Set in the processes our relaunch starts: the parent has already printed the resolve warnings.
RELAUNCHED_ENV = "AITRAINING_RELAUNCHED"
DEFAULT_MULTI_NODE_PORT = 29500


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def is_distributed() -> bool:
    return world_size() > 1


def launched() -> bool:
    """Started by accelerate launch / torchrun, even as its only process: the chosen backend applies (FSDP
    or DeepSpeed on one GPU shards nothing but still offloads, wraps and saves as it does on several)."""
    return is_distributed() or "LOCAL_RANK" in os.environ


def is_main() -> bool:
    return rank() == 0


def prints_resolve_warnings() -> bool:
    """The CLI's warnings are printed once: by the process the user started, or rank 0 of their launcher."""
    return is_main() and not os.environ.get(RELAUNCHED_ENV)


def visible_gpus() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def planned_processes(params: DistributedParams) -> int:
    """Processes on this machine: --num-processes, else one per visible GPU (1 without a GPU)."""
    reason = params.single_process_reason()
    if reason is not None:
        if params.num_processes is not None and params.num_processes > 1:
            raise ParamError(f"--num-processes {params.num_processes}: {reason}. Use --num-processes 1.")
        return 1
    gpus = visible_gpus()
    if params.num_processes is None:
        return max(gpus, 1)
    if 0 < gpus < params.num_processes:
        raise ParamError(
            f"--num-processes {params.num_processes} needs a GPU per process and {gpus} are visible here. "
            f"Use --num-processes {gpus} or fewer (or set CUDA_VISIBLE_DEVICES)."
        )
    return params.num_processes


def needs_launch(params: object) -> TypeGuard[DistributedParams]:
    """True when this process must start the others (and not train itself)."""
    from aitraining.params.groups import DistributedParams

    if not isinstance(params, DistributedParams) or is_distributed():
        return False
    return planned_processes(params) * params.num_machines > 1


def launch_args(params: DistributedParams, argv: list[str], processes: int) -> list[str]:
    """`accelerate launch` arguments running `python -m aitraining <argv>` in `processes` processes
    per machine (accelerate counts processes over all machines)."""
    if params.num_machines > 1 and not params.main_process_ip:
        raise ParamError("--num-machines > 1 needs --main-process-ip (the address of the rank-0 machine).")
    if params.machine_rank >= params.num_machines:
        raise ParamError(f"--machine-rank {params.machine_rank} must be below --num-machines {params.num_machines}.")
    port = params.main_process_port
    if port is None:
        port = 0 if params.num_machines == 1 else DEFAULT_MULTI_NODE_PORT  # 0: accelerate picks a free port
    args = [
        "--multi_gpu",  # torch's elastic launcher; it runs CPU (gloo) processes as well
        f"--num_processes={processes * params.num_machines}",
        f"--num_machines={params.num_machines}",
        f"--machine_rank={params.machine_rank}",
        f"--main_process_port={port}",
        "--mixed_precision=no",  # TrainingArguments sets precision itself (--mixed-precision)
        "--dynamo_backend=no",
    ]
    if params.main_process_ip:
        args.append(f"--main_process_ip={params.main_process_ip}")
    return [*args, "-m", "aitraining", *argv]


def launch(params: DistributedParams, argv: list[str], logger: Any) -> int:
    """Run the same command in several processes through accelerate; returns the exit code."""
    from accelerate.commands.launch import launch_command, launch_command_parser

    check_backend(params)
    processes = planned_processes(params)
    args = launch_args(params, argv, processes)
    logger.info(
        f"Starting {processes} processes on this machine ({params.distributed_backend}, "
        f"{params.num_machines} machine(s)) through accelerate launch."
    )
    os.environ[RELAUNCHED_ENV] = "1"
    elastic = logging.getLogger("torch.distributed.elastic")
    level = elastic.level
    elastic.setLevel(logging.CRITICAL)  # its failure lines are replaced by ours below
    try:
        launch_command(launch_command_parser().parse_args(args))
    except Exception as exc:  # torch's ChildFailedError; the failing rank printed its own message
        rank_text, code = _first_failure(exc)
        print(
            f"Distributed training failed: {rank_text} exited with code {code} (its message is above).", file=sys.stderr
        )
        return code
    finally:
        os.environ.pop(RELAUNCHED_ENV, None)
        elastic.setLevel(level)
    return 0


def _first_failure(exc: BaseException) -> tuple[str, int]:
    """('rank N', exit code) of the first process that failed, from torch's ChildFailedError."""
    failures = getattr(exc, "failures", None) or {}
    for global_rank, failure in sorted(failures.items()):
        code = getattr(failure, "exitcode", None)
        if code:
            return f"rank {global_rank}", code if code > 0 else 1  # negative: killed by a signal
    return "a process", getattr(exc, "returncode", None) or 1


def quiet_failure(exc: BaseException) -> bool:
    """Our own errors come from checks every rank makes alike: only rank 0 prints them."""
    from aitraining.errors import AitrainingError

    return not is_main() and isinstance(exc, AitrainingError)


def check_supported(params: CoreParams, command: str) -> None:
    """Under a launcher (WORLD_SIZE > 1), fail clearly for what trains in one process only."""
    from aitraining.params.groups import DistributedParams

    if not launched():
        warn_unlaunched_backend(params)
    if not is_distributed():
        return
    if not isinstance(params, DistributedParams):
        raise NotAvailableError(
            f"'aitraining {command}' trains in one process and is not distributed; start it without "
            "accelerate launch / torchrun."
        )
    reason = params.single_process_reason()
    if reason is not None:
        raise NotAvailableError(f"{reason}; start it without accelerate launch / torchrun (one process).")
    check_backend(params)
    local = int(os.environ.get("LOCAL_WORLD_SIZE", world_size()))
    if params.num_processes is not None and params.num_processes != local and is_main():
        logging.getLogger("aitraining").warning(
            f"Warning: --num-processes {params.num_processes} is ignored: the launcher started {local} "
            "processes on this machine, and they train."
        )


def warn_unlaunched_backend(params: CoreParams) -> None:
    """A plain one-process run shards nothing: --distributed-backend fsdp/deepspeed is said to be ignored."""
    backend = getattr(params, "distributed_backend", "ddp")
    if backend != "ddp":
        logging.getLogger("aitraining").warning(
            f"Warning: --distributed-backend {backend} is ignored: this run is one process started without a "
            "launcher. Use --num-processes N (N > 1), or start it with torchrun / accelerate launch (also with "
            f"one process, e.g. {backend} on one GPU)."
        )


def check_backend(params: DistributedParams) -> None:
    if params.distributed_backend == "deepspeed":
        try:
            import deepspeed  # noqa: F401
        except ImportError:
            raise NotAvailableError(
                "--distributed-backend deepspeed needs the deepspeed package: pip install deepspeed "
                "(it needs a CUDA GPU and compiler). Or use --distributed-backend ddp or fsdp."
            ) from None
    for flag, path in (("--fsdp-config", params.fsdp_config), ("--deepspeed-config", params.deepspeed_config)):
        if path is not None:
            read_json_config(flag, path)


def read_json_config(flag: str, path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ParamError(f"{flag} {path}: no such file. Give the path of a JSON file.") from None
    except json.JSONDecodeError as exc:
        raise ParamError(
            f"{flag} {path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). Fix the file."
        ) from None
    if not isinstance(data, dict):
        raise ParamError(f"{flag} {path}: expected a JSON object ({{...}}), found {type(data).__name__}.")
    return data


# ZeRO-3 with transformers' "auto" values (filled from TrainingArguments); saves a full 16-bit model.
DEFAULT_ZERO3: dict[str, Any] = {
    "zero_optimization": {
        "stage": 3,
        "overlap_comm": True,
        "contiguous_gradients": True,
        "stage3_gather_16bit_weights_on_model_save": True,
    },
    "bf16": {"enabled": "auto"},
    "fp16": {"enabled": "auto"},
    "train_micro_batch_size_per_gpu": "auto",
    "gradient_accumulation_steps": "auto",
    "gradient_clipping": "auto",
}
# FSDP2, full shard (reshard after forward), transformer-layer auto-wrap, one full state dict on save.
DEFAULT_FSDP: dict[str, Any] = {
    "version": 2,
    "reshard_after_forward": True,
    "auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
    "state_dict_type": "FULL_STATE_DICT",
}


def backend_kwargs(params: CommonParams) -> dict[str, Any]:
    """TrainingArguments keywords of the chosen backend (upstream names live here only)."""
    if not launched():
        return {}
    from aitraining.engine import upstream

    kwargs: dict[str, Any] = {"ddp_find_unused_parameters": False}
    if not _has_cuda():
        kwargs["ddp_backend"] = "gloo"
    if params.distributed_backend == "fsdp":
        config = dict(read_json_config("--fsdp-config", params.fsdp_config) if params.fsdp_config else DEFAULT_FSDP)
        if not params.disable_gradient_checkpointing:  # FSDP's own checkpointing avoids a second all-gather
            config.setdefault("activation_checkpointing", True)
            kwargs.update(upstream.checkpointing_kwargs(False))
        kwargs.update(fsdp=True, fsdp_config=config)
    elif params.distributed_backend == "deepspeed":
        kwargs["deepspeed"] = params.deepspeed_config or dict(DEFAULT_ZERO3)
    return kwargs


def mean_loss_kwargs() -> dict[str, Any]:
    """For heads whose loss is a plain batch mean (classification, regression, QA, seq2seq). transformers
    multiplies the loss by the number of processes when a model's forward takes **kwargs, expecting a sum
    over `num_items_in_batch`; these heads ignore that count, so the gradients (and the logged loss) would
    grow with the number of processes. Causal-LM losses do use the count and keep the default."""
    return {"average_tokens_across_devices": False} if is_distributed() else {}


def sharded(params: CoreParams) -> bool:
    """Weights are split over processes (or wrapped by FSDP/DeepSpeed under a launcher): saving gathers them,
    so every rank must take part."""
    return launched() and getattr(params, "distributed_backend", "ddp") in ("fsdp", "deepspeed")


def _has_cuda() -> bool:
    from aitraining.engine.hardware import has_cuda

    return has_cuda()


def device_map() -> dict[str, int]:
    """Where a quantized model is placed: whole on this process's GPU (LOCAL_RANK; 0 in a plain run). Never
    "auto": under several processes it would spread each copy over every GPU, and in one process it may offload
    layers to the CPU or disk, which bitsandbytes cannot train."""
    return {"": local_rank()}


def barrier() -> None:
    """Wait for every process (no-op in one process)."""
    if is_distributed():
        from accelerate import PartialState

        PartialState().wait_for_everyone()


@contextlib.contextmanager
def main_process_first() -> Iterator[None]:
    """Rank 0 prepares (and caches) first, the others follow: data is tokenised once."""
    if not is_distributed():
        yield
        return
    from accelerate import PartialState

    with PartialState().main_process_first():
        yield


def effective_batch_line(params: CommonParams) -> str:
    processes = world_size()
    total = params.batch_size * params.gradient_accumulation * processes
    return (
        f"Effective batch size: {total} (--batch-size {params.batch_size} per process x "
        f"--gradient-accumulation {params.gradient_accumulation} x {processes} process(es))"
    )


def saves_here(params: CoreParams) -> bool:
    """Whether this process calls the task's save: rank 0, or every rank when weights are sharded
    (transformers' save_model gathers the shards with every rank, and rank 0 writes)."""
    return is_main() or sharded(params)


def save_sharded(
    trainer: Any, tokenizer: Any, params: CommonParams, project: Path, merge: Callable[[str, Path], Any]
) -> dict:
    """Save a model trained with fsdp/deepspeed (called on every rank). With LoRA and --merge-adapter the
    adapter goes to adapter/ and rank 0 merges it into a freshly loaded base (`merge(base, adapter_dir)`)."""
    peft, merging = bool(getattr(params, "peft", False)), bool(getattr(params, "merge_adapter", False))
    target = project / "adapter" if peft and merging else project
    trainer.save_model(str(target))  # a collective: every rank takes part, rank 0 writes
    saved = {"adapter" if peft else "model": str(target)}
    if is_main():
        tokenizer.save_pretrained(target)
        if peft and merging:
            merge(params.model or "", target).save_pretrained(project)
            tokenizer.save_pretrained(project)
            saved["model"] = str(project)
    barrier()
    return saved


def quiet_other_ranks() -> None:
    """Every line once: ranks other than 0 drop upstream progress bars, info logs and Python warnings
    (rank 0 shows the same ones); our own warnings and errors still print."""
    if is_main():
        return
    import warnings

    from datasets.utils.logging import disable_progress_bar
    from transformers.utils import logging as hf_logging

    warnings.filterwarnings("ignore")
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    disable_progress_bar()
