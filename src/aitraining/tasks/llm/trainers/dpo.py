"""dpo: Direct Preference Optimization against a frozen reference (TRL DPOTrainer)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine.args import training_kwargs
from aitraining.engine.logs import get_logger, use_loss_lines
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.tasks.llm import models
from aitraining.tasks.llm.trainers.common import Prepared, restore_lora_dropout
from aitraining.tasks.llm.trainers.preference import load_data, prepare
from aitraining.tasks.llm.upstream_trl import dpo_trainer_class

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

__all__ = ["build_trainer", "load_data", "prepare"]


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: LLMParams, project: Path) -> Any:
    from trl import DPOConfig

    args = DPOConfig(
        **training_kwargs(params, project, has_eval=prepared.valid is not None),
        beta=params.dpo_beta,
        max_length=None,  # rows are already truncated (and reported) by prep_pref
    )
    # The reference: --model-ref; else with LoRA TRL disables the adapter (no second copy); else the base
    # model loaded again, frozen (in its half precision on a GPU, while the policy trains in float32).
    if params.model_ref:
        ref = models.load_reference(params.model_ref)
    else:
        ref = None if params.peft else models.load_reference(params.model or "", "--model")
    trainer = dpo_trainer_class()(
        model=model,
        ref_model=ref,
        args=args,
        train_dataset=prepared.train,
        eval_dataset=prepared.valid,
        **trainer_tokenizer_kwargs(tokenizer),
    )
    restore_lora_dropout(trainer.model, params, get_logger())  # TRL's disable_dropout zeroed it
    return use_loss_lines(trainer)
