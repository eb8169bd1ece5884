"""Plain transformers text classification: the job `aitraining text-classification` does.

A seeded, stratified 20% held out (as ours does without --valid-split), dynamic padding, no evaluation
during training, one evaluation at the end (accuracy and macro F1), model and tokenizer saved.
"""

from __future__ import annotations

from _phases import Phases, load_config, training_arguments

phases = Phases()
config = load_config()
settings = config["settings"]

import numpy as np  # noqa: E402
from datasets import ClassLabel, load_dataset  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForSequenceClassification,
    AutoTokenizer,
    DataCollatorWithPadding,
    Trainer,
    TrainingArguments,
)

tokenizer = AutoTokenizer.from_pretrained(config["model"])
dataset = load_dataset("json", data_files=config["data"] + "/train.jsonl", split="train")
labels = sorted(set(dataset["target"]))
dataset = dataset.cast_column("target", ClassLabel(names=labels))
splits = dataset.train_test_split(test_size=0.2, seed=settings["seed"], stratify_by_column="target")
model = AutoModelForSequenceClassification.from_pretrained(
    config["model"],
    num_labels=len(labels),
    id2label=dict(enumerate(labels)),
    label2id={x: i for i, x in enumerate(labels)},
)


def encode(batch: dict) -> dict:
    out = tokenizer(batch["text"], truncation=True, max_length=settings["max_length"])
    out["labels"] = batch["target"]
    return out


def scores(prediction) -> dict:
    predicted = np.argmax(prediction.predictions, axis=-1)
    return {
        "accuracy": accuracy_score(prediction.label_ids, predicted),
        "f1": f1_score(prediction.label_ids, predicted, average="macro"),
    }


with phases.phase("preprocess"):
    train = splits["train"].map(encode, batched=True, remove_columns=["text", "target"])
    valid = splits["test"].map(encode, batched=True, remove_columns=["text", "target"])
    args = TrainingArguments(**training_arguments(settings, config["out"]))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=valid,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=scores,
        processing_class=tokenizer,
    )
phases.extra["units"] = len(train) * settings["epochs"]
with phases.phase("train"):
    trainer.train()
phases.extra["eval"] = trainer.evaluate()
trainer.save_model(config["out"])
phases.write(config["out"])
