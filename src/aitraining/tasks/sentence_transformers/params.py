"""Parameters of `aitraining sentence-transformers`: the common set plus the trainer and its columns."""

from __future__ import annotations

from typing import Literal

from aitraining.params.crosscutting import SweepParams
from aitraining.params.fields import param, retuned, reused
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import INPUTS, EarlyStoppingParams, TextInputParams

TRAINERS = ("pair", "pair_class", "pair_score", "triplet", "qa")
Trainer = Literal["pair", "pair_class", "pair_score", "triplet", "qa"]


class SentenceTransformersParams(EarlyStoppingParams, SweepParams, CommonParams):
    trainer: Trainer = param(
        "pair_score",
        "What the data holds, which picks the loss: pair (anchor, positive) and qa (question, answer) use "
        "MultipleNegativesRankingLoss, where larger batches give more negatives; triplet (anchor, positive, "
        "negative) too; pair_score (two sentences, a similarity score) CoSENTLoss; pair_class (two sentences, "
        "a class) ContrastiveLoss for 0/1 classes, SoftmaxLoss for class names.",
        group=INPUTS,
    )
    sentence1_column: str = param(
        "sentence1", "First text column: the anchor (pair, triplet), question (qa) or first sentence.", group=INPUTS
    )
    sentence2_column: str = param(
        "sentence2", "Second text column: the positive (pair, triplet), answer (qa) or second sentence.", group=INPUTS
    )
    sentence3_column: str = param(
        "sentence3", "Third text column: the negative of each triplet.", group=INPUTS, trainers=("triplet",)
    )
    # The same flag as the other commands' --target-column, but here it exists for two trainers only and
    # holds a class (pair_class) or a score (pair_score), so its applicability and help are its own.
    target_column: str = param(
        "target",
        "pair_class: the class of each pair (0/1 with 1 = similar, or class names such as NLI labels); "
        "pair_score: the similarity score of each pair (any numbers, higher = more similar).",
        group=INPUTS,
        trainers=("pair_class", "pair_score"),
    )
    # Reused as declared (help, bounds): sentence-transformers truncates each text to this many tokens.
    max_seq_length: int = reused(TextInputParams, "max_seq_length")

    lr: float = retuned(CommonParams, "lr", 3e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 8)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)
