"""Two worker processes run the same sweep command on one SQLite study: the trials are shared out (n in all,
each in its own folder) and both workers end with the complete table."""

import json
import subprocess
import time

import optuna
from sweep_helpers import check_results, cli_command, sft_argv


def test_two_workers_share_one_study(tiny_lm, small_chat, tmp_path):
    project = tmp_path / "shared"
    space = json.dumps({"lr": [3e-4, 1e-3, 3e-3]})
    argv = sft_argv(tiny_lm, small_chat, project, "--sweep-n-trials", "2", "--sweep-params", space)
    workers = []
    for _ in range(2):
        workers.append(subprocess.Popen(cli_command(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        time.sleep(0.5)
    outputs = [w.communicate(timeout=600)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    study = optuna.load_study(study_name="aitraining-shared", storage=f"sqlite:///{project / 'sweep.db'}")
    assert len(study.trials) == 2 and all(t.state.name == "COMPLETE" for t in study.trials)
    ran_by = {t.system_attrs["aitraining_worker"] for t in study.trials}
    assert len(ran_by) == 2, ran_by  # one trial each: both started before either finished
    rows = check_results(project, "eval_loss", n_complete=2)
    assert sorted(r["folder"] for r in rows) == [str(project / "trials" / f"trial-{n:03d}") for n in (0, 1)]
