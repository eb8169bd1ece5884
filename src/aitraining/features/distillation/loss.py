"""The distillation term: T^2 * KL(teacher || student), both softened by temperature T, averaged over positions."""

from __future__ import annotations

from typing import Any


def kd_loss(student: Any, teacher: Any, temperature: float, top_k: int = 0) -> tuple[Any, float | None]:
    """`student`/`teacher`: logits of the compared positions, shape [positions, vocab].

    Returns (T^2 * mean KL, kept teacher mass). With `top_k` > 0 only the teacher's k likeliest tokens are
    compared (both distributions renormalised over those k tokens, so identical models still give 0), and the
    kept mass is the mean share of the teacher's probability those k tokens held; else None.
    """
    import torch
    import torch.nn.functional as F

    if student.shape[0] == 0:
        return student.sum() * 0.0, None
    vocab = min(student.shape[-1], teacher.shape[-1])  # configs may pad the vocabulary differently
    s_logits = student[:, :vocab].float() / temperature
    t_logits = teacher[:, :vocab].float() / temperature
    kept: float | None = None
    if top_k and top_k < vocab:
        t_full = F.log_softmax(t_logits, dim=-1)
        values, index = t_full.topk(top_k, dim=-1)
        kept = float(values.exp().sum(-1).mean())
        t_logp = values - torch.logsumexp(values, dim=-1, keepdim=True)
        s_logp = F.log_softmax(s_logits.gather(-1, index), dim=-1)
    else:
        t_logp = F.log_softmax(t_logits, dim=-1)
        s_logp = F.log_softmax(s_logits, dim=-1)
    kl = (t_logp.exp() * (t_logp - s_logp)).sum(-1)
    return kl.mean() * temperature**2, kept
