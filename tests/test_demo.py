"""The README demo learns: after training, its answers to held-out prompts are all right."""

import json
from pathlib import Path

from aitraining.demo import CONFIG, WORDS, read_pairs, run_demo

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src/aitraining/sample_data/llm_reverse"


def test_heldout_prompts_are_unseen_combinations():
    seen = {p for split in ("train", "valid") for p, _ in read_pairs(DATA / f"{split}.jsonl")}
    heldout = read_pairs(DATA / "heldout.jsonl")
    assert heldout and not {p for p, _ in heldout} & seen
    words = {w for p in seen for w in p.removeprefix("Reverse: ").split()}
    assert words == set(WORDS)  # every word was seen; only the combinations are new


def test_demo_answers_heldout_prompts_right(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the demo config names repository paths
    assert (ROOT / CONFIG).is_file()
    result = run_demo(tmp_path / "base", tmp_path / "sft", DATA)
    out = capsys.readouterr().out
    print(out)
    assert sum(b.strip() == e for b, e in zip(result.before, result.expected, strict=True)) == 0  # untrained: wrong
    assert result.correct == len(result.prompts) == 8, out
    assert "After training" in out and "8/8 held-out answers right" in out
    best = json.loads((tmp_path / "sft" / "metrics.json").read_text())["best"]
    assert best is not None and best["metric"] == "eval_loss"
    assert (tmp_path / "sft" / "loss_curve.png").is_file()
