"""Operating-system failures raised deep inside upstream code still become one message naming the cause."""

from __future__ import annotations

import errno

import pytest

from aitraining.cli.failures import os_error_message, report, split_debug


def wrapped(inner: BaseException) -> RuntimeError:
    try:
        try:
            raise inner
        except OSError as exc:
            raise RuntimeError("saving the checkpoint failed") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/runs/p/model.safetensors"), "while writing /runs/p/model"),
        (wrapped(OSError(errno.ENOSPC, "No space left on device", "/runs/p/x.bin")), "while writing /runs/p/x.bin"),
        (  # safetensors' Rust error carries no errno
            Exception('Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: "No space" })'),
            "No space left on the device while writing the run outputs",
        ),
        (  # torch.save
            RuntimeError(
                "[enforce fail at inline_container.cc:664] . PytorchStreamWriter failed writing file data/0: "
                "file write failed"
            ),
            "the disk is probably full",
        ),
        (PermissionError(errno.EACCES, "Permission denied", "/srv/runs"), "Cannot write /srv/runs: permission denied"),
        (OSError(errno.EROFS, "Read-only file system", "/mnt/ro/p"), "the file system is read-only"),
        (NotADirectoryError(errno.ENOTDIR, "Not a directory", "a.txt/p"), "part of that path is an existing file"),
    ],
)
def test_os_failures_name_their_cause(exc, expected):
    message = os_error_message(exc)
    assert message is not None and expected in message and "\n" not in message


def test_other_errors_are_not_os_failures():
    assert os_error_message(ValueError("bad value")) is None
    assert os_error_message(RuntimeError("CUDA error: device-side assert triggered")) is None


def test_report_exit_codes(capsys):
    assert report(OSError(errno.ENOSPC, "No space left on device", "f"), debug=False) == 5
    assert report(KeyError("x"), debug=False) == 1
    err = capsys.readouterr().err
    assert (
        [line[:6] for line in err.splitlines()] == ["Error:", "Error:"]
        and "Traceback" not in err
        and "unexpected failure (KeyError: 'x')" in err
    )


def test_debug_flag_and_variable(monkeypatch):
    monkeypatch.delenv("AITRAINING_DEBUG", raising=False)
    assert split_debug(["llm", "--debug", "--train"]) == (["llm", "--train"], True)
    assert split_debug(["llm"]) == (["llm"], False)
    monkeypatch.setenv("AITRAINING_DEBUG", "1")
    assert split_debug(["llm"]) == (["llm"], True)
