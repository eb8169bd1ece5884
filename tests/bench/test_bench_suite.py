"""The benchmark suite's plumbing on one tiny case (two optimizer steps), so `python -m bench` cannot rot:
both sides run as real processes, every field of the JSON report is there and consistent, and the GPU-only
MFU case is a clear skip without a GPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SIDE_FIELDS = {"wall_s", "peak_rss_mb", "startup_s", "preprocess_s", "train_s", "train_spread", "units_per_s"}
RATIO_FIELDS = {"wall", "startup", "preprocess", "train", "peak_rss"}


@pytest.fixture
def bench_main(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO))
    from bench.__main__ import main

    return main


def test_one_tiny_case_reports_every_field(bench_main, tmp_path, capsys):
    out = tmp_path / "results.json"
    argv = ["--cases", "text-classification,mfu-sft-0.5b", "--rows", "20", "--threads", "1", "--no-warm-up"]
    argv += ["--work", str(tmp_path / "w")]
    assert bench_main([*argv, "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["size"] == "tiny" and report["rows"] == 20 and report["repeats"] == 1 and report["threads"] == 1
    assert set(report["machine"]) >= {"platform", "cpus", "device", "date"}
    assert set(report["help_s"]) == {"aitraining --help", "aitraining llm --help"}
    assert all(0 < seconds < 30 for seconds in report["help_s"].values())
    case, mfu = report["cases"]
    assert case["case"] == "text-classification" and case["unit"] == "samples"
    assert case["units"] == 32  # 40 rows, 20% held out by both sides, one epoch
    for side in ("ours", "plain"):
        record = case[side]
        assert set(record) == SIDE_FIELDS, record
        assert record["wall_s"] > record["startup_s"] > 0 and record["train_s"] > 0 and record["preprocess_s"] > 0
        assert record["startup_s"] + record["preprocess_s"] + record["train_s"] <= record["wall_s"]
        assert record["peak_rss_mb"] > 100  # a process that imported torch
        assert record["units_per_s"] == pytest.approx(case["units"] / record["train_s"], rel=0.01)
    assert set(case["ratio"]) == RATIO_FIELDS
    assert case["ratio"]["train"] == pytest.approx(case["ours"]["train_s"] / case["plain"]["train_s"], rel=0.01)
    assert case["settings"]["batch_size"] == 2 and case["settings"]["gradient_accumulation"] == 4
    assert (case["ratio"]["train"] > 1.10) == ("note" in case)
    if mfu.get("skipped") is None:  # a GPU machine measures it
        assert mfu["mfu"]["ours"] > 0
    else:
        assert "GPU" in mfu["skipped"]
    printed = capsys.readouterr().out
    assert "text-classification" in printed and "aitraining llm --help" in printed and str(out) in printed


def test_unknown_case_is_a_usage_error(bench_main, capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench_main(["--cases", "nope"])
    assert exit_info.value.code == 2
    assert "unknown case(s) nope" in capsys.readouterr().err


def test_mfu_formula_and_peak_table(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(REPO))
    from aitraining.testing import make_tiny_causal_lm
    from bench import mfu

    assert mfu.peak_flops("NVIDIA H200") == mfu.peak_flops("NVIDIA H100 80GB HBM3") == 989e12
    assert mfu.peak_flops("NVIDIA L40S") == 362e12 and mfu.peak_flops("NVIDIA L4") == 121e12
    assert mfu.peak_flops("Tesla T4") is None
    model = make_tiny_causal_lm(tmp_path / "m")
    count = mfu.parameters(model)
    from transformers import AutoModelForCausalLM

    assert count == sum(p.numel() for p in AutoModelForCausalLM.from_pretrained(model).parameters())
    monkeypatch.setattr(mfu, "device_name", lambda: "NVIDIA A100-SXM4-80GB")
    out = mfu.report(model, 1e9, 5e8)
    assert out["ours"] == round(6 * count * 1e9 / 312e12, 4) and out["ours"] == pytest.approx(
        2 * out["plain"], abs=1e-4
    )
    monkeypatch.setattr(mfu, "device_name", lambda: "Tesla T4")
    assert mfu.report(model, 1e9, 1e9)["ours"] is None and "PEAK_BF16" in mfu.report(model, 1.0, 1.0)["note"]
