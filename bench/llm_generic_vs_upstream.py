"""Benchmark: `aitraining llm --trainer generic` against a plain transformers Trainer script doing
the same job (same tiny model, data, packing, steps), plus CLI start-up time.

Run: HF_HUB_OFFLINE=1 .venv/bin/python bench/llm_generic_vs_upstream.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from itertools import chain
from pathlib import Path

ROWS, BLOCK, EPOCHS = 2000, 128, 1


def plain_upstream(model_dir: Path, data_dir: Path, out: Path) -> float:
    from datasets import load_dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments, default_data_collator

    start = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(model_dir)
    ds = load_dataset("json", data_files=str(data_dir / "train.jsonl"), split="train")

    def group(batch):
        ids = [[*x, tok.eos_token_id] for x in tok(batch["text"])["input_ids"]]
        flat = list(chain.from_iterable(ids))
        blocks = [flat[i : i + BLOCK] for i in range(0, len(flat) - BLOCK + 1, BLOCK)]
        return {"input_ids": blocks, "labels": [b[:] for b in blocks], "attention_mask": [[1] * BLOCK for _ in blocks]}

    ds = ds.map(group, batched=True, remove_columns=ds.column_names)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    args = TrainingArguments(
        str(out),
        per_device_train_batch_size=8,
        num_train_epochs=EPOCHS,
        report_to=[],
        save_strategy="no",
        disable_tqdm=True,
        learning_rate=1e-3,
        dataloader_pin_memory=False,
    )
    Trainer(model=model, args=args, train_dataset=ds, data_collator=default_data_collator).train()
    model.save_pretrained(out)
    return time.perf_counter() - start


def ours(model_dir: Path, data_dir: Path, out: Path) -> float:
    from aitraining.cli.main import main

    start = time.perf_counter()
    code = main(
        [
            "llm",
            "--train",
            "--model",
            str(model_dir),
            "--data-path",
            str(data_dir),
            "--project-name",
            str(out),
            "--block-size",
            str(BLOCK),
            "--batch-size",
            "8",
            "--gradient-accumulation",
            "1",
            "--epochs",
            str(EPOCHS),
            "--lr",
            "1e-3",
            "--save-strategy",
            "no",
            "--disable-gradient-checkpointing",
            "--logging-steps",
            "1000",
        ]
    )
    assert code == 0
    return time.perf_counter() - start


def startup() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "aitraining", "llm", "--help"], capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    from aitraining.testing import make_tiny_causal_lm, write_text_corpus

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = make_tiny_causal_lm(root / "m", hidden_size=128)
        data = write_text_corpus(root / "d", n_train=ROWS, n_valid=10)
        ours(model, data, root / "warm")  # warm imports and caches for both
        upstream_s = plain_upstream(model, data, root / "up")
        ours_s = ours(model, data, root / "ours")
    print(f"cli_help_s={startup():.3f}")
    print(f"upstream_trainer_s={upstream_s:.2f} aitraining_s={ours_s:.2f} ratio={ours_s / upstream_s:.2f}")


if __name__ == "__main__":
    main()
