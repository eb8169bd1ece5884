"""Parameters of `aitraining seq2seq`: the common set plus source/target columns and lengths, LoRA and
quantization (as for `llm`), and early stopping."""

from __future__ import annotations

from aitraining.params.crosscutting import PeftParams, SweepParams
from aitraining.params.fields import param, retuned
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import INPUTS, EarlyStoppingParams, TargetParams, TextInputParams


class Seq2SeqParams(EarlyStoppingParams, TargetParams, TextInputParams, PeftParams, SweepParams, CommonParams):
    max_target_length: int = param(
        128,
        "Longest target in tokens: longer targets are truncated for training, and generation (evaluation "
        "and --predict) stops after this many tokens.",
        group=INPUTS,
        ge=1,
    )

    # AutoTrain's seq2seq defaults
    lr: float = retuned(CommonParams, "lr", 5e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)

    def check(self) -> None:
        """Called by the config resolution, before anything is loaded."""
        self.check_peft()
