"""Knowledge distillation (`--use-distillation`): a frozen teacher's token distributions added to a trainer's loss.

loss = alpha * T^2 * KL(teacher || student at temperature T) + (1 - alpha) * the trainer's own loss, with the
KL taken only over the positions that carry the trainer's loss (for dpo/orpo: the chosen responses).

- `checks`: parameter checks before anything loads (light imports only).
- `teacher`: loading the teacher (frozen, eval mode), the vocabulary check, memory estimate, fingerprint.
- `align`: which logits of student and teacher are compared, batch by batch, and the two prompt templates.
- `student_data`: --student-prompt-template applied to the student's own (training and evaluation) data.
- `loss`: the KL itself (optionally over the teacher's top-k tokens).
- `mixin`: the trainer subclass that adds the KL to `compute_loss` and reports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from logging import Logger

    from aitraining.features.distillation.teacher import TeacherCheck
    from aitraining.tasks.llm.params import LLMParams

# What a distilling trainer logs beside its own loss (eval_ prefixed in evaluation); top-k mass with --distill-top-k.
KD_METRICS = ("distill_loss", "task_loss", "distill_top_k_mass")


def kd_metrics(params: LLMParams) -> tuple[str, ...]:
    """The distillation metrics this run logs."""
    return KD_METRICS if params.distill_top_k else KD_METRICS[:2]


# The run fingerprint's part for the teacher (engine/fingerprint.py): names the flag in a refused resume.
TEACHER_PART = "the distillation teacher (--teacher-model)"


def check_teacher(params: LLMParams, tokenizer: Any, logger: Logger) -> TeacherCheck:
    """Before any data or weights load: the teacher's config and tokenizer load, the vocabularies match, and
    the teacher's memory need is estimated and reported."""
    from aitraining.features.distillation.teacher import check_teacher as check

    return check(params, tokenizer, logger)


def render_student_data(prepared: Any, tokenizer: Any, params: LLMParams, logger: Logger) -> Any:
    """`prepared` with its prompts rendered by --student-prompt-template (unchanged for the default '{input}')."""
    from aitraining.features.distillation.align import PLACEHOLDER, templates_for
    from aitraining.features.distillation.student_data import render_student

    templates = templates_for(params, tokenizer)
    if templates is None or templates.student == PLACEHOLDER:
        return prepared
    return render_student(prepared, templates, params, logger)


def attach(trainer: Any, teacher: TeacherCheck, tokenizer: Any, params: LLMParams, logger: Logger) -> Any:
    """Load the checked teacher's weights (frozen) and make `trainer` distil from it (returns the same trainer)."""
    from aitraining.features.distillation.mixin import make_distilling
    from aitraining.features.distillation.teacher import load_teacher

    return make_distilling(trainer, load_teacher(teacher), tokenizer, params, logger)


def teacher_fingerprint(params: LLMParams) -> dict[str, Any]:
    """Path, config hash and weight file sizes of --teacher-model (for metrics.json, the card, manifests)."""
    from aitraining.features.distillation.teacher import fingerprint

    return fingerprint(params.teacher_model or "")
