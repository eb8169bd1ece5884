"""The console callback: one bar plus metric lines on a terminal, plain lines elsewhere, same lines in the log."""

from types import SimpleNamespace

import pytest

from aitraining.engine import logs


def state(step, max_steps=100):
    return SimpleNamespace(
        global_step=step, max_steps=max_steps, is_world_process_zero=True, best_model_checkpoint=None,
        best_global_step=None, best_metric=None, log_history=[],
    )  # fmt: skip


ARGS = SimpleNamespace(load_best_model_at_end=False, metric_for_best_model=None)


@pytest.fixture
def log_file(tmp_path):
    logs.setup_console()
    handler = logs.attach_file(tmp_path / "training.log")
    yield tmp_path / "training.log"
    logs.detach(handler)


def drive(callback):
    callback.on_train_begin(ARGS, state(0), None)
    for step in range(1, 11):
        callback.on_step_end(ARGS, state(step), None)
        if step % 5 == 0:
            callback.on_log(ARGS, state(step), None, logs={"loss": 1.0 / step, "learning_rate": 1e-3, "epoch": 0.1})
    callback.on_log(ARGS, state(10), None, logs={"eval_loss": 0.5, "eval_runtime": 1.0, "epoch": 0.1})
    callback.on_train_end(ARGS, state(10), None)


@pytest.mark.parametrize("terminal", [False, True])
def test_console_lines(capsys, log_file, terminal):
    drive(logs._console_callback()(bar=terminal))
    err = capsys.readouterr().err
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.startswith("step ")]
    assert [line.split(" |")[0] for line in lines] == ["step 5/100", "step 10/100", "step 10/100"]
    assert "eval_loss 0.5000" in lines[-1] and "eval_runtime" not in err and "elapsed" in lines[0]
    assert "~" in lines[0] and "left" in lines[0]  # an estimate of the time left
    written = log_file.read_text()
    assert all(line.split(" | ")[0] in written for line in lines) and "\x1b" not in written
    if terminal:
        assert "%|" in err and err.count("| 0/100") == 1  # the one training bar was drawn
    else:
        assert "\r" not in err and "\x1b" not in err and "%|" not in err  # no bar at all


def test_timing_text():
    assert logs.timing(0, 100, 3.0) == "00:03 elapsed"
    assert logs.timing(25, 100, 30.0) == "00:30 elapsed, ~01:30 left"
    assert logs.timing(100, 100, 4000.0) == "1:06:40 elapsed"


def test_console_is_terminal_follows_stderr(monkeypatch):
    monkeypatch.setattr("sys.stderr", SimpleNamespace(isatty=lambda: True))
    assert logs.console_is_terminal()
    monkeypatch.setattr("sys.stderr", SimpleNamespace(isatty=lambda: False))
    assert not logs.console_is_terminal()
