"""Built-in word lists and the default tokenizer training corpus.

The factory trains its tokenizers on the spot instead of downloading one, so it needs some text. The corpus
below is generated from small word lists so it is deterministic, has no licensing baggage, and covers the
words the synthetic datasets use (number words, colours, chat roles): those then tokenize into few pieces,
which keeps the tiny models' sequences short and their loss quick to fall.
"""

from __future__ import annotations

import itertools
import string

NUMBER_WORDS: tuple[str, ...] = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)

# Each colour maps to one fixed answer word: the learnable mapping of the chat datasets.
COLOUR_ANSWERS: dict[str, str] = {
    "red": "apple",
    "green": "leaf",
    "blue": "sky",
    "yellow": "sun",
    "white": "snow",
    "black": "night",
    "orange": "carrot",
    "purple": "grape",
}

_SUBJECTS = ("the cat", "a dog", "my friend", "the teacher", "our team", "the little bird", "a robot", "she")
_VERBS = ("likes", "sees", "finds", "wants", "reads", "builds", "paints", "remembers")
_OBJECTS = ("a red ball", "the blue sky", "an old book", "two green apples", "the small house", "a long song")
_TAILS = ("today.", "every morning.", "at night.", "in the park.", "with joy.", "again and again.")
_CHAT_LINES = (
    "user: hello, can you help me?",
    "assistant: of course, I am happy to help.",
    "system: you are a helpful assistant.",
    "user: what is two plus three?",
    "assistant: the answer is five.",
    "user: thank you!",
    "assistant: you are welcome.",
    "question: which colour is the sky? answer: blue.",
    "context: the river is long and the mountain is high.",
    "translate english to french: hello => bonjour",
    "summarize: the quick brown fox jumps over the lazy dog.",
)


def default_corpus() -> list[str]:
    """Return a few hundred short, varied English lines for training the offline tokenizers.

    Why generated and not a file: it stays tiny in the repo, is identical on every machine, and can be
    widened by editing word lists rather than curating text.
    """
    lines: list[str] = []
    combos = itertools.product(_SUBJECTS, _VERBS, _OBJECTS, _TAILS)
    # Stride through the full product so the sample mixes every list instead of only varying the tail.
    for i, (subj, verb, obj, tail) in enumerate(combos):
        if i % 7 == 0:
            lines.append(f"{subj.capitalize()} {verb} {obj} {tail}")
    lines.extend(_CHAT_LINES)
    # Counting lines from every start so each number word is learned with and without a leading space.
    lines.extend(" ".join(NUMBER_WORDS[i:] + NUMBER_WORDS[:i]) for i in range(len(NUMBER_WORDS)))
    lines.extend(f"{a} plus {b} is {a + b}. {a} + {b} = {a + b}" for a in range(10) for b in range(0, 10, 3))
    lines.extend(f"The {c} thing is like the {w}." for c, w in COLOUR_ANSWERS.items())
    # Chat role names appear bare on their own line in ChatML, so train on them that way too.
    lines.extend(f"system\nyou are a helpful assistant.\nuser\n{c}\nassistant\n{w}" for c, w in COLOUR_ANSWERS.items())
    lines.extend(f"Question: What goes with {c}?\nAnswer: {w}" for c, w in COLOUR_ANSWERS.items())
    lines.append(string.digits + " " + string.punctuation + " " + string.ascii_letters)
    return lines
