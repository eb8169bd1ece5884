"""extractive-qa: find the answer to a question as a span of its context (SQuAD 1.1 / 2.0 style).

Evaluation turns the start/end logits of every window of a question back into one answer text and
scores it with SQuAD's exact match and F1, so the kept checkpoint is the one that answers best, not
the one with the lowest loss.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aitraining.data.mapping import tokenize_map
from aitraining.engine.models import load_trainable
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import Metrics, SupervisedTask, TaskState, run_supervised
from aitraining.errors import AitrainingError, DataError, ParamError
from aitraining.tasks.extractive_qa.answers import Answers, check_qa_rows, parse_answers, squad_metrics
from aitraining.tasks.extractive_qa.params import ExtractiveQAParams
from aitraining.tasks.extractive_qa.windows import answer_positions, best_spans, encode_windows

CONFIG_KEY = "aitraining_qa"  # model.config attribute holding what --predict needs to answer like evaluation


def qa_settings(params: ExtractiveQAParams, allow_empty: bool) -> dict[str, Any]:
    return {
        "max_seq_length": params.max_seq_length,
        "max_doc_stride": params.max_doc_stride,
        "max_answer_length": params.max_answer_length,
        "allow_empty": allow_empty,
    }


@dataclass(frozen=True, kw_only=True)
class QAState(TaskState[ExtractiveQAParams]):
    allow_empty: bool  # SQuAD 2.0 behaviour: "no answer" may win (only when the training data has such rows)


class ExtractiveQA(SupervisedTask[ExtractiveQAParams, QAState]):
    metric = "eval_f1"
    greater_is_better = True
    eval_only_columns = ("example", "offsets", "cls")  # what compute_metrics needs to map logits to answers

    def columns(self, params: ExtractiveQAParams) -> dict[str, str]:
        return {
            "text_column": params.text_column,
            "question_column": params.question_column,
            "answer_column": params.answer_column,
        }

    def check_rows(self, dataset: Any, params: ExtractiveQAParams, split: str, source: str) -> None:
        check_qa_rows(dataset, (params.text_column, params.question_column, params.answer_column), split, source)

    def group_values(self, dataset: Any, params: ExtractiveQAParams) -> tuple[str, list[Any]]:
        """Questions about one context stay together: a validation paragraph is never trained on."""
        return f"context ('{params.text_column}')", list(dataset[params.text_column])

    def setup(
        self, train: Any, valid: Any, params: ExtractiveQAParams, processor: Any, logger: logging.Logger
    ) -> QAState:
        if not processor.is_fast:
            raise AitrainingError(
                f"extractive-qa needs a fast tokenizer (it maps answers to tokens through character offsets); "
                f"--model {params.model} only has a slow one ({type(processor).__name__})."
            )
        limit = processor.model_max_length  # a huge number when the model declares no limit
        if params.max_seq_length > limit:
            raise ParamError(
                f"--max-seq-length {params.max_seq_length} is longer than --model {params.model} accepts "
                f"({limit} tokens). Pass --max-seq-length {limit} or less."
            )
        unanswerable = sum(parse_answers(v).empty for v in train[params.answer_column])
        if unanswerable == len(train):
            raise DataError(
                f"Every training question has an empty answer list in column '{params.answer_column}': "
                "there is nothing to learn to extract."
            )
        logger.info(
            f"{len(train)} training questions, {unanswerable} of them unanswerable"
            + ("; the model may answer 'no answer'." if unanswerable else ".")
        )
        return QAState(params=params, logger=logger, processor=processor, allow_empty=unanswerable > 0)

    def load_model(self, state: QAState) -> Any:
        from transformers import AutoModelForQuestionAnswering

        model = load_trainable(AutoModelForQuestionAnswering, state.params)
        setattr(model.config, CONFIG_KEY, qa_settings(state.params, state.allow_empty))
        return model

    def preprocess(self, dataset: Any, state: QAState, split: str) -> Any:
        params, tokenizer = state.params, state.processor

        def encode(batch: dict[str, list], indices: list[int]) -> dict[str, list]:
            windows = encode_windows(
                tokenizer, batch[params.question_column], batch[params.text_column], params.max_seq_length,
                params.max_doc_stride,
            )  # fmt: skip
            answers = [parse_answers(v) for v in batch[params.answer_column]]
            positions = [
                answer_positions(offsets, cls, *_first_answer(answers[example]))
                for offsets, cls, example in zip(windows["offsets"], windows["cls"], windows["example"], strict=True)
            ]
            out = {name: windows[name] for name in tokenizer.model_input_names if name in windows}
            out["start_positions"] = [p[0] for p in positions]
            out["end_positions"] = [p[1] for p in positions]
            if split == "valid":
                out.update({name: windows[name] for name in self.eval_only_columns})
                out["example"] = [indices[i] for i in windows["example"]]  # batch-relative -> row index
            return out

        # batched map keeps the windows in Arrow, not in Python lists: SQuAD-sized data stays small in memory
        features = tokenize_map(dataset, encode, workers=params.num_workers, with_indices=True)
        state.logger.info(
            f"{split}: {len(dataset)} questions in {len(features)} windows of up to "
            f"{params.max_seq_length} tokens (overlap {params.max_doc_stride})."
        )
        return features

    def compute_metrics(self, state: QAState, valid_rows: Any, valid_features: Any) -> Metrics:
        params = state.params
        windows = {name: valid_features[name] for name in self.eval_only_columns}
        contexts = list(valid_rows[params.text_column])
        golds = [parse_answers(v).texts for v in valid_rows[params.answer_column]]

        def compute(prediction: Any) -> dict[str, float]:
            start_logits, end_logits = prediction.predictions[:2]
            spans = best_spans(
                start_logits,
                end_logits,
                windows,
                contexts,
                max_answer_tokens=params.max_answer_length,
                allow_empty=state.allow_empty,
            )
            return squad_metrics([span.text for span in spans], golds)

        return compute

    def notes(self, state: QAState, metrics: dict[str, Any]) -> list[str]:
        return [
            "Metrics: SQuAD exact match and token F1 (fractions between 0 and 1) of the best answer over all "
            "windows of each validation question; the kept checkpoint is the one with the best eval_f1.",
            "Predict with `aitraining extractive-qa --predict --project-name <this folder> --data-path <rows>`: "
            "it writes predictions.jsonl here; in Python, `aitraining.tasks.extractive_qa.predict.answer_questions`.",
        ]


def _first_answer(answers: Answers) -> tuple[int | None, int]:
    """Character span of the answer trained on (the first, as in SQuAD); (None, 0) for no answer."""
    if answers.empty:
        return None, 0
    return answers.starts[0], answers.starts[0] + len(answers.texts[0])


def run(ctx: RunContext) -> RunResult:
    return run_supervised(ctx, ExtractiveQA())
