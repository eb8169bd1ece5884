"""Generation targets end with the end-of-sequence token, so a model learns to stop.

Many tokenizers' post-processors add no EOS (`tokenizer(text_target=...)` then ends on the last word): a
model trained on such targets never sees where an answer ends and generates until the length limit. The
check is per target, so tokenizers that do add it are left alone.
"""

from __future__ import annotations

import logging


def end_with_eos(targets: list[list[int]], eos_id: int | None, max_length: int) -> tuple[list[list[int]], int]:
    """Each target with `eos_id` last (replacing the last token when the target is already `max_length` long);
    returns the targets and how many needed it."""
    if eos_id is None:
        return targets, 0
    out, added = [], 0
    for ids in targets:
        if ids and ids[-1] == eos_id:
            out.append(ids)
            continue
        out.append([*ids[: max_length - 1], eos_id])
        added += 1
    return out, added


def log_eos(logger: logging.Logger, added: int, total: int, split: str, eos_token: str | None) -> None:
    if eos_token is None:
        logger.warning(
            "The tokenizer has no EOS token: the model cannot learn where a target ends, and generation stops "
            "only at the length limit. Use a tokenizer that defines one (eos_token)."
        )
    elif added:
        logger.info(
            f"{added} of {total} {split} targets did not end with the EOS token {eos_token!r} (the tokenizer does "
            "not add it): appended, so the model learns to stop."
        )
