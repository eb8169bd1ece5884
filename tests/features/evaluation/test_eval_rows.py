"""Evaluation rows read through each trainer's own loader: prompts and references per data format."""

import json
import logging

import pytest

from aitraining.errors import DataError
from aitraining.features.evaluation.data import load_rows
from aitraining.features.evaluation.run import plan
from aitraining.tasks.llm.params import LLMParams
from aitraining.testing import write_chat_dataset, write_preference_dataset, write_text_corpus

LOG = logging.getLogger("test")


def params(data, **kwargs):
    return LLMParams(model="m", data_path=str(data), valid_split="valid", use_enhanced_eval=True, **kwargs)


def test_sft_chat_rows_split_at_the_last_assistant_reply(tmp_path):
    data = write_chat_dataset(tmp_path, n_train=4, n_valid=3, style="messages", with_system=True)
    rows = load_rows(params(data, trainer="sft"), LOG)
    first = json.loads((data / "valid.jsonl").read_text().splitlines()[0])["messages"]
    assert len(rows.examples) == 3 and "split valid" in rows.source
    assert rows.examples[0].prompt == first[:-1] and rows.examples[0].reference == first[-1]["content"]


def test_dpo_rows_take_the_chosen_answer_as_reference(tmp_path):
    data = write_preference_dataset(tmp_path, n_train=4, n_valid=2)
    p = params(data, trainer="dpo", prompt_text_column="prompt", text_column="chosen", rejected_text_column="rejected")
    row = json.loads((data / "valid.jsonl").read_text().splitlines()[0])
    example = load_rows(p, LOG).examples[0]
    assert (example.prompt, example.reference) == (row["prompt"], row["chosen"])


def test_eval_dataset_path_is_read_with_the_training_checks(tmp_path):
    data = write_chat_dataset(tmp_path / "train", n_train=4, n_valid=2, style="prompt_completion")
    other = tmp_path / "other.jsonl"
    other.write_text('{"prompt": "Question: red\\nAnswer:", "completion": " apple"}\n{"prompt": oops}\n')
    with pytest.raises(DataError, match=r"other\.jsonl.*line 2"):
        load_rows(params(data, trainer="sft", eval_dataset_path=str(other)), LOG)
    other.write_text('{"prompt": "Question: red\\nAnswer:", "completion": " apple"}\n')
    rows = load_rows(params(data, trainer="sft", eval_dataset_path=str(other)), LOG)
    assert [(e.prompt, e.reference) for e in rows.examples] == [("Question: red\nAnswer:", " apple")]


def test_generation_metrics_on_plain_text_rows_fail_before_training(tmp_path):
    data = write_text_corpus(tmp_path, n_train=4, n_valid=2)
    with pytest.raises(DataError, match="plain text"):
        plan(params(data, trainer="sft", eval_metrics=["f1"]), LOG)
    assert plan(params(data, trainer="generic"), LOG).rows.examples[0].prompt is None


def test_bertscore_folder_that_is_no_encoder_fails_before_training(tmp_path):
    from aitraining.errors import ParamError

    data = write_chat_dataset(tmp_path / "d", n_train=4, n_valid=2, style="prompt_completion")
    (tmp_path / "enc").mkdir()
    p = params(data, trainer="sft", eval_metrics=["bertscore"], eval_bertscore_model=str(tmp_path / "enc"))
    with pytest.raises(ParamError, match="not a loadable encoder folder"):
        plan(p, LOG)
