"""Turn any exception that reaches the CLI into one readable paragraph and an exit code.

Our own errors (`AitrainingError`) already carry their message. Operating-system errors (a full disk,
a folder that cannot be written) are named by what happened and which file, wherever they were raised.
Anything else is reported as an unexpected error in one line. The traceback is printed only with
`--debug` (or `AITRAINING_DEBUG=1`).
"""

from __future__ import annotations

import errno
import os
import sys

from aitraining.errors import AitrainingError

DEBUG_FLAG = "--debug"
DEBUG_ENV = "AITRAINING_DEBUG"
EXIT_OS_ERROR = 5
EXIT_UNEXPECTED = 1
DEBUG_HINT = f"Re-run with {DEBUG_FLAG} to see the full traceback."

_NO_SPACE = ("No space left on device", "StorageFull")  # OSError text; safetensors' Rust error
_WRITE_FAILED = "file write failed"  # torch.save's message when the disk fills up
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


def split_debug(argv: list[str]) -> tuple[list[str], bool]:
    """Remove every `--debug` from the arguments; debug is also on when AITRAINING_DEBUG is set."""
    rest = [a for a in argv if a != DEBUG_FLAG]
    env = os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")
    return rest, env or len(rest) != len(argv)


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind `exc` (itself, or its cause/context chain), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError) and current.errno is not None:
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _target(error: OSError | None) -> str:
    name = getattr(error, "filename", None)
    return f" {name}" if name else ""


def os_error_message(exc: BaseException) -> str | None:
    """A user message for a disk or permission problem, or None when `exc` is not one."""
    error = os_error_in(exc)
    code = error.errno if error is not None else None
    text = str(exc)
    if code == errno.ENOSPC or (error is None and any(s in text for s in _NO_SPACE)):
        return (
            f"No space left on the device while writing{_target(error) or ' the run outputs'}. Free some disk "
            "space, or pass a --project-name on a disk with room, and run again (add --overwrite to replace the "
            "unfinished project folder)."
        )
    if error is None and _WRITE_FAILED in text:
        first = text.strip().splitlines()[0]
        return (
            f"Writing the run outputs failed ({first}); the disk is probably full. Free some disk space, or pass "
            "a --project-name on a disk with room, and run again."
        )
    if error is None:
        return None
    if code in _DENIED:
        why = "the file system is read-only" if code == errno.EROFS else "permission denied"
        return (
            f"Cannot write{_target(error)}: {why}. Pass a --project-name in a folder you can write to, "
            "or change the folder's permissions."
        )
    if code == errno.ENOTDIR:
        return (
            f"Cannot use{_target(error)}: part of that path is an existing file, not a folder. "
            "Pass a --project-name (or other path) whose parent folders are folders."
        )
    return f"Operating-system error on{_target(error) or ' a file'}: {error.strerror or error}. Fix that and retry."


def report(exc: BaseException, *, debug: bool) -> int:
    """Print the message for `exc` on stderr (with the traceback under --debug); return the exit code."""
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, AitrainingError):
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    message = os_error_message(exc)
    if message is not None:
        print(f"Error: {message}" + ("" if debug else f" {DEBUG_HINT}"), file=sys.stderr)
        return EXIT_OS_ERROR
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    print(
        f"Error: unexpected failure ({detail}). This is likely a bug in aitraining or an upstream library. "
        + ("" if debug else DEBUG_HINT + " ")
        + "Please report it with that output.",
        file=sys.stderr,
    )
    return EXIT_UNEXPECTED
