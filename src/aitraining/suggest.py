"""Did-you-mean suggestions for unknown names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from aitraining.params.flags import flag_for


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' Did you mean X?' (with a leading space) or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {close[0]}?" if close else ""


# Names users bring from transformers/TRL/AutoTrain scripts, mapped to ours.
KNOWN_ALIASES = {
    "learning_rate": "lr",
    "learning-rate": "lr",
    "num_train_epochs": "epochs",
    "per_device_train_batch_size": "batch_size",
    "gradient_accumulation_steps": "gradient_accumulation",
    "output_dir": "project_name",
    "model_name_or_path": "model",
    "lr_scheduler_type": "scheduler",
    "optim": "optimizer",
    "beta": "dpo_beta",
    "max_length": "block_size",
}


def suggest(word: str, candidates: Iterable[str], *, flag: bool = False) -> str:
    """A known alias ('learning_rate' -> 'lr') first, else the closest candidate."""
    key = word.lstrip("-").replace("-", "_")
    for alias, target in KNOWN_ALIASES.items():
        if key == alias.replace("-", "_") or _typo_of(key, alias):
            shown = flag_for(target) if flag else target
            return f" Did you mean {shown}?"
    return did_you_mean(word, candidates)


def _typo_of(word: str, alias: str) -> bool:
    return bool(difflib.get_close_matches(word, [alias.replace("-", "_")], n=1, cutoff=0.85))
