"""Fast checks of the multi-process plumbing: launcher arguments, backends, who may run distributed."""

import json
import logging

import pytest

from aitraining.engine import distributed
from aitraining.errors import NotAvailableError, ParamError
from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.tabular.params import TabularParams

ARGV = ["llm", "--train", "--model", "m", "--data-path", "d", "--num-processes", "2"]


@pytest.fixture
def two_ranks(monkeypatch):
    """This process as rank 1 of 2, as a launcher would start it."""
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("LOCAL_RANK", "1")


def parsed_by_accelerate(args):
    from accelerate.commands.launch import launch_command_parser

    return launch_command_parser().parse_args(args)


def test_launch_args_run_the_same_command_through_accelerate():
    params = LLMParams(num_processes=2)
    args = distributed.launch_args(params, ARGV, distributed.planned_processes(params))
    parsed = parsed_by_accelerate(args)
    assert parsed.multi_gpu and parsed.num_processes == 2 and parsed.num_machines == 1
    assert parsed.main_process_port == 0  # a free port, so two runs on one machine do not collide
    assert parsed.module and parsed.training_script == "aitraining" and parsed.training_script_args == ARGV
    assert args[-len(ARGV) - 2 :] == ["-m", "aitraining", *ARGV]


def test_multi_node_flags_are_passed_through():
    params = LLMParams(num_processes=4, num_machines=2, machine_rank=1, main_process_ip="10.0.0.1")
    parsed = parsed_by_accelerate(distributed.launch_args(params, ARGV, 4))
    assert parsed.num_processes == 8  # accelerate counts every machine's processes
    assert (parsed.num_machines, parsed.machine_rank, parsed.main_process_ip) == (2, 1, "10.0.0.1")
    assert parsed.main_process_port == distributed.DEFAULT_MULTI_NODE_PORT


def test_multi_node_needs_the_main_ip():
    with pytest.raises(ParamError, match="--main-process-ip"):
        distributed.launch_args(LLMParams(num_machines=2), ARGV, 1)
    with pytest.raises(ParamError, match="--machine-rank 2 must be below --num-machines 2"):
        distributed.launch_args(LLMParams(num_machines=2, machine_rank=2, main_process_ip="h"), ARGV, 1)


def test_default_is_one_process_on_cpu_and_relaunch_only_outside_a_launcher(monkeypatch):
    monkeypatch.setattr(distributed, "visible_gpus", lambda: 0)
    assert distributed.planned_processes(LLMParams()) == 1 and not distributed.needs_launch(LLMParams())
    monkeypatch.setattr(distributed, "visible_gpus", lambda: 4)
    assert distributed.planned_processes(LLMParams()) == 4  # every visible GPU
    assert distributed.needs_launch(LLMParams(num_processes=2))
    with pytest.raises(ParamError, match="--num-processes 8 needs a GPU per process and 4 are visible"):
        distributed.planned_processes(LLMParams(num_processes=8))
    assert not distributed.needs_launch(TabularParams())
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert not distributed.needs_launch(LLMParams(num_processes=2))  # already started by a launcher


def test_ppo_stays_in_one_process(monkeypatch):
    monkeypatch.setattr(distributed, "visible_gpus", lambda: 4)
    assert distributed.planned_processes(LLMParams(trainer="ppo")) == 1
    with pytest.raises(ParamError, match="--trainer ppo trains in one process"):
        distributed.planned_processes(LLMParams(trainer="ppo", num_processes=2))


def test_what_cannot_run_distributed_says_so(two_ranks):
    with pytest.raises(NotAvailableError, match="'aitraining tabular' trains in one process"):
        distributed.check_supported(TabularParams(), "tabular")
    with pytest.raises(NotAvailableError, match=r"ppo trains in one process.*without accelerate launch"):
        distributed.check_supported(LLMParams(trainer="ppo"), "llm")
    distributed.check_supported(LLMParams(), "llm")


def test_launcher_process_count_wins(monkeypatch, caplog):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    logger = logging.getLogger("aitraining")
    logger.addHandler(caplog.handler)  # our logger does not propagate once the console is set up
    try:
        distributed.check_supported(LLMParams(num_processes=4), "llm")
    finally:
        logger.removeHandler(caplog.handler)
    assert "--num-processes 4 is ignored: the launcher started 2 processes" in caplog.text


def test_a_plain_process_says_fsdp_is_ignored(monkeypatch, caplog):
    for name in ("WORLD_SIZE", "LOCAL_RANK", "RANK"):
        monkeypatch.delenv(name, raising=False)
    logger = logging.getLogger("aitraining")
    logger.addHandler(caplog.handler)
    try:
        distributed.check_supported(LLMParams(distributed_backend="fsdp"), "llm")
        assert "--distributed-backend fsdp is ignored" in caplog.text
        caplog.clear()
        distributed.check_supported(LLMParams(), "llm")
    finally:
        logger.removeHandler(caplog.handler)
    assert "ignored" not in caplog.text


def test_deepspeed_missing_is_a_clear_error():
    pytest.importorskip("accelerate")
    try:
        import deepspeed  # noqa: F401

        pytest.skip("deepspeed is installed here")
    except ImportError:
        pass
    with pytest.raises(NotAvailableError, match="needs the deepspeed package: pip install deepspeed"):
        distributed.check_backend(LLMParams(distributed_backend="deepspeed"))


def test_backend_keywords(two_ranks, monkeypatch, tmp_path):
    monkeypatch.setattr(distributed, "_has_cuda", lambda: False)
    assert distributed.backend_kwargs(LLMParams())["ddp_backend"] == "gloo"
    fsdp = distributed.backend_kwargs(LLMParams(distributed_backend="fsdp"))
    assert fsdp["fsdp"] is True and fsdp["fsdp_config"]["auto_wrap_policy"] == "TRANSFORMER_BASED_WRAP"
    zero = distributed.backend_kwargs(LLMParams(distributed_backend="deepspeed"))["deepspeed"]
    assert zero["zero_optimization"]["stage"] == 3
    own = tmp_path / "fsdp.json"
    own.write_text(json.dumps({"version": 2, "cpu_offload": True}))
    given = distributed.backend_kwargs(LLMParams(distributed_backend="fsdp", fsdp_config=str(own)))
    assert given["fsdp_config"] == {"version": 2, "cpu_offload": True, "activation_checkpointing": True}
    assert not any(v for k, v in given.items() if k.endswith("_checkpointing"))  # FSDP's own instead
    plain = distributed.backend_kwargs(
        LLMParams(distributed_backend="fsdp", fsdp_config=str(own), disable_gradient_checkpointing=True)
    )
    assert plain["fsdp_config"] == {"version": 2, "cpu_offload": True}
    assert distributed.sharded(LLMParams(distributed_backend="fsdp")) and not distributed.sharded(LLMParams())


def test_one_process_gets_no_backend_keywords():
    assert distributed.backend_kwargs(LLMParams(distributed_backend="fsdp")) == {}
    assert distributed.device_map() == {"": 0} and distributed.is_main()  # never "auto" (test_gpu_path_fixes)


def test_quantized_model_goes_to_this_rank_gpu(two_ranks):
    assert distributed.device_map() == {"": 1}
    assert not distributed.is_main() and not distributed.prints_resolve_warnings()


def test_bad_config_files_name_file_and_line(tmp_path):
    bad = tmp_path / "ds.json"
    bad.write_text('{\n  "zero_optimization": {"stage": 3,}\n}\n')
    with pytest.raises(ParamError, match=r"--deepspeed-config .*ds.json: not valid JSON \(line 2, column"):
        distributed.check_backend(LLMParams(deepspeed_config=str(bad)))
    with pytest.raises(ParamError, match=r"--fsdp-config .*missing.json: no such file"):
        distributed.check_backend(LLMParams(fsdp_config=str(tmp_path / "missing.json")))


def test_effective_batch_line(two_ranks):
    line = distributed.effective_batch_line(LLMParams(batch_size=3, gradient_accumulation=4))
    assert line.startswith("Effective batch size: 24 (--batch-size 3 per process")


def test_cli_rejects_ppo_on_two_processes(run_cli, tmp_path):
    code, out = run_cli(
        "llm", "--train", "--trainer", "ppo", "--rl-reward-model-path", "r", "--model", "m", "--data-path", "d",
        "--project-name", tmp_path / "p", "--num-processes", "2",
    )  # fmt: skip
    assert code == 2 and "--num-processes 2: --trainer ppo trains in one process" in out
    assert not (tmp_path / "p").exists()


def test_autotrain_distributed_backend_key(tmp_path):
    from aitraining.config import load_config_file, resolve
    from aitraining.tasks.registry import TASKS

    for value, expected in (("deepspeed", "deepspeed"), ("null", "ddp")):
        config = tmp_path / "c.yml"
        config.write_text(f"task: llm-sft\nbase_model: m\nparams:\n  distributed_backend: {value}\n")
        resolved = resolve(TASKS["llm"], {}, load_config_file(config))
        assert resolved.params.distributed_backend == expected


def test_a_failed_process_is_named_once(two_ranks):
    from types import SimpleNamespace

    from aitraining.errors import AitrainingError

    failed = Exception("child failed")
    failed.failures = {1: SimpleNamespace(exitcode=-15), 0: SimpleNamespace(exitcode=2)}
    assert distributed._first_failure(failed) == ("rank 0", 2)
    assert distributed.quiet_failure(AitrainingError("same check on every rank"))  # this is rank 1
    assert not distributed.quiet_failure(RuntimeError("only here"))
