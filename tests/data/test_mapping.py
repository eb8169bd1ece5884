"""Tokenisation maps: batched, several processes for large data, cached between runs of the same command."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest

from aitraining.data.loading import load_splits
from aitraining.data.mapping import choose_workers, stable_hash, tokenize_map
from aitraining.tasks.llm import prep_generic, prep_sft
from aitraining.tasks.llm.params import LLMParams
from aitraining.testing import write_chat_dataset


@pytest.mark.parametrize(
    ("rows", "requested", "cores", "expected"),
    [
        (100, None, 8, 1),  # small data stays in one process
        (39_999, None, 8, 1),
        (40_000, None, 8, 2),
        (1_000_000, None, 4, 4),  # at most one per core
        (1_000_000, None, 64, 8),  # and at most 8 when chosen automatically
        (1_000_000, 12, 4, 12),  # --num-workers is taken as given
        (2, 5, 8, 2),  # but never more processes than rows
    ],
)
def test_choose_workers(rows: int, requested: int | None, cores: int, expected: int) -> None:
    assert choose_workers(rows, requested, cores) == expected


@pytest.fixture(scope="module")
def chat_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chat_dataset(tmp_path_factory.mktemp("chat"), n_train=300, n_valid=10) / "train.jsonl"


def a_run(model: Path, data: Path, project: Path, **overrides: object) -> tuple:
    """What one run of `aitraining llm --trainer sft` does before training: fresh params, tokenizer, data."""
    from transformers import AutoTokenizer

    params = LLMParams(model=str(model), data_path=str(data), project_name=str(project), trainer="sft", **overrides)
    tokenizer = AutoTokenizer.from_pretrained(model)
    loaded = load_splits(str(data))
    fmt = prep_sft.detect_format(loaded.train, params.text_column, loaded.source)
    return prep_sft.prepare(loaded.train, fmt, params, tokenizer, 16, "train", loaded.source)


def arrow_files_in(cache: Path) -> dict[str, int]:
    return {str(path): path.stat().st_mtime_ns for path in cache.rglob("*.arrow")}


def test_a_second_run_loads_the_tokenised_data_from_the_cache(
    tiny_lm: Path, chat_file: Path, tmp_path: Path, datasets_cache: Path
) -> None:
    first, first_report = a_run(tiny_lm, chat_file, tmp_path / "p")
    assert first.cache_files, "the tokenised data was not written to the cache"
    written = arrow_files_in(datasets_cache)

    second, second_report = a_run(tiny_lm, chat_file, tmp_path / "p")
    assert arrow_files_in(datasets_cache) == written, "the second run tokenised again"
    assert second.cache_files == first.cache_files
    assert second.to_dict() == first.to_dict()
    assert (second_report.lengths, second_report.kept, second_report.truncated) == (
        first_report.lengths,
        first_report.kept,
        first_report.truncated,
    )
    assert first_report.truncated > 0  # a limit of 16 tokens cuts some rows: the report survives the cache

    a_run(tiny_lm, chat_file, tmp_path / "p", assistant_only_loss=True)  # another setting tokenises again
    assert len(arrow_files_in(datasets_cache)) > len(written)


def test_several_workers_give_the_same_rows_and_report(tiny_lm: Path, chat_file: Path, tmp_path: Path) -> None:
    one, one_report = a_run(tiny_lm, chat_file, tmp_path / "p", num_workers=1)
    two, two_report = a_run(tiny_lm, chat_file, tmp_path / "p", num_workers=2)
    assert two.to_dict() == one.to_dict()
    assert (two_report.lengths, two_report.kept) == (one_report.lengths, one_report.kept)


def test_generic_packing_is_cached_and_its_function_hashes_stably(tiny_lm: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    path = tmp_path / "train.jsonl"
    path.write_text("".join(f'{{"text": "line number {i} of the corpus"}}\n' for i in range(200)))
    hashes, results = [], []
    for _run in range(2):
        params = LLMParams(model=str(tiny_lm), data_path=str(path), project_name=str(tmp_path / "p"))
        tokenizer = AutoTokenizer.from_pretrained(tiny_lm)
        seen: list = []

        def spy(dataset: datasets.Dataset, fn: object, seen: list = seen, **kwargs: object) -> datasets.Dataset:
            seen.append(stable_hash(fn))
            return tokenize_map(dataset, fn, **kwargs)

        import aitraining.tasks.llm.prep_generic as module

        original = module.tokenize_map
        module.tokenize_map = spy
        try:
            results.append(prep_generic.prepare(load_splits(str(path)).train, params, tokenizer, 32))
        finally:
            module.tokenize_map = original
        hashes += seen
    assert hashes[0] is not None and hashes[0] == hashes[1]
    assert results[1].cache_files == results[0].cache_files


@pytest.mark.parametrize(("trainer", "warned"), [("sft", False), ("dpo", False), ("ppo", True)])
def test_num_workers_is_used_or_warned_about(trainer: str, warned: bool) -> None:
    from aitraining.params.compat import apply_compatibility

    params = LLMParams(model="m", data_path="d", trainer=trainer, num_workers=2)
    order = ("generic", "sft", "dpo", "orpo", "reward", "ppo")  # the llm command's trainers
    warnings = apply_compatibility(params, trainer, ["num_workers"], trainer_order=order)
    assert ("num_workers" in warnings) is warned
    assert params.num_workers == (None if warned else 2)
    if warned:
        expected = "Warning: num_workers only applies to generic, SFT, DPO, ORPO, reward, will be ignored"
        assert warnings["num_workers"] == expected
