"""token-classification: one tag per word (named entities, part of speech) with a sub-word encoder."""

from __future__ import annotations

from typing import Any

from aitraining.data.mapping import tokenize_map
from aitraining.engine import modelload
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import SupervisedTask, run_supervised
from aitraining.errors import AitrainingError, DataError
from aitraining.tasks.token_classification.metrics import IGNORED, tagging_metrics
from aitraining.tasks.token_classification.tags import (
    RowRef,
    TagVocabulary,
    as_list,
    check_row,
    class_label_names,
    tag_list,
)

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


class TokenClassification(SupervisedTask):
    metric = "eval_f1"
    greater_is_better = True

    def __init__(self) -> None:
        self.vocab = TagVocabulary([], None)
        self.logger: Any = None

    def columns(self, params: Any) -> dict[str, str]:
        return {"tokens_column": params.tokens_column, "tags_column": params.tags_column}

    def check_rows(self, dataset: Any, params: Any, split: str, source: str) -> None:
        pairs = zip(dataset[params.tokens_column], dataset[params.tags_column], strict=True)
        for row, (words, tags) in enumerate(pairs, start=1):
            check_row(words, tags, params.tokens_column, params.tags_column, RowRef(row, split, source))

    def setup(self, train: Any, valid: Any, params: Any, tokenizer: Any, logger: Any) -> None:
        if not getattr(tokenizer, "is_fast", False):
            raise AitrainingError(
                f"--model {params.model} has no fast (Rust) tokenizer, which token-classification needs to map "
                "sub-word tokens back to words. Pick a model that ships a tokenizer.json."
            )
        self.logger = logger
        tag_rows = [tag_list(v) for v in train[params.tags_column]]
        self.vocab = TagVocabulary.from_data(tag_rows, class_label_names(train, params.tags_column))
        if len(self.vocab.names) < 2:
            raise DataError(
                f"Column '{params.tags_column}' holds a single tag ({self.vocab.names[0]!r}) in the training data; "
                "a tagger needs at least two."
            )
        valid_tags = {self.vocab.name(tag) for value in valid[params.tags_column] for tag in tag_list(value)}
        unseen = sorted(valid_tags - set(self.vocab.index))
        if unseen:
            raise DataError(
                f"The validation split has tags that never occur in training: {', '.join(unseen)}. "
                "Add training examples for them or remove those rows."
            )
        shown = ", ".join(self.vocab.names[:30]) + (" ..." if len(self.vocab.names) > 30 else "")
        logger.info(f"{len(self.vocab.names)} tags: {shown}")
        logger.info(self._scoring_line())

    def _scoring_line(self) -> str:
        if self.vocab.spans:
            return "Tags are IOB-style: scoring entities (seqeval precision, recall, F1) and word accuracy."
        hint = " (integer tags without names: give string tags or a ClassLabel feature)" if self.vocab.id_names else ""
        return f"Tags do not mark entity spans{hint}: scoring each word's tag (accuracy, precision, recall, F1)."

    def load_model(self, params: Any) -> Any:
        from transformers import AutoModelForTokenClassification

        return modelload.load_pretrained(
            AutoModelForTokenClassification,
            params.model,
            num_labels=len(self.vocab.names),
            id2label=dict(enumerate(self.vocab.names)),
            label2id=dict(self.vocab.index),
        )

    def preprocess(self, dataset: Any, params: Any, tokenizer: Any, split: str) -> Any:
        vocab = self.vocab

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
        if truncated and self.logger is not None:
            self.logger.info(
                f"{truncated} {split} rows are longer than --max-seq-length {params.max_seq_length} tokens: "
                "their last words are cut off (not trained on, not scored)."
            )
        return encoded

    def collator(self, tokenizer: Any) -> Any:
        from transformers import DataCollatorForTokenClassification

        return DataCollatorForTokenClassification(tokenizer, label_pad_token_id=IGNORED)

    def compute_metrics(self) -> Any:
        return tagging_metrics(self.vocab.names, self.vocab.spans)

    def notes(self) -> list[str]:
        scored = "entity-level (seqeval)" if self.vocab.spans else "per word"
        return [
            f"Tags ({len(self.vocab.names)}): {', '.join(self.vocab.names)}. Metrics are {scored}. "
            'Use it with `pipeline("token-classification", model=..., aggregation_strategy="simple")`.'
        ]


def run(ctx: RunContext) -> RunResult:
    return run_supervised(ctx, TokenClassification())
