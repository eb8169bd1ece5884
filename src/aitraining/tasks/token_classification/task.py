"""token-classification: one tag per word (named entities, part of speech) with a sub-word encoder."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aitraining.data.mapping import tokenize_map
from aitraining.engine import modelload
from aitraining.engine.logs import get_logger
from aitraining.engine.models import load_trainable
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import Metrics, SupervisedTask, TaskState, run_supervised
from aitraining.errors import AitrainingError, DataError
from aitraining.tasks.token_classification.metrics import IGNORED, tagging_metrics
from aitraining.tasks.token_classification.params import TokenClassificationParams
from aitraining.tasks.token_classification.tags import (
    RowRef,
    TagVocabulary,
    as_list,
    check_row,
    class_label_names,
    tag_list,
)
from aitraining.tasks.token_classification.words import add_prefix_space

TRUNCATED = "_truncated"  # a temporary column: whether the row lost words to --max-seq-length


def align_labels(word_ids: list[int | None], word_labels: list[int]) -> list[int]:
    """Give each word's label to its first sub-token; later sub-tokens and special tokens are ignored.

    Scoring one position per word keeps the metrics per word (as seqeval expects) and matches what
    `pipeline(..., aggregation_strategy="first"/"simple")` reads back at inference.
    """
    labels, previous = [], None
    for word in word_ids:
        labels.append(IGNORED if word is None or word == previous else word_labels[word])
        previous = word
    return labels


@dataclass(frozen=True, kw_only=True)
class TaggingState(TaskState[TokenClassificationParams]):
    vocab: TagVocabulary


class TokenClassification(SupervisedTask[TokenClassificationParams, TaggingState]):
    metric = "eval_f1"
    greater_is_better = True

    def columns(self, params: TokenClassificationParams) -> dict[str, str]:
        return {"tokens_column": params.tokens_column, "tags_column": params.tags_column}

    def check_rows(self, dataset: Any, params: TokenClassificationParams, split: str, source: str) -> None:
        pairs = zip(dataset[params.tokens_column], dataset[params.tags_column], strict=True)
        for row, (words, tags) in enumerate(pairs, start=1):
            check_row(words, tags, params.tokens_column, params.tags_column, RowRef(row, split, source))

    def load_processor(self, params: TokenClassificationParams) -> Any:
        tokenizer = modelload.load_tokenizer(params.model or "")
        if add_prefix_space(tokenizer):
            get_logger().info(
                "Byte-level tokenizer: each word gets a leading space (add_prefix_space=True), so training sees "
                "the tokens a pipeline sees in running text; the saved tokenizer keeps this setting."
            )
        return tokenizer

    def setup(
        self, train: Any, valid: Any, params: TokenClassificationParams, processor: Any, logger: logging.Logger
    ) -> TaggingState:
        if not getattr(processor, "is_fast", False):
            raise AitrainingError(
                f"--model {params.model} has no fast (Rust) tokenizer, which token-classification needs to map "
                "sub-word tokens back to words. Pick a model that ships a tokenizer.json."
            )
        tag_rows = [tag_list(v) for v in train[params.tags_column]]
        vocab = TagVocabulary.from_data(tag_rows, class_label_names(train, params.tags_column))
        if len(vocab.names) < 2:
            raise DataError(
                f"Column '{params.tags_column}' holds a single tag ({vocab.names[0]!r}) in the training data; "
                "a tagger needs at least two."
            )
        valid_tags = {vocab.name(tag) for value in valid[params.tags_column] for tag in tag_list(value)}
        unseen = sorted(valid_tags - set(vocab.index))
        if unseen:
            raise DataError(
                f"The validation split has tags that never occur in training: {', '.join(unseen)}. "
                "Add training examples for them or remove those rows."
            )
        shown = ", ".join(vocab.names[:30]) + (" ..." if len(vocab.names) > 30 else "")
        logger.info(f"{len(vocab.names)} tags: {shown}")
        logger.info(_scoring_line(vocab))
        return TaggingState(params=params, logger=logger, processor=processor, vocab=vocab)

    def load_model(self, state: TaggingState) -> Any:
        from transformers import AutoModelForTokenClassification

        return load_trainable(
            AutoModelForTokenClassification,
            state.params,
            num_labels=len(state.vocab.names),
            id2label=dict(enumerate(state.vocab.names)),
            label2id=dict(state.vocab.index),
        )

    def preprocess(self, dataset: Any, state: TaggingState, split: str) -> Any:
        params, tokenizer, vocab = state.params, state.processor, state.vocab

        def encode(batch: dict[str, list]) -> dict[str, list]:
            words = [as_list(v) for v in batch[params.tokens_column]]
            out = tokenizer(words, is_split_into_words=True, truncation=True, max_length=params.max_seq_length)
            out["labels"], out[TRUNCATED] = [], []
            for i, value in enumerate(batch[params.tags_column]):
                tags, word_ids = vocab.ids(tag_list(value)), out.word_ids(i)
                out[TRUNCATED].append(max((w for w in word_ids if w is not None), default=-1) < len(tags) - 1)
                out["labels"].append(align_labels(word_ids, tags))
            return out

        # the count is a column, not a side effect: it survives worker processes and cached results
        encoded = tokenize_map(dataset, encode, workers=params.num_workers)
        truncated = sum(encoded[TRUNCATED])
        encoded = encoded.remove_columns(TRUNCATED)
        if truncated:
            state.logger.info(
                f"{truncated} {split} rows are longer than --max-seq-length {params.max_seq_length} tokens: "
                "their last words are cut off (not trained on; in evaluation they count as missed)."
            )
        return encoded

    def collator(self, state: TaggingState, model: Any) -> Any:
        from transformers import DataCollatorForTokenClassification

        return DataCollatorForTokenClassification(state.processor, label_pad_token_id=IGNORED)

    def compute_metrics(self, state: TaggingState, valid_rows: Any, valid_features: Any) -> Metrics:
        gold = [state.vocab.ids(tag_list(value)) for value in valid_rows[state.params.tags_column]]
        return tagging_metrics(state.vocab.names, state.vocab.spans, gold)

    def notes(self, state: TaggingState, metrics: dict[str, Any]) -> list[str]:
        vocab = state.vocab
        scored = "entity-level (seqeval)" if vocab.spans else "per word"
        return [
            f"Tags ({len(vocab.names)}): {', '.join(vocab.names)}. Metrics are {scored}. "
            'Use it with `pipeline("token-classification", model=..., aggregation_strategy="simple")`.'
        ]


def _scoring_line(vocab: TagVocabulary) -> str:
    if vocab.spans:
        return "Tags are IOB-style: scoring entities (seqeval precision, recall, F1) and word accuracy."
    hint = " (integer tags without names: give string tags or a ClassLabel feature)" if vocab.id_names else ""
    return f"Tags do not mark entity spans{hint}: scoring each word's tag (accuracy, precision, recall, F1)."


def run(ctx: RunContext) -> RunResult:
    return run_supervised(ctx, TokenClassification())
