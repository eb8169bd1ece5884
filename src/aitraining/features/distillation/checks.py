"""Distillation parameter checks that run before anything is loaded (no heavy imports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aitraining.errors import ParamError

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

PLACEHOLDER = "{input}"


def check_distill_params(params: LLMParams) -> None:
    teacher_template = params.teacher_prompt_template
    if teacher_template is not None and PLACEHOLDER not in teacher_template:
        raise ParamError(
            f"--teacher-prompt-template {teacher_template!r} has no {PLACEHOLDER} placeholder: the teacher would not "
            f"see the example. Put {PLACEHOLDER} where the student's prompt goes, e.g. 'Be terse.\\n{PLACEHOLDER}'."
        )
    if params.student_prompt_template != PLACEHOLDER:
        raise ParamError(
            f"--student-prompt-template {params.student_prompt_template!r}: in this version the student sees the "
            f"prompt exactly as the data renders it, so only {PLACEHOLDER!r} is accepted. Put the student's wording "
            "into the data (or its chat template) and use --teacher-prompt-template for what only the teacher sees."
        )
    if teacher_template is not None and params.canonical_trainer() == "generic":
        raise ParamError(
            "--teacher-prompt-template needs prompt/response data, but --trainer generic trains on every token of "
            "packed text (there is no prompt to re-render). Use --trainer sft, dpo or orpo, or drop the template."
        )
    if teacher_template is not None and params.canonical_trainer() == "sft" and not params.assistant_only_loss:
        raise ParamError(
            "--teacher-prompt-template re-renders the prompt for the teacher and aligns the response tokens, so the "
            "prompt must not carry loss: drop --assistant-only-loss=False (sft then trains on the completions or "
            "assistant turns only, its default)."
        )
