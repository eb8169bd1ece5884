"""Scoring prompt + response with the reward model that `--trainer reward` produced.

A reward model is an `AutoModelForSequenceClassification` with one output: the score of a whole
text, read at its last token. Texts are right-padded with the reward model's own pad token, which
is how transformers finds that last token (the last position that is not padding).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from aitraining.data.hub import looks_like_hub_id
from aitraining.engine.logs import get_logger
from aitraining.engine.modelload import ensure_pad_token
from aitraining.engine.precision import checkpoint_dtype, dtype_name, frozen_dtype
from aitraining.engine.tokens import right_pad
from aitraining.errors import AitrainingError
from aitraining.tasks.llm.ppo.rollout import Rollout

HINT = (
    "--rl-reward-model-path must be a folder produced by `aitraining llm --trainer reward` "
    "(a sequence-classification model with one output, saved with its tokenizer)."
)


def check_reward_model_path(path: str) -> None:
    """Cheap checks of the folder (no weights loaded), so a wrong path fails before the policy loads."""
    folder = Path(path)
    if not folder.exists():
        if looks_like_hub_id(path):
            return  # a Hub id: from_pretrained will tell
        raise AitrainingError(f"Reward model '{path}' not found. {HINT}")
    config_file = folder / "config.json"
    if not config_file.is_file() and (folder / "adapter_config.json").is_file():
        raise AitrainingError(
            f"Reward model '{path}' holds a LoRA adapter only; PPO needs the full scorer: train the reward "
            f"model with --merge-adapter (the default) so its folder holds the merged model. {HINT}"
        )
    if not config_file.is_file():
        raise AitrainingError(f"Reward model '{path}' has no config.json. {HINT}")
    config = json.loads(config_file.read_text(encoding="utf-8"))
    architectures = config.get("architectures") or []
    if architectures and not any(a.endswith("ForSequenceClassification") for a in architectures):
        raise AitrainingError(
            f"Reward model '{path}' is a {architectures[0]}, not a sequence-classification scorer. {HINT}"
        )
    labels = len(config.get("id2label") or {"0": ""})
    if labels != 1:
        raise AitrainingError(f"Reward model '{path}' has {labels} outputs; a reward model has one. {HINT}")


def load_reward_model(path: str) -> tuple[Any, Any]:
    """(model, tokenizer) from `path`, or an AitrainingError that names the path."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    check_reward_model_path(path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        dtype = frozen_dtype(checkpoint_dtype(path))  # frozen: half precision kept on a GPU
        model = AutoModelForSequenceClassification.from_pretrained(path, dtype=dtype)
    except Exception as exc:
        where = "not found" if not Path(path).exists() else "could not be loaded"
        reason = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        raise AitrainingError(f"Reward model '{path}' {where} ({reason}). {HINT}") from None
    if model.config.num_labels != 1:
        raise AitrainingError(
            f"Reward model '{path}' has {model.config.num_labels} outputs; a reward model has one. {HINT}"
        )
    get_logger().info(f"The reward model runs frozen in {dtype_name(dtype)}.")
    return model, tokenizer


def same_tokenizer(first: Any, second: Any) -> bool:
    """Whether token ids mean the same in both: same class, vocabulary and special tokens."""
    return (
        type(first) is type(second)
        and first.get_vocab() == second.get_vocab()
        and first.all_special_tokens == second.all_special_tokens
        and first.bos_token_id == second.bos_token_id
        and first.eos_token_id == second.eos_token_id
    )


class RewardScorer:
    """`score(rollout) -> [N]` scores of prompt + response for each row of a rollout."""

    def __init__(self, path: str, policy_tokenizer: Any, device: Any, logger: Any, batch_size: int) -> None:
        self.model, self.tokenizer = load_reward_model(path)
        self.model.to(device).eval().requires_grad_(False)
        self.device, self.batch_size = device, batch_size
        self.policy_tokenizer = policy_tokenizer
        ensure_pad_token(self.tokenizer, logger)
        self.model.config.pad_token_id = self.tokenizer.pad_token_id
        self.reuse_ids = same_tokenizer(policy_tokenizer, self.tokenizer)
        self.max_length = getattr(self.model.config, "max_position_embeddings", None) or 1_000_000
        if self.reuse_ids:
            logger.info("Reward model: same tokenizer as the policy; rollouts are scored from their token ids.")
        else:
            logger.info(
                "Reward model: its tokenizer differs from the policy's; rollouts are decoded with the policy "
                "tokenizer and re-tokenized with the reward model's."
            )

    def sequences(self, rollout: Rollout) -> list[list[int]]:
        """Reward-model token ids of prompt + response, one list per row (padding removed)."""
        rows = []
        for query, query_mask, response, mask in zip(
            rollout.query_ids, rollout.query_mask, rollout.response_ids, rollout.response_mask, strict=True
        ):
            rows.append(query[query_mask.bool()].tolist() + response[mask.bool()].tolist())
        if not self.reuse_ids:
            rows = self.tokenizer([self._decode(row) for row in rows])["input_ids"]
        # Cut from the left if needed: the score is read at the end, which must stay.
        return [row[-self.max_length :] for row in rows]

    def _decode(self, ids: list[int]) -> str:
        """Policy text without a leading BOS (the reward tokenizer adds its own BOS). Padding is already gone
        (removed by the attention and response masks, never by pad id: when pad == EOS, a reply's EOS is real
        text the reward model was trained on). Other special tokens (chat markers, EOS) stay in the text."""
        tok = self.policy_tokenizer
        if ids and ids[0] == tok.bos_token_id:
            ids = ids[1:]
        return tok.decode(ids, skip_special_tokens=False)

    @torch.no_grad()
    def score(self, rollout: Rollout) -> torch.Tensor:
        sequences = self.sequences(rollout)
        scores = []
        for start in range(0, len(sequences), self.batch_size):
            input_ids, attention_mask = right_pad(
                sequences[start : start + self.batch_size], self.tokenizer.pad_token_id
            )
            logits = self.model(
                input_ids=input_ids.to(self.device), attention_mask=attention_mask.to(self.device)
            ).logits
            scores.append(logits[:, 0].float())
        return torch.cat(scores).to(rollout.response_ids.device)
