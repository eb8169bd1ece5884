"""--student-prompt-template next to --teacher-prompt-template: the student's own data, the alignment, the preview."""

import logging

import pytest
import torch
from helpers import first_batch, sft_params
from transformers import AutoTokenizer

from aitraining.cli.main import main
from aitraining.features.distillation.align import IGNORE, TemplateMismatch, Templates, align, loss_view
from aitraining.tasks.llm.task import build

SHORT, LONG = "Short: {input}", "Answer with the colour's word, nothing else.\n{input}"


@pytest.fixture(scope="module")
def tok(tiny_lm):
    return AutoTokenizer.from_pretrained(tiny_lm)


def test_both_renderings_align_the_same_response_tokens(tok):
    templates = Templates(SHORT, LONG, tok)
    data_prompt = tok("Question: red\nAnswer:")["input_ids"]
    response = tok(" apple", add_special_tokens=False)["input_ids"]
    student_prompt = templates.to_student(data_prompt)
    assert tok.decode(student_prompt) == tok.bos_token + "Short: Question: red\nAnswer:"
    ids = torch.tensor([student_prompt + response + [tok.pad_token_id]])
    labels = torch.tensor([[IGNORE] * len(student_prompt) + response + [IGNORE]])
    view = loss_view({"input_ids": ids, "attention_mask": (ids != tok.pad_token_id).long(), "labels": labels})
    aligned = align(*view, templates.to_teacher, tok.pad_token_id)
    t_ids = aligned.teacher_inputs["input_ids"][0]
    teacher_text = tok.decode(t_ids[aligned.teacher_inputs["attention_mask"][0].bool()])
    # the teacher sees the input in its own template, without the student's wording
    assert teacher_text == tok.bos_token + LONG.replace("{input}", "Question: red\nAnswer:") + " apple"
    (s_rows, s_pos), (_, t_pos) = aligned.student_pos, aligned.teacher_pos
    assert ids[s_rows, s_pos + 1].tolist() == t_ids[t_pos + 1].tolist() == response


def test_a_prompt_that_is_not_the_student_rendering_is_refused(tok):
    with pytest.raises(TemplateMismatch, match="does not read back as --student-prompt-template"):
        Templates(SHORT, LONG, tok).input_text(tok("Question: red")["input_ids"])


def decoded_prompts(tok, dataset):
    """The untrained prefix of each sft row, as text."""
    out = []
    for ids, labels in zip(dataset["input_ids"], dataset["labels"], strict=True):
        first = next(i for i, label in enumerate(labels) if label != IGNORE)
        out.append(tok.decode(ids[:first]))
    return out


def test_student_template_renders_the_students_training_and_eval_data(tiny_lm, qa_data, tok, tmp_path):
    plain = build(sft_params(tiny_lm, qa_data, valid_split="valid"), logging.getLogger("t"), tmp_path / "a").trainer
    params = sft_params(tiny_lm, qa_data, valid_split="valid", student_prompt_template=SHORT)
    trainer = build(params, logging.getLogger("t"), tmp_path / "b").trainer
    for split in ("train_dataset", "eval_dataset"):
        before, after = getattr(plain, split), getattr(trainer, split)
        assert len(before) == len(after) > 0
        expected = [tok.bos_token + "Short: " + p.removeprefix(tok.bos_token) for p in decoded_prompts(tok, before)]
        assert decoded_prompts(tok, after) == expected
        trained = [[t for t in labels if t != IGNORE] for labels in before["labels"]]
        assert [[t for t in labels if t != IGNORE] for labels in after["labels"]] == trained  # same answers


def test_same_template_on_both_sides_gives_zero_kd_and_another_does_not(tiny_lm, qa_data, tmp_path):
    """Teacher = student: the KL is 0 only when both see the same rendering of each example."""
    kds = []
    for teacher_template in (SHORT, LONG):
        over = dict(student_prompt_template=SHORT, teacher_prompt_template=teacher_template)
        trainer = build(sft_params(tiny_lm, qa_data, **over), logging.getLogger("t"), tmp_path / "p").trainer
        kd, *_ = trainer._kd_term(trainer.model, dict(first_batch(trainer)))
        kds.append(kd.item())
    assert abs(kds[0]) < 1e-6 and kds[1] > 1e-3, kds


def test_dpo_student_template_renders_the_prompt_column(tiny_lm, pref_data, tok, tmp_path):
    pref = dict(trainer="dpo", data_path=str(pref_data), prompt_text_column="prompt", text_column="chosen")
    pref["rejected_text_column"] = "rejected"
    params = sft_params(tiny_lm, pref_data, **pref, student_prompt_template=SHORT, teacher_prompt_template=LONG)
    trainer = build(params, logging.getLogger("t"), tmp_path / "p").trainer
    prompts = [tok.decode(ids) for ids in trainer.train_dataset["prompt_ids"]]
    assert prompts and all(p.startswith(tok.bos_token + "Short: ") for p in prompts), prompts[:2]
    kd, *_ = trainer._kd_term(trainer.model, dict(first_batch(trainer)))
    assert kd.item() > 1e-3  # the teacher (the same weights) sees the long rendering


def test_preview_shows_the_student_and_the_teacher_rendering(capsys, tiny_lm, qa_data):
    argv = ["llm", "--preview-data", "--trainer", "sft", "--model", str(tiny_lm), "--data-path", str(qa_data)]
    argv += ["--use-distillation", "--teacher-model", str(tiny_lm)]
    assert main([*argv, "--student-prompt-template", SHORT, "--teacher-prompt-template", LONG]) == 0
    out, err = capsys.readouterr()
    assert f"rendered with {SHORT!r}, the teacher with {LONG!r}" in out
    assert "Student prompts rendered with --student-prompt-template 'Short: {input}'" in out + err
    at = out.index("--- sample 1 (")
    assert out[out.index("\n", at) + 1 :].startswith("<|begin|>Short: ")  # the data as the student trains on it
    teacher_at = out.index("teacher: ")
    student, teacher = out[out.index("student: ") : teacher_at], out[teacher_at : out.index("\n---", teacher_at)]
    assert student.startswith("student: <|begin|>Short: ") and "Answer with" not in student, student
    assert teacher.startswith("teacher: <|begin|>Answer with the colour's word") and "Short:" not in teacher
    assert student.split("[[")[1].strip() == teacher.split("[[")[1].strip()  # the same response tokens
    assert "aligned response tokens: student positions" in out
