"""The evaluation rows: --eval-dataset-path, else the validation split, read by the trainer's own loader.

Reading through the trainer module's `load_data` gives the same checks (file:line errors, columns, the
sft format detection, --auto-convert-dataset) as the training data. Rows become `Example`s:
- generic, and sft plain text: documents (perplexity over every token);
- sft prompt/completion: (prompt, completion); sft chat: (the turns before the last assistant reply, that reply);
- dpo/orpo: (prompt, chosen answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aitraining.errors import DataError
from aitraining.features.evaluation.encode import Example

if TYPE_CHECKING:
    from logging import Logger

    from aitraining.tasks.llm.params import LLMParams


@dataclass
class EvalRows:
    examples: list[Example]
    source: str


def load_rows(params: LLMParams, logger: Logger, data: Any = None) -> EvalRows:
    """The rows to evaluate; `data` is the trainer module's already loaded training data, if any."""
    from aitraining.tasks.llm.trainers import trainer_spec

    module = trainer_spec(params.trainer).load()
    if params.eval_dataset_path:
        rows_params = params.model_copy(update={"data_path": params.eval_dataset_path, "valid_split": None})
        data = module.load_data(rows_params, logger)
        split, source = _loaded(data).train, f"{_loaded(data).source} (--eval-dataset-path)"
    else:
        data = data if data is not None else module.load_data(params, logger)
        split, source = _loaded(data).valid, f"{_loaded(data).source}, split {params.valid_split}"
    if split is None or len(split) == 0:
        raise DataError(f"The evaluation data {source} has no rows.")
    trainer = params.canonical_trainer()
    if trainer == "sft":
        examples = _sft_examples(split, data.format, source)
    elif trainer in ("dpo", "orpo"):
        examples = [
            _pair(row.get(data.columns["prompt"] or ""), row[data.columns["chosen"]], source, i)
            for i, row in enumerate(split)
        ]
    else:
        examples = [Example(None, str(text)) for text in split[params.text_column]]
    return EvalRows(examples, f"{source}: {len(examples)} rows")


def _loaded(data: Any) -> Any:
    return getattr(data, "loaded", data)  # sft and preference data wrap the LoadedData


def _sft_examples(split: Any, fmt: tuple[str, str], source: str) -> list[Example]:
    kind, column = fmt
    if kind == "text":
        return [Example(None, str(text)) for text in split[column]]
    if kind == "prompt_completion":
        return [_pair(row["prompt"], row["completion"], source, i) for i, row in enumerate(split)]
    return [_pair(None, messages, source, i) for i, messages in enumerate(split[column])]


def _pair(prompt: Any, answer: Any, source: str, row: int) -> Example:
    """(prompt, reference text); a chat answer's turns before its last assistant reply join the prompt."""
    if isinstance(answer, str):
        return Example(prompt, answer)
    turns = list(answer or [])
    last = max((i for i, t in enumerate(turns) if t.get("role") == "assistant"), default=None)
    if last is None:
        raise DataError(f"Row {row} of {source} has no assistant reply to evaluate against.")
    before = ([{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt or [])) + turns[:last]
    return Example(before, _content(turns[last]["content"]))


def _content(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))
