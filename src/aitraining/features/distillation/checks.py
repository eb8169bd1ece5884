"""Distillation parameter checks that run before anything is loaded (no heavy imports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aitraining.errors import ParamError

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

PLACEHOLDER = "{input}"
EXAMPLES = {"teacher": "'Be thorough.\\n{input}'", "student": "'Q: {input}'"}


def check_placeholder(who: str, template: str) -> None:
    """A template holds {input} exactly once: the input goes in one place, and can be read back from it."""
    flag = f"--{who}-prompt-template"
    count = template.count(PLACEHOLDER)
    if count == 1:
        return
    problem = f"has no {PLACEHOLDER} placeholder" if count == 0 else f"has {count} {PLACEHOLDER} placeholders"
    raise ParamError(
        f"{flag} {template!r} {problem}: the {who} sees the example where {PLACEHOLDER} stands, exactly once. "
        f"Put {PLACEHOLDER} once where the prompt goes, e.g. {EXAMPLES[who]}."
    )


def template_flags(params: LLMParams) -> list[str]:
    """The prompt-template flags that re-render the prompt (the student's default '{input}' does not)."""
    flags = ["--teacher-prompt-template"] if params.teacher_prompt_template is not None else []
    return flags + (["--student-prompt-template"] if params.student_prompt_template != PLACEHOLDER else [])


def check_distill_params(params: LLMParams) -> None:
    if params.teacher_prompt_template is not None:
        check_placeholder("teacher", params.teacher_prompt_template)
    check_placeholder("student", params.student_prompt_template)
    flags = " and ".join(template_flags(params))
    if flags and params.canonical_trainer() == "generic":
        raise ParamError(
            f"{flags} needs prompt/response data, but --trainer generic trains on every token of packed text "
            "(there is no prompt to render). Use --trainer sft, dpo or orpo (their prompt column is the "
            "{input}), or drop the template."
        )
    if flags and params.canonical_trainer() == "sft" and params.packing:
        raise ParamError(
            f"{flags} re-renders each example's prompt, but --packing joins several examples into one row, so "
            "their prompts cannot be re-rendered one by one. Drop --packing (or the template)."
        )
    if flags and params.canonical_trainer() == "sft" and not params.assistant_only_loss:
        raise ParamError(
            f"{flags} re-renders the prompt and aligns the response tokens, so the prompt must not carry loss: "
            "drop --assistant-only-loss=False (sft then trains on the completions or assistant turns only, its "
            "default)."
        )
