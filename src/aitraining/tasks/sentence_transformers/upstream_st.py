"""Every sentence-transformers import lives here, so one file changes when its API moves.

sentence-transformers 6 moved the losses and evaluators under `sentence_transformers.sentence_transformer`
(5.x had them at `sentence_transformers.losses` / `.evaluation`); both layouts are accepted.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from aitraining.engine.modelload import model_load_error

# Training on a SentenceTransformer makes transformers and sentence-transformers warn about each other's
# gradient-checkpointing method names; the run is unaffected, so the chatter is hidden.
_NOISE = (r".*only defines `gradient_checkpointing_enable`.*", r".*`gradient_checkpointing_enable` is deprecated.*")


def losses() -> Any:
    try:
        from sentence_transformers.sentence_transformer import losses as module
    except ImportError:  # sentence-transformers 5.x
        from sentence_transformers import losses as module
    return module


def evaluation() -> Any:
    try:
        from sentence_transformers.sentence_transformer import evaluation as module
    except ImportError:  # sentence-transformers 5.x
        from sentence_transformers import evaluation as module
    return module


def base_evaluator_class() -> Any:
    module = evaluation()
    return getattr(module, "BaseEvaluator", None) or module.SentenceEvaluator


def load_model(model: str, max_seq_length: int, logger: Any) -> Any:
    """A SentenceTransformer from a sentence-transformers folder, or a plain encoder wrapped with mean pooling."""
    from sentence_transformers import SentenceTransformer

    for pattern in _NOISE:
        warnings.filterwarnings("ignore", message=pattern, category=FutureWarning)
    try:  # float32 weights to train, whatever the checkpoint stores (see engine/precision.py)
        loaded = SentenceTransformer(str(model), model_kwargs={"dtype": float32()})
    except Exception as exc:
        raise model_load_error("weights", model, exc) from None
    local = Path(model).expanduser()
    if local.is_dir() and not (local / "modules.json").is_file():
        logger.info(f"{model} is a plain transformers encoder: its embeddings are the mean of its token vectors.")
    config = getattr(getattr(loaded[0], "auto_model", None), "config", None)
    positions = getattr(config, "max_position_embeddings", None)
    if positions is not None and max_seq_length > positions:
        logger.info(f"--max-seq-length {max_seq_length} is beyond what the model supports: using {positions}.")
        max_seq_length = positions
    loaded.max_seq_length = max_seq_length
    return loaded


def float32() -> Any:
    import torch

    return torch.float32


def training_arguments(kwargs: dict[str, Any], in_batch_negatives: bool) -> Any:
    """SentenceTransformerTrainingArguments; losses that treat the rest of the batch as negatives must never
    see a duplicate text in a batch (it would be a false negative), so those get the no-duplicates sampler."""
    from sentence_transformers import SentenceTransformerTrainingArguments

    sampler = "no_duplicates" if in_batch_negatives else "batch_sampler"  # BatchSamplers values
    return SentenceTransformerTrainingArguments(**kwargs, batch_sampler=sampler)


def trainer(**kwargs: Any) -> Any:
    from sentence_transformers import SentenceTransformerTrainer

    return SentenceTransformerTrainer(**kwargs)


def embedding_dimension(model: Any) -> int:
    """6.x renamed get_sentence_embedding_dimension to get_embedding_dimension."""
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter())


def cosine_similarity(a: Any, b: Any) -> Any:
    from sentence_transformers.util import cos_sim

    return cos_sim(a, b)
