"""ppo: RLHF with proximal policy optimisation against a reward model from --trainer reward.

The data holds prompts only (text, or chat messages up to the assistant's turn); the policy writes
the responses. PPO is judged by its reward, so there is no eval loss and --valid-split is not used.
The shared flags PPO has no use for are declared in tasks/llm/params.py (`ignored_by`), so setting
one warns at resolve time, before anything is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.data.chat_templates import apply_chat_template_choice
from aitraining.engine.logs import get_logger
from aitraining.errors import DataError
from aitraining.tasks.llm.lengths import effective_block_size
from aitraining.tasks.llm.prompt_rule import announce
from aitraining.tasks.llm.trainers.common import Prepared, load_checked

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams


def load_data(params: LLMParams, logger: Any) -> Any:
    from aitraining.tasks.llm.ppo.optim import check_schedule
    from aitraining.tasks.llm.ppo.reward import check_reward_model_path

    check_schedule(params)  # these checks fail before the policy is loaded
    check_reward_model_path(params.rl_reward_model_path or "")
    data = load_checked(params, {"text_column": params.text_column})
    first = data.train[0][params.text_column]
    if not isinstance(first, (str, list)):
        raise DataError(
            f"Column '{params.text_column}' of {data.source} holds {type(first).__name__} values; PPO needs "
            "prompts: text, or chat messages (a list of {'role', 'content'})."
        )
    return data


def prepare(data: Any, params: LLMParams, tokenizer: Any, model_config: Any, logger: Any) -> Prepared:
    from aitraining.tasks.llm.ppo.data import prompt_limit, tokenize_prompts

    # the same template handling as sft and reward: a named template binds the model's end-of-turn token,
    # and the turn-end check runs; rollouts stop on these stop ids (see ppo/rollout.stop_token_ids)
    apply_chat_template_choice(params.chat_template, tokenizer, model_config, params.model, logger)
    rule = announce(tokenizer, logger)
    limit = prompt_limit(effective_block_size(params, tokenizer, model_config, logger), params.rl_max_new_tokens)
    prompts, report = tokenize_prompts(data.train[params.text_column], tokenizer, limit, data.source)
    notes = [report.message(limit), rule.describe()]
    logger.info(notes[0])
    return Prepared(prompts, None, notes, max_length=limit)


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: LLMParams, project: Path) -> Any:
    from aitraining.tasks.llm.ppo.trainer import PPOTrainer

    return PPOTrainer(model, tokenizer, prepared.train, params, project, get_logger())
