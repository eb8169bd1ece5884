"""The bad-input corpus: each case is the files a user has, the command they type, and the message they
must get (docs/errors.md lists the same cases). `{lm}`, `{enc}`, `{badlm}` are the tiny models, `{w}` the
case's folder and `{p}` the project folder inside it."""

from __future__ import annotations

import errno
import json
import os
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TEXT = '{"text": "one two three four"}\n{"text": "five six seven eight"}\n'
LABELS = "text,label\n" + "".join(f"text number {i},{'ab'[i % 2]}\n" for i in range(8))
ONE_CLASS = "text,label\n" + "".join(f"text number {i},a\n" for i in range(8))
QA = "".join(
    json.dumps(
        {
            "context": f"the code is {w}.",
            "question": "what is the code?",
            "answers": {"text": [w], "answer_start": [12]},
        }
    )
    + "\n"
    for w in ("one", "two", "three", "four")
)
BROKEN_YAML = "task: llm-sft\nbase_model: x\nparams:\n  lr: [1\n"
UNKNOWN_KEY_YAML = "task: llm-sft\nbase_model: x\nparamz:\n  lr: 1\n"
UNKNOWN_PARAM_YAML = "task: llm-sft\nbase_model: x\nparams:\n  epochs: 1\n  lrr: 0.1\n"
WRONG_TYPE_YAML = "task: llm-sft\nbase_model: x\nparams:\n  epochs: many\n"


@dataclass
class Case:
    id: str
    argv: list[str]
    expect: list[str]  # fragments of the one error message
    files: dict[str, str] = field(default_factory=dict)
    code: int = 2
    creates_project: bool = False  # the failure comes after the project folder was claimed
    patch: Callable[[Any, pathlib.Path], None] | None = None


def llm(*extra: str, model: str = "{lm}", data: str = "{w}/d", project: str = "{p}") -> list[str]:
    return ["llm", "--train", "--model", model, "--data-path", data, "--project-name", project, *extra]


def task(command: str, data: str, *extra: str, model: str = "{enc}") -> list[str]:
    return [command, "--train", "--model", model, "--data-path", data, "--project-name", "{p}", *extra]


def no_write_permission(monkeypatch: Any, workdir: pathlib.Path) -> None:
    """As root every folder is writable, so the permission bit is simulated."""
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(workdir) else real(p, mode))


def disk_full(monkeypatch: Any, workdir: pathlib.Path) -> None:
    """The disk fills up as the run writes its first file into the project folder."""
    real = pathlib.Path.write_text

    def write_text(self: pathlib.Path, *args: Any, **kwargs: Any) -> int:
        if (workdir / "proj") in self.parents:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)


CASES = [
    Case("missing-data-folder", llm(data="{w}/nope"), ["Data path '{w}/nope' does not exist", "train.jsonl"]),
    Case("missing-config-file", ["--config", "{w}/nope.yml"], ["Config file {w}/nope.yml not found"]),
    Case(
        "missing-model-folder",
        llm(model="{w}/no-model"),
        ["--model {w}/no-model: no such folder"],
        {"d/train.jsonl": TEXT},
    ),
    Case("empty-file", llm(data="{w}/train.jsonl"), ["train.jsonl is empty (0 bytes)"], {"train.jsonl": ""}),
    Case(
        "csv-header-only",
        task("text-classification", "{w}/t.csv"),
        ["header line (text, label) but no data rows"],
        {"t.csv": "text,label\n"},
    ),
    Case(
        "malformed-jsonl-line",
        llm(),
        ["d/train.jsonl, line 2, column 10: not valid JSON"],
        {"d/train.jsonl": '{"text": "a"}\n{"text": oops}\n'},
    ),
    Case(
        "malformed-csv-line",
        task("text-classification", "{w}/t.csv"),
        ["t.csv, line 3, column 7: expected 2 fields", "found 3"],
        {"t.csv": "text,label\nhello,a\nbye,b,c\n"},
    ),
    Case(
        "misspelled-column",
        task("text-classification", "{w}/t.csv", "--target-column", "lable"),
        ["Column 'lable' (set by target_column) not found", "Did you mean 'label' for --target-column?"],
        {"t.csv": LABELS},
    ),
    Case(
        "missing-column",
        task("text-classification", "{w}/t.csv"),
        ["Column 'target' (set by target_column) not found", "Columns present: text, label"],
        {"t.csv": LABELS},
    ),
    Case(
        "wrong-value-type-in-data",
        task("text-regression", "{w}/r.csv", "--target-column", "score"),
        ["Row 2 of the train split", "column 'score'", "not a number"],
        {"r.csv": "text,score\nfine,1.5\nbad,lots\nok,2\n"},
    ),
    Case("wrong-value-type-flag", llm("--epochs", "two"), ["argument --epochs: invalid int value: 'two'"]),
    Case(
        "wrong-value-type-yaml",
        ["--config", "{w}/c.yml"],
        ["epochs (config file {w}/c.yml (params.epochs, line 4))"],
        {"c.yml": WRONG_TYPE_YAML},
    ),
    Case(
        "label-with-one-class",
        task("text-classification", "{w}/t.csv", "--target-column", "label"),
        ["Column 'label' has a single class ('a')", "at least two"],
        {"t.csv": ONE_CLASS},
    ),
    Case(
        "encoder-given-to-llm",
        llm(model="{enc}"),
        ["--model {enc} is a 'bert' model (BertForPreTraining), an encoder", "No weights were loaded"],
        {"d/train.jsonl": TEXT},
    ),
    Case(
        "causal-lm-given-to-extractive-qa",
        task("extractive-qa", "{w}/qa", model="{lm}"),
        ["--model {lm} is a 'llama' model (LlamaForCausalLM), a causal (decoder-only)", "such as BERT"],
        {"qa/train.jsonl": QA},
    ),
    Case(
        "flag-for-another-trainer",
        llm("--trainer", "sft", "--rl-gamma", "0.5", "--strict"),
        ["rl_gamma only applies to PPO"],
    ),
    Case(
        "flag-for-another-command",
        task("text-classification", "{w}/t.csv", "--rl-gamma", "0.5"),
        ["Unknown flag '--rl-gamma' for 'aitraining text-classification'", "--rl-gamma is a flag of aitraining llm"],
    ),
    Case(
        "corrupt-weights",
        llm(model="{badlm}"),
        ["--model {badlm}: the weights file model.safetensors is", "truncated or corrupt", "No weights were loaded"],
        {"d/train.jsonl": TEXT},
    ),
    Case(
        "project-under-a-file",
        llm(project="{w}/file.txt/run"),
        ["file.txt is an existing file, not a folder"],
        {"d/train.jsonl": TEXT, "file.txt": "x"},
    ),
    Case(
        "project-not-writable",
        llm(),
        ["cannot be written: no write permission on {w}"],
        {"d/train.jsonl": TEXT},
        patch=no_write_permission,
    ),
    Case(
        "project-not-empty",
        llm("--overwrite", data="{w}/nope"),
        ["does not exist"],
        {"proj/keep.txt": "an earlier run"},
    ),
    Case(
        "disk-full",
        llm("--epochs", "1", "--block-size", "16"),
        ["No space left on the device while writing {p}/training_params.json", "--project-name on a disk with room"],
        {"d/train.jsonl": TEXT},
        code=5,
        creates_project=True,
        patch=disk_full,
    ),
    Case(
        "yaml-broken-syntax",
        ["--config", "{w}/c.yml"],
        ["c.yml, line 5, column 1: not valid YAML", "opened at line 4, column 7"],
        {"c.yml": BROKEN_YAML},
    ),
    Case(
        "yaml-unknown-key",
        ["--config", "{w}/c.yml"],
        ["Unknown key 'paramz'", "c.yml, line 3, column 1", "Did you mean params?"],
        {"c.yml": UNKNOWN_KEY_YAML},
    ),
    Case(
        "yaml-unknown-parameter",
        ["--config", "{w}/c.yml"],
        ["Unknown parameter 'lrr'", "(params.lrr, line 5)", "Did you mean lr?"],
        {"c.yml": UNKNOWN_PARAM_YAML},
    ),
]
