"""`aitraining seq2seq --predict` and `generate_texts`: generation with a trained seq2seq model.

transformers 5.24 removed the text2text / summarization / translation pipelines, so this is the
supported way to use a trained project: greedy (or beam) decoding in batches, on a GPU when present.
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

# taken from the training run unless given again on the command line
TRAINED_SETTINGS = ("text_column", "target_column", "max_seq_length", "max_target_length")


def generate_texts(
    model: str | Path | Any,
    texts: Sequence[str],
    *,
    tokenizer: Any = None,
    max_seq_length: int = 128,
    max_new_tokens: int = 128,
    batch_size: int = 8,
    num_beams: int = 1,
) -> list[str]:
    """Generate one output text per input text.

    `model` is a trained folder (or Hub id) or an already loaded model (then pass its `tokenizer`).
    Inputs longer than `max_seq_length` tokens are truncated, as in training.
    """
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    if isinstance(model, str | Path):
        tokenizer = tokenizer or AutoTokenizer.from_pretrained(str(model))
        model = AutoModelForSeq2SeqLM.from_pretrained(str(model)).to(torch_device())
    model.eval()
    outputs: list[str] = []
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(
            list(texts[start : start + batch_size]),
            max_length=max_seq_length,
            truncation=True,
            padding=True,
            return_tensors="pt",
        ).to(model.device)
        with torch.no_grad():
            generated = model.generate(**batch, max_new_tokens=max_new_tokens, num_beams=num_beams, do_sample=False)
        outputs += [text.strip() for text in tokenizer.batch_decode(generated, skip_special_tokens=True)]
    return outputs


def run(resolved: Any) -> int:
    """The --predict action: generate for the --data-path rows; returns the exit code."""
    from aitraining.engine.logs import setup_console
    from aitraining.engine.metrics import generation_metrics

    logger = setup_console()
    folder = trained_model_folder(resolved.params.project_name, "seq2seq")
    params = with_training_settings(resolved, folder, TRAINED_SETTINGS)
    rows, source = load_rows(params, {"text_column": params.text_column})
    check_text_column(rows, params.text_column, params.train_split, source)
    texts = list(rows[params.text_column])
    predictions = generate_texts(
        folder,
        texts,
        max_seq_length=params.max_seq_length,
        max_new_tokens=params.max_target_length,
        batch_size=params.batch_size,
    )
    results = [{"text": t, "prediction": p} for t, p in zip(texts, predictions, strict=True)]
    if params.target_column in rows.column_names:  # labelled rows: score the predictions as well
        targets = [str(v) for v in rows[params.target_column]]
        for result, target in zip(results, targets, strict=True):
            result["target"] = target
        scores = generation_metrics(predictions, targets)
        logger.info("Scores: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    path = write_jsonl(free_path(folder), results)
    logger.info(f"Predicted {len(results)} rows of {source}; written to {path}")
    return 0
