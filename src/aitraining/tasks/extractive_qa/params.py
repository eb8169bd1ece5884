"""Parameters of `aitraining extractive-qa`: the common set plus the context/question/answer columns,
the window length and overlap for long contexts, and early stopping."""

from __future__ import annotations

from aitraining.errors import ParamError
from aitraining.params.crosscutting import SweepParams
from aitraining.params.fields import param, retuned
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import INPUTS, EarlyStoppingParams


class ExtractiveQAParams(EarlyStoppingParams, SweepParams, CommonParams):
    text_column: str = param("context", "Column holding the context passage the answers are taken from.", group=INPUTS)
    question_column: str = param("question", "Column holding the question.", group=INPUTS)
    answer_column: str = param(
        "answers",
        'Column holding SQuAD-style answers: {"text": [...], "answer_start": [...]} (or that as JSON text); '
        "empty lists mark a question the context does not answer.",
        group=INPUTS,
    )
    max_seq_length: int = param(
        384,
        "Tokens per window (question plus a stretch of context); longer contexts are split into windows.",
        group=INPUTS,
        ge=16,
    )
    max_doc_stride: int = param(
        128,
        "Contexts longer than one --max-seq-length window are split into windows overlapping by this many "
        "tokens, so an answer cut by one window is whole in the next.",
        group=INPUTS,
        ge=1,
    )
    max_answer_length: int = param(
        30, "Longest answer in tokens that evaluation and --predict may return.", group=INPUTS, ge=1
    )

    # AutoTrain's extractive-qa defaults
    lr: float = retuned(CommonParams, "lr", 5e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 8)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)

    def check(self) -> None:
        """Called by the config resolution: a stride as long as the window would never advance."""
        if self.max_doc_stride > self.max_seq_length // 2:
            raise ParamError(
                f"--max-doc-stride {self.max_doc_stride} must be at most half of --max-seq-length "
                f"{self.max_seq_length}: each window must leave room for the question and for new context. "
                f"Lower --max-doc-stride (e.g. {self.max_seq_length // 4}) or raise --max-seq-length."
            )
