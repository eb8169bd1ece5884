"""TRL trainers adapted to our pre-tokenized preference data; TRL's module moves are absorbed here.

TRL 1.16: DPOTrainer tokenizes raw text itself and has no `max_prompt_length`; ORPO lives in
`trl.experimental.orpo`. We tokenize and truncate once (prep_pref) and hand the ids over.
"""

from __future__ import annotations

from typing import Any

IGNORE = -100


def dpo_trainer_class() -> Any:
    from trl import DPOTrainer

    class PretokenizedDPOTrainer(DPOTrainer):
        def _prepare_dataset(self, dataset: Any, processing_class: Any, args: Any, dataset_name: str) -> Any:
            return dataset  # already prompt_ids / chosen_ids / rejected_ids, truncated and reported

    return PretokenizedDPOTrainer


def orpo_classes() -> tuple[Any, Any]:
    from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    class PretokenizedORPOTrainer(ORPOTrainer):
        def tokenize_row(self, feature: dict[str, Any], model: Any = None) -> dict[str, Any]:
            prompt = feature["prompt_ids"]
            row: dict[str, Any] = {"prompt_input_ids": prompt, "prompt_attention_mask": [1] * len(prompt)}
            for side in ("chosen", "rejected"):
                answer = feature[f"{side}_ids"]
                row[f"{side}_input_ids"] = prompt + answer
                row[f"{side}_attention_mask"] = [1] * (len(prompt) + len(answer))
                row[f"{side}_labels"] = [IGNORE] * len(prompt) + answer
            return row

    return ORPOConfig, PretokenizedORPOTrainer
