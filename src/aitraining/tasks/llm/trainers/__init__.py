"""The LLM trainers, declared once.

Each `TrainerSpec` names the module that implements the trainer (load_data -> prepare ->
build_trainer, the `TrainerModule` protocol), the kind of model it trains, and whether its eval loss
is a language-model loss (so exp(eval_loss) is a perplexity). The registry's trainer list, the
`--trainer` choices and the aliases all derive from `SPECS`. Importing this package stays light:
a trainer module (and with it torch, transformers, TRL) is imported only by `TrainerSpec.load()`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

if TYPE_CHECKING:
    from logging import Logger
    from pathlib import Path

    from aitraining.tasks.llm.params import LLMParams
    from aitraining.tasks.llm.trainers.common import Prepared

ModelKind = Literal["causal", "reward"]


class TrainerModule(Protocol):
    """What `tasks/llm/task.py` calls, in this order (data and tokenizer are checked before weights load)."""

    def load_data(self, params: LLMParams, logger: Logger) -> Any: ...

    def prepare(self, data: Any, params: LLMParams, tokenizer: Any, model_config: Any, logger: Logger) -> Prepared: ...

    def build_trainer(
        self, model: Any, tokenizer: Any, prepared: Prepared, params: LLMParams, project: Path
    ) -> Any: ...


@dataclass(frozen=True)
class TrainerSpec:
    name: str
    module: str  # import path of the TrainerModule
    model_kind: ModelKind = "causal"  # "reward": a one-output sequence classifier
    perplexity: bool = False  # eval_loss is a token-level LM loss, so exp(eval_loss) is reported
    aliases: tuple[str, ...] = ()
    # What metrics.json's "final" holds besides train_loss (a sweep checks --sweep-metric against it);
    # eval_* ones need --valid-split.
    metrics: tuple[str, ...] = ("eval_loss",)
    # "module:Class" of the upstream trainer class, imported before the preprocessing clock starts
    # (engine.timings counts imports as start-up, as the benchmark's plain scripts do); None: our own loop.
    upstream: str | None = None

    def load(self) -> TrainerModule:
        return cast("TrainerModule", importlib.import_module(self.module))

    def import_upstream(self) -> None:
        if self.upstream:
            module, _, name = self.upstream.partition(":")
            getattr(importlib.import_module(module), name)  # lazy packages import the class on access


_PACKAGE = __name__
_LM_METRICS = ("eval_loss", "eval_perplexity")
_PREFERENCE_METRICS = (
    "eval_loss",
    "eval_rewards/chosen",
    "eval_rewards/rejected",
    "eval_rewards/accuracies",
    "eval_rewards/margins",
    "eval_logps/chosen",
    "eval_logps/rejected",
)
SPECS: tuple[TrainerSpec, ...] = (
    TrainerSpec(
        "generic",
        f"{_PACKAGE}.generic",
        perplexity=True,
        aliases=("default",),
        metrics=_LM_METRICS,
        upstream="transformers:Trainer",
    ),
    TrainerSpec(
        "sft",
        f"{_PACKAGE}.sft",
        perplexity=True,
        metrics=(*_LM_METRICS, "eval_mean_token_accuracy", "eval_entropy"),
        upstream="trl:SFTTrainer",
    ),
    TrainerSpec("dpo", f"{_PACKAGE}.dpo", metrics=_PREFERENCE_METRICS, upstream="trl:DPOTrainer"),
    TrainerSpec(
        "orpo",
        f"{_PACKAGE}.orpo",
        metrics=(*_PREFERENCE_METRICS, "eval_nll_loss", "eval_log_odds_ratio"),
        upstream="trl.experimental.orpo:ORPOTrainer",
    ),
    TrainerSpec(
        "reward",
        f"{_PACKAGE}.reward",
        model_kind="reward",
        metrics=("eval_loss", "eval_accuracy", "eval_margin", "eval_mean_reward"),
        upstream="trl:RewardTrainer",
    ),
    TrainerSpec("ppo", f"{_PACKAGE}.ppo", metrics=("train_reward_start", "train_reward_end", "train_kl_end")),
)
TRAINERS: dict[str, TrainerSpec] = {spec.name: spec for spec in SPECS}
TRAINER_NAMES: tuple[str, ...] = tuple(TRAINERS)
TRAINER_ALIASES: dict[str, str] = {alias: spec.name for spec in SPECS for alias in spec.aliases}
TRAINER_CHOICES: tuple[str, ...] = tuple(name for spec in SPECS for name in (spec.name, *spec.aliases))


def trainer_spec(name: str) -> TrainerSpec:
    """The spec of a trainer name or alias."""
    return TRAINERS[TRAINER_ALIASES.get(name, name)]
