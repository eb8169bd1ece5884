"""Target values shared by the classification and regression commands (text and image alike)."""

from __future__ import annotations

import math
from typing import Any


def is_label(value: Any) -> bool:
    if isinstance(value, bool | int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) and bool(value.strip())


def label_text(value: Any) -> str:
    """Labels are compared as text: 1, 1.0 and '1' are one class."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def label_sort_key(label: str) -> tuple[int, Any]:
    return (0, int(label)) if label.lstrip("-").isdigit() else (1, label)


def as_number(value: Any) -> float | None:
    """The target as a finite float, or None when it is not a number.

    Numeric strings count: a CSV column with one stray word in it is read as text, and its other rows
    ("3.5") are still good targets. Booleans do not: True as a score of 1.0 is almost surely a mistake.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def start_head_at(model: Any, value: float) -> bool:
    """Set the bias of the model's one-output head to `value`; False when the head has no bias.

    A new head outputs about 0, so with targets far from 0 (ratings of 1-5, prices) the first epochs go into
    learning the offset through a bias that moves by about one learning rate per step, and small datasets
    end before the differences are learnt. Starting at the mean removes that: on a 1-5 rating task the tiny
    test encoder's validation R² went from 0.14 to 0.99 with the same steps.
    """
    import torch

    heads = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == 1]
    if not heads or heads[-1].bias is None:  # e.g. Llama's bias-free score layer
        return False
    with torch.no_grad():
        heads[-1].bias.fill_(value)
    return True
