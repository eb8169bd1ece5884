"""A sweep composes with distillation: its KD metrics can be optimised, and each trial distils."""

import json

import pytest
from sweep_helpers import sft_argv, table

from aitraining.config import resolve
from aitraining.errors import ParamError
from aitraining.features.sweep.metrics import check_metric
from aitraining.tasks.registry import TASKS

SWEEP = {"use_sweep": True, "sweep_params": {"distill_alpha": [0.2, 0.8]}, "valid_split": "valid"}
LLM = TASKS["llm"]
BASE = {"model": "m", "data_path": "d", "trainer": "sft", **SWEEP}


def metric_of(metric, **values):
    return check_metric(resolve(LLM, {**BASE, "sweep_metric": metric, **values}))


def test_kd_metrics_are_sweepable_only_with_distillation():
    distilling = {"use_distillation": True, "teacher_model": "t"}
    assert metric_of("eval_distill_loss", **distilling) == "eval_distill_loss"
    assert metric_of("task_loss", **distilling) == "eval_task_loss"
    with pytest.raises(ParamError, match="eval_distill_top_k_mass is not a metric"):
        metric_of("eval_distill_top_k_mass", **distilling)  # logged with --distill-top-k only
    assert metric_of("eval_distill_top_k_mass", **distilling, distill_top_k=5) == "eval_distill_top_k_mass"
    with pytest.raises(ParamError, match="eval_distill_loss is not a metric"):
        metric_of("eval_distill_loss", sweep_params={"lr": [1e-4, 1e-3]})


@pytest.mark.slow
def test_a_sweep_over_distill_alpha_distils_in_every_trial(run_cli, tiny_lm, small_chat, tmp_path):
    project = tmp_path / "kd-sweep"
    argv = sft_argv(tiny_lm, small_chat, project, "--sweep-backend", "grid", "--sweep-n-trials", "2")
    argv += ["--sweep-params", json.dumps(SWEEP["sweep_params"]), "--sweep-metric", "eval_distill_loss"]
    argv += ["--use-distillation", "--teacher-model", str(tiny_lm)]
    code, out = run_cli(*argv)
    assert code == 0, out
    assert json.loads((project / "sweep_results.json").read_text())["metric"] == "eval_distill_loss"
    rows = table(project)
    assert sorted(r["params"]["distill_alpha"] for r in rows) == [0.2, 0.8], rows
    for row in rows:
        assert row["state"] == "complete" and row["metric"] >= 0, row
        trial = project / "trials" / f"trial-{row['number']:03d}"
        params = json.loads((trial / "training_params.json").read_text())
        assert params["use_distillation"] and params["distill_alpha"] == row["params"]["distill_alpha"]
        assert json.loads((trial / "metrics.json").read_text())["teacher"]["teacher_model"] == str(tiny_lm)
