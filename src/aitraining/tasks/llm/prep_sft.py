"""sft: render plain text, prompt-completion or chat rows into input_ids and labels.

Tokenization happens here (not inside TRL) so that truncation is counted and reported, and the
loss mask is visible and testable. TRL then collates, and packs when --packing is on. The data
preview (`--preview-data`) renders the output of these same functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aitraining.data.chat_templates import marks_assistant
from aitraining.data.formats import ColumnOverrides, detect
from aitraining.data.mapping import tokenize_map
from aitraining.errors import DataError, ParamError
from aitraining.tasks.llm.lengths import TruncationReport
from aitraining.tasks.llm.prompt_rule import as_messages, encode_chat, encode_text, end_at_stop, rule_for, stops_of

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

IGNORE = -100
LENGTH, TRAINABLE = "_length", "_trainable"  # temporary columns of the tokenising map, read into the report
PROMPT, COMPLETION = "prompt", "completion"
MESSAGES = "messages"
DEFAULT_TEXT_COLUMN = "text"
# Roles chat templates commonly render; anything else is almost always a data mistake (e.g. ShareGPT 'from').
CHAT_ROLES = ("system", "user", "assistant", "tool", "function", "ipython", "developer")


@dataclass
class SftReport(TruncationReport):
    """The truncation report plus every row's length and which rows were kept (for stats and the preview)."""

    lengths: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # 0-based indices of the rows that reached the dataset


class NoTrainableRows(DataError):
    """Every row lost its trainable tokens to truncation; carries the report so the preview can show it."""

    def __init__(self, message: str, report: SftReport) -> None:
        super().__init__(message)
        self.report = report


def _convert_hint(dataset: Any) -> str:
    """' It looks like <format> data: ...' when --auto-convert-dataset would read it, else ''."""
    try:
        found = detect(dataset.column_names, dataset[0], ColumnOverrides(), "sft", "the data")
    except DataError:
        return ""
    return f" It looks like {found.describe()}: pass --auto-convert-dataset to convert it."


def detect_format(dataset: Any, text_column: str, source: str) -> tuple[str, str]:
    """('chat' | 'text' | 'prompt_completion', column holding the text or messages).

    The text column is used when present; otherwise a 'messages' column (chat) or a
    'prompt'/'completion' pair is recognised, and the caller prints what was chosen.
    """
    columns = dataset.column_names
    column = text_column if text_column in columns else None
    if column is None and text_column == DEFAULT_TEXT_COLUMN and MESSAGES in columns:
        column = MESSAGES  # only when --text-column was left at its default: an explicit name is never replaced
    if column is not None:
        first = dataset[0][column]
        if isinstance(first, list):
            return "chat", column
        if isinstance(first, str):
            return "text", column
        raise DataError(
            f"Column '{column}' of {source} holds {type(first).__name__} values; sft needs text, "
            "or chat messages (a list of {'role', 'content'})."
        )
    if PROMPT in columns and COMPLETION in columns:
        return "prompt_completion", PROMPT
    raise DataError(
        f"Column '{text_column}' (set by text_column) not found in {source}, and there are no "
        f"'messages' or 'prompt'/'completion' columns either. Columns present: {', '.join(columns)}. "
        f"Pass --text-column with the text or messages column.{_convert_hint(dataset)}"
    )


def _check_messages(messages: Any, row: int, source: str) -> None:
    where = f"Row {row} of {source}"
    if not isinstance(messages, list) or not messages:
        raise DataError(f"{where}: chat messages must be a non-empty list, got {type(messages).__name__}.")
    for number, turn in enumerate(messages, 1):
        at = f"{where}, message {number}"
        if not isinstance(turn, dict) or "from" in turn:
            raise DataError(
                f"{at}: each message needs a 'role' and a 'content'; got {turn!r}. "
                "For ShareGPT (from/value) or other formats pass --auto-convert-dataset."
            )
        role, content = turn.get("role"), turn.get("content")
        if role not in CHAT_ROLES:
            raise DataError(f"{at}: unknown role {role!r}; expected one of {', '.join(CHAT_ROLES)}.")
        if content is None and turn.get("tool_calls"):
            continue  # a tool-call turn carries no text
        if isinstance(content, str) and not content.strip():
            raise DataError(f"{at}: the {role} message is empty. Fill the row or remove it.")
        if not isinstance(content, (str, list)):
            raise DataError(f"{at}: 'content' must be text, got {type(content).__name__}.")


def _render_chat(messages: list[dict], mask: bool, tokenizer: Any, where: str) -> dict:
    from jinja2 import TemplateError

    try:
        return tokenizer.apply_chat_template(
            messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=mask
        )
    except (TemplateError, TypeError, ValueError) as exc:
        raise DataError(f"{where}: the chat template cannot render this conversation: {exc}") from None


def _chat_row(messages: list[dict], params: LLMParams, tokenizer: Any, where: str, stops: frozenset[int]) -> dict:
    generation_marks = params.assistant_only_loss and marks_assistant(tokenizer.chat_template)
    out = _render_chat(messages, generation_marks, tokenizer, where)
    ids = list(out["input_ids"])
    if not params.assistant_only_loss:
        return {"input_ids": ids, "labels": list(ids)}
    mask = out["assistant_masks"] if generation_marks else assistant_mask(messages, ids, tokenizer, stops)
    if mask is None:
        raise DataError(
            f"{where}: cannot tell the assistant replies apart: the chat template renders a conversation "
            "differently from its beginning (not prefix-consistent) and has no {% generation %} marks. Pass a "
            "named --chat-template (chatml, llama3, ...) or --assistant-only-loss=False to train on every token."
        )
    return {"input_ids": ids, "labels": [t if m else IGNORE for t, m in zip(ids, mask, strict=True)]}


def assistant_mask(messages: list[dict], ids: list[int], tokenizer: Any, stops: frozenset[int]) -> list[int] | None:
    """1 on each assistant reply (up to and including its stop token), found by rendering the conversation
    up to each reply; None when the template does not render prefixes consistently."""
    mask = [0] * len(ids)
    for turn, message in enumerate(messages):
        if message.get("role") != "assistant":
            continue
        before = _ids(tokenizer, messages[:turn], generation_prompt=True)
        upto = _ids(tokenizer, messages[: turn + 1])
        if upto != ids[: len(upto)] or before != upto[: len(before)]:
            return None
        reply = end_at_stop(upto[len(before) :], stops)
        mask[len(before) : len(before) + len(reply)] = [1] * len(reply)
    return mask


def _ids(tokenizer: Any, messages: list[dict], generation_prompt: bool = False) -> list[int]:
    if not messages:
        return []
    out = tokenizer.apply_chat_template(
        messages, add_generation_prompt=generation_prompt, tokenize=True, return_dict=True
    )
    return list(out["input_ids"])


def _pair_row(row: dict[str, Any], params: LLMParams, tokenizer: Any, stops: frozenset[int]) -> dict:
    """Prompt/completion under the prompt rule: user + assistant turns with a chat template, raw otherwise."""
    prompt, completion = row[PROMPT], row[COMPLETION]
    if rule_for(tokenizer).chat or not isinstance(prompt, str) or not isinstance(completion, str):
        prompt_ids, (completion_ids,) = encode_chat(
            as_messages(prompt, "user"), [as_messages(completion, "assistant")], tokenizer, stops
        )
    else:
        prompt_ids, (completion_ids,) = encode_text(prompt, [completion], tokenizer)
    prompt_labels = [IGNORE] * len(prompt_ids) if params.assistant_only_loss else list(prompt_ids)
    return {"input_ids": prompt_ids + completion_ids, "labels": prompt_labels + completion_ids}


def encode_row(
    row: dict[str, Any],
    index: int,
    fmt: str,
    column: str,
    params: LLMParams,
    tokenizer: Any,
    source: str,
    stops: frozenset[int] = frozenset(),
) -> dict:
    """input_ids and labels for one row, before truncation."""
    stops = stops_of(tokenizer, stops)
    if fmt == "chat":
        messages = row[column]
        _check_messages(messages, index, source)
        return _chat_row(messages, params, tokenizer, f"Row {index} of {source}", stops)
    if fmt == "text":
        eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
        ids = tokenizer(str(row[column]))["input_ids"] + eos
        return {"input_ids": ids, "labels": list(ids)}
    return _pair_row(row, params, tokenizer, stops)


def loss_note(fmt: str, params: LLMParams) -> str:
    """Which tokens carry loss, for the log, the model card and the preview."""
    if fmt == "text":
        return "Loss: every token (plain text has no prompt/answer split)."
    if not params.assistant_only_loss:
        what = "user turns" if fmt == "chat" else "prompts"
        return f"Loss: every token, {what} included (--assistant-only-loss=False)."
    if fmt == "chat":
        return (
            "Loss: assistant replies only (each with its end-of-turn token); system and user turns are context. "
            "--assistant-only-loss=False trains on every token."
        )
    return (
        "Loss: completions only (with their end token); prompts are context. "
        "--assistant-only-loss=False trains on both."
    )


def check_template(fmt: str, params: LLMParams, tokenizer: Any, logger: Any) -> None:
    if fmt == "text" and params.assistant_only_loss and "assistant_only_loss" in params.model_fields_set:
        logger.warning(
            "Warning: assistant_only_loss has no effect on plain-text data (no assistant turns or completions): "
            "every token is trained."
        )
    if fmt == "chat" and not tokenizer.chat_template:
        raise ParamError(
            "The data holds chat messages but no chat template is set (the tokenizer has none, or "
            "--chat-template none). Pass --chat-template chatml (or another named template)."
        )


def prepare(
    dataset: Any,
    fmt: tuple[str, str],
    params: LLMParams,
    tokenizer: Any,
    max_length: int,
    split: str,
    source: str,
    stops: frozenset[int] = frozenset(),
) -> tuple:
    """Tokenized dataset (input_ids, labels) truncated to max_length, and the truncation report.

    One batched, cacheable map (`tokenize_map`); the report is read from its columns, so it is the
    same whether the rows were tokenised now, by worker processes, or loaded from the cache.
    """
    where = f"the {split} split of {source}"

    def encode(batch: dict[str, list], indices: list[int]) -> dict[str, list]:
        out: dict[str, list] = {"input_ids": [], "labels": [], LENGTH: [], TRAINABLE: []}
        for index, values in zip(indices, zip(*batch.values(), strict=True), strict=True):
            enc = encode_row(dict(zip(batch, values, strict=True)), index + 1, *fmt, params, tokenizer, where, stops)
            labels = enc["labels"][:max_length]
            out["input_ids"].append(enc["input_ids"][:max_length])
            out["labels"].append(labels)
            out[LENGTH].append(len(enc["input_ids"]))
            out[TRAINABLE].append(any(label != IGNORE for label in labels))
        return out

    encoded = tokenize_map(dataset, encode, workers=params.num_workers, with_indices=True)
    report = SftReport(split)
    report.lengths = list(encoded[LENGTH])
    for length in report.lengths:
        report.add(length, max_length)
    report.kept = [index for index, trainable in enumerate(encoded[TRAINABLE]) if trainable]
    report.dropped = len(encoded) - len(report.kept)
    if not report.kept:
        raise NoTrainableRows(
            f"No {split} rows have trainable tokens after truncation to {max_length} tokens; "
            "raise --block-size or check the data.",
            report,
        )
    if report.dropped:
        encoded = encoded.select(report.kept)
    return encoded.remove_columns([LENGTH, TRAINABLE]), report
