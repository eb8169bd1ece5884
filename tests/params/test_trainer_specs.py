"""The LLM trainers are declared once (tasks/llm/trainers/__init__.py); everything else derives from it."""

import inspect
from typing import get_args

import pytest

from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.llm.trainers import SPECS, TRAINER_ALIASES, TRAINER_NAMES, TrainerModule, trainer_spec
from aitraining.tasks.registry import TASKS


def test_registry_choices_and_aliases_come_from_the_specs():
    llm = TASKS["llm"]
    assert llm.trainers == TRAINER_NAMES == tuple(s.name for s in SPECS)
    assert llm.trainer_aliases == TRAINER_ALIASES == {"default": "generic"}
    choices = get_args(LLMParams.model_fields["trainer"].annotation)
    assert set(choices) == {*TRAINER_NAMES, *TRAINER_ALIASES}
    assert LLMParams(trainer="default").canonical_trainer() == "generic"
    assert all(name in llm.summary for name in TRAINER_NAMES)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_each_trainer_module_implements_the_protocol(spec):
    module = spec.load()
    for hook in ("load_data", "prepare", "build_trainer"):
        expected = list(inspect.signature(getattr(TrainerModule, hook)).parameters)[1:]  # without self
        assert list(inspect.signature(getattr(module, hook)).parameters) == expected, (spec.name, hook)


def test_model_kind_and_perplexity_are_declared_per_trainer():
    assert trainer_spec("default").name == "generic"
    assert {s.name for s in SPECS if s.model_kind == "reward"} == {"reward"}
    # exp(eval_loss) is a perplexity only for a token-level language-model loss
    assert {s.name for s in SPECS if s.perplexity} == {"generic", "sft"}
