"""A small hand-written semantic-similarity set: for each topic a sentence, a paraphrase and a related
sentence on the same topic that says something else. Pairs are scored 1.0 (paraphrase), 0.5 (same topic,
another claim) and 0.0 (another topic), the way STS-style data grades similarity.
"""

from __future__ import annotations

import json
from pathlib import Path

# (sentence, paraphrase, same topic but a different claim)
TOPICS: tuple[tuple[str, str, str], ...] = (
    (
        "The train to Berlin leaves at eight in the morning.",
        "At 8 am the Berlin train departs.",
        "The train from Berlin was delayed by an hour.",
    ),
    (
        "She adopted a small dog from the animal shelter.",
        "She took home a little dog from the rescue shelter.",
        "The animal shelter is looking for volunteers.",
    ),
    (
        "The company reported record profits this quarter.",
        "This quarter the firm posted its highest earnings ever.",
        "The company plans to hire fifty new engineers.",
    ),
    (
        "He forgot his umbrella and got soaked in the rain.",
        "Without his umbrella, he was drenched by the rain.",
        "The forecast says it will rain all weekend.",
    ),
    (
        "The recipe needs two cups of flour and three eggs.",
        "You need three eggs and two cups of flour for this recipe.",
        "The cake was baked for forty minutes.",
    ),
    (
        "The museum is closed on Mondays.",
        "On Mondays the museum does not open.",
        "The museum has a new exhibition of modern art.",
    ),
    (
        "My laptop battery drains very quickly.",
        "The battery of my notebook runs out fast.",
        "I bought a new charger for my laptop.",
    ),
    (
        "The children played football in the park after school.",
        "After class the kids played soccer in the park.",
        "The park will get a new playground next year.",
    ),
    (
        "The doctor told him to drink more water.",
        "His physician advised him to drink more fluids.",
        "The doctor's office opens at nine.",
    ),
    (
        "The flight was cancelled because of the storm.",
        "Because of the storm, the flight did not take off.",
        "The airline serves free snacks on short flights.",
    ),
    (
        "Tomatoes grow best in warm, sunny weather.",
        "Warm sunshine is ideal for growing tomatoes.",
        "Tomatoes are used in many Italian sauces.",
    ),
    (
        "The library extended its opening hours for exams.",
        "During the exam period the library stays open longer.",
        "The library lost several rare books in a flood.",
    ),
    (
        "A man is playing the guitar on the street.",
        "Someone is strumming a guitar outdoors on the street.",
        "A man is selling guitars in a music shop.",
    ),
    (
        "The new phone has a much better camera.",
        "The camera on the latest phone is far better.",
        "The new phone is more expensive than the old one.",
    ),
    (
        "Prices of houses in the city rose sharply last year.",
        "Last year urban home prices went up steeply.",
        "The city is building new houses near the river.",
    ),
    (
        "The cat is sleeping on the warm windowsill.",
        "A cat naps on the sunny window ledge.",
        "The cat knocked a glass off the table.",
    ),
    (
        "The meeting has been moved to Thursday afternoon.",
        "We rescheduled the meeting for Thursday afternoon.",
        "The meeting lasted more than three hours.",
    ),
    (
        "He is learning to speak Japanese.",
        "He is studying the Japanese language.",
        "He travelled to Japan last summer.",
    ),
    (
        "The river flooded several villages after heavy rain.",
        "Heavy rainfall made the river overflow into nearby villages.",
        "The villagers fish in the river every morning.",
    ),
    (
        "The restaurant serves vegetarian dishes only.",
        "Only meat-free food is served at this restaurant.",
        "The restaurant is fully booked on Saturday.",
    ),
)
VALID_TOPICS = 6  # the last topics form the validation split, so no validation sentence is seen in training


def pairs(topics: tuple[tuple[str, str, str], ...]) -> list[dict]:
    rows = []
    for i, (sentence, paraphrase, related) in enumerate(topics):
        unrelated = topics[(i + 1) % len(topics)][2]
        rows.append({"sentence1": sentence, "sentence2": paraphrase, "score": 1.0})
        rows.append({"sentence1": sentence, "sentence2": related, "score": 0.5})
        rows.append({"sentence1": sentence, "sentence2": unrelated, "score": 0.0})
    return rows


def write_sts(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for split, topics in (("train", TOPICS[:-VALID_TOPICS]), ("valid", TOPICS[-VALID_TOPICS:])):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in pairs(topics)))
    return folder
