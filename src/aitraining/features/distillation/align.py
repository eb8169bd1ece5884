"""Which student logits are compared with which teacher logits.

Only positions that carry the trainer's loss are compared: `labels != -100` (generic, sft: prompt, padding
and non-assistant turns are already -100), TRL DPO's `completion_mask` on the chosen half of the batch, ORPO's
`chosen_labels`. The logit at position p-1 predicts the token at p.

Prompt templates (`Templates`): the input is the prompt as the data renders it (the tokens before the first
trained token, chat template included). The student's data is rendered once, before training, with
--student-prompt-template (`to_student`, see `student_data`); at each step the input is recovered from the
student's prompt (decoded, the student template's text around {input} removed), put into
--teacher-prompt-template and re-tokenized (`to_teacher`), and the student's response tokens follow it.
Response token j then sits at student position first+j and at teacher position len(teacher_prompt)+j, which
is how the KL aligns the two renderings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aitraining.errors import DataError
from aitraining.features.distillation.checks import PLACEHOLDER

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

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


def align(ids: Any, attn: Any, trained: Any, render: Render | None, pad_id: int, positions: Any = None) -> Aligned:
    """`positions`: the batch's position_ids of padding-free packed rows (sft --packing), which keep the packed
    examples apart; both forwards then get them instead of an attention mask, as the trainer's own does."""
    import torch

    student = {"input_ids": ids, "attention_mask": attn} if positions is None else {"input_ids": ids}
    if positions is not None:
        student["position_ids"] = positions
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


class TemplateMismatch(DataError):
    """A student prompt that does not read back as the student template around an input."""


@dataclass(frozen=True)
class Templates:
    """The student's and the teacher's prompt templates (each with {input} once) over one tokenizer."""

    student: str
    teacher: str
    tokenizer: Any

    def _split(self, prompt: list[int]) -> tuple[list[int], str]:
        """(bos kept in front, the rest decoded as text)."""
        bos = self.tokenizer.bos_token_id
        lead = prompt[:1] if prompt and bos is not None and prompt[0] == bos else []
        text = self.tokenizer.decode(prompt[len(lead) :], skip_special_tokens=False, clean_up_tokenization_spaces=False)
        return lead, text

    def _render(self, template: str, lead: list[int], text: str) -> list[int]:
        return lead + self.tokenizer(template.replace(PLACEHOLDER, text), add_special_tokens=False)["input_ids"]

    def to_student(self, prompt: list[int]) -> list[int]:
        """The data's prompt ids -> the student's prompt ids (identity for '{input}')."""
        if self.student == PLACEHOLDER:
            return list(prompt)
        return self._render(self.student, *self._split(prompt))

    def input_text(self, student_prompt: list[int]) -> tuple[list[int], str]:
        """(bos lead, the input) read back from a prompt rendered with the student template."""
        lead, text = self._split(student_prompt)
        before, after = self.student.split(PLACEHOLDER)
        if not (text.startswith(before) and text.endswith(after) and len(text) >= len(before) + len(after)):
            raise TemplateMismatch(f"{text!r} does not read back as --student-prompt-template {self.student!r}")
        return lead, text[len(before) : len(text) - len(after)]

    def to_teacher(self, student_prompt: list[int]) -> list[int]:
        """The student's prompt ids (as the batch holds them) -> the teacher's prompt ids."""
        return self._render(self.teacher, *self.input_text(student_prompt))


def templates_for(params: LLMParams, tokenizer: Any) -> Templates | None:
    """The two templates, or None when both see the prompt as the data renders it (no re-rendering)."""
    teacher = params.teacher_prompt_template or PLACEHOLDER
    if teacher == PLACEHOLDER and params.student_prompt_template == PLACEHOLDER:
        return None
    return Templates(params.student_prompt_template, teacher, tokenizer)
