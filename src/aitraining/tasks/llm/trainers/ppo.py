"""ppo: RLHF with proximal policy optimisation against a reward model from --trainer reward.

The data holds prompts only (text, or chat messages up to the assistant's turn); the policy writes
the responses. PPO is judged by its reward, so there is no eval loss and --valid-split is not used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aitraining.data.chat_templates import resolve_chat_template
from aitraining.engine.logs import get_logger
from aitraining.errors import DataError
from aitraining.tasks.llm.lengths import effective_block_size
from aitraining.tasks.llm.trainers.common import Prepared, load_checked

# Shared flags PPO has no use for, and why; a user who sets one is told so (nothing is ignored silently).
UNUSED = {
    "gradient_accumulation": "each PPO minibatch is one optimiser step",
    "auto_find_batch_size": "PPO batch sizes are --batch-size (rollouts), --rl-chunk-size and --rl-mini-batch-size",
    "disable_gradient_checkpointing": "PPO does not use gradient checkpointing",
    "eval_strategy": "PPO is judged by its reward, logged every step",
    "logging_steps": "PPO logs every step",
}


def load_data(params: Any, logger: Any) -> Any:
    from aitraining.tasks.llm.ppo.optim import check_schedule
    from aitraining.tasks.llm.ppo.reward import check_reward_model_path

    check_schedule(params)  # these checks fail before the policy is loaded
    check_reward_model_path(params.rl_reward_model_path)
    data = load_checked(params, {"text_column": params.text_column})
    first = data.train[0][params.text_column]
    if not isinstance(first, (str, list)):
        raise DataError(
            f"Column '{params.text_column}' of {data.source} holds {type(first).__name__} values; PPO needs "
            "prompts: text, or chat messages (a list of {'role', 'content'})."
        )
    return data


def unused_settings(params: Any) -> list[str]:
    """One line per flag the user set that PPO does not use."""
    from aitraining.tasks.llm.ppo.optim import OPTIMIZERS

    lines = [
        f"--{name.replace('_', '-')} is not used by ppo: {why}."
        for name, why in UNUSED.items()
        if name in params.model_fields_set
    ]
    if params.optimizer not in OPTIMIZERS:
        lines.append(f"--optimizer {params.optimizer} is not used by ppo: it trains with torch AdamW.")
    if params.log == "wandb":
        lines.append("--log wandb is not wired for ppo yet: metrics go to the training log and metrics.json.")
    if params.valid_split:
        lines.append(f"--valid-split {params.valid_split} is not used by ppo: it is judged by its reward.")
    return lines


def prepare(data: Any, params: Any, tokenizer: Any, model_config: Any, logger: Any) -> Prepared:
    from aitraining.tasks.llm.ppo.data import prompt_limit, tokenize_prompts

    tokenizer.chat_template = resolve_chat_template(params.chat_template, tokenizer)
    limit = prompt_limit(effective_block_size(params, tokenizer, model_config, logger), params.rl_max_new_tokens)
    prompts, report = tokenize_prompts(data.train[params.text_column], tokenizer, limit, data.source)
    notes = [report.message(limit)]
    logger.info(notes[0])
    for line in unused_settings(params):
        logger.warning(line)
        notes.append(line)
    return Prepared(prompts, None, notes, max_length=limit)


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: Any, project: Path) -> Any:
    from aitraining.tasks.llm.ppo.trainer import PPOTrainer

    return PPOTrainer(model, tokenizer, prepared.train, params, project, get_logger())
