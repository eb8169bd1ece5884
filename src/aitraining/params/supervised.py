"""Parameter groups of the supervised (non-LLM) tasks: inputs, targets, early stopping."""

from __future__ import annotations

from aitraining.params.fields import ParamsBase, param
from aitraining.params.groups import CommonParams

INPUTS = "Inputs"
EARLY = "Early stopping"


class EarlyStoppingParams(CommonParams):
    """The common set plus early stopping: what the shared supervised pipeline (engine/supervised.py) reads.

    Commands list it first among their bases (before their input groups and CommonParams), which keeps the
    field order of --help and the docs as it was."""

    early_stopping_patience: int | None = param(
        None,
        "Stop after this many evaluations without improvement of the evaluation metric (off when unset).",
        group=EARLY,
        ge=1,
    )
    early_stopping_threshold: float = param(
        0.0,
        "Smallest change of the metric that counts as an improvement.",
        group=EARLY,
        ge=0,
        requires="early_stopping_patience",
    )


class TextInputParams(ParamsBase):
    text_column: str = param("text", "Column holding the input text.", group=INPUTS)
    max_seq_length: int = param(128, "Longest input in tokens; longer texts are truncated.", group=INPUTS, ge=8)


class TargetParams(ParamsBase):
    target_column: str = param("target", "Column holding the label / target.", group=INPUTS)
