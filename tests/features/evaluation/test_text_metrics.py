"""Each text metric against a value computed by hand on a tiny example."""

import math

import pytest

from aitraining.features.evaluation.text_metrics import (
    bleu,
    exact_match,
    normalize_answer,
    rouge,
    text_metrics,
    token_f1,
)

HYP = "the cat sat on the mat"
REF = "the cat sat on a mat"


def test_bleu_equals_the_hand_computed_geometric_mean_of_ngram_precisions():
    # 1-grams 5/6 (the, cat, sat, on, mat; the second "the" is clipped), 2-grams 3/5 (the cat, cat sat, sat on),
    # 3-grams 2/4 (the cat sat, cat sat on), 4-grams 1/3 (the cat sat on); equal lengths: brevity penalty 1.
    expected = 100 * math.exp((math.log(5 / 6) + math.log(3 / 5) + math.log(2 / 4) + math.log(1 / 3)) / 4)
    assert bleu([HYP], [REF]) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(53.7284, abs=1e-4)
    assert bleu([REF], [REF]) == pytest.approx(100.0)


def test_rouge_equals_hand_counts():
    scores = rouge([HYP], [REF])
    assert scores["rouge1"] == pytest.approx(5 / 6)  # 5 shared unigrams of 6 on each side
    assert scores["rouge2"] == pytest.approx(3 / 5)  # 3 shared bigrams of 5
    assert scores["rougeL"] == pytest.approx(5 / 6)  # longest common subsequence: the cat sat on mat
    # averaged over examples: a perfect pair and a disjoint one give 0.5
    assert rouge(["a b", "c d"], ["a b", "e f"])["rouge1"] == pytest.approx(0.5)


def test_squad_normalisation_exact_match_and_f1_by_hand():
    assert normalize_answer("The  Cat, sat!") == "cat sat"
    assert exact_match("The cat.", "cat") == 1.0
    assert exact_match("a dog", "cat") == 0.0
    # prediction "cat sat down" vs reference "the cat sat": 2 common tokens, P = 2/3, R = 2/2 -> F1 = 0.8
    assert token_f1("cat sat down", "the cat sat") == pytest.approx(0.8)
    assert token_f1("dog", "cat") == 0.0
    assert token_f1("", "") == 1.0 and token_f1("x", "") == 0.0


def test_text_metrics_averages_over_examples_and_reports_only_what_was_asked():
    out = text_metrics(["exact_match", "f1"], ["cat", "cat sat down"], ["cat", "the cat sat"])
    assert out == {"exact_match": pytest.approx(0.5), "f1": pytest.approx((1.0 + 0.8) / 2)}
