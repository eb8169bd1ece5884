"""Preference data (dpo, orpo, reward): prompt / chosen / rejected as strings or chat messages.

Rows are tokenized here, once, into `prompt_ids`, `chosen_ids` and `rejected_ids` (completions
without the prompt), so the prompt appears exactly once, truncation is exact and reported
(prompts cut from the left, completions from the right), and each TRL trainer gets the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aitraining.data.mapping import tokenize_map
from aitraining.errors import DataError
from aitraining.tasks.llm.prompt_rule import encode_chat, encode_text, rule_for

ROLES = ("system", "user", "assistant", "tool")
IDS = ("prompt_ids", "chosen_ids", "rejected_ids")
# temporary columns of the tokenising map, summed into the report
LENGTH, PROMPT_CUT, COMPLETION_CUT = "_length", "_prompt_cut", "_completion_cut"


@dataclass
class PrefLimits:
    prompt: int | None
    completion: int | None
    total: int


@dataclass
class PrefReport:
    split: str
    rows: int = 0
    prompts_cut: int = 0
    completions_cut: int = 0
    truncated: int = 0  # rows with any cut
    dropped: int = 0  # pairs whose answers were identical after truncation (nothing to compare)
    lengths: list[int] = field(default_factory=list)  # prompt + longer answer, before truncation

    def message(self, limits: PrefLimits) -> str:
        text = f"{self.split}: {self.rows} preference pairs"
        if self.prompts_cut:
            to = f"to {limits.prompt} tokens" if limits.prompt is not None else "to leave the answers room"
            text += f"; {self.prompts_cut} prompts cut from the left {to} (sequences hold {limits.total} tokens)"
        if self.completions_cut:
            text += f"; {self.completions_cut} rows had a completion cut from the right"
        if self.dropped:
            text += (
                f"; {self.dropped} pairs dropped because chosen and rejected were identical after truncation "
                "(raise --block-size to keep them)"
            )
        return text + "."


def _messages(value: Any, role: str, where: str) -> list[dict[str, str]]:
    if isinstance(value, str):
        return [{"role": role, "content": value}]
    if isinstance(value, list) and value:
        for turn in value:
            ok = isinstance(turn, dict) and turn.get("role") in ROLES and isinstance(turn.get("content"), str)
            if not ok:
                roles = ", ".join(ROLES)
                raise DataError(f"{where}: each message needs a role ({roles}) and text content; got {turn!r}.")
        return list(value)
    raise DataError(f"{where}: expected text or a non-empty list of chat messages, got {type(value).__name__}.")


def _strip_prompt(prompt: list[dict], turns: list[dict]) -> list[dict]:
    """Full conversations that repeat the prompt keep only what follows it."""
    return turns[len(prompt) :] if turns[: len(prompt)] == prompt else turns


def encode_row(
    row: dict[str, Any],
    columns: dict[str, str | None],
    tokenizer: Any,
    where: str,
    stop_ids: frozenset[int] | None = None,
) -> tuple:
    """(prompt_ids, [chosen_ids, rejected_ids]) for one row."""
    chosen_column, rejected_column = columns["chosen"], columns["rejected"]
    assert chosen_column and rejected_column, "load_data names both answer columns"
    chosen, rejected = row[chosen_column], row[rejected_column]
    prompt_column = columns.get("prompt")
    prompt = row[prompt_column] if prompt_column else ""
    use_chat = rule_for(tokenizer).chat or any(isinstance(v, list) for v in (prompt, chosen, rejected))
    if not use_chat:
        for name, value in (("prompt", prompt), ("chosen", chosen), ("rejected", rejected)):
            if not isinstance(value, str):
                raise DataError(f"{where}: the {name} value must be text, got {type(value).__name__}.")
        return encode_text(prompt, [chosen, rejected], tokenizer)
    if not tokenizer.chat_template:
        raise DataError(f"{where}: chat messages need a chat template; pass --chat-template chatml (or another).")
    prompt_msgs = _messages(prompt, "user", f"{where}, prompt") if prompt else []
    answers = [
        _strip_prompt(prompt_msgs, _messages(v, "assistant", f"{where}, {n}"))
        for n, v in (("chosen", chosen), ("rejected", rejected))
    ]
    return encode_chat(prompt_msgs, answers, tokenizer, stop_ids)


def prompt_cap(answers: list[list[int]], limits: PrefLimits) -> int:
    """Prompt tokens allowed: --max-prompt-length (when it applies), and never so many that the longer
    answer loses more than it needs to fit in half of the sequence: each answer keeps room."""
    longest = max((len(a) for a in answers), default=0)
    if limits.completion is not None:
        longest = min(longest, limits.completion)
    keep = min(longest, limits.total // 2)
    cap = limits.total - keep
    return min(cap, limits.prompt) if limits.prompt is not None else cap


def _cut(prompt: list[int], answers: list[list[int]], limits: PrefLimits, report: PrefReport) -> tuple:
    cap_prompt = prompt_cap(answers, limits)
    if len(prompt) > cap_prompt:
        prompt = prompt[len(prompt) - cap_prompt :]
        report.prompts_cut += 1
    room = limits.total - len(prompt)
    cap = min(room, limits.completion) if limits.completion is not None else room
    if any(len(a) > cap for a in answers):
        report.completions_cut += 1
    return prompt, [a[:cap] for a in answers]


def prepare(
    dataset: Any,
    columns: dict[str, str | None],
    tokenizer: Any,
    limits: PrefLimits,
    split: str,
    source: str,
    stop_ids: frozenset[int] | None = None,
    workers: int | None = None,
) -> tuple[Any, PrefReport]:
    """One batched, cacheable map (`tokenize_map`); the report is summed from its columns."""

    def encode(batch: dict[str, list], indices: list[int]) -> dict[str, list]:
        out: dict[str, list] = {name: [] for name in (*IDS, LENGTH, PROMPT_CUT, COMPLETION_CUT)}
        for index, values in zip(indices, zip(*batch.values(), strict=True), strict=True):
            where = f"Row {index + 1} of the {split} split of {source}"
            prompt, answers = encode_row(dict(zip(batch, values, strict=True)), columns, tokenizer, where, stop_ids)
            cuts = PrefReport(split)  # this row's cuts
            out[LENGTH].append(len(prompt) + max(len(a) for a in answers))
            prompt, (chosen, rejected) = _cut(prompt, answers, limits, cuts)
            for name, ids in zip(IDS, (prompt, chosen, rejected), strict=True):
                out[name].append(ids)
            out[PROMPT_CUT].append(cuts.prompts_cut)
            out[COMPLETION_CUT].append(cuts.completions_cut)
        return out

    encoded = tokenize_map(dataset, encode, workers=workers, with_indices=True)
    prompt_cut, completion_cut = encoded[PROMPT_CUT], encoded[COMPLETION_CUT]
    report = PrefReport(split, prompts_cut=sum(prompt_cut), completions_cut=sum(completion_cut))
    report.truncated = sum(1 for p, c in zip(prompt_cut, completion_cut, strict=True) if p or c)
    report.lengths = list(encoded[LENGTH])
    # nothing left to prefer once truncated: a zero-margin pair only adds noise
    distinct = [
        i for i, (c, r) in enumerate(zip(encoded["chosen_ids"], encoded["rejected_ids"], strict=True)) if c != r
    ]
    report.dropped = len(encoded) - len(distinct)
    report.rows = len(distinct)
    if not distinct:
        raise DataError(
            f"No {split} preference pairs are left in {source}: chosen and rejected were identical in all "
            f"{report.dropped} rows after truncation to {limits.total} tokens. Raise --block-size or check the data."
        )
    kept = encoded if report.dropped == 0 else encoded.select(distinct)
    return kept.remove_columns([LENGTH, PROMPT_CUT, COMPLETION_CUT]), report
