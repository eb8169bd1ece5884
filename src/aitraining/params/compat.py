"""Compatibility checks: parameters set for a trainer (or switch) that will not use them.

The rule comes straight from each field's declaration (`trainers`, `requires`, `ignored_by`): a
parameter given a non-default value that the chosen trainer does not use gets one warning line and is
reset to its default, so an ignored value never reaches training or `training_params.json`. This runs
at resolve time, before any data or model is loaded, and `--strict` makes each case an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from aitraining.errors import ParamError
from aitraining.params.fields import ParamMeta, ParamsBase
from aitraining.params.flags import flag_for

TRAINER_DISPLAY = {"sft": "SFT", "dpo": "DPO", "orpo": "ORPO", "ppo": "PPO"}


def trainer_list(trainers: Iterable[str]) -> str:
    return ", ".join(TRAINER_DISPLAY.get(t, t) for t in trainers)


def ignored_by_reason(meta: ParamMeta, trainer: str | None, value: object) -> str | None:
    """The declared reason why `trainer` ignores this value of the parameter, or None."""
    if trainer is None or trainer not in meta.ignored_by:
        return None
    ignored = meta.ignored_by[trainer]
    return f"is not used by {trainer_list([trainer])} ({ignored.reason})" if ignored.applies_to(value) else None


def ignored_reason(
    meta: ParamMeta,
    params: ParamsBase,
    trainer: str | None,
    trainer_order: tuple[str, ...] = (),
    actions: frozenset[str] = frozenset(),
) -> str | None:
    """Why this parameter is not used with these settings, or None when it is used.

    `requires` names a boolean parameter (--peft) or an action flag of the command (--inference);
    `ignored_by` names trainers that accept the parameter but do not use it (all or some values).
    """
    if trainer is not None and meta.trainers is not None and trainer not in meta.trainers:
        ordered = [t for t in trainer_order if t in meta.trainers] or sorted(meta.trainers)
        return f"only applies to {trainer_list(ordered)}"
    if meta.requires and not (getattr(params, meta.requires, False) or meta.requires in actions):
        return f"only applies with {flag_for(meta.requires)}"
    return ignored_by_reason(meta, trainer, getattr(params, meta.name))


def apply_compatibility(
    params: ParamsBase,
    trainer: str | None,
    explicit: Iterable[str],
    *,
    trainer_order: tuple[str, ...] = (),
    actions: frozenset[str] = frozenset(),
    strict: bool = False,
) -> dict[str, str]:
    """Reset every explicitly set but unused parameter to its default; return {name: warning line}.

    With `strict`, the first such parameter is an error instead.
    """
    metas = params.param_metas()
    warnings: dict[str, str] = {}
    for name in explicit:
        meta = metas[name]
        value = getattr(params, name)
        if value == meta.default:
            continue
        reason = ignored_reason(meta, params, trainer, trainer_order, actions)
        if reason is None:
            continue
        if strict:
            raise ParamError(f"{name} {reason}; --strict turns this into an error. Remove {meta.flag}.")
        warnings[name] = f"Warning: {name} {reason}, will be ignored"
        setattr(params, name, meta.default)
    return warnings
