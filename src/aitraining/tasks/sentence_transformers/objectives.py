"""Per trainer: the loss that trains the embeddings and the evaluator whose metric picks the best model.

| trainer              | loss                         | evaluator (metric)                             |
|----------------------|------------------------------|------------------------------------------------|
| pair, qa             | MultipleNegativesRankingLoss | InformationRetrievalEvaluator (cosine NDCG@10) |
| triplet              | MultipleNegativesRankingLoss | TripletEvaluator (cosine accuracy)             |
| pair_score           | CoSENTLoss                   | EmbeddingSimilarityEvaluator (cosine Spearman) |
| pair_class, 0/1      | ContrastiveLoss              | BinaryClassificationEvaluator (cosine AP)      |
| pair_class, 2+ names | SoftmaxLoss                  | accuracy of a linear probe on the embeddings   |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aitraining.tasks.sentence_transformers import upstream_st
from aitraining.tasks.sentence_transformers.data import ROLE_NAMES

IR_K = 10
BINARY_CLASSES = ["0", "1"]
PROBE_MAX_ROWS = 2000  # training pairs the accuracy probe is fitted on: enough for a stable score, quick


@dataclass(frozen=True)
class Objective:
    loss: str
    metric: str  # the evaluator's primary metric as the Trainer logs it (eval_ prefix)
    in_batch_negatives: bool  # the loss uses the other rows of a batch as negatives


OBJECTIVES: dict[str, Objective] = {
    "pair": Objective("MultipleNegativesRankingLoss", f"eval_cosine_ndcg@{IR_K}", True),
    "qa": Objective("MultipleNegativesRankingLoss", f"eval_cosine_ndcg@{IR_K}", True),
    "triplet": Objective("MultipleNegativesRankingLoss", "eval_cosine_accuracy", True),
    "pair_score": Objective("CoSENTLoss", "eval_spearman_cosine", False),
    "pair_class": Objective("ContrastiveLoss", "eval_cosine_ap", False),
}
SOFTMAX = Objective("SoftmaxLoss", "eval_accuracy", False)


def objective_for(trainer: str, classes: list[str]) -> Objective:
    """pair_class with classes other than 0/1 (NLI labels, ...) trains a classifier over each pair instead:
    a contrastive loss needs to know which class means "similar", and only 1 says so unambiguously."""
    if trainer == "pair_class" and classes != BINARY_CLASSES:
        return SOFTMAX
    return OBJECTIVES[trainer]


def build_loss(objective: Objective, model: Any, num_classes: int) -> Any:
    losses = upstream_st.losses()
    if objective is SOFTMAX:
        return losses.SoftmaxLoss(model, upstream_st.embedding_dimension(model), num_labels=num_classes)
    return getattr(losses, objective.loss)(model)


def build_evaluator(trainer: str, objective: Objective, train: Any, valid: Any, batch_size: int) -> Any:
    """The evaluator on the validation split (both splits in training layout: role columns plus label/score)."""
    evaluation = upstream_st.evaluation()
    texts = [valid[role] for role in ROLE_NAMES[trainer]]
    common = {"batch_size": batch_size, "write_csv": False}
    if trainer in ("pair", "qa"):
        return retrieval_evaluator(texts[0], texts[1], batch_size)
    if trainer == "triplet":
        return evaluation.TripletEvaluator(*texts, main_similarity_function="cosine", **common)
    if trainer == "pair_score":
        return evaluation.EmbeddingSimilarityEvaluator(*texts, valid["score"], main_similarity="cosine", **common)
    if objective is SOFTMAX:
        return probe_accuracy_evaluator(train, valid, batch_size)
    return evaluation.BinaryClassificationEvaluator(*texts, valid["label"], similarity_fn_names=["cosine"], **common)


def retrieval_evaluator(queries: list[str], answers: list[str], batch_size: int) -> Any:
    """Each query must find its own answer among all validation answers (repeated texts are merged)."""
    query_ids: dict[str, str] = {}
    corpus_ids: dict[str, str] = {}
    relevant: dict[str, set[str]] = {}
    for query, answer in zip(queries, answers, strict=True):
        qid = query_ids.setdefault(query, f"q{len(query_ids)}")
        cid = corpus_ids.setdefault(answer, f"d{len(corpus_ids)}")
        relevant.setdefault(qid, set()).add(cid)
    return upstream_st.evaluation().InformationRetrievalEvaluator(
        queries={qid: text for text, qid in query_ids.items()},
        corpus={cid: text for text, cid in corpus_ids.items()},
        relevant_docs=relevant,
        mrr_at_k=[IR_K],
        ndcg_at_k=[IR_K],
        accuracy_at_k=[1, 5],
        precision_recall_at_k=[1, 5],
        map_at_k=[IR_K],
        score_functions={"cosine": upstream_st.cosine_similarity},  # fixed, so the metric name is known
        main_score_function="cosine",
        batch_size=batch_size,
        write_csv=False,
    )


def probe_accuracy_evaluator(train: Any, valid: Any, batch_size: int) -> Any:
    """Accuracy of a logistic regression refitted on the current embeddings at each evaluation.

    SoftmaxLoss's own classifier lives in the loss: it is never saved and is not rolled back with the best
    checkpoint, so its accuracy would describe no model the user gets. A fresh linear classifier on the same
    features (u, v, |u - v|) measures the saved embeddings alone, and anyone can reproduce it from them.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    # A seeded sample, not the first rows: a file sorted by class would otherwise give the probe one class.
    fit_rows = train.shuffle(seed=0).select(range(min(len(train), PROBE_MAX_ROWS)))

    def features(model: Any, rows: Any) -> Any:
        u, v = (model.encode(rows[c], batch_size=batch_size, convert_to_numpy=True) for c in ROLE_NAMES["pair_class"])
        return np.concatenate([u, v, np.abs(u - v)], axis=1)

    class ProbeAccuracyEvaluator(upstream_st.base_evaluator_class()):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.primary_metric = "accuracy"

        def __call__(self, model: Any, output_path: Any = None, epoch: int = -1, steps: int = -1) -> dict[str, float]:
            probe = LogisticRegression(max_iter=2000).fit(features(model, fit_rows), fit_rows["label"])
            return {"accuracy": float(probe.score(features(model, valid), valid["label"]))}

    return ProbeAccuracyEvaluator()
