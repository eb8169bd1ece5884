"""The README demo, fully offline: build a tiny base model, fine-tune it with the example config,
then print where the model went and what it answers.

Run from the repository root: `python -m aitraining.demo`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

CONFIG = Path("examples/llm_sft_demo.yml")


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import yaml

    from aitraining.cli.main import main as cli
    from aitraining.tasks.llm.generate import Sampling, generate
    from aitraining.testing import make_tiny_causal_lm

    config = yaml.safe_load(CONFIG.read_text())
    base, project = Path(config["base_model"]), Path(config["project_name"])
    data = Path(config["data"]["path"])
    texts = [
        m["content"] for line in (data / "train.jsonl").read_text().splitlines() for m in json.loads(line)["messages"]
    ]
    print(f"Building a tiny offline base model in {base} ...")
    make_tiny_causal_lm(base, texts=texts, hidden_size=128, num_layers=2)
    code = cli(["--config", str(CONFIG), "--overwrite"])
    if code != 0:
        return code
    rows = [json.loads(line) for line in (data / "valid.jsonl").read_text().splitlines()[:3]]
    prompts = [next(m["content"] for m in r["messages"] if m["role"] == "user") for r in rows]
    print(f"\nTrained model: {project.resolve()}")
    for prompt, reply in zip(prompts, generate(project, prompts, Sampling(max_new_tokens=32)), strict=True):
        print(f"  user:      {prompt}\n  assistant: {reply}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
