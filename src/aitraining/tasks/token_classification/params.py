"""Parameters of `aitraining token-classification`: the common set plus word and tag columns and early stopping."""

from __future__ import annotations

from aitraining.params.crosscutting import SweepParams
from aitraining.params.fields import param, retuned
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import INPUTS, EarlyStoppingParams, TextInputParams


class TokenClassificationParams(EarlyStoppingParams, SweepParams, CommonParams):
    tokens_column: str = param(
        "tokens",
        "Column holding each example's words: a list of strings, or its JSON text in a CSV cell "
        '(["Ada", "lives", "here"]).',
        group=INPUTS,
    )
    tags_column: str = param(
        "tags",
        "Column holding one tag per word: names in IOB format (B-PER, I-PER, O) or integer ids; a list or its "
        "JSON text. Integer ids take their names from the dataset's ClassLabel feature when it has one.",
        group=INPUTS,
    )
    # Declared once in TextInputParams; taken alone because this command has no --text-column.
    max_seq_length: int = retuned(TextInputParams, "max_seq_length", 128)
    # AutoTrain's token-classification defaults, which users of that family already know.
    lr: float = retuned(CommonParams, "lr", 5e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 8)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)
