"""One module per LLM trainer; each exposes load_data, prepare and build_trainer."""

from __future__ import annotations

from aitraining.tasks.llm.trainers import generic, sft

TRAINER_MODULES = {"generic": generic, "sft": sft}
