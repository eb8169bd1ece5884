"""The sweep's settings of a resolved config, typed (every command that offers --use-sweep inherits them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aitraining.params.crosscutting import SweepParams

if TYPE_CHECKING:
    from aitraining.config import Resolved


def sweep_settings(resolved: Resolved) -> SweepParams:
    params = resolved.params
    assert isinstance(params, SweepParams), type(params).__name__  # the CLI only sends use_sweep=True here
    return params
