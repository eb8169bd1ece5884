"""Plain transformers Seq2SeqTrainer: the job `aitraining seq2seq` does.

A seeded 20% held out, inputs and targets truncated, no evaluation during training, one generating
evaluation at the end scored with ROUGE-L, model and tokenizer saved.
"""

from __future__ import annotations

from _phases import Phases, load_config, training_arguments

phases = Phases()
config = load_config()
settings = config["settings"]

import numpy as np  # noqa: E402
from datasets import load_dataset  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    DataCollatorForSeq2Seq,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
)

tokenizer = AutoTokenizer.from_pretrained(config["model"])
dataset = load_dataset("json", data_files=config["data"] + "/train.jsonl", split="train")
splits = dataset.train_test_split(test_size=0.2, seed=settings["seed"])
model = AutoModelForSeq2SeqLM.from_pretrained(config["model"])
model.generation_config.max_new_tokens = settings["max_target_length"]


def encode(batch: dict) -> dict:
    out = tokenizer(batch["text"], truncation=True, max_length=settings["max_length"])
    targets = tokenizer(text_target=batch["target"], truncation=True, max_length=settings["max_target_length"])
    out["labels"] = targets["input_ids"]
    return out


def scores(prediction) -> dict:
    generated = np.where(prediction.predictions < 0, tokenizer.pad_token_id, prediction.predictions)
    references = np.where(prediction.label_ids < 0, tokenizer.pad_token_id, prediction.label_ids)
    texts = tokenizer.batch_decode(generated, skip_special_tokens=True)
    wanted = tokenizer.batch_decode(references, skip_special_tokens=True)
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return {
        "rougeL": float(np.mean([scorer.score(w, t)["rougeL"].fmeasure for w, t in zip(wanted, texts, strict=True)]))
    }


with phases.phase("preprocess"):
    train = splits["train"].map(encode, batched=True, remove_columns=["text", "target"])
    valid = splits["test"].map(encode, batched=True, remove_columns=["text", "target"])
    args = Seq2SeqTrainingArguments(**training_arguments(settings, config["out"]), predict_with_generate=True)
    trainer = Seq2SeqTrainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=valid,
        data_collator=DataCollatorForSeq2Seq(tokenizer, model=model),
        compute_metrics=scores,
        processing_class=tokenizer,
    )
phases.extra["units"] = len(train) * settings["epochs"]
with phases.phase("train"):
    trainer.train()
phases.extra["eval"] = trainer.evaluate()
trainer.save_model(config["out"])
phases.write(config["out"])
