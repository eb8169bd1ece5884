"""The README demo, fully offline: a model trained from scratch learns a rule and applies it to prompts it
never saw.

The task: reverse three words ("Reverse: red fox sun" -> "sun fox red"). Every word appears in training,
but the held-out prompts are word triples that appear in neither the training nor the validation split,
so a right answer means the model learned the rule, not the rows. The demo prints the answers of the
untrained base model, trains with `examples/llm_sft_demo.yml`, and prints the trained model's answers.

Run from the repository root: `python -m aitraining.demo`.
"""

from __future__ import annotations

import json
import os
import random
import sys
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path

CONFIG = Path("examples/llm_sft_demo.yml")
WORDS = ("red", "blue", "green", "gold", "cat", "dog", "fox", "owl", "sun", "moon", "star", "tree", "sea", "rock")
SPLITS = {"train": 900, "valid": 60, "heldout": 8}
SEED = 7


def prompt_for(words: tuple[str, ...]) -> str:
    return "Reverse: " + " ".join(words)


def answer_for(words: tuple[str, ...]) -> str:
    return " ".join(reversed(words))


def write_task(folder: Path, splits: dict[str, int] = SPLITS, seed: int = SEED) -> Path:
    """train/valid/heldout.jsonl chat rows; no word triple is in two splits."""
    triples = list(permutations(WORDS, 3))
    random.Random(seed).shuffle(triples)
    folder.mkdir(parents=True, exist_ok=True)
    start = 0
    for split, count in splits.items():
        rows = [
            {"messages": [{"role": "user", "content": prompt_for(t)}, {"role": "assistant", "content": answer_for(t)}]}
            for t in triples[start : start + count]
        ]
        start += count
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def read_pairs(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line)["messages"] for line in path.read_text().splitlines() if line.strip()]
    return [(m[0]["content"], m[1]["content"]) for m in rows]


@dataclass
class DemoResult:
    prompts: list[str]
    expected: list[str]
    before: list[str]
    after: list[str]

    @property
    def correct(self) -> int:
        return sum(a.strip() == e for a, e in zip(self.after, self.expected, strict=True))


def show(title: str, prompts: list[str], replies: list[str], expected: list[str] | None = None) -> None:
    print(f"\n{title}")
    for i, (prompt, reply) in enumerate(zip(prompts, replies, strict=True)):
        right = expected is not None and reply.strip() == expected[i]
        mark = "" if expected is None else ("  [right]" if right else f"  [wrong: {expected[i]}]")
        print(f"  user: {prompt:<28} assistant: {reply.strip()!r}{mark}")


def run_demo(base: Path, project: Path, data: Path, extra_flags: list[str] | None = None) -> DemoResult:
    """Build the base model, answer the held-out prompts, train with the demo config, answer again."""
    from aitraining.cli.main import main as cli
    from aitraining.tasks.llm.generate import Sampling, generate
    from aitraining.testing import make_tiny_causal_lm

    pairs = read_pairs(data / "heldout.jsonl")
    prompts, expected = [p for p, _ in pairs], [a for _, a in pairs]
    texts = [text for split in ("train", "valid") for pair in read_pairs(data / f"{split}.jsonl") for text in pair]
    print(f"Building a tiny base model from scratch in {base} (random weights, tokenizer fitted on the data) ...")
    make_tiny_causal_lm(base, texts=texts, hidden_size=128, num_layers=2)
    sampling = Sampling(max_new_tokens=8)
    before = generate(base, prompts, sampling)
    show("Before training (held-out prompts):", prompts, before)
    flags = ["--model", str(base), "--project-name", str(project), "--data-path", str(data), *(extra_flags or [])]
    code = cli(["--config", str(CONFIG), "--overwrite", *flags])
    if code != 0:
        raise SystemExit(code)
    after = generate(project, prompts, sampling)
    result = DemoResult(prompts, expected, before, after)
    show("After training (the same held-out prompts, none of them seen in training):", prompts, after, expected)
    print(f"\n{result.correct}/{len(prompts)} held-out answers right. Trained model, card and plots: {project}")
    return result


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import yaml

    config = yaml.safe_load(CONFIG.read_text())
    data = Path(config["data"]["path"])
    result = run_demo(Path(config["base_model"]), Path(config["project_name"]), data)
    return 0 if result.correct == len(result.prompts) else 1


if __name__ == "__main__":
    sys.exit(main())
