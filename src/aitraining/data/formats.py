"""Dataset format detection for `--auto-convert-dataset`: which columns play which part.

Formats: OpenAI-style `messages` (role/content), ShareGPT (`conversations` with from/value), alpaca
(instruction/input/output), Q&A pairs (question/answer, prompt/completion, input/output, ...), preference
pairs (prompt/chosen/rejected) and plain text. Detection looks at column names and the first row only;
every row is checked when it is converted (`aitraining.data.convert`). Columns the user names
(`ColumnOverrides`) always win over detection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aitraining.errors import DataError

CONVERSATION_COLUMNS = ("messages", "conversations", "conversation", "chat", "dialog", "dialogue")
SYSTEM_COLUMNS = ("system", "system_prompt", "system_message")
PROMPT_COLUMNS = ("prompt", "question", "instruction", "query", "input")
CHOSEN_COLUMNS = ("chosen", "chosen_response", "response_chosen", "preferred")
REJECTED_COLUMNS = ("rejected", "rejected_response", "response_rejected", "dispreferred")
QA_PAIRS = (
    ("question", "answer"),
    ("question", "response"),
    ("prompt", "completion"),
    ("prompt", "response"),
    ("prompt", "answer"),
    ("query", "response"),
    ("query", "answer"),
    ("instruction", "response"),
    ("instruction", "answer"),
    ("input", "output"),
    ("input", "response"),
    ("user", "assistant"),
    ("human", "assistant"),
    ("human", "gpt"),
    ("context", "response"),
    ("source", "target"),
)
TEXT_COLUMNS = ("text",)
DESCRIPTIONS = {
    "messages": "chat messages (role/content)",
    "sharegpt": "ShareGPT conversations (from/value)",
    "alpaca": "alpaca (instruction/input/output)",
    "qa": "question/answer pairs",
    "preference": "preference pairs (prompt/chosen/rejected)",
    "text": "plain text",
}

_PART_LABELS = {"input": "appended to user", "conversation": "messages"}


@dataclass(frozen=True)
class ColumnOverrides:
    """Columns named by the user (None: detect). `conversation` is a column of messages or of text."""

    conversation: str | None = None
    system: str | None = None
    user: str | None = None
    assistant: str | None = None
    prompt: str | None = None
    chosen: str | None = None
    rejected: str | None = None
    flags: dict[str, str] = field(default_factory=dict)  # part -> the flag that names it, for messages

    def named(self) -> dict[str, str]:
        parts = ("conversation", "system", "user", "assistant", "prompt", "chosen", "rejected")
        return {p: getattr(self, p) for p in parts if getattr(self, p)}


@dataclass(frozen=True)
class Detected:
    kind: str  # messages | sharegpt | alpaca | qa | preference | text
    columns: dict[str, str]  # part (conversation, system, user, input, assistant, prompt, ...) -> column
    named: tuple[str, ...] = ()  # parts whose column the user named

    def describe(self) -> str:
        parts = ", ".join(
            f"{column} -> {_PART_LABELS.get(part, part)}" + (" (as set)" if part in self.named else "")
            for part, column in self.columns.items()
        )
        return f"{DESCRIPTIONS[self.kind]}: {parts}"


def conversation_style(value: Any) -> str | None:
    """'messages' or 'sharegpt' for a list of message dicts, None for anything else."""
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        return None
    first = value[0]
    if "from" in first and "value" in first:
        return "sharegpt"
    return "messages" if "role" in first or "content" in first else None


def _first(candidates: tuple[str, ...], present: list[str]) -> str | None:
    return next((c for c in candidates if c in present), None)


def _with_system(columns: dict[str, str], present: list[str], overrides: ColumnOverrides) -> dict[str, str]:
    system = overrides.system or _first(SYSTEM_COLUMNS, present)
    return {"system": system, **columns} if system else columns


def _named_column(overrides: ColumnOverrides, row: dict[str, Any]) -> Detected | None:
    column = overrides.conversation
    if column is None:
        return None
    value = row[column]
    style = conversation_style(value)
    if style:
        return Detected(style, {"conversation": column}, ("conversation",))
    if isinstance(value, str):
        return Detected("text", {"text": column}, ("conversation",))
    raise DataError(
        f"Column '{column}' (set by {overrides.flags.get('conversation', '--text-column')}) holds "
        f"{type(value).__name__} values; --auto-convert-dataset needs text or a list of chat messages there."
    )


def _pairs(present: list[str], overrides: ColumnOverrides) -> Detected | None:
    user, assistant = overrides.user, overrides.assistant
    if not (user or assistant):
        pair = next(((u, a) for u, a in QA_PAIRS if u in present and a in present), None)
        if pair is None:
            return None
        return Detected("qa", _with_system({"user": pair[0], "assistant": pair[1]}, present, overrides))
    user = user or next((u for u, a in QA_PAIRS if u in present and a == assistant), None)
    assistant = assistant or next((a for u, a in QA_PAIRS if a in present and u == user), None)
    if not (user and assistant):
        missing = "--assistant-column" if user else "--user-column"
        raise DataError(
            f"--auto-convert-dataset could not tell which column pairs with the one you named; pass {missing}."
        )
    named = tuple(p for p in ("user", "assistant", "system") if getattr(overrides, p))
    columns = {"user": user} | ({"input": "input"} if user == "instruction" and "input" in present else {})
    kind = "alpaca" if "input" in columns else "qa"
    return Detected(kind, _with_system(columns | {"assistant": assistant}, present, overrides), named)


def _preference(present: list[str], overrides: ColumnOverrides) -> Detected | None:
    chosen = overrides.chosen or _first(CHOSEN_COLUMNS, present)
    rejected = overrides.rejected or _first(REJECTED_COLUMNS, present)
    if not (chosen and rejected):
        return None
    columns: dict[str, str] = {}
    prompt = overrides.prompt or _first(PROMPT_COLUMNS, present)
    if prompt:
        columns["prompt"] = prompt
        if prompt == "instruction" and "input" in present:
            columns["input"] = "input"
    columns |= {"chosen": chosen, "rejected": rejected}
    named = tuple(p for p in ("prompt", "chosen", "rejected", "system") if getattr(overrides, p))
    return Detected("preference", _with_system(columns, present, overrides), named)


def _conversation_column(present: list[str], row: dict[str, Any]) -> Detected | None:
    for column in (*CONVERSATION_COLUMNS, *present):
        if column in present and conversation_style(row[column]):
            return Detected(conversation_style(row[column]) or "messages", {"conversation": column})
    return None


def _plain_text(present: list[str], row: dict[str, Any]) -> Detected | None:
    column = _first(TEXT_COLUMNS, present)
    return Detected("text", {"text": column}) if column and isinstance(row[column], str) else None


def _alpaca(present: list[str], overrides: ColumnOverrides) -> Detected | None:
    if "instruction" not in present or "output" not in present or overrides.user or overrides.assistant:
        return None
    columns = {"user": "instruction"} | ({"input": "input"} if "input" in present else {}) | {"assistant": "output"}
    return Detected("alpaca", _with_system(columns, present, overrides))


def detect(
    columns: list[str], first_row: dict[str, Any], overrides: ColumnOverrides, target: str, source: str
) -> Detected:
    """The format of a dataset for `target` ('sft': conversations or text; 'preference': pairs)."""
    present = list(columns)
    for part, column in overrides.named().items():
        if column not in present:
            flag = overrides.flags.get(part, part)
            raise DataError(
                f"Column '{column}' (set by {flag}) not found in {source}. Columns present: {', '.join(present)}."
            )
    if target == "preference":
        found = _preference(present, overrides)
        if found is None:
            raise DataError(
                f"--auto-convert-dataset found no preference pairs in {source} (columns: {', '.join(present)}). "
                "Preference trainers need a chosen and a rejected answer per row, e.g. columns prompt, chosen, "
                "rejected; name yours with --prompt-text-column, --text-column (chosen) and --rejected-text-column. "
                "For conversations or question/answer data use --trainer sft."
            )
        return found
    if overrides.user or overrides.assistant:
        found = _pairs(present, overrides)
    else:
        found = (
            _named_column(overrides, first_row)
            or _conversation_column(present, first_row)
            or _preference(present, overrides)
            or _alpaca(present, overrides)
            or _pairs(present, overrides)
            or _plain_text(present, first_row)
        )
    if found is None:
        raise DataError(
            f"--auto-convert-dataset could not recognise the format of {source} (columns: {', '.join(present)}). "
            "It reads chat messages (role/content), ShareGPT (from/value), alpaca (instruction/input/output), "
            "question/answer pairs (question/answer, prompt/completion, input/output, ...), preference pairs "
            "and plain text. Name your columns with --user-column and --assistant-column (and --system-column), "
            "or --text-column for a column of messages or text."
        )
    return found
