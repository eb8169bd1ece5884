"""Which student logits are compared with which teacher logits.

Only positions that carry the trainer's loss are compared: `labels != -100` (generic, sft: prompt, padding
and non-assistant turns are already -100), TRL DPO's `completion_mask` on the chosen half of the batch, ORPO's
`chosen_labels`. The logit at position p-1 predicts the token at p.

With --teacher-prompt-template the teacher sees another rendering of the same example: the student's prompt
(the tokens before the first trained token) is decoded, put into the template, re-tokenized, and the
student's response tokens follow it. Response token j then sits at student position first+j and at teacher
position len(teacher_prompt)+j, which is how the KL aligns the two renderings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aitraining.features.distillation.checks import PLACEHOLDER

IGNORE = -100
Render = Callable[[list[int]], list[int]]


@dataclass
class Aligned:
    student_inputs: dict[str, Any]  # input_ids + attention_mask for the student's forward
    teacher_inputs: dict[str, Any]
    student_pos: tuple[Any, Any]  # (rows, positions) of the compared student logits
    teacher_pos: tuple[Any, Any]


def loss_view(inputs: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(input_ids, attention_mask, trained) of the sequences whose loss positions are distilled."""
    if "chosen_input_ids" in inputs:  # ORPO: chosen and rejected are separate keys
        ids, attn = inputs["chosen_input_ids"], inputs["chosen_attention_mask"]
        return ids, attn, (inputs["chosen_labels"] != IGNORE) & attn.bool()
    if "completion_mask" in inputs:  # DPO: chosen rows first, then the rejected ones
        half = inputs["input_ids"].shape[0] // 2
        ids, attn = inputs["input_ids"][:half], inputs["attention_mask"][:half]
        return ids, attn, inputs["completion_mask"][:half].bool() & attn.bool()
    if "labels" in inputs:
        ids = inputs["input_ids"]
        attn = inputs.get("attention_mask")
        if attn is None:
            attn = ids.new_ones(ids.shape)
        return ids, attn, (inputs["labels"] != IGNORE) & attn.bool()
    raise ValueError(f"distillation: no loss mask among the batch keys {sorted(inputs)}")


def align(ids: Any, attn: Any, trained: Any, render: Render | None, pad_id: int) -> Aligned:
    import torch

    student = {"input_ids": ids, "attention_mask": attn}
    if render is None:
        rows, pos = trained[:, 1:].nonzero(as_tuple=True)
        return Aligned(student, student, (rows, pos), (rows, pos))
    sequences: list[list[int]] = []
    s_pos: list[list[int]] = [[], []]
    t_pos: list[list[int]] = [[], []]
    for row in range(ids.shape[0]):
        where = attn[row].nonzero().flatten().tolist()
        tokens = ids[row, where].tolist()
        marks = trained[row, where].tolist()
        first = next((i for i, m in enumerate(marks) if m and i > 0), None)
        if first is None:
            sequences.append(tokens)
            continue
        prompt = render(tokens[:first])
        sequences.append(prompt + tokens[first:])
        for i in range(first, len(tokens)):
            if marks[i]:
                s_pos[0].append(row)
                s_pos[1].append(where[i - 1])
                t_pos[0].append(row)
                t_pos[1].append(len(prompt) + i - first - 1)
    width = max(len(s) for s in sequences)
    t_ids = torch.full((len(sequences), width), pad_id, dtype=ids.dtype, device=ids.device)
    t_attn = torch.zeros_like(t_ids)
    for row, seq in enumerate(sequences):
        t_ids[row, : len(seq)] = torch.tensor(seq, dtype=ids.dtype)
        t_attn[row, : len(seq)] = 1
    as_index = [torch.tensor(p, dtype=torch.long, device=ids.device) for p in (*s_pos, *t_pos)]
    teacher = {"input_ids": t_ids, "attention_mask": t_attn}
    return Aligned(student, teacher, (as_index[0], as_index[1]), (as_index[2], as_index[3]))


def template_renderer(template: str, tokenizer: Any) -> Render:
    """Prompt ids -> the teacher's prompt ids: decode, put into the template, re-tokenize (bos kept in front)."""
    bos = tokenizer.bos_token_id

    def render(prompt: list[int]) -> list[int]:
        lead = prompt[:1] if prompt and bos is not None and prompt[0] == bos else []
        text = tokenizer.decode(prompt[len(lead) :], skip_special_tokens=False, clean_up_tokenization_spaces=False)
        rendered = template.replace(PLACEHOLDER, text)
        return lead + tokenizer(rendered, add_special_tokens=False)["input_ids"]

    return render
