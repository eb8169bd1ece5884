"""The one rule for plain-string prompts, shared by every LLM trainer, `--inference` and `--preview-data`.

When a chat template is in use (the tokenizer's own or a named one), a plain-string prompt is a user turn
and a plain-string completion (answer, chosen, rejected) an assistant turn, rendered with the template.
With `--chat-template none` (or a tokenizer without a template) every string is tokenized raw.
Plain-text documents (the generic trainer, sft's text column) are always trained raw: they are neither
prompts nor answers.

Applying the rule in one place is what keeps the formats aligned: a reward model trained on
chat-formatted pairs scores PPO rollouts that were generated from chat-formatted prompts, and a model
trained on prompt/completion data is prompted the same way by `--inference`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aitraining.engine.tokens import common_prefix

CHAT_RULE = (
    "Prompt rule: the chat template is in use, so a plain-text prompt is a user turn and a plain-text "
    "completion an assistant turn (pass --chat-template none to use raw text)."
)
RAW_RULE = (
    "Prompt rule: no chat template (--chat-template none, or the tokenizer has none), so prompts and "
    "completions are raw text."
)
GENERIC_RULE = "Prompt rule: the generic trainer trains on plain text as it is; no chat template is applied."


@dataclass(frozen=True)
class PromptRule:
    chat: bool  # True: plain strings become chat turns

    def describe(self) -> str:
        return CHAT_RULE if self.chat else RAW_RULE


def rule_for(tokenizer: Any) -> PromptRule:
    """The rule in force for this tokenizer (its chat_template is already the run's choice)."""
    return PromptRule(chat=bool(getattr(tokenizer, "chat_template", None)))


def announce(tokenizer: Any, logger: Any) -> PromptRule:
    """Decide the rule and say it once (every trainer's prepare and --inference call this once per run)."""
    rule = rule_for(tokenizer)
    logger.info(rule.describe())
    return rule


def without_template_for_generic(tokenizer: Any, trainer: str | None, logger: Any) -> None:
    """A model from the generic trainer learnt raw text: its prompts are raw too, whatever template the
    base tokenizer carries (said in the log)."""
    if trainer in ("generic", "default") and getattr(tokenizer, "chat_template", None):
        logger.info("The model was trained with --trainer generic on raw text, so prompts are not chat-formatted.")
        tokenizer.chat_template = None


def as_messages(value: Any, role: str) -> list[dict[str, Any]]:
    """A plain string becomes one turn of `role`; chat messages are kept as they are."""
    return [{"role": role, "content": value}] if isinstance(value, str) else list(value)


def end_at_stop(ids: list[int], stops: frozenset[int]) -> list[int]:
    """Drop what a chat template renders after the reply's final stop token (such as a newline)."""
    for last in range(len(ids) - 1, -1, -1):
        if ids[last] in stops:
            return ids[: last + 1]
    return ids


def stops_of(tokenizer: Any, stop_ids: frozenset[int] | None) -> frozenset[int]:
    eos = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    return frozenset(stop_ids or eos)


def _render(messages: list[dict], tokenizer: Any, generation_prompt: bool = False) -> list[int]:
    out = tokenizer.apply_chat_template(
        messages, add_generation_prompt=generation_prompt, tokenize=True, return_dict=True
    )
    return list(out["input_ids"])


def encode_chat(
    prompt: list[dict], answers: list[list[dict]], tokenizer: Any, stop_ids: frozenset[int] | None = None
) -> tuple[list[int], list[list[int]]]:
    """(prompt ids up to the assistant's turn, each answer's ids up to and including its stop token)."""
    prompt_ids = _render(prompt, tokenizer, generation_prompt=True) if prompt else []
    outs = [_render(prompt + answer, tokenizer) for answer in answers]
    cut = min([len(prompt_ids), *(common_prefix(prompt_ids, f) for f in outs)]) if prompt_ids else 0
    stops = stops_of(tokenizer, stop_ids)
    return prompt_ids[:cut], [end_at_stop(f[cut:], stops) for f in outs]


def encode_text(prompt: str, answers: list[str], tokenizer: Any) -> tuple[list[int], list[list[int]]]:
    """Raw text: the prompt with the tokenizer's special tokens (BOS), each answer followed by EOS."""
    eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    return prompt_text_ids(prompt, tokenizer), [
        tokenizer(a, add_special_tokens=False)["input_ids"] + eos for a in answers
    ]


def prompt_text_ids(prompt: str, tokenizer: Any) -> list[int]:
    """A raw prompt; a tokenizer that appends EOS (add_eos_token) would end it before the answer starts."""
    ids = list(tokenizer(prompt)["input_ids"])
    if len(ids) > 1 and ids[-1] == tokenizer.eos_token_id != tokenizer.bos_token_id:
        ids = ids[:-1]
    return ids


def encode_prompt(prompt: Any, tokenizer: Any) -> list[int]:
    """Ids a model generates an answer from (PPO rollouts, --inference): a plain string under the rule,
    or chat messages rendered up to the assistant's turn."""
    if isinstance(prompt, str) and not rule_for(tokenizer).chat:
        return prompt_text_ids(prompt, tokenizer)
    return _render(as_messages(prompt, "user"), tokenizer, generation_prompt=True)
