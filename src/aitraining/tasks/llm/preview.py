"""`aitraining llm --preview-data`: show exactly what the model will learn, before any training.

The data goes through the trainer's own `load_data` and `prepare` (format detection or conversion, chat
template and its checks, tokenization, loss masks, truncation), so what is shown is what training uses.
Only the tokenizer and the model's config are loaded, never the weights, so it runs in seconds.
Tokens inside [[ ]] carry loss; everything else is context.
"""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

from aitraining.errors import ParamError

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

OPEN, CLOSE = "[[", "]]"
IGNORE = -100
PAIR_TRAINERS = ("dpo", "orpo", "reward")
PREVIEWABLE = ("generic", "sft", *PAIR_TRAINERS)


def decode(tokenizer: Any, ids: list[int]) -> str:
    return tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)


def mark_loss(tokenizer: Any, ids: list[int], trained: list[bool]) -> str:
    """The decoded tokens with every run of trained tokens wrapped in [[ ]]."""
    pieces: list[str] = []
    run: list[int] = []
    for index, token in enumerate(ids):
        run.append(token)
        if index + 1 == len(ids) or trained[index + 1] != trained[index]:
            text = decode(tokenizer, run)
            pieces.append(f"{OPEN}{text}{CLOSE}" if trained[index] else text)
            run = []
    return "".join(pieces)


def length_line(report: Any, limit: int | None) -> str:
    lengths = report.lengths
    if not lengths:
        return f"{report.split}: no rows."
    stats = f"min {min(lengths)}, median {statistics.median(lengths):g}, max {max(lengths)}"
    cut = f"limit {limit} tokens: {report.truncated} truncated, {report.dropped} dropped" if limit else ""
    return f"{report.split}: {len(lengths)} rows; tokens per row (before truncation) {stats}; {cut}."


def labelled_samples(prepared: Any, tokenizer: Any, count: int) -> list[str]:
    """sft rows and generic blocks: input_ids with their labels."""
    report = (getattr(prepared, "reports", None) or [None])[0]
    out = []
    for position, row in enumerate(prepared.train.select(range(min(count, len(prepared.train))))):
        ids, labels = row["input_ids"], row["labels"]
        if "attention_mask" in row:  # generic blocks carry padding; it is never shown or trained
            ids = [t for t, a in zip(ids, row["attention_mask"], strict=True) if a]
        trained = [label != IGNORE for label in labels[: len(ids)]]
        if report is not None:
            source_row = report.kept[position]
            full = report.lengths[source_row]
            cut = f", truncated from {full}" if full > len(ids) else ""
            head = f"train row {source_row + 1}: {len(ids)} tokens{cut}, {sum(trained)} in the loss"
        else:
            head = f"block {position + 1}: {len(ids)} tokens, {sum(trained)} in the loss"
        out.append(f"--- sample {position + 1} ({head}) ---\n{mark_loss(tokenizer, ids, trained)}")
    return out


def pair_samples(prepared: Any, tokenizer: Any, count: int) -> list[str]:
    """Preference rows: the prompt once, then each answer with its loss tokens marked."""
    out = []
    for position, row in enumerate(prepared.train.select(range(min(count, len(prepared.train))))):
        prompt = decode(tokenizer, row["prompt_ids"])
        lines = [f"--- sample {position + 1} (train row {position + 1}) ---", f"prompt:   {prompt}"]
        for side in ("chosen", "rejected"):
            ids = row[f"{side}_ids"]
            lines.append(f"{side + ':':9} {mark_loss(tokenizer, ids, [True] * len(ids))}")
        out.append("\n".join(lines))
    return out


def template_line(prepared: Any) -> str:
    if not hasattr(prepared, "template"):
        return "Chat template: not used by this trainer."
    choice = prepared.template
    if choice is None or choice.text is None:
        return "Chat template: none."
    name = choice.name or "tokenizer"
    shown = "the tokenizer's own" if name == "tokenizer" else f"'{name}' (saved with the trained tokenizer)"
    return f"Chat template: {shown}."


def rule_lines(prepared: Any) -> list[str]:
    """The prompt rule and which tokens carry loss, as the run logs them."""
    return [n for n in prepared.notes if n.startswith(("Prompt rule:", "Loss:", "Warning:"))]


def render(prepared: Any, tokenizer: Any, params: LLMParams, trainer: str) -> str:
    count = params.preview_samples
    pairs = trainer in PAIR_TRAINERS
    legend = (
        "Tokens inside [[ ]] are the answers whose log-probabilities the loss compares."
        if pairs
        else "Tokens inside [[ ]] carry loss; everything else is context the model only reads."
    )
    shown = min(count, len(prepared.train))
    lines = [
        f"Data preview for --trainer {trainer}: {shown} of {len(prepared.train)} prepared train rows, "
        f"as training sees them (model {params.model}: tokenizer and config only).",
        template_line(prepared),
        *rule_lines(prepared),
        legend,
        "",
    ]
    samples = pair_samples if pairs else labelled_samples
    lines += ["\n\n".join(samples(prepared, tokenizer, count)), ""]
    reports = getattr(prepared, "reports", [])
    lines += [length_line(r, prepared.max_length) for r in reports] or [
        n for n in prepared.notes if n not in rule_lines(prepared)
    ]
    if params.use_distillation:  # with a prompt template: both renderings and the aligned positions
        from aitraining.features.distillation.preview import template_preview

        renderings = template_preview(prepared, tokenizer, params, count)
        lines += ["", *renderings] if renderings else []
    return "\n".join(lines)


def run(resolved: Any) -> int:
    from aitraining.engine.logs import setup_console
    from aitraining.engine.runner import quiet_upstream_noise
    from aitraining.features import distillation
    from aitraining.tasks.llm import models
    from aitraining.tasks.llm.lengths import effective_block_size
    from aitraining.tasks.llm.prep_sft import NoTrainableRows
    from aitraining.tasks.llm.trainers import preference, trainer_spec

    params, trainer = resolved.params, resolved.trainer
    if trainer not in PREVIEWABLE:
        raise ParamError(f"--preview-data shows data for --trainer {', '.join(PREVIEWABLE)}; not {trainer}.")
    if not params.model or not params.data_path:
        raise ParamError("--preview-data needs --model (for its tokenizer) and --data-path.")
    logger = setup_console()
    quiet_upstream_noise()
    module = trainer_spec(trainer).load()
    # reward's own prepare joins prompt and answers; the preview shows the pairs it scores instead
    prepare = preference.prepare if trainer in PAIR_TRAINERS else module.prepare
    data = module.load_data(params, logger)
    tokenizer = models.load_tokenizer(params.model, logger)
    config = models.load_config(params.model)
    try:
        prepared = prepare(data, params, tokenizer, config, logger)
        if params.use_distillation:
            prepared = distillation.render_student_data(prepared, tokenizer, params, logger)
    except NoTrainableRows as exc:  # still show the numbers that explain it
        limit = effective_block_size(params, tokenizer, config, logger)
        print(length_line(exc.report, limit))
        raise
    print(render(prepared, tokenizer, params, trainer))
    return 0
