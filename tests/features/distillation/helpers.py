"""Running the CLI and measuring the held-out KL(teacher || student) independently of the feature's code."""

import json
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from aitraining.cli.main import main
from aitraining.data.loading import load_splits
from aitraining.tasks.llm.params import LLMParams
from aitraining.testing.flags import FAST_LLM

FAST = [
    *FAST_LLM,
    "--logging-steps",
    "4",
    "--warmup-ratio",
    "0",
    "--save-strategy",
    "no",
    "--disable-gradient-checkpointing",
]
DISTIL = ["--use-distillation", "--distill-alpha", "0.9", "--distill-temperature", "1"]


def train(model, data, project, *extra) -> Path:
    argv = ["llm", "--train", "--model", str(model), "--data-path", str(data), "--project-name", str(project)]
    assert main([*argv, *FAST, *extra]) == 0
    return Path(project)


def final(project) -> dict:
    return json.loads((Path(project) / "metrics.json").read_text())["final"]


def heldout_texts(data_dir) -> list[tuple[str, str]]:
    """(context, continuation) pairs of the validation split: the KL is measured on the continuation."""
    valid = load_splits(str(data_dir), valid_split="valid").valid
    if "text" in valid.column_names:
        return [("", row["text"]) for row in valid]
    answer = "completion" if "completion" in valid.column_names else "chosen"
    return [(row["prompt"], row[answer]) for row in valid]


def heldout_kl(teacher_dir, student_dir, data_dir, teacher_prefix: str = "") -> float:
    """Mean KL(teacher || student) at T=1 per continuation token; the teacher may see `teacher_prefix` first."""
    tok = AutoTokenizer.from_pretrained(student_dir)
    teacher = AutoModelForCausalLM.from_pretrained(teacher_dir).eval()
    student = AutoModelForCausalLM.from_pretrained(student_dir).eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for context, continuation in heldout_texts(data_dir):
            s_ctx = tok(context)["input_ids"] if context else tok("")["input_ids"]
            t_ctx = tok(teacher_prefix + context)["input_ids"]
            cont = tok(continuation, add_special_tokens=False)["input_ids"]
            s_logp = student(torch.tensor([s_ctx + cont])).logits[0, len(s_ctx) - 1 : -1].log_softmax(-1)
            t_logp = teacher(torch.tensor([t_ctx + cont])).logits[0, len(t_ctx) - 1 : -1].log_softmax(-1)
            total += (t_logp.exp() * (t_logp - s_logp)).sum().item()
            count += len(cont)
    return total / count


def sft_params(tiny_lm, qa_data, **over):
    base = dict(
        trainer="sft",
        model=str(tiny_lm),
        data_path=str(qa_data),
        max_samples=8,
        block_size=64,
        batch_size=4,
        save_strategy="no",
        use_distillation=True,
        teacher_model=str(tiny_lm),
        distill_alpha=0.7,
        distill_temperature=2.0,
    )
    return LLMParams(**{**base, **over})


def first_batch(trainer):
    trainer.model.train()
    return trainer._prepare_inputs(next(iter(trainer.get_train_dataloader())))
