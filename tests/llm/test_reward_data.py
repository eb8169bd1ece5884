"""Reward data (issue 9, item 6): a clear error without the rejected column, prompts capped so answers keep
room, pairs identical after truncation dropped and counted, and --prompt-text-column honoured."""

from __future__ import annotations

import json
import logging

import pytest
from transformers import AutoTokenizer

from aitraining.cli.main import main
from aitraining.errors import DataError
from aitraining.tasks.llm import prep_pref
from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.llm.trainers import preference

COLS = {"prompt": "prompt", "chosen": "chosen", "rejected": "rejected"}
LONG_PROMPT = " ".join(["one two three four five six seven eight nine ten"] * 6)


@pytest.fixture
def tok(tiny_lm):
    return AutoTokenizer.from_pretrained(tiny_lm)


def reward_limits(total: int) -> prep_pref.PrefLimits:
    return prep_pref.PrefLimits(prompt=None, completion=None, total=total)  # what reward uses


def test_reward_without_rejected_column_is_the_dpo_error(capsys, tiny_lm, tmp_path):
    for trainer in ("dpo", "reward"):
        code = main(["llm", "--train", "--trainer", trainer, "--model", str(tiny_lm), "--data-path", str(tmp_path)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert f"--trainer {trainer} needs preference data columns: pass " in err and "--rejected-text-column" in err
        assert "Traceback" not in err and "KeyError" not in err
    assert "--prompt-text-column" not in err  # optional for reward: chosen/rejected may be whole texts


def test_long_prompts_leave_each_answer_room(tok):
    from datasets import Dataset

    answer = " red blue green black white"
    rows = Dataset.from_list([{"prompt": LONG_PROMPT, "chosen": answer, "rejected": " sky sea"}] * 3)
    total = 24
    data, report = prep_pref.prepare(rows, COLS, tok, reward_limits(total), "train", "data")
    full_answer = len(tok(answer, add_special_tokens=False)["input_ids"]) + 2  # + <|im_end|> and the header
    for row in data:
        assert len(row["prompt_ids"]) + len(row["chosen_ids"]) <= total
        assert len(row["prompt_ids"]) + len(row["rejected_ids"]) <= total
        assert len(row["chosen_ids"]) >= min(full_answer - 2, total // 2)  # not one token
    assert report.prompts_cut == 3
    assert "3 prompts cut from the left to leave the answers room (sequences hold 24 tokens)" in report.message(
        reward_limits(total)
    )


def test_pairs_identical_after_truncation_are_dropped_and_counted(tok):
    from datasets import Dataset

    same_start = [{"prompt": "Say it.", "chosen": " one two three four five", "rejected": " one two three four six"}]
    differ = [{"prompt": "Say it.", "chosen": " red", "rejected": " blue"}]
    rows = Dataset.from_list(same_start * 2 + differ)
    limits = reward_limits(8)  # the prompt is cut to 4 tokens, each answer keeps 4: " one two three four"
    data, report = prep_pref.prepare(rows, COLS, tok, limits, "train", "data")
    assert (report.rows, report.dropped, len(data)) == (1, 2, 1)
    assert "2 pairs dropped because chosen and rejected were identical after truncation" in report.message(limits)
    with pytest.raises(DataError, match="No train preference pairs are left"):
        prep_pref.prepare(Dataset.from_list(same_start), COLS, tok, limits, "train", "data")


def test_prompt_text_column_reaches_the_reward_trainer(capsys, tiny_lm, tmp_path, caplog):
    data = tmp_path / "pairs"
    data.mkdir()
    rows = [{"question": f"Colour {i}?", "good": " red", "bad": " blue"} for i in range(4)]
    (data / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    argv = ["llm", "--explain", "--trainer", "reward", "--model", str(tiny_lm), "--data-path", str(data)]
    argv += ["--prompt-text-column", "question", "--text-column", "good", "--rejected-text-column", "bad"]
    assert main(argv) == 0
    assert "prompt_text_column" not in capsys.readouterr().err  # no 'ignored' warning
    params = LLMParams(
        trainer="reward",
        model=str(tiny_lm),
        data_path=str(data),
        prompt_text_column="question",
        text_column="good",
        rejected_text_column="bad",
    )
    with caplog.at_level(logging.INFO):
        loaded = preference.load_data(params, logging.getLogger("reward-test"))
    assert loaded.columns == {"prompt": "question", "chosen": "good", "rejected": "bad"}
    assert "reward: prompt taken from column 'question'." in caplog.text
