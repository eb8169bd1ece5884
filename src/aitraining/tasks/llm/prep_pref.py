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
    lengths: list[int] = field(default_factory=list)  # prompt + longer answer, before truncation

    @property
    def dropped(self) -> int:
        return 0  # pairs are cut to fit, never dropped

    def message(self, limits: PrefLimits) -> str:
        text = f"{self.split}: {self.rows} preference pairs"
        if self.prompts_cut:
            text += f"; {self.prompts_cut} prompts cut from the left to {limits.prompt} tokens"
        if self.completions_cut:
            text += f"; {self.completions_cut} rows had a completion cut from the right"
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


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _end_at_stop(ids: list[int], stops: frozenset[int]) -> list[int]:
    """Drop what a chat template renders after the reply's final stop token (such as a newline)."""
    for last in range(len(ids) - 1, -1, -1):
        if ids[last] in stops:
            return ids[: last + 1]
    return ids


def _stops(tokenizer: Any, stop_ids: frozenset[int] | None) -> frozenset[int]:
    eos = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    return frozenset(stop_ids or eos)


def encode_chat(
    prompt: list[dict], answers: list[list[dict]], tokenizer: Any, stop_ids: frozenset[int] | None = None
) -> tuple[list[int], list[list[int]]]:
    prompt_ids: list[int] = []
    if prompt:  # reward data may carry no separate prompt
        rendered = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True, return_dict=True)
        prompt_ids = list(rendered["input_ids"])
    outs = [
        list(tokenizer.apply_chat_template(prompt + answer, tokenize=True, return_dict=True)["input_ids"])
        for answer in answers
    ]
    cut = min([len(prompt_ids), *(_common_prefix(prompt_ids, f) for f in outs)]) if prompt_ids else 0
    return prompt_ids[:cut], [_end_at_stop(f[cut:], _stops(tokenizer, stop_ids)) for f in outs]


def encode_text(prompt: str, answers: list[str], tokenizer: Any) -> tuple[list[int], list[list[int]]]:
    eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    prompt_ids = tokenizer(prompt)["input_ids"] if prompt else tokenizer("")["input_ids"]
    return prompt_ids, [tokenizer(a, add_special_tokens=False)["input_ids"] + eos for a in answers]


def encode_row(
    row: dict[str, Any],
    columns: dict[str, str | None],
    tokenizer: Any,
    where: str,
    stop_ids: frozenset[int] | None = None,
) -> tuple:
    """(prompt_ids, [chosen_ids, rejected_ids]) for one row."""
    chosen, rejected = row[columns["chosen"]], row[columns["rejected"]]
    prompt = row[columns["prompt"]] if columns.get("prompt") else ""
    use_chat = bool(tokenizer.chat_template) or any(isinstance(v, list) for v in (prompt, chosen, rejected))
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


def truncate(prompt: list[int], answers: list[list[int]], limits: PrefLimits, report: PrefReport) -> tuple:
    cuts_before = report.prompts_cut + report.completions_cut
    prompt, answers = _cut(prompt, answers, limits, report)
    report.truncated += int(report.prompts_cut + report.completions_cut > cuts_before)
    return prompt, answers


def _cut(prompt: list[int], answers: list[list[int]], limits: PrefLimits, report: PrefReport) -> tuple:
    if limits.prompt is not None and len(prompt) > limits.prompt:
        prompt = prompt[-limits.prompt :]
        report.prompts_cut += 1
    room = max(1, limits.total - len(prompt))
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
    report = PrefReport(split, rows=len(encoded), prompts_cut=sum(prompt_cut), completions_cut=sum(completion_cut))
    report.truncated = sum(1 for p, c in zip(prompt_cut, completion_cut, strict=True) if p or c)
    report.lengths = list(encoded[LENGTH])
    return encoded.remove_columns([LENGTH, PROMPT_CUT, COMPLETION_CUT]), report
