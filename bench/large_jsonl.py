"""Benchmark: load a large JSONL file of chat rows with our loader and with `datasets.load_dataset`.

Writes ROWS chat rows (default one million, about 200 MB) to a temporary folder, then loads the file
four times, each in a fresh Python process: ours cold (empty datasets cache), ours again (cache
filled by the first run), load_dataset("json") cold, and load_dataset again. Each process reports
its load time; its peak resident memory comes from the OS (`os.wait4`, the per-child form of
`getrusage(RUSAGE_CHILDREN)`). Prints one JSON object with every number and the ratios
ours / load_dataset (target: at most 1.5 cold, about 1.0 from the cache).

Run: HF_HUB_OFFLINE=1 .venv/bin/python bench/large_jsonl.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = "the a model data train loss token chat answer question small large fast slow red blue".split()  # noqa: SIM905


def write_chat_rows(path: Path, rows: int, seed: int = 0) -> int:
    """Write `rows` chat rows (system/user/assistant) as JSON Lines; returns the file size in bytes."""
    rng = random.Random(seed)

    def sentence(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    with path.open("w", encoding="utf-8") as handle:
        for index in range(rows):
            messages = [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": f"Question {index}: {sentence(rng.randint(6, 14))}?"},
                {"role": "assistant", "content": sentence(rng.randint(8, 24)) + "."},
            ]
            handle.write(json.dumps({"messages": messages}) + "\n")
    return path.stat().st_size


def measure_in_child(loader: str, file: Path) -> None:
    """Runs inside the child process: load `file` and print {"seconds", "rows"} as JSON.

    datasets is imported before the clock starts in both cases: the import is start-up, not loading."""
    import datasets

    if loader == "ours":
        from aitraining.data.loading import load_splits

        start = time.perf_counter()
        dataset = load_splits(str(file)).train
    else:
        start = time.perf_counter()
        dataset = datasets.load_dataset("json", data_files=str(file), split="train")
    rows = len(dataset)
    print(json.dumps({"seconds": round(time.perf_counter() - start, 3), "rows": rows}))


def run_child(loader: str, file: Path, cache: Path) -> dict[str, float]:
    """Load in a fresh process with HF_DATASETS_CACHE=cache; its time, rows and peak RSS (MB)."""
    env = {**os.environ, "HF_DATASETS_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, __file__, "--child", loader, "--file", str(file)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, peak RSS included
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{loader} failed:\n{err.read()[-3000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # ru_maxrss is in KiB on Linux
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--child", choices=("ours", "load_dataset"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure_in_child(args.child, args.file)
        return
    with tempfile.TemporaryDirectory() as temp:
        work = args.keep or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        print(json.dumps(compare(work, args.rows), indent=2))


def compare(work: Path, rows: int) -> dict[str, object]:
    file = work / f"chat-{rows}.jsonl"  # kept and reused with --keep: writing it is the slow part
    start = time.perf_counter()
    size = file.stat().st_size if file.is_file() else write_chat_rows(file, rows)
    report: dict[str, object] = {
        "rows": rows,
        "file_mb": round(size / 2**20, 1),
        "write_seconds": round(time.perf_counter() - start, 1),
    }
    for loader in ("ours", "load_dataset"):
        cache = work / f"cache-{loader}"
        shutil.rmtree(cache, ignore_errors=True)  # the first load of each pair is cold
        report[loader] = {"cold": run_child(loader, file, cache), "cached": run_child(loader, file, cache)}
    for phase in ("cold", "cached"):
        ours, theirs = report["ours"][phase], report["load_dataset"][phase]  # type: ignore[index]
        report[f"ratio_{phase}"] = {
            "seconds": round(ours["seconds"] / theirs["seconds"], 2),
            "peak_rss": round(ours["peak_rss_mb"] / theirs["peak_rss_mb"], 2),
        }
    return report


if __name__ == "__main__":
    main()
