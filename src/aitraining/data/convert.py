"""Row conversion for `--auto-convert-dataset`: every detected format becomes the shape a trainer reads.

- sft: one `messages` column (a list of {role, content} with roles system/user/assistant), or `text`;
- preference trainers: `prompt` (text, or messages when there is a system prompt), `chosen`, `rejected`.

Every row is checked while converting, so a malformed one (an unknown role, empty text, a wrong type) stops
the run before any model is loaded, with an error naming the row, the message and the fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aitraining.data.formats import Detected
from aitraining.errors import DataError

CHAT_ROLES = ("system", "user", "assistant")
# ShareGPT and friends name the speakers in many ways; each maps onto one chat role.
ROLE_ALIASES = {
    "system": "system",
    "user": "user",
    "human": "user",
    "prompter": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "model": "assistant",
    "bot": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
}
CONVERTED_FOLDER = "converted_data"


def _type_name(value: Any) -> str:
    return "nothing (null)" if value is None else type(value).__name__


def check_text(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str):
        raise DataError(f"{where}: {what} must be text, got {_type_name(value)}. Fix the row or remove it.")
    if not value.strip():
        raise DataError(f"{where}: {what} is empty. Every message needs text; fill the row or remove it.")
    return value


def normalise_turns(value: Any, style: str, where: str) -> list[dict[str, str]]:
    """A list of messages (OpenAI role/content, or ShareGPT from/value) as [{role, content}]."""
    role_key, text_key = ("from", "value") if style == "sharegpt" else ("role", "content")
    if not isinstance(value, list) or not value:
        raise DataError(f"{where}: expected a non-empty list of messages, got {_type_name(value)}.")
    turns = []
    for number, turn in enumerate(value, 1):
        at = f"{where}, message {number}"
        if not isinstance(turn, dict):
            raise DataError(f"{at}: expected an object with '{role_key}' and '{text_key}', got {_type_name(turn)}.")
        raw = turn.get(role_key)
        role = ROLE_ALIASES.get(raw.strip().lower()) if isinstance(raw, str) else None
        if role is None:
            known = ", ".join(sorted(ROLE_ALIASES))
            raise DataError(
                f"{at}: unknown role {raw!r} in '{role_key}'. Known roles: {known}. Fix the row or remove it."
            )
        turns.append({"role": role, "content": check_text(turn.get(text_key), at, f"'{text_key}'")})
    if any(t["role"] == "system" for t in turns[1:]):
        raise DataError(f"{where}: a system message may only come first in a conversation.")
    return turns


def _system(row: dict[str, Any], columns: dict[str, str], where: str) -> list[dict[str, str]]:
    column = columns.get("system")
    value = row[column] if column else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return []  # an empty system prompt means none
    return [{"role": "system", "content": check_text(value, where, f"column '{column}'")}]


def _user_text(row: dict[str, Any], columns: dict[str, str], part: str, where: str) -> str:
    text = check_text(row[columns[part]], where, f"column '{columns[part]}'")
    extra = row.get(columns["input"]) if "input" in columns else None
    if extra is not None and not isinstance(extra, str):
        raise DataError(f"{where}: column '{columns['input']}' must be text, got {_type_name(extra)}.")
    return f"{text}\n\n{extra}" if extra and extra.strip() else text


def _answer(value: Any, where: str, column: str) -> list[dict[str, str]] | str:
    if isinstance(value, list):
        return normalise_turns(value, "sharegpt" if value and "from" in value[0] else "messages", where)
    return check_text(value, where, f"column '{column}'")


def to_conversation(row: dict[str, Any], detected: Detected, where: str) -> list[dict[str, str]]:
    """One row of any sft-readable format as a conversation with at least one assistant reply."""
    columns = detected.columns
    if detected.kind in ("messages", "sharegpt"):
        turns = normalise_turns(row[columns["conversation"]], detected.kind, where)
    elif detected.kind == "preference":
        pair = to_preference(row, detected, where)
        prompt = pair.get("prompt", [])
        turns = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt)
        chosen = pair["chosen"]
        if isinstance(chosen, str):
            turns.append({"role": "assistant", "content": chosen})
        else:  # a full conversation may repeat the prompt turns
            turns = chosen if chosen[: len(turns)] == turns else turns + chosen
    else:
        user = _user_text(row, columns, "user", where)
        reply = check_text(row[columns["assistant"]], where, f"column '{columns['assistant']}'")
        turns = [
            *_system(row, columns, where),
            {"role": "user", "content": user},
            {"role": "assistant", "content": reply},
        ]
    if not any(t["role"] == "assistant" for t in turns):
        raise DataError(f"{where}: the conversation has no assistant reply, so there is nothing to learn.")
    return turns


def to_preference(row: dict[str, Any], detected: Detected, where: str) -> dict[str, Any]:
    columns = detected.columns
    pair: dict[str, Any] = {}
    if "prompt" in columns:
        raw = row[columns["prompt"]]
        prompt: Any = normalise_turns(raw, "messages", where) if isinstance(raw, list) else None
        prompt = prompt or _user_text(row, columns, "prompt", where)
        system = _system(row, columns, where)
        if "system" in columns:  # one shape for the whole column: messages whenever a system column exists
            prompt = system + ([{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt)
        pair["prompt"] = prompt
    pair["chosen"] = _answer(row[columns["chosen"]], where, columns["chosen"])
    pair["rejected"] = _answer(row[columns["rejected"]], where, columns["rejected"])
    return pair


def extend_conversations(conversations: list[list[dict[str, str]]], size: int) -> list[list[dict[str, str]]]:
    """Merge every `size` consecutive conversations into one; the first one's system prompt is kept."""
    merged = []
    for start in range(0, len(conversations), size):
        group = conversations[start : start + size]
        merged.append(group[0] + [t for conv in group[1:] for t in conv if t["role"] != "system"])
    return merged


@dataclass
class Converted:
    """The converted splits, what was detected, and one line saying so."""

    detected: Detected
    target: str  # conversation | text | preference
    splits: dict[str, Any]  # split name -> datasets.Dataset
    summary: str
    extension: int = 1
    notes: list[str] = field(default_factory=list)

    def save(self, project: Path) -> Path:
        folder = project / CONVERTED_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        for split, dataset in self.splits.items():
            with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
                for row in dataset:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        info = {
            "format": self.detected.kind,
            "columns": self.detected.columns,
            "converted_to": self.target,
            "conversation_extension": self.extension,
            "rows": {split: len(dataset) for split, dataset in self.splits.items()},
            "summary": self.summary,
        }
        (folder / "conversion.json").write_text(json.dumps(info, indent=2) + "\n")
        return folder


def target_for(detected: Detected, trainer_target: str) -> str:
    if trainer_target == "preference":
        return "preference"
    return "text" if detected.kind == "text" else "conversation"


def convert_split(dataset: Any, detected: Detected, target: str, extension: int, label: str) -> Any:
    """Convert every row of one split (`label` names it in errors: 'the train split of file x')."""
    from datasets import Dataset

    rows = [(f"Row {i + 1} of {label}", row) for i, row in enumerate(dataset)]
    if target == "text":
        return Dataset.from_dict({"text": [row[detected.columns["text"]] for _, row in rows]})
    if target == "preference":
        pairs = [to_preference(row, detected, where) for where, row in rows]
        try:
            return Dataset.from_list(pairs)
        except Exception as exc:  # pyarrow type errors are a data problem
            raise DataError(
                f"The preference columns of {label} mix plain text and message lists between rows ({exc}); "
                "use one shape per column."
            ) from None
    conversations = [to_conversation(row, detected, where) for where, row in rows]
    if extension > 1:
        conversations = extend_conversations(conversations, extension)
    return Dataset.from_dict({"messages": conversations})
