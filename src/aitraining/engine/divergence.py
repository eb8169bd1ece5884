"""Divergence: a NaN/inf loss or gradient norm is logged at its step, never filtered out, and after
--max-bad-steps consecutive bad steps the run stops with a message that names the step and the fixes."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aitraining.errors import DivergenceError

if TYPE_CHECKING:
    from aitraining.params.groups import CommonParams


def non_finite(values: dict[str, float | None]) -> dict[str, float]:
    return {k: v for k, v in values.items() if v is not None and not math.isfinite(v)}


PRECISION_FIX = {
    "fp16": "another precision: --mixed-precision bf16 (wider range) or none instead of fp16",
    "bf16": "another precision: --mixed-precision none (full fp32)",
    "none": "checking the data for extreme values (the precision is already full fp32)",
}


class DivergenceWatch:
    def __init__(self, params: CommonParams, last_good: Callable[[], Path | None], log: Callable[[str], None]):
        self.params, self.last_good, self.log = params, last_good, log
        self.limit = params.max_bad_steps
        self.bad_steps: list[int] = []  # the current run of consecutive bad steps

    def observe(self, step: int, loss: float | None, grad_norm: float | None) -> bool:
        """True when this step is bad (no checkpoint may be written now); raises at the limit."""
        bad = non_finite({"loss": loss, "grad_norm": grad_norm})
        if not bad:
            self.bad_steps = []
            return False
        self.bad_steps.append(step)
        shown = ", ".join(f"{k} {v}" for k, v in bad.items())
        self.log(f"step {step}: non-finite {shown} ({len(self.bad_steps)} of {self.limit} allowed in a row).")
        if len(self.bad_steps) >= self.limit:
            raise DivergenceError(self.message(step, bad))
        return True

    def message(self, step: int, bad: dict[str, float]) -> str:
        p = self.params
        kept = self.last_good()
        where = f"the last good checkpoint is kept: {kept}" if kept else "no checkpoint had been saved yet"
        first = self.bad_steps[0]
        precision = getattr(p, "mixed_precision", "none")
        fixes = [
            f"a lower --lr (now {p.lr:g})",
            f"stronger gradient clipping with a smaller --max-grad-norm (now {p.max_grad_norm:g})",
            PRECISION_FIX.get(precision, PRECISION_FIX["none"]),
            f"more --warmup-steps, or a larger --max-bad-steps (now {self.limit}) to ride out short spikes",
        ]
        values = " and ".join(f"{k} {v}" for k, v in bad.items())
        return (
            f"Training diverged at step {step}: {values}, for {len(self.bad_steps)} consecutive steps since "
            f"step {first} (--max-bad-steps {self.limit}). The run was stopped and {where}; nothing was saved "
            f"from a bad step. Try: " + "; ".join(fixes) + "."
        )
