"""`ignored_by`: flags a trainer accepts but has no use for warn at resolve time (an error with --strict),
before any data or model is loaded, and the generated docs give the reason."""

import pytest

from aitraining.cli.main import main
from aitraining.config import resolve
from aitraining.errors import ParamError
from aitraining.params.docs import command_section
from aitraining.tasks.registry import TASKS

LLM = TASKS["llm"]
PPO = {"trainer": "ppo", "rl_reward_model_path": "reward-model"}


def warnings_for(values: dict, **kwargs) -> tuple[list[str], object]:
    resolved = resolve(LLM, values, **kwargs)
    return resolved.warnings, resolved.params


def test_orpo_model_ref_warns_at_resolve_time_and_is_reset():
    warnings, params = warnings_for({"trainer": "orpo", "model_ref": "some/ref", "auto_convert_dataset": True})
    assert warnings == [
        "Warning: model_ref is not used by ORPO (ORPO is reference-free; only --trainer dpo uses a reference "
        "model), will be ignored"
    ]
    assert params.model_ref is None
    _, dpo = warnings_for({"trainer": "dpo", "model_ref": "some/ref", "auto_convert_dataset": True})
    assert dpo.model_ref == "some/ref"  # dpo uses it


def test_orpo_model_ref_is_an_error_with_strict(capsys):
    code = main(["llm", "--trainer", "orpo", "--model-ref", "x", "--auto-convert-dataset", "--strict", "--explain"])
    err = capsys.readouterr().err
    assert code == 2 and "model_ref is not used by ORPO" in err and "Remove --model-ref" in err


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("gradient_accumulation", 2, "each PPO minibatch is one optimiser step"),
        ("logging_steps", 1, "PPO logs every step"),
        ("eval_strategy", "steps", "PPO is judged by its reward, logged every step"),
        ("valid_split", "valid", "PPO is judged by its reward"),
        ("optimizer", "sgd", "PPO trains with torch AdamW"),
        ("log", "wandb", "wandb is not wired for PPO yet"),
    ],
)
def test_ppo_unused_flags_warn_before_loading(name, value, reason):
    warnings, params = warnings_for({**PPO, name: value})
    assert len(warnings) == 1 and f"Warning: {name} is not used by PPO ({reason}" in warnings[0]
    assert getattr(params, name) == type(params).model_fields[name].default
    with pytest.raises(ParamError, match=f"{name} is not used by PPO.*--strict"):
        resolve(LLM, {**PPO, name: value}, strict=True)


@pytest.mark.parametrize(("name", "value"), [("optimizer", "adamw_torch_fused"), ("log", "tensorboard")])
def test_values_ppo_uses_do_not_warn(name, value):
    warnings, params = warnings_for({**PPO, name: value})
    assert warnings == [] and getattr(params, name) == value


def test_the_same_flags_are_used_by_the_other_trainers():
    warnings, params = warnings_for({"trainer": "sft", "gradient_accumulation": 2, "optimizer": "sgd"})
    assert warnings == [] and (params.gradient_accumulation, params.optimizer) == (2, "sgd")


def test_lora_dropout_with_ppo_warns_only_when_peft_is_on():
    warnings, _ = warnings_for({**PPO, "peft": True, "lora_dropout": 0.2})
    assert warnings == [
        "Warning: lora_dropout is not used by PPO (PPO runs the policy in eval mode, so the ratio of new to "
        "old policy starts at exactly 1), will be ignored"
    ]
    warnings, _ = warnings_for({**PPO, "lora_dropout": 0.2})
    assert warnings == ["Warning: lora_dropout only applies with --peft, will be ignored"]


def test_ppo_scheduler_check_runs_at_resolve_time():
    with pytest.raises(ParamError, match="reduce_lr_on_plateau needs an eval metric"):
        resolve(LLM, {**PPO, "scheduler": "reduce_lr_on_plateau"})
    resolve(LLM, {"trainer": "sft", "scheduler": "reduce_lr_on_plateau"})  # fine where an eval metric exists


def test_docs_show_the_reason_in_the_trainer_column():
    lines = {line.split("|")[1].strip(): line for line in command_section("llm") if line.startswith("| ")}
    model_ref = [cell.strip() for cell in lines["model_ref"].split("|")]
    assert model_ref[4:10] == ["✗", "✗", "✓", "⚠", "✗", "✗"]  # generic sft dpo orpo reward ppo
    assert "Not used by ORPO: ORPO is reference-free" in lines["model_ref"]
    assert "Not used by PPO (except `adamw_torch`, `adamw_torch_fused`)" in lines["optimizer"]
