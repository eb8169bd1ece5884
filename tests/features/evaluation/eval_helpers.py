"""Shared by the enhanced-evaluation tests: the 20-item colour benchmark and the fast training flags."""

import random

from aitraining.testing._corpus import COLOUR_ANSWERS
from aitraining.testing.flags import FAST_LLM

FAST = [
    *FAST_LLM,
    "--warmup-ratio",
    "0",
    "--save-strategy",
    "no",
]


def colour_items(n: int = 20, seed: int = 0) -> list[dict]:
    """'What goes with red?' with the colour's word and three other colours' words, in shuffled order. Every
    word is the right answer as often as any other (colours cycle), so a model with no knowledge of the
    mapping has no systematic edge."""
    rng = random.Random(seed)
    colours = sorted(COLOUR_ANSWERS)
    words = sorted(COLOUR_ANSWERS.values())
    items = []
    for i in range(n):
        colour = colours[i % len(colours)]
        right = COLOUR_ANSWERS[colour]
        choices = [right, *rng.sample([w for w in words if w != right], 3)]
        rng.shuffle(choices)
        items.append({"question": f"What goes with {colour}?", "choices": choices, "answer": choices.index(right)})
    return items
