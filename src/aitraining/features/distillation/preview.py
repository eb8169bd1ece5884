"""`--preview-data` with a prompt template: both renderings of a row and the positions the KL aligns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aitraining.features.distillation.align import IGNORE, align, templates_for

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams


def row_view(row: dict[str, Any]) -> tuple[list[int], list[bool]]:
    """(ids, trained) of a prepared row: sft/generic `input_ids`+`labels`, preference `prompt_ids`+`chosen_ids`."""
    if "prompt_ids" in row:
        return row["prompt_ids"] + row["chosen_ids"], [False] * len(row["prompt_ids"]) + [True] * len(row["chosen_ids"])
    return list(row["input_ids"]), [label != IGNORE for label in row["labels"]]


def template_preview(prepared: Any, tokenizer: Any, params: LLMParams, count: int) -> list[str]:
    import torch

    from aitraining.tasks.llm.preview import mark_loss

    templates = templates_for(params, tokenizer)
    if templates is None:
        return []
    out = [
        f"Distillation: the student sees its prompt rendered with {templates.student!r}, the teacher with "
        f"{templates.teacher!r} ({{input}}: the prompt as the data renders it); the KL compares the [[ ]] tokens."
    ]
    for number, row in enumerate(prepared.train.select(range(min(count, len(prepared.train)))), start=1):
        ids, trained = row_view(row)
        tensor = torch.tensor([ids])
        aligned = align(
            tensor, torch.ones_like(tensor), torch.tensor([trained]), templates.to_teacher, tokenizer.pad_token_id or 0
        )
        t_ids = aligned.teacher_inputs["input_ids"][0].tolist()
        t_marks = [False] * len(t_ids)
        for position in aligned.teacher_pos[1].tolist():
            t_marks[position + 1] = True
        s_pos, t_pos = aligned.student_pos[1].tolist(), aligned.teacher_pos[1].tolist()
        span = (
            f"student positions {s_pos[0] + 1}..{s_pos[-1] + 1} <-> teacher positions {t_pos[0] + 1}..{t_pos[-1] + 1}"
            if s_pos
            else "no trained tokens"
        )
        out += [
            f"--- distillation sample {number} ({len(s_pos)} aligned response tokens: {span}) ---",
            f"student: {mark_loss(tokenizer, ids, [False] + [m for m in trained[1:]])}",
            f"teacher: {mark_loss(tokenizer, t_ids, t_marks)}",
        ]
    return out
