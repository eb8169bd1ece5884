"""Plain TRL SFT: the script a user would write instead of `aitraining llm --trainer sft`.

Chat rows ('messages', loss on assistant replies only) or text rows, padded batches or bfd packing.
"""

from __future__ import annotations

from _phases import Phases, load_config, training_arguments

phases = Phases()
config = load_config()
settings = config["settings"]

from datasets import load_dataset  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402
from trl import SFTConfig, SFTTrainer  # noqa: E402

tokenizer = AutoTokenizer.from_pretrained(config["model"])
dataset = load_dataset("json", data_files=config["data"] + "/train.jsonl", split="train")
model = AutoModelForCausalLM.from_pretrained(config["model"])
args = SFTConfig(
    **training_arguments(settings, config["out"]),
    max_length=settings["max_length"],
    packing=settings["packing"],
    packing_strategy="bfd",
    assistant_only_loss=settings["assistant_only_loss"],
)
with phases.phase("preprocess"):  # SFTTrainer applies the chat template and tokenises here
    trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)
phases.extra["units"] = sum(len(ids) for ids in trainer.train_dataset["input_ids"]) * settings["epochs"]
with phases.phase("train"):
    trainer.train()
trainer.save_model(config["out"])
phases.write(config["out"])
