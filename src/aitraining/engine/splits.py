"""The validation split: the user's when given, else a seeded 80/20 split that is announced."""

from __future__ import annotations

from typing import Any

VALID_FRACTION = 0.2


def holdout_split(train: Any, seed: int, stratify_values: list[Any] | None, logger: Any) -> tuple[Any, Any]:
    """Split off 20% of `train` for validation (stratified by `stratify_values` when every class allows)."""
    from sklearn.model_selection import train_test_split

    indices = list(range(len(train)))
    stratify = stratify_values
    if stratify is not None:
        counts: dict[Any, int] = {}
        for value in stratify:
            counts[value] = counts.get(value, 0) + 1
        if min(counts.values()) < 2:
            logger.info("Some classes have a single example: the validation split is not stratified.")
            stratify = None
    train_idx, valid_idx = train_test_split(indices, test_size=VALID_FRACTION, random_state=seed, stratify=stratify)
    how = "stratified " if stratify is not None else ""
    logger.info(
        f"No --valid-split given: holding out a seeded {how}20% of the training data for validation "
        f"({len(valid_idx)} of {len(train)} rows, seed {seed})."
    )
    return train.select(sorted(train_idx)), train.select(sorted(valid_idx))
