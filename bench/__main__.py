"""`python -m bench`: every case, ours against the plain upstream script, as a table and as JSON.

HF_HUB_OFFLINE=1 .venv/bin/python -m bench --size tiny --repeats 3 --out bench/results.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.cases import BY_NAME, CASES
from bench.fixtures import ROWS, Fixtures
from bench.harness import BenchError
from bench.suite import help_times, machine, run_case, warm_imports

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="all", help=f"comma-separated, from: {', '.join(BY_NAME)} (default all)")
    parser.add_argument("--size", choices=sorted(ROWS), default="tiny", help="models and rows (default tiny)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per side, interleaved; medians reported")
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"), help="the JSON report")
    parser.add_argument(
        "--threads", type=int, help="CPU threads per process for both sides (OMP_NUM_THREADS; default: libraries' own)"
    )
    parser.add_argument("--no-warm-up", action="store_true", help="skip reading the libraries once before measuring")
    parser.add_argument("--rows", type=int, help="rows per dataset instead of the size's (a quick smoke run)")
    parser.add_argument("--work", type=Path, help="keep models, data, projects and logs here (default: temporary)")
    args = parser.parse_args(argv)
    names = list(BY_NAME) if args.cases == "all" else [n.strip() for n in args.cases.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; pick from {', '.join(BY_NAME)}")
    args.names = names
    return args


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    if args.threads:  # inherited by both sides' processes; on a busy small CPU one thread is far steadier
        os.environ.update({name: str(args.threads) for name in THREAD_VARIABLES})
    if not args.no_warm_up:
        warm_imports()
    fixtures = Fixtures(work / "fixtures", args.size, args.rows)
    report: dict[str, Any] = {"machine": machine(), "size": args.size, "rows": fixtures.rows, "repeats": args.repeats}
    report["threads"] = args.threads
    report["help_s"] = help_times(args.repeats, work)
    report["cases"] = []
    for case in CASES:
        if case.name not in args.names:
            continue
        print(f"[bench] {case.name} ...", file=sys.stderr, flush=True)
        try:
            report["cases"].append(run_case(case, fixtures, work, args.repeats))
        except BenchError as exc:
            report["cases"].append({"case": case.name, "error": str(exc)})
    return report


def _pair(record: dict[str, Any], key: str, digits: int = 1) -> str:
    ours, plain = record["ours"][key], record["plain"][key]
    return f"{ours:.{digits}f} / {plain:.{digits}f}" if ours is not None and plain is not None else "-"


def table(report: dict[str, Any]) -> str:
    head = ("case", "wall s ours/plain", "x", "start-up s", "preprocess s", "train s", "train x", "units/s", "RSS MB")
    rows = [head]
    for r in report["cases"]:
        if "ours" not in r:
            rows.append((r["case"], r.get("skipped") or f"ERROR: {r['error'].splitlines()[0]}", *[""] * 7))
            continue
        rows.append((
            r["case"], _pair(r, "wall_s"), f"{r['ratio']['wall']:.2f}", _pair(r, "startup_s"),
            _pair(r, "preprocess_s", 2), _pair(r, "train_s"), f"{r['ratio']['train']:.2f}",
            f"{_pair(r, 'units_per_s', 0)} {r['unit']}", _pair(r, "peak_rss_mb", 0),
        ))  # fmt: skip
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    helps = ", ".join(f"{k}: {v:.2f} s" for k, v in report["help_s"].items())
    notes = [f"note {r['case']}: {r['note']}" for r in report["cases"] if r.get("note")]
    mfus = [f"MFU {r['case']}: {r['mfu']}" for r in report["cases"] if r.get("mfu")]
    return "\n".join([*lines, "", helps, *notes, *mfus])


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        report = run(args, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="aitraining-bench-") as tmp:
            report = run(args, Path(tmp))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    print(f"JSON: {args.out}")
    return 1 if any("error" in r for r in report["cases"]) else 0


if __name__ == "__main__":
    sys.exit(main())
