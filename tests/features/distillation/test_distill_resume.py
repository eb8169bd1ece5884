"""Distillation with checkpoints: the teacher's files are in every manifest, a killed run resumes with the same
KD curve, and a changed teacher refuses to resume (naming it)."""

import shutil

import pytest

from aitraining.engine import checkpoints as ck
from aitraining.engine.fingerprint import differences, run_fingerprint
from aitraining.features.distillation import TEACHER_PART
from aitraining.tasks.llm.params import LLMParams
from aitraining.testing import make_tiny_causal_lm
from aitraining.testing.interrupt import spawn, step_losses

STEPS = 8  # 64 rows, batch 8


def kd_args(model, data, teacher, project, *extra):
    args = ["llm", "--train", "--trainer", "sft", "--model", model, "--data-path", data, "--project-name", project]
    args += ["--use-distillation", "--teacher-model", teacher, "--distill-alpha", "0.5", "--distill-temperature", "2"]
    args += ["--batch-size", "8", "--gradient-accumulation", "1", "--block-size", "64", "--logging-steps", "1"]
    args += ["--warmup-ratio", "0", "--lr", "1e-3", "--save-strategy", "steps", "--save-steps", "2"]
    args += ["--save-total-limit", "2", "--disable-gradient-checkpointing", "--max-samples", "64", *extra]
    return [str(a) for a in args]


def test_teacher_files_are_part_of_the_run_fingerprint(tiny_lm, fresh_student, tmp_path):
    teacher = shutil.copytree(fresh_student, tmp_path / "teacher")
    params = LLMParams(model=str(tiny_lm), use_distillation=True, teacher_model=str(teacher))
    before = run_fingerprint(params, "llm", "sft")
    assert before["parts"][TEACHER_PART]["teacher_model"] == str(teacher)
    assert run_fingerprint(LLMParams(model=str(tiny_lm)), "llm", "sft")["parts"] == {}
    make_tiny_causal_lm(teacher, seed=2)  # retrained in place: same path, config and file sizes
    changed = differences(before, run_fingerprint(params, "llm", "sft"))
    assert len(changed) == 1 and changed[0].startswith(f"{TEACHER_PART} changed: weights_sampled_sha256 was ")


@pytest.fixture(scope="module")
def twin(tiny_lm, qa_data, fresh_student, tmp_path_factory):
    """The uninterrupted run (tiny_lm distilled from fresh_student)."""
    from aitraining.cli.main import main

    project = tmp_path_factory.mktemp("twin") / "run"
    assert main(kd_args(tiny_lm, qa_data, fresh_student, project)) == 0
    return step_losses(project, "distill_loss")


def test_killed_run_resumes_with_the_same_kd_curve_and_a_changed_teacher_is_refused(
    run_cli, tiny_lm, qa_data, fresh_student, tmp_path, twin
):
    teacher = shutil.copytree(fresh_student, tmp_path / "teacher")
    project = tmp_path / "run"
    argv = kd_args(tiny_lm, qa_data, teacher, project)
    child = spawn(argv, after=2, mode="kill")
    output = child.communicate(timeout=600)[0]
    assert child.returncode == -9, output[-3000:]
    saved = ck.checkpoints_root(project) / "checkpoint-4"
    part = ck.read_manifest(saved)["fingerprint"]["parts"][TEACHER_PART]
    assert part["teacher_model"] == str(teacher) and len(part["config_sha256"]) == 64

    shutil.move(teacher, tmp_path / "teacher.kept")
    make_tiny_causal_lm(teacher, seed=2)  # another teacher at the same path
    before = sorted(p.name for p in project.rglob("*"))
    code, log = run_cli(*argv, "--resume-from-checkpoint", "auto")
    assert code == 2, log
    assert f"Cannot resume from {saved}" in log and f"{TEACHER_PART} changed: weights_sampled_sha256" in log
    assert sorted(p.name for p in project.rglob("*")) == before  # a refused resume changes nothing

    shutil.rmtree(teacher)
    shutil.move(tmp_path / "teacher.kept", teacher)
    code, log = run_cli(*argv, "--resume-from-checkpoint", "auto")
    assert code == 0, log
    assert f"Resuming from {saved} (step 4" in log
    resumed = step_losses(project, "distill_loss")
    assert sorted(resumed) == list(range(1, STEPS + 1))  # every step once, the KD term logged at each
    assert max(abs(resumed[s] - twin[s]) for s in twin) < 1e-4, (resumed, twin)
    assert all(resumed[s] > 0 for s in range(5, STEPS + 1))  # the steps after the resume still distil
    print(f"distill_loss: step 1 {resumed[1]:.4f}, step 4 {resumed[4]:.4f}, step {STEPS} {resumed[STEPS]:.4f}")
