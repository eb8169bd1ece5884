"""GPU tests: opt-in (`pytest -m gpu tests/gpu`), skipped with a reason where the machine lacks what they need.

- every test here is marked `gpu` and skips without CUDA (`torch.cuda.is_available()` is False);
- `@pytest.mark.requires("bitsandbytes")` (or "flash_attn") skips when that package cannot be imported;
- AITRAINING_GPU_TEST_TIMEOUT=<seconds> fails a test that runs longer (scripts/gpu_checks.sh sets it; no plugin);
- AITRAINING_GPU_TESTS_DEVICE=cpu runs the tests that do not need CUDA kernels on the CPU, to check the tests'
  own logic where no GPU is lent (a development aid: it proves nothing about the GPU paths).

Nothing heavy is imported at collection: torch is imported when a test is about to run.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # gpu_helpers

from gpu_helpers import DEVICE

INSTALL = {"bitsandbytes": "pip install 'bitsandbytes>=0.45,<1'", "flash_attn": "pip install flash-attn"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires(package): skip unless the package imports (GPU tests)")
    config.addinivalue_line("markers", "cuda_only: needs CUDA kernels even with AITRAINING_GPU_TESTS_DEVICE=cpu")


def _missing_cuda(item: pytest.Item) -> str | None:
    import torch

    if DEVICE == "cpu" and item.get_closest_marker("cuda_only") is None:
        return None
    if not torch.cuda.is_available():
        return f"needs a CUDA GPU: torch.cuda.is_available() is False (torch {torch.__version__})"
    return None


def _missing_package(name: str) -> str | None:
    try:
        importlib.import_module(name)
    except Exception as exc:  # ImportError, or a package whose native library fails to load
        return f"needs {name} ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}): {INSTALL[name]}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("gpu") is None:
        return
    reason = _missing_cuda(item)
    for marker in item.iter_markers("requires"):
        reason = reason or _missing_package(marker.args[0])
    if reason:
        pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    limit = int(os.environ.get("AITRAINING_GPU_TEST_TIMEOUT", "0"))
    if limit <= 0 or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"{item.nodeid} ran past AITRAINING_GPU_TEST_TIMEOUT={limit}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(limit)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def lm256(tmp_path_factory):
    """A tiny Llama with hidden size 256 (4 heads of 64): big enough for the GPU kernels (flash-attention,
    bitsandbytes' 64-wide blocks, tensor cores) to take their real paths, small enough to train in seconds."""
    from aitraining.testing import make_tiny_causal_lm

    return make_tiny_causal_lm(tmp_path_factory.mktemp("lm256"), hidden_size=256, num_layers=2)


@pytest.fixture
def loaded_models(monkeypatch):
    """The models `aitraining llm` loads to train, in load order (to read their config, device and dtypes)."""
    from aitraining.tasks.llm import models

    seen: list = []
    load = models.load_model

    def recording(*args, **kwargs):
        model = load(*args, **kwargs)
        seen.append(model)
        return model

    monkeypatch.setattr(models, "load_model", recording)
    return seen


@pytest.fixture(autouse=True)
def _free_gpu_memory():
    """Each test starts from an empty CUDA cache (the batch-size test measures free memory)."""
    yield
    import gc

    gc.collect()
    if "torch" in sys.modules and sys.modules["torch"].cuda.is_available():
        sys.modules["torch"].cuda.empty_cache()
