"""One module per LLM trainer; each exposes load_data, prepare and build_trainer."""

from __future__ import annotations

from aitraining.tasks.llm.trainers import dpo, generic, orpo, ppo, reward, sft

TRAINER_MODULES = {"generic": generic, "sft": sft, "dpo": dpo, "orpo": orpo, "reward": reward, "ppo": ppo}
