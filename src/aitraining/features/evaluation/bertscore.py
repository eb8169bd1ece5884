"""BERTScore (Zhang et al. 2020, "BERTScore: Evaluating Text Generation with BERT"), computed with transformers.

The `bert-score` package is not a dependency; this follows the paper's definition with its defaults where
they apply: each text is embedded by the local encoder (--eval-bertscore-model), special tokens ([CLS],
[SEP], ...) are left out, token vectors are L2-normalised, and with the cosine similarity matrix S between
prediction tokens and reference tokens
    P = mean over prediction tokens of max over reference tokens of S,
    R = mean over reference tokens of max over prediction tokens of S,
    F = 2PR / (P + R)   (greedy matching, no idf weighting, no baseline rescaling).
The embeddings are the encoder's last hidden layer (the paper picks a tuned layer per model; numbers are
therefore not comparable with the package's published ones for the same model). An empty text scores 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def check_encoder(path: str) -> None:
    """Before training: the folder holds a model config and a tokenizer that load."""
    from transformers import AutoConfig, AutoTokenizer

    from aitraining.errors import ParamError

    try:
        AutoConfig.from_pretrained(path)
        AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError) as exc:
        raise ParamError(
            f"--eval-bertscore-model {path}: not a loadable encoder folder (config and tokenizer saved with "
            f"save_pretrained): {str(exc).splitlines()[0]}"
        ) from None


def load_encoder(path: str) -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer

    from aitraining.errors import ParamError

    if not Path(path).is_dir():
        raise ParamError(f"--eval-bertscore-model {path}: not a local folder (an encoder saved with save_pretrained).")
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def token_vectors(text: str, tokenizer: Any, model: Any) -> Any:
    """L2-normalised last-layer vectors of the text's non-special tokens."""
    import torch

    enc = tokenizer(text, return_tensors="pt", truncation=True, return_special_tokens_mask=True)
    keep = enc.pop("special_tokens_mask")[0] == 0
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state[0]
    vectors = hidden[keep]
    return torch.nn.functional.normalize(vectors, dim=-1)


def greedy_match(prediction: Any, reference: Any) -> tuple[float, float, float]:
    """(P, R, F) from two sets of normalised token vectors."""
    if len(prediction) == 0 or len(reference) == 0:
        return 0.0, 0.0, 0.0
    sim = prediction @ reference.T
    p, r = float(sim.max(dim=1).values.mean()), float(sim.max(dim=0).values.mean())
    return p, r, (2 * p * r / (p + r) if p + r > 0 else 0.0)


def bertscore(predictions: list[str], references: list[str], encoder: tuple[Any, Any]) -> dict[str, float]:
    tokenizer, model = encoder
    scores = [
        greedy_match(token_vectors(p, tokenizer, model), token_vectors(r, tokenizer, model))
        for p, r in zip(predictions, references, strict=True)
    ]
    n = max(len(scores), 1)
    return {
        "bertscore_precision": sum(s[0] for s in scores) / n,
        "bertscore_recall": sum(s[1] for s in scores) / n,
        "bertscore_f1": sum(s[2] for s in scores) / n,
    }
