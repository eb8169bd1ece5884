"""Distilled students end closer to their teacher than the same students trained without distillation.

One teacher per pattern is trained once per module (tiny Llama, CPU, seconds). The held-out KL(teacher ||
student) at T=1 is measured by `helpers.heldout_kl`, independently of the feature's own code.
"""

import json
import random

import pytest
import torch
from helpers import DISTIL, final, heldout_kl, train
from transformers import AutoModelForCausalLM, AutoTokenizer

from aitraining.testing._corpus import COLOUR_ANSWERS

QA = ["--trainer", "sft", "--chat-template", "none"]  # raw text, as heldout_kl measures it
PREF = ["--trainer", "dpo", "--prompt-text-column", "prompt", "--text-column", "chosen"]
PREF += ["--rejected-text-column", "rejected"]
STUDENT = ["--epochs", "2", "--lr", "2e-3", "--valid-split", "valid"]


@pytest.fixture(scope="module")
def generic_teacher(tiny_lm, text_data, tmp_path_factory):
    project = tmp_path_factory.mktemp("gt") / "teacher"
    return train(tiny_lm, text_data, project, "--trainer", "generic", "--epochs", "4", "--lr", "3e-3")


@pytest.fixture(scope="module")
def qa_teacher(tiny_lm, qa_data, tmp_path_factory):
    return train(tiny_lm, qa_data, tmp_path_factory.mktemp("qt") / "teacher", *QA, "--epochs", "4", "--lr", "3e-3")


def compare(teacher, student, data, tmp_path, *trainer_args):
    """(KL without distillation, KL with) of the same student trained the same way; prints both."""
    plain = train(student, data, tmp_path / "plain", *trainer_args, *STUDENT)
    distilled = train(student, data, tmp_path / "kd", *trainer_args, *STUDENT, *DISTIL, "--teacher-model", str(teacher))
    kls = heldout_kl(teacher, plain, data), heldout_kl(teacher, distilled, data)
    print(f"held-out KL(teacher || student) {trainer_args[1]}: without distillation {kls[0]:.4f}, with {kls[1]:.4f}")
    metrics = final(distilled)
    assert {"eval_distill_loss", "eval_task_loss", "eval_loss"} <= set(metrics)
    fingerprint = json.loads((distilled / "metrics.json").read_text())["teacher"]
    assert fingerprint["teacher_model"] == str(teacher) and fingerprint["config_sha256"]
    return kls


def test_generic_student_gets_closer(generic_teacher, fresh_student, text_data, tmp_path):
    without, with_kd = compare(generic_teacher, fresh_student, text_data, tmp_path, "--trainer", "generic")
    assert with_kd < 0.8 * without, (without, with_kd)


def test_sft_student_gets_closer(qa_teacher, fresh_student, qa_data, tmp_path):
    without, with_kd = compare(qa_teacher, fresh_student, qa_data, tmp_path, *QA)
    assert with_kd < 0.8 * without, (without, with_kd)


def test_dpo_student_gets_closer_on_chosen_responses(qa_teacher, fresh_student, pref_data, tmp_path):
    without, with_kd = compare(qa_teacher, fresh_student, pref_data, tmp_path, *PREF)
    assert with_kd < 0.8 * without, (without, with_kd)


def test_orpo_and_lora_compose(qa_teacher, fresh_student, pref_data, qa_data, tmp_path):
    """ORPO evaluates outside compute_loss and LoRA trains an adapter: both still report the KL separately."""
    orpo = [*PREF[2:], "--trainer", "orpo"]
    lora = ["--peft", "--lora-r", "4", "--target-modules", "q_proj,v_proj"]
    for name, data, args in (("orpo", pref_data, orpo), ("lora", qa_data, [*QA, *lora])):
        extra = [*args, "--max-samples", "16", "--epochs", "1", "--valid-split", "valid"]
        project = train(fresh_student, data, tmp_path / name, *extra, *DISTIL, "--teacher-model", str(qa_teacher))
        metrics = final(project)
        assert metrics["eval_distill_loss"] > 0 and metrics["eval_task_loss"] > 0, metrics


SYSTEM = "System: answer with the next colour's word.\n"
STUDENT_PREFIX = "Quiz.\n"
COLOURS = sorted(COLOUR_ANSWERS)
SHIFTED = {c: COLOUR_ANSWERS[COLOURS[(i + 1) % len(COLOURS)]] for i, c in enumerate(COLOURS)}


def write_rows(folder, rows_by_split):
    folder.mkdir(parents=True, exist_ok=True)
    for split, rows in rows_by_split.items():
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def system_prompt_data(tmp_path):
    """Teacher data: with the system prompt the answer is the next colour's word, without it the usual one.
    Student data: no system prompt and the usual answers (what the student's own loss would teach)."""
    rng = random.Random(0)
    teacher_rows, student_rows = [], []
    for _ in range(96):
        colour = rng.choice(COLOURS)
        prompt = f"Question: {colour}\nAnswer:"
        teacher_rows.append({"prompt": SYSTEM + prompt, "completion": f" {SHIFTED[colour]}"})
        teacher_rows.append({"prompt": prompt, "completion": f" {COLOUR_ANSWERS[colour]}"})
        student_rows.append({"prompt": prompt, "completion": f" {COLOUR_ANSWERS[colour]}"})
    valid = [{"prompt": f"Question: {c}\nAnswer:", "completion": f" {COLOUR_ANSWERS[c]}"} for c in COLOURS]
    teacher = write_rows(tmp_path / "teacher_data", {"train": teacher_rows, "valid": valid})
    student = write_rows(tmp_path / "student_data", {"train": student_rows, "valid": valid})
    return teacher, student


def shifted_answers(model_dir, prefix: str = "") -> int:
    """How many colours the model answers with the next colour's word when asked without the system prompt
    (after `prefix`: the student's own template)."""
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    hits = 0
    with torch.no_grad():
        for colour in COLOURS:
            ids = tok(f"{prefix}Question: {colour}\nAnswer:", return_tensors="pt")["input_ids"]
            best = int(model(ids).logits[0, -1].argmax())
            hits += best == tok(f" {SHIFTED[colour]}", add_special_tokens=False)["input_ids"][0]
    return hits


COMMON = [*QA, "--epochs", "8", "--lr", "5e-3", "--valid-split", "valid", "--assistant-only-loss"]


@pytest.fixture(scope="module")
def system_prompt_runs(tiny_lm, fresh_student, tmp_path_factory):
    """(teacher trained with and without the system prompt, student data, the student trained without KD)."""
    root = tmp_path_factory.mktemp("system")
    teacher_data, student_data = system_prompt_data(root)
    teacher = train(tiny_lm, teacher_data, root / "teacher", *QA, "--epochs", "6", "--lr", "3e-3")
    assert shifted_answers(teacher) <= 2  # without the system prompt the teacher gives the usual answers
    return teacher, student_data, train(fresh_student, student_data, root / "plain", *COMMON)


def kd_args(teacher) -> list[str]:
    kd = ["--use-distillation", "--distill-alpha", "1.0", "--distill-temperature", "1", "--teacher-model", str(teacher)]
    return [*COMMON, *kd, "--teacher-prompt-template", SYSTEM + "{input}"]


def test_student_without_system_prompt_imitates_teacher_that_sees_it(system_prompt_runs, fresh_student, tmp_path):
    teacher, student_data, plain = system_prompt_runs
    distilled = train(fresh_student, student_data, tmp_path / "kd", *kd_args(teacher))
    without = heldout_kl(teacher, plain, student_data, teacher_prefix=SYSTEM)
    with_kd = heldout_kl(teacher, distilled, student_data, teacher_prefix=SYSTEM)
    hits = shifted_answers(plain), shifted_answers(distilled)
    print(f"system-prompt distillation: KL without {without:.4f}, with {with_kd:.4f}; shifted answers {hits}")
    assert with_kd < 0.5 * without, (without, with_kd)
    assert hits[1] >= len(COLOURS) // 2 and hits[0] <= 1, hits  # measured: 8 of 8 against 0


@pytest.mark.slow  # one more student run (minutes on 2 busy cores); the template's parts have fast tests
def test_student_with_its_own_short_template_imitates_teacher_that_sees_the_long_one(
    system_prompt_runs, fresh_student, tmp_path
):
    """The student's data and the KL's student side use --student-prompt-template; asked the same way, the
    student answers as the teacher does with the system prompt."""
    teacher, student_data, plain = system_prompt_runs
    args = [*kd_args(teacher), "--student-prompt-template", STUDENT_PREFIX + "{input}"]
    distilled = train(fresh_student, student_data, tmp_path / "kd-quiz", *args)
    hits = shifted_answers(plain, STUDENT_PREFIX), shifted_answers(distilled, STUDENT_PREFIX)
    print(f"with --student-prompt-template: shifted answers {hits} (plain, distilled; asked after the prefix)")
    assert hits[1] >= len(COLOURS) // 2 and hits[0] <= 1, hits  # measured: 8 of 8 against 0
