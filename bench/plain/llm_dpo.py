"""Plain TRL DPO with a frozen reference loaded from the same checkpoint.

Ours renders plain-text prompts and answers through the tokenizer's chat template (a user turn and an
assistant turn: the prompt rule it logs), so the plain script passes them to TRL as conversations, which
TRL renders with the same template: both sides train on the same tokens.
"""

from __future__ import annotations

from _phases import Phases, load_config, training_arguments

phases = Phases()
config = load_config()
settings = config["settings"]

from datasets import load_dataset  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402
from trl import DPOConfig, DPOTrainer  # noqa: E402

tokenizer = AutoTokenizer.from_pretrained(config["model"])
dataset = load_dataset("json", data_files=config["data"] + "/train.jsonl", split="train")


def as_conversation(row: dict) -> dict:
    turn = lambda role, text: [{"role": role, "content": text}]  # noqa: E731
    return {
        "prompt": turn("user", row["prompt"]),
        "chosen": turn("assistant", row["chosen"]),
        "rejected": turn("assistant", row["rejected"]),
    }


model = AutoModelForCausalLM.from_pretrained(config["model"])
args = DPOConfig(**training_arguments(settings, config["out"]), beta=settings["dpo_beta"], max_length=None)
with phases.phase("preprocess"):  # the reference model, then DPOTrainer tokenises prompt, chosen and rejected
    dataset = dataset.map(as_conversation)
    reference = AutoModelForCausalLM.from_pretrained(config["model"])
    trainer = DPOTrainer(model=model, ref_model=reference, args=args, train_dataset=dataset, processing_class=tokenizer)
# Each row trains two sequences: prompt + chosen and prompt + rejected.
rows = trainer.train_dataset
units = sum(
    2 * len(p) + len(c) + len(r)
    for p, c, r in zip(rows["prompt_ids"], rows["chosen_ids"], rows["rejected_ids"], strict=True)
)
phases.extra["units"] = units * settings["epochs"]
with phases.phase("train"):
    trainer.train()
trainer.save_model(config["out"])
phases.write(config["out"])
