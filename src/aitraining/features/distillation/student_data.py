"""--student-prompt-template applied to the student's training and evaluation data, once, before training.

The input is the prompt as the trainer's data rendering makes it (chat template included):
- sft: the tokens before the first trained token (the prompt column of prompt/completion data, or the turns
  before the first assistant reply of chat data); later turns are left as they are;
- dpo/orpo: the prompt column's tokens (`prompt_ids`), shared by the chosen and the rejected answer;
- generic has no prompt: a template is refused before anything loads (`checks`).
The trainer's own loss and the KL then both see the student rendering. A rendered row longer than the
block size loses the end of its answer(s); a row left without trained tokens (or with identical answers) is
dropped. Every rendered prompt must read back as the template around the input (`Templates.input_text`):
that is how the teacher's rendering is recovered from a batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aitraining.errors import DataError
from aitraining.features.distillation.align import IGNORE, TemplateMismatch, Templates

if TYPE_CHECKING:
    from logging import Logger

    from aitraining.tasks.llm.params import LLMParams

KEEP = "_kd_keep"


def render_sft(row: dict[str, Any], templates: Templates, limit: int | None) -> dict[str, Any]:
    ids, labels = list(row["input_ids"]), list(row["labels"])
    first = next((i for i, label in enumerate(labels) if label != IGNORE and i > 0), None)
    if first is None:
        return {**row, KEEP: True}  # nothing trained: the student's loss and the KL skip it anyway
    prompt = templates.to_student(ids[:first])
    templates.input_text(prompt)  # reads back, or raises
    ids, labels = (prompt + ids[first:])[:limit], ([IGNORE] * len(prompt) + labels[first:])[:limit]
    return {**row, "input_ids": ids, "labels": labels, KEEP: any(label != IGNORE for label in labels)}


def render_pref(row: dict[str, Any], templates: Templates, limit: int | None) -> dict[str, Any]:
    prompt = templates.to_student(list(row["prompt_ids"]))
    templates.input_text(prompt)
    room = (limit - len(prompt)) if limit else None
    chosen, rejected = list(row["chosen_ids"])[:room], list(row["rejected_ids"])[:room]
    keep = bool(chosen) and chosen != rejected
    return {**row, "prompt_ids": prompt, "chosen_ids": chosen, "rejected_ids": rejected, KEEP: keep}


def render_split(dataset: Any, templates: Templates, limit: int | None, split: str) -> tuple[Any, int]:
    """(the split with the student's prompts, rows dropped)."""
    render = render_pref if "prompt_ids" in dataset.column_names else render_sft

    def one(row: dict[str, Any], index: int) -> dict[str, Any]:
        try:
            return render(row, templates, limit)
        except TemplateMismatch as exc:
            raise DataError(
                f"Row {index + 1} of the {split} split: {exc}: the tokenizer does not read the rendered prompt "
                "back unchanged, so the teacher's rendering cannot be recovered from it. Change the template's "
                "text around {input} (e.g. end it with a space or a newline)."
            ) from None

    rendered = dataset.map(one, with_indices=True)
    kept = [i for i, keep in enumerate(rendered[KEEP]) if keep]
    dropped = len(rendered) - len(kept)
    if not kept:
        raise DataError(
            f"--student-prompt-template leaves no {split} row with trainable tokens within the block size "
            f"({limit}): shorten the template or raise --block-size."
        )
    return (rendered.select(kept) if dropped else rendered).remove_columns([KEEP]), dropped


def render_student(prepared: Any, templates: Templates, params: LLMParams, logger: Logger) -> Any:
    """`prepared` with its train (and valid) prompts rendered by --student-prompt-template (in place)."""
    limit = prepared.max_length
    prepared.train, dropped = render_split(prepared.train, templates, limit, params.train_split)
    note = f"Student prompts rendered with --student-prompt-template {templates.student!r}"
    if prepared.valid is not None:
        prepared.valid, valid_dropped = render_split(prepared.valid, templates, limit, str(params.valid_split))
        dropped += valid_dropped
    note += f"; {dropped} rows dropped (no trainable tokens left within {limit} tokens)." if dropped else "."
    logger.info(note)
    prepared.notes.append(note)
    return prepared
