"""The validation split: the user's when given, else a seeded 20% of the training rows that is announced.

The held-out part is stratified by class for classification, and grouped for data whose rows share a
source (questions about one context, pairs about one anchor): a group lies wholly on one side, so no
validation passage or anchor is also trained on and the scores are not inflated by memorisation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aitraining.data.loading import require_columns

if TYPE_CHECKING:
    from aitraining.engine.supervised import SupervisedTask
    from aitraining.params.supervised import EarlyStoppingParams

VALID_FRACTION = 0.2


@dataclass(frozen=True)
class Splits:
    train: Any
    valid: Any
    source: str
    valid_description: str  # which rows evaluate (and pick the kept checkpoint), for logs and the card
    findings: dict[str, Any] = field(default_factory=dict)  # LoadedData.findings, for `SupervisedTask.with_findings`


def load_checked(
    task: SupervisedTask[Any, Any], params: EarlyStoppingParams, logger: logging.Logger, *, strict: bool = False
) -> Splits:
    """Load, check every split, and hold out validation rows when no --valid-split is given."""
    data = task.load_data(params, strict=strict)
    columns = task.columns(params)
    splits = [(params.train_split, data.train)] + ([(str(params.valid_split), data.valid)] if data.valid else [])
    for name, dataset in splits:
        require_columns(dataset, columns, split=name, source=data.source)
        task.check_rows(dataset, params, name, data.source)
    if data.valid is not None:
        return Splits(
            data.train, data.valid, data.source, f"the validation split '{params.valid_split}'", data.findings
        )
    train, valid = holdout_split(
        data.train,
        params.seed,
        logger,
        stratify=task.stratify_values(data.train, params),
        groups=task.group_values(data.train, params),
    )
    return Splits(train, valid, data.source, f"the held-out {VALID_FRACTION:.0%} of the training data", data.findings)


def holdout_split(
    train: Any,
    seed: int,
    logger: logging.Logger,
    *,
    stratify: list[Any] | None = None,
    groups: tuple[str, list[Any]] | None = None,
) -> tuple[Any, Any]:
    """Split off 20% of `train` for validation: stratified by `stratify` when every class allows, or with
    every group of `groups` (what, per-row key) on one side."""
    indices = list(range(len(train)))
    how, grouped = "", ""
    if groups is not None and len(set(groups[1])) >= 2:
        train_idx, valid_idx = _grouped(indices, groups[1], seed)
        grouped = f"; grouped by {groups[0]}: none of its {len(set(groups[1]))} values is in both splits"
    else:
        if groups is not None:
            logger.info(f"Every row has the same {groups[0]}: the validation rows share it with training.")
        train_idx, valid_idx, stratified = _stratified(indices, stratify, seed, logger)
        how = "stratified " if stratified else ""
    logger.info(
        f"No --valid-split given: holding out a seeded {how}{VALID_FRACTION:.0%} of the training data for "
        f"validation ({len(valid_idx)} of {len(train)} rows, seed {seed}{grouped})."
    )
    return train.select(sorted(train_idx)), train.select(sorted(valid_idx))


def _stratified(
    indices: list[int], stratify: list[Any] | None, seed: int, logger: logging.Logger
) -> tuple[list[int], list[int], bool]:
    from sklearn.model_selection import train_test_split

    if stratify is not None:
        counts: dict[Any, int] = {}
        for value in stratify:
            counts[value] = counts.get(value, 0) + 1
        if min(counts.values()) < 2:
            logger.info("Some classes have a single example: the validation split is not stratified.")
            stratify = None
    train_idx, valid_idx = train_test_split(indices, test_size=VALID_FRACTION, random_state=seed, stratify=stratify)
    return list(train_idx), list(valid_idx), stratify is not None


def _grouped(indices: list[int], keys: list[Any], seed: int) -> tuple[list[int], list[int]]:
    """About 20% of the groups (so about 20% of the rows) go to validation, chosen by the seed."""
    from sklearn.model_selection import GroupShuffleSplit

    codes: dict[Any, int] = {}
    group_ids = [codes.setdefault(key, len(codes)) for key in keys]
    splitter = GroupShuffleSplit(n_splits=1, test_size=VALID_FRACTION, random_state=seed)
    train_idx, valid_idx = next(splitter.split(indices, groups=group_ids))
    return [int(i) for i in train_idx], [int(i) for i in valid_idx]
