"""`aitraining extractive-qa --predict` and `answer_questions`: answers from a trained QA model.

transformers 5.24 removed the question-answering pipeline, so this is the supported way to use a
trained project. It windows long contexts and picks spans exactly as evaluation did during training
(same window length, stride, answer length and "no answer" rule, read from the model's config).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aitraining.data.checks import check_text_column
from aitraining.engine.predict import (
    free_path,
    load_rows,
    torch_device,
    trained_model_folder,
    with_training_settings,
    write_jsonl,
)
from aitraining.tasks.extractive_qa.answers import check_qa_rows, squad_metrics
from aitraining.tasks.extractive_qa.params import ExtractiveQAParams
from aitraining.tasks.extractive_qa.task import CONFIG_KEY
from aitraining.tasks.extractive_qa.windows import best_spans, encode_windows

TRAINED_SETTINGS = ("text_column", "question_column", "answer_column")
DEFAULTS = {"max_seq_length": 384, "max_doc_stride": 128, "max_answer_length": 30, "allow_empty": False}


def answer_questions(
    model: str | Path | Any,
    questions: Sequence[str],
    contexts: Sequence[str],
    *,
    tokenizer: Any = None,
    batch_size: int = 16,
    **settings: Any,
) -> list[dict[str, Any]]:
    """One {"answer", "score", "start", "end"} per question (start/end: character offsets in its context;
    answer "" and -1 offsets for "no answer").

    `model` is a trained folder (or Hub id) or a loaded model (then pass its `tokenizer`). `settings`
    may override max_seq_length, max_doc_stride, max_answer_length and allow_empty; by default they are
    the ones the model was trained with.
    """
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    if isinstance(model, str | Path):
        tokenizer = tokenizer or AutoTokenizer.from_pretrained(str(model))
        model = AutoModelForQuestionAnswering.from_pretrained(str(model)).to(torch_device())
    config = {**DEFAULTS, **(getattr(model.config, CONFIG_KEY, None) or {}), **settings}
    windows = encode_windows(tokenizer, questions, contexts, config["max_seq_length"], config["max_doc_stride"])
    names = [name for name in tokenizer.model_input_names if name in windows]
    model.eval()
    starts: list[Any] = []
    ends: list[Any] = []
    for first in range(0, len(windows["input_ids"]), batch_size):
        batch = tokenizer.pad({n: windows[n][first : first + batch_size] for n in names}, return_tensors="pt")
        with torch.no_grad():
            output = model(**batch.to(model.device))
        starts += list(output.start_logits.float().cpu().numpy())
        ends += list(output.end_logits.float().cpu().numpy())
    spans = best_spans(
        starts,
        ends,
        windows,
        contexts,
        max_answer_tokens=config["max_answer_length"],
        allow_empty=config["allow_empty"],
    )
    return [{"answer": s.text, "score": s.score, "start": s.start, "end": s.end} for s in spans]


def run(resolved: Any) -> int:
    """The --predict action: answer the --data-path rows; returns the exit code."""
    from aitraining.engine.logs import setup_console

    logger = setup_console()
    folder = trained_model_folder(resolved.params.project_name, "extractive-qa")
    params = with_training_settings(resolved, folder, TRAINED_SETTINGS)
    rows, source = load_rows(params, {"text_column": params.text_column, "question_column": params.question_column})
    labelled = params.answer_column in rows.column_names
    if labelled:  # the same checks as training data, so scores are computed against valid answers
        golds = [a.texts for a in check_qa_rows(rows, _columns(params), params.train_split, source)]
    else:
        for column in (params.text_column, params.question_column):
            check_text_column(rows, column, params.train_split, source)
    # explicit window/answer flags override what the model was trained with
    overrides = {
        n: getattr(params, n)
        for n in ("max_seq_length", "max_doc_stride", "max_answer_length")
        if resolved.sources.get(n, "default") != "default"
    }
    questions, contexts = list(rows[params.question_column]), list(rows[params.text_column])
    answers = answer_questions(folder, questions, contexts, batch_size=params.batch_size, **overrides)
    results = [{"question": q, **a} for q, a in zip(questions, answers, strict=True)]
    if labelled:
        scores = squad_metrics([a["answer"] for a in answers], golds)
        logger.info("Scores: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    path = write_jsonl(free_path(folder), results)
    logger.info(f"Answered {len(results)} questions of {source}; written to {path}")
    return 0


def _columns(params: ExtractiveQAParams) -> tuple[str, str, str]:
    return params.text_column, params.question_column, params.answer_column
