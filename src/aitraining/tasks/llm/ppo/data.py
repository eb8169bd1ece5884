"""PPO prompts: plain strings, or chat messages rendered with the chat template up to the point where
the assistant answers. PPO needs only prompts; the responses come from the policy itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aitraining.errors import DataError, ParamError
from aitraining.tasks.llm.prompt_rule import encode_prompt


@dataclass
class PromptReport:
    """What happened to the prompts, for the log and the model card (nothing is cut silently)."""

    rows: int = 0
    chat: int = 0
    truncated: int = 0
    longest: int = 0

    def message(self, limit: int) -> str:
        text = f"PPO prompts: {self.rows} rows ({self.chat} chat), longest {self.longest} tokens"
        if self.truncated:
            text += f"; {self.truncated} prompts longer than {limit} tokens were cut from the left"
        return text + "."


def prompt_limit(block_size: int, max_new_tokens: int) -> int:
    """Prompt tokens that fit: the sequence (prompt + response) must stay within block_size."""
    limit = block_size - max_new_tokens
    if limit < 1:
        raise ParamError(
            f"--rl-max-new-tokens {max_new_tokens} leaves no room for the prompt in a sequence of "
            f"{block_size} tokens (--block-size, capped by the model). Raise --block-size or lower --rl-max-new-tokens."
        )
    return limit


def check_chat_template(tokenizer: Any) -> None:
    if not tokenizer.chat_template:
        raise ParamError(
            "The prompts are chat messages but no chat template is set (the tokenizer has none, or "
            "--chat-template none). Pass --chat-template chatml (or another named template)."
        )


def chat_prompt_ids(messages: Any, tokenizer: Any, where: str) -> list[int]:
    """Render messages up to the assistant's turn: a trailing assistant reply (the answer in SFT
    data) is dropped, and the template's generation prompt opens the assistant turn."""
    if not isinstance(messages, list) or not messages:
        raise DataError(f"{where}: chat messages must be a non-empty list.")
    for turn in messages:
        if not isinstance(turn, dict) or not isinstance(turn.get("role"), str) or "content" not in turn:
            raise DataError(f"{where}: each message needs 'role' and 'content'; got {turn!r}.")
    if messages[-1]["role"] == "assistant":
        messages = messages[:-1]
    if not messages:
        raise DataError(f"{where}: only an assistant message; PPO needs a prompt to answer.")
    return encode_prompt(messages, tokenizer)


def prompt_ids(value: Any, tokenizer: Any, where: str) -> list[int]:
    """A plain-text prompt follows the prompt rule (a user turn under a chat template, raw without one),
    exactly as the reward model's prompts were rendered."""
    if isinstance(value, str):
        return encode_prompt(value, tokenizer)
    if isinstance(value, list):
        return chat_prompt_ids(value, tokenizer, where)
    raise DataError(f"{where}: a prompt must be text or chat messages, got {type(value).__name__}.")


def tokenize_prompts(values: list[Any], tokenizer: Any, limit: int, source: str) -> tuple[Any, PromptReport]:
    """A `datasets.Dataset` with one `input_ids` list per prompt, each at most `limit` tokens.

    Long prompts lose their beginning, not their end: the end is where the answer starts, and
    for chat data it holds the latest turn and the assistant header.
    """
    from datasets import Dataset

    report = PromptReport()
    rows: list[list[int]] = []
    for index, value in enumerate(values):
        where = f"Row {index + 1} of {source}"
        if isinstance(value, list):
            check_chat_template(tokenizer)
            report.chat += 1
        ids = prompt_ids(value, tokenizer, where)
        if not ids:
            raise DataError(f"{where}: the prompt is empty.")
        report.rows += 1
        report.longest = max(report.longest, len(ids))
        if len(ids) > limit:
            report.truncated += 1
            ids = ids[-limit:]
        rows.append(ids)
    if not rows:
        raise DataError(f"No prompts in {source}.")
    return Dataset.from_dict({"input_ids": rows}), report
