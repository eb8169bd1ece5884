"""The teacher: loaded frozen in eval mode, checked against the student's tokenizer, sized and fingerprinted."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.errors import AitrainingError

if TYPE_CHECKING:
    from logging import Logger

    from aitraining.tasks.llm.params import LLMParams

WHAT_A_TEACHER_IS = (
    "A teacher must be a local folder or Hub id of a causal language model (config.json, weights and tokenizer "
    "files) that uses the student's tokenizer; hosted chat APIs (gpt-4, ...) cannot be distilled from."
)


def teacher_error(teacher: str, what: str, exc: Exception | None = None) -> AitrainingError:
    cause = f" ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})" if exc else ""
    return AitrainingError(f"--teacher-model {teacher}: {what}{cause}. {WHAT_A_TEACHER_IS}")


def teacher_dtype() -> Any:
    """Half precision where the hardware runs it (CUDA: bf16 if supported, else fp16); on CPU fp32, because
    CPU half-precision matmuls are slow or missing. The teacher only runs forward, so this never costs accuracy
    of the student's weights."""
    import torch

    if torch.cuda.is_available():
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def load_teacher_config(teacher: str) -> Any:
    from transformers import AutoConfig

    try:
        return AutoConfig.from_pretrained(teacher)
    except Exception as exc:
        raise teacher_error(teacher, "cannot be loaded as a model", exc) from None


def check_vocabulary(student_tok: Any, teacher_tok: Any, teacher: str) -> None:
    """Same tokens with the same ids; otherwise say where they first differ."""
    s_vocab, t_vocab = student_tok.get_vocab(), teacher_tok.get_vocab()
    if s_vocab == t_vocab:
        return
    s_by_id = {i: t for t, i in s_vocab.items()}
    t_by_id = {i: t for t, i in t_vocab.items()}
    first = next((i for i in sorted(set(s_by_id) | set(t_by_id)) if s_by_id.get(i) != t_by_id.get(i)), None)
    raise AitrainingError(
        f"--teacher-model {teacher} uses a different tokenizer vocabulary than the student: {len(t_vocab)} tokens "
        f"against the student's {len(s_vocab)}; first difference at token id {first}: teacher "
        f"{t_by_id.get(first)!r}, student {s_by_id.get(first)!r}. The KL compares the two models token id by "
        "token id, so both must share one tokenizer: pick a teacher from the student's model family."
    )


def estimate_bytes(config: Any, dtype: Any) -> tuple[int, int]:
    """(parameter count, bytes) of the teacher's weights from its config alone (no weights are read)."""
    import torch
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    with init_empty_weights():
        empty = AutoModelForCausalLM.from_config(config)
    count = sum(p.numel() for p in empty.parameters())
    return count, count * torch.empty((), dtype=dtype).element_size()


@dataclass(frozen=True)
class TeacherCheck:
    """A teacher that passed the checks: what to load, and in which dtype."""

    name: str
    dtype: Any


def check_teacher(params: LLMParams, student_tokenizer: Any, logger: Logger) -> TeacherCheck:
    from transformers import AutoTokenizer

    name = params.teacher_model or ""
    config = load_teacher_config(name)
    try:
        teacher_tok = AutoTokenizer.from_pretrained(name)
    except Exception as exc:
        raise teacher_error(name, "has no loadable tokenizer", exc) from None
    check_vocabulary(student_tokenizer, teacher_tok, name)
    dtype = teacher_dtype()
    try:
        count, size = estimate_bytes(config, dtype)
    except Exception as exc:
        raise teacher_error(name, "is not a causal language model", exc) from None
    logger.info(
        f"Distillation teacher {name}: {count:,} parameters, about {size / 2**30:.2f} GiB in "
        f"{str(dtype).removeprefix('torch.')} (plus activations for one batch); frozen, eval mode, no gradients."
    )
    return TeacherCheck(name, dtype)


def load_teacher(teacher: TeacherCheck) -> Any:
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(teacher.name, dtype=teacher.dtype)
    except Exception as exc:
        raise teacher_error(teacher.name, "could not load its weights", exc) from None
    return model.eval().requires_grad_(False)


SAMPLE = 1 << 20  # bytes read from each end of a weight file for its sampled digest


def sampled_digest(files: list[Path]) -> str:
    """sha256 over each file's name, first and last MiB: retrained weights of the same shape change it, and a
    teacher of many GiB is not read in full at every start."""
    digest = hashlib.sha256()
    for file in files:
        size = file.stat().st_size
        with file.open("rb") as handle:
            digest.update(file.name.encode() + handle.read(SAMPLE))
            handle.seek(max(size - SAMPLE, 0))
            digest.update(handle.read(SAMPLE))
    return digest.hexdigest()


def fingerprint(teacher: str) -> dict[str, Any]:
    """Path, sha256 of config.json, the weight files' sizes and a sampled digest of their contents (a local
    folder; a Hub id keeps its name only)."""
    folder = Path(teacher).expanduser()
    out: dict[str, Any] = {"teacher_model": teacher}
    config = folder / "config.json"
    if config.is_file():
        canonical = json.dumps(json.loads(config.read_text()), sort_keys=True)
        out["config_sha256"] = hashlib.sha256(canonical.encode()).hexdigest()
    if folder.is_dir():
        weights = sorted(p for p in folder.iterdir() if p.suffix in (".safetensors", ".bin", ".pt") and p.is_file())
        out["weight_files"] = {p.name: p.stat().st_size for p in weights}
        out["weights_sampled_sha256"] = sampled_digest(weights)
    return out
