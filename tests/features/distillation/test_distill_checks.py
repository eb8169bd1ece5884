"""Distillation checks before training, the KD term's basic properties and the response alignment."""

import logging
import tempfile
from pathlib import Path

import pytest
import torch
from helpers import first_batch, sft_params

from aitraining.cli.main import main
from aitraining.features.distillation import teacher_fingerprint
from aitraining.features.distillation.align import PLACEHOLDER, Templates, align, loss_view
from aitraining.features.distillation.loss import kd_loss
from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.llm.task import build
from aitraining.testing import make_tiny_causal_lm


def run_cli(capsys, tiny_lm, data, *extra, project=None):
    project = project or Path(tempfile.mkdtemp()) / "p"  # a wrongly passing check must not train into a shared folder
    code = main(
        ["llm", "--train", "--model", str(tiny_lm), "--data-path", str(data), "--project-name", str(project), *extra]
    )
    out, err = capsys.readouterr()
    return code, out + err


def test_non_model_teacher_says_what_a_teacher_must_be(capsys, tiny_lm, qa_data):
    code, log = run_cli(capsys, tiny_lm, qa_data, "--trainer", "sft", "--use-distillation", "--teacher-model", "gpt-4")
    assert code != 0
    assert "--teacher-model gpt-4" in log
    assert "A teacher must be a local folder or Hub id of a causal language model" in log
    assert "Traceback" not in log


def test_teacher_with_another_vocabulary_is_refused(capsys, tiny_lm, qa_data, tmp_path):
    other = make_tiny_causal_lm(tmp_path / "other", texts=["zebra quartz jumps " * 50, "xylophone vortex " * 40])
    code, log = run_cli(
        capsys, tiny_lm, qa_data, "--trainer", "sft", "--use-distillation", "--teacher-model", str(other)
    )
    assert code != 0
    assert "different tokenizer vocabulary" in log and "first difference at token id" in log


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--trainer", "sft", "--teacher-prompt-template", "no placeholder"], "has no {input} placeholder"),
        (["--trainer", "sft", "--student-prompt-template", "Q:"], "--student-prompt-template 'Q:' has no {input}"),
        (["--trainer", "sft", "--student-prompt-template", "{input}{input}"], "has 2 {input} placeholders"),
        (["--trainer", "sft", "--teacher-prompt-template", "{input} {input}"], "has 2 {input} placeholders"),
        (["--trainer", "generic", "--teacher-prompt-template", "S {input}"], "needs prompt/response data"),
        (["--trainer", "generic", "--student-prompt-template", "S {input}"], "--student-prompt-template needs"),
        (["--trainer", "reward"], "does not work with --trainer reward"),
        (["--trainer", "sft", "--student-prompt-template", "Q: {input}", "--packing"], "Drop --packing"),
        (
            ["--trainer", "sft", "--teacher-prompt-template", "S {input}", "--assistant-only-loss=False"],
            "drop --assistant-only-loss=False",
        ),
    ],
)
def test_parameter_errors(capsys, tiny_lm, qa_data, extra, message):
    code, log = run_cli(capsys, tiny_lm, qa_data, "--use-distillation", "--teacher-model", str(tiny_lm), *extra)
    assert code != 0 and message in log, log


def test_kd_is_zero_when_the_teacher_is_the_student(tiny_lm, qa_data, tmp_path):
    trainer = build(sft_params(tiny_lm, qa_data), logging.getLogger("test"), tmp_path / "p").trainer
    batch = first_batch(trainer)
    kd, kept, positions = trainer._kd_term(trainer.model, dict(batch))
    assert abs(kd.item()) < 1e-6 and kept is None and positions == int((batch["labels"][:, 1:] != -100).sum())
    total = trainer.compute_loss(trainer.model, dict(batch))
    own, batches = trainer._kd_sums["train"]["task_loss"]
    assert batches == 1
    assert total.item() == pytest.approx(0.3 * own, rel=1e-5)


def test_packed_rows_keep_their_examples_apart(tiny_lm, fresh_student, qa_data, tmp_path):
    """sft --packing: the KL compares the logits each example gets on its own (position_ids, no cross-attention)."""
    params = sft_params(tiny_lm, qa_data, packing=True, teacher_model=str(fresh_student), distill_temperature=1.0)
    trainer = build(params, logging.getLogger("test"), tmp_path / "p").trainer
    batch = first_batch(trainer)
    assert "attention_mask" not in batch and int((batch["position_ids"] == 0).sum()) > 1  # several examples
    kd, _, positions = trainer._kd_term(trainer.model, dict(batch))
    with torch.no_grad():
        ids, where = batch["input_ids"], batch["position_ids"]
        student = trainer.model(input_ids=ids, position_ids=where).logits[:, :-1]
        # use_cache=False: with a cache, transformers does not split packed rows by their position_ids
        teacher = trainer._kd_teacher(input_ids=ids, position_ids=where, use_cache=False).logits[:, :-1]
    mask = batch["labels"][:, 1:] != -100
    expected, _ = kd_loss(student[mask], teacher[mask], 1.0)
    assert positions == int(mask.sum()) and kd.item() == pytest.approx(expected.item(), rel=1e-4)


def test_teacher_is_frozen_and_never_trained(tiny_lm, qa_data, tmp_path):
    trainer = build(sft_params(tiny_lm, qa_data), logging.getLogger("test"), tmp_path / "p").trainer
    teacher = trainer._kd_teacher
    assert not teacher.training and not any(p.requires_grad for p in teacher.parameters())
    assert next(teacher.parameters()).dtype == torch.float32  # CPU: fp32 (half precision on CUDA)
    trainer.compute_loss(trainer.model, first_batch(trainer)).backward()
    assert all(p.grad is None for p in teacher.parameters())


def test_top_k_reports_kept_mass():
    torch.manual_seed(0)
    teacher, student = torch.randn(5, 50), torch.randn(5, 50)
    full, none = kd_loss(student, teacher, 1.0)
    same, _ = kd_loss(teacher, teacher, 1.0, top_k=10)
    part, kept = kd_loss(student, teacher, 1.0, top_k=10)
    assert none is None and abs(same.item()) < 1e-6
    probs = teacher.softmax(-1).topk(10, dim=-1).values.sum(-1).mean().item()
    assert kept == pytest.approx(probs, rel=1e-5) and 0 < kept < 1
    assert part.item() > 0 and full.item() > 0


def test_template_aligns_response_tokens(tiny_lm):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_lm)
    prompt, response = tok("Question: red\nAnswer:")["input_ids"], tok(" apple", add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt + response + [tok.pad_token_id] * 2])
    attn = (ids != tok.pad_token_id).long()
    labels = torch.tensor([[-100] * len(prompt) + response + [-100] * 2])
    view = loss_view({"input_ids": ids, "attention_mask": attn, "labels": labels})
    aligned = align(*view, Templates(PLACEHOLDER, "Be terse.\n{input}", tok).to_teacher, tok.pad_token_id)
    t_ids = aligned.teacher_inputs["input_ids"]
    teacher_text = tok.decode(t_ids[0][aligned.teacher_inputs["attention_mask"][0].bool()])
    assert teacher_text.startswith(tok.bos_token + "Be terse.\nQuestion: red")
    s_rows, s_pos = aligned.student_pos
    t_rows, t_pos = aligned.teacher_pos
    assert len(s_pos) == len(response)
    assert ids[s_rows, s_pos + 1].tolist() == t_ids[t_rows, t_pos + 1].tolist() == response


def test_fingerprint(tiny_lm):
    print_ = teacher_fingerprint(LLMParams(model=str(tiny_lm), use_distillation=True, teacher_model=str(tiny_lm)))
    assert print_["teacher_model"] == str(tiny_lm) and len(print_["config_sha256"]) == 64
    assert print_["weight_files"] and all(size > 0 for size in print_["weight_files"].values())
    assert len(print_["weights_sampled_sha256"]) == 64


def test_preview_shows_both_renderings(capsys, tiny_lm, qa_data):
    argv = ["llm", "--preview-data", "--trainer", "sft", "--model", str(tiny_lm), "--data-path", str(qa_data)]
    argv += ["--use-distillation", "--teacher-model", str(tiny_lm), "--teacher-prompt-template", "Be terse.\n{input}"]
    assert main([*argv, "--assistant-only-loss"]) == 0
    out = capsys.readouterr().out
    assert "--- distillation sample 1 (" in out and "aligned response tokens" in out
    teacher_at = out.index("teacher: ")
    student = out[out.index("student: ") : teacher_at]
    teacher = out[teacher_at : out.index("\n---", teacher_at)]
    # the template wraps the prompt as the prompt rule renders it (a user turn under the chat template)
    assert teacher.startswith("teacher: <|begin|>Be terse.\n") and "Question:" in teacher, teacher
    assert student.count("[[") == teacher.count("[[") == 1 and "Be terse." not in student
    assert student.split("[[")[1].strip() == teacher.split("[[")[1].strip()  # the same response tokens
