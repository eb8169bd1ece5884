"""Plain transformers causal-LM training on packed blocks (the `run_clm.py` recipe)."""

from __future__ import annotations

from itertools import chain

from _phases import Phases, load_config, training_arguments

phases = Phases()
config = load_config()
settings = config["settings"]
block = settings["max_length"]

from datasets import load_dataset  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForCausalLM,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
    default_data_collator,
)

tokenizer = AutoTokenizer.from_pretrained(config["model"])
dataset = load_dataset("json", data_files=config["data"] + "/train.jsonl", split="train")
model = AutoModelForCausalLM.from_pretrained(config["model"])


def group(batch: dict) -> dict:
    ids = [[*x, tokenizer.eos_token_id] for x in tokenizer(batch["text"])["input_ids"]]
    flat = list(chain.from_iterable(ids))
    blocks = [flat[i : i + block] for i in range(0, len(flat) - block + 1, block)]
    return {"input_ids": blocks, "labels": [b[:] for b in blocks], "attention_mask": [[1] * block for _ in blocks]}


with phases.phase("preprocess"):
    dataset = dataset.map(group, batched=True, remove_columns=dataset.column_names)
    args = TrainingArguments(**training_arguments(settings, config["out"]))
    trainer = Trainer(model=model, args=args, train_dataset=dataset, data_collator=default_data_collator)
phases.extra["units"] = len(dataset) * block * settings["epochs"]
with phases.phase("train"):
    trainer.train()
trainer.save_model(config["out"])
phases.write(config["out"])
