"""What every `--predict` action of the transformers tasks shares: find the trained model, read the rows
to predict with the same checks as training data, and write the results next to the model without
replacing an earlier file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from aitraining.errors import ParamError, ProjectError

PREDICTIONS = "predictions"


def trained_model_folder(project: str | Path, command: str) -> Path:
    """The project folder, once it holds a saved model (config.json) or LoRA adapter (adapter_config.json)."""
    folder = Path(project)
    if not any((folder / name).is_file() for name in ("config.json", "adapter_config.json")):
        raise ProjectError(
            f"No trained model in {folder} (no config.json). Point --project-name at the folder of a "
            f"finished 'aitraining {command} --train' run, or train one first."
        )
    return folder


class RowsParams(Protocol):
    """What `load_rows` reads: CoreParams' --data-path with DataParams' split and sample limit."""

    @property
    def data_path(self) -> str | None: ...
    @property
    def train_split(self) -> str: ...
    @property
    def max_samples(self) -> int | None: ...


def load_rows(params: RowsParams, columns: Mapping[str, str | None]) -> tuple[Any, str]:
    """The --data-path rows to predict (split --train-split, at most --max-samples), columns checked."""
    from aitraining.data.loading import load_splits, require_columns

    if not params.data_path:
        raise ParamError("--predict needs --data-path: the rows to predict (a file, a folder or a Hub dataset id).")
    loaded = load_splits(params.data_path, params.train_split, None, params.max_samples)
    require_columns(loaded.train, columns, split=params.train_split, source=loaded.source)
    return loaded.train, loaded.source


def free_path(folder: Path, stem: str = PREDICTIONS, suffix: str = ".jsonl") -> Path:
    """`<stem><suffix>`, or `<stem>_2<suffix>`, ... when earlier predictions are already there."""
    path, number = folder / f"{stem}{suffix}", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}_{number}{suffix}"
    return path


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def torch_device() -> str:
    from aitraining.engine.hardware import has_cuda

    return "cuda" if has_cuda() else "cpu"


def with_training_settings(resolved: Any, folder: Path, names: Iterable[str]) -> Any:
    """The params, where each of `names` not given now takes the value the model was trained with.

    So `--predict` reads the same columns and lengths as the training run without repeating its flags.
    """
    from aitraining.engine.project import PARAMS_FILE

    saved_file = folder / PARAMS_FILE
    saved = json.loads(saved_file.read_text()) if saved_file.is_file() else {}
    update = {n: saved[n] for n in names if n in saved and resolved.sources.get(n, "default") == "default"}
    return resolved.params.model_copy(update=update)
