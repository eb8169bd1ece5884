"""Every accepted shared parameter lands: for every command and LLM trainer in the registry, the upstream
trainer is built from the CLI (nothing is trained) and each shared flag, given a non-default value, must be
found in the trainer's arguments, or PPO's own optimiser/schedule, or be named in a warning.

A dropped or renamed keyword fails here, whichever command it happens in; a new command or trainer fails
`test_every_command_has_a_case` until contract_cases.py knows how to run it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
from contract_cases import Cases
from transformers import Trainer

from aitraining.cli.main import main
from aitraining.params.groups import CommonParams, DistributedParams
from aitraining.tasks.llm.ppo.trainer import PPOTrainer
from aitraining.tasks.registry import TASKS

# flag -> the non-default value given on the command line
GIVEN: dict[str, str | None] = {
    "lr": "7e-05",
    "epochs": "3",
    "batch_size": "3",
    "gradient_accumulation": "2",
    "optimizer": "adafactor",
    "scheduler": "cosine",
    "warmup_ratio": "0.2",
    "weight_decay": "0.05",
    "max_grad_norm": "0.5",
    "seed": "123",
    "mixed_precision": "bf16",
    "auto_find_batch_size": None,  # a switch
    "disable_gradient_checkpointing": None,
    "log": "tensorboard",
    "logging_steps": "3",
    "eval_strategy": "steps",
    "save_strategy": "steps",
    "save_steps": "6",  # a multiple of the evaluation steps (--logging-steps), so best-model loading is allowed
    "save_total_limit": "2",
    "keep_best_model": "False",
}


def checkpointing(args: Any) -> bool:
    """transformers 5.24 renamed gradient_checkpointing to activation_checkpointing."""
    return getattr(args, "activation_checkpointing", getattr(args, "gradient_checkpointing", None))


def _value(x: Any) -> Any:
    return getattr(x, "value", x)  # enums (optim, scheduler, strategies) compare by value


# TrainingArguments (and TRL / sentence-transformers subclasses): parameter -> check of the built arguments
ARGS_CHECKS: dict[str, Callable[[Any], bool]] = {
    "lr": lambda a: a.learning_rate == 7e-05,
    "epochs": lambda a: a.num_train_epochs == 3,
    "batch_size": lambda a: a.per_device_train_batch_size == 3 and a.per_device_eval_batch_size == 3,
    "gradient_accumulation": lambda a: a.gradient_accumulation_steps == 2,
    "optimizer": lambda a: _value(a.optim) == "adafactor",
    "scheduler": lambda a: _value(a.lr_scheduler_type) == "cosine",
    "warmup_ratio": lambda a: getattr(a, "warmup_ratio", None) == 0.2 or a.warmup_steps == 0.2,
    "weight_decay": lambda a: a.weight_decay == 0.05,
    "max_grad_norm": lambda a: a.max_grad_norm == 0.5,
    "seed": lambda a: a.seed == 123 and a.data_seed == 123,
    "mixed_precision": lambda a: a.bf16 and not a.fp16,
    "auto_find_batch_size": lambda a: a.auto_find_batch_size is True,
    "disable_gradient_checkpointing": lambda a: checkpointing(a) is False,
    "log": lambda a: list(a.report_to) == ["tensorboard"],
    "logging_steps": lambda a: a.logging_steps == 3,
    "eval_strategy": lambda a: _value(a.eval_strategy) == "steps" and a.eval_steps == 3,
    "save_strategy": lambda a: _value(a.save_strategy) == "steps",
    "save_steps": lambda a: a.save_steps == 6,
    # our checkpoint guard rotates (it never deletes the newest complete checkpoint); transformers must not
    "save_total_limit": lambda a: a.save_total_limit is None,
    "keep_best_model": lambda a: not a.load_best_model_at_end,
}


def _schedule(trainer: PPOTrainer) -> Any:
    return trainer.schedule.lr_lambdas[0]  # transformers' schedules are LambdaLR over a functools.partial


# PPO builds its own optimiser, schedule and precision; what it cannot use it must say (see PPO_WARNED).
PPO_CHECKS: dict[str, Callable[[PPOTrainer], bool]] = {
    "lr": lambda t: t.optimizer.param_groups[0]["initial_lr"] == 7e-05,
    "weight_decay": lambda t: t.optimizer.param_groups[0]["weight_decay"] == 0.05,
    "epochs": lambda t: t.state.max_steps == 3 * math.ceil(len(t.prompts) / t.params.rl_chunk_size),
    "batch_size": lambda t: t.scorer.batch_size == 3,
    "scheduler": lambda t: "cosine" in _schedule(t).func.__name__,
    "warmup_ratio": lambda t: _schedule(t).keywords["num_warmup_steps"] == int(0.2 * t.total_updates()),
    "seed": lambda t: t.generator.initial_seed() == 123,
    "mixed_precision": lambda t: t.precision.dtype == torch.bfloat16,
    # read at each update / at the start of train(): the params object PPO reads them from must hold them
    "max_grad_norm": lambda t: t.params.max_grad_norm == 0.5,
    "log": lambda t: t.params.log == "tensorboard",
    # PPO writes its own checkpoints (tasks/llm/ppo/checkpoint.py), read from the same params at each step
    "save_strategy": lambda t: t.params.save_strategy == "steps",
    "save_steps": lambda t: t.params.save_steps == 6,
    "save_total_limit": lambda t: t.params.save_total_limit == 2,
}
PPO_WARNED = (
    "gradient_accumulation",
    "optimizer",
    "auto_find_batch_size",
    "disable_gradient_checkpointing",
    "logging_steps",
    "eval_strategy",
    "keep_best_model",
)


DISTRIBUTED = set(DistributedParams.model_fields)


def test_the_checks_cover_every_shared_parameter_that_shapes_training():
    """A new shared optimisation/precision/logging flag needs a contract entry here."""
    groups = {"Optimisation", "Performance", "Logging & saving"}
    shared = {name for name, meta in CommonParams.param_metas().items() if meta.group in groups}
    elsewhere = {
        "warmup_steps": "test_warmup_steps_replaces_the_ratio below",
        "save_dtype": "tests/engine/test_fp32_training.py",
        "num_workers": "tests/data/test_mapping.py",
        **dict.fromkeys(DISTRIBUTED, "tests/engine/test_distributed.py (launcher arguments, backend settings)"),
    }
    not_checked = shared - set(GIVEN) - set(elsewhere)
    assert not_checked == set()
    assert set(ARGS_CHECKS) == set(GIVEN) == set(PPO_CHECKS) | set(PPO_WARNED)


def registry_cases() -> list[tuple[str, str | None]]:
    cases = []
    for name, task in TASKS.items():
        if not task.available or not issubclass(task.params_class(), CommonParams):
            continue  # tabular: no gradient training, no shared training flags
        trainers = task.trainers if name == "llm" else task.trainers[:1]  # other commands share one build
        cases += [(name, trainer) for trainer in trainers] or [(name, None)]
    return cases


class Built(BaseException):  # not an Exception: it must get past main()'s one-message catch-all
    def __init__(self, trainer: Any) -> None:
        self.trainer = trainer


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return Cases(tmp_path_factory.mktemp("contracts"))


def build(capsys, monkeypatch, argv: list[str]) -> tuple[Any, str]:
    """Run the command up to the moment training would start; return the built trainer and the output."""

    def stop(self, *args, **kwargs):
        raise Built(self)

    monkeypatch.setattr(Trainer, "train", stop)
    monkeypatch.setattr(PPOTrainer, "train", stop)
    with pytest.raises(Built) as built:
        code = main(argv)
        pytest.fail(f"the run ended (exit {code}) without building a trainer:\n{capsys.readouterr().err}")
    out, err = capsys.readouterr()
    return built.value.trainer, out + err


def shared_flags() -> list[str]:
    flags = []
    for name, value in GIVEN.items():
        flags += [f"--{name.replace('_', '-')}"] + ([] if value is None else [value])
    return flags


def warned(log: str, name: str) -> bool:
    flag = "--" + name.replace("_", "-")
    lines = [line for line in log.splitlines() if flag in line or name in line]
    return any("not used" in line or "ignored" in line for line in lines)


@pytest.mark.parametrize(("command", "trainer"), registry_cases())
def test_every_shared_parameter_lands(capsys, monkeypatch, tmp_path, cases, command, trainer):
    argv = [*cases.argv(command, trainer), "--train", "--project-name", str(tmp_path / "p")]
    built, log = build(capsys, monkeypatch, [*argv, *shared_flags()])
    if isinstance(built, PPOTrainer):
        failed = [name for name, check in PPO_CHECKS.items() if not check(built)]
        failed += [name for name in PPO_WARNED if not warned(log, name)]
    else:
        failed = [name for name, check in ARGS_CHECKS.items() if not check(built.args)]
    assert failed == [], f"{command} {trainer or ''}: these parameters did not arrive (or warn):\n{log[-3000:]}"


def test_every_command_has_a_case(cases):
    for command, trainer in registry_cases():
        assert cases.argv(command, trainer)[0] == command


def test_warmup_steps_replaces_the_ratio(capsys, monkeypatch, tmp_path, cases):
    argv = [*cases.argv("llm", "generic"), "--train", "--project-name", str(tmp_path / "p")]
    built, _ = build(capsys, monkeypatch, [*argv, "--warmup-ratio", "0.3", "--warmup-steps", "5"])
    assert built.args.warmup_steps == 5


def test_save_steps_that_miss_the_evaluations_fail_before_loading(capsys, tmp_path, cases):
    """Found by the contract above: transformers raised a ValueError traceback once the model had loaded."""
    argv = [*cases.argv("text-classification", None), "--train", "--project-name", str(tmp_path / "p")]
    steps = ["--eval-strategy", "steps", "--save-strategy", "steps", "--logging-steps", "3", "--save-steps", "7"]
    code = main([*argv, *steps])
    err = capsys.readouterr().err
    assert code == 2 and "needs --save-steps (7) to be a multiple of --logging-steps (3" in err
    assert "Weights being trained" not in err and not (tmp_path / "p").exists()
