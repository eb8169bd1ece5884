"""--auto-convert-dataset: every input format becomes the same conversation; bad rows are named."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import datasets
import pytest

from aitraining.data.convert import convert_split, extend_conversations, target_for, to_conversation
from aitraining.data.formats import ColumnOverrides, detect
from aitraining.data.loading import LoadedData
from aitraining.errors import DataError
from aitraining.tasks.llm.auto_convert import convert_loaded

SYSTEM, USER, REPLY, WRONG = "Answer in one word.", "What goes with red?", "apple", "banana"
CONVERSATION = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": USER},
    {"role": "assistant", "content": REPLY},
]
SAME_CONVERSATION = {
    "messages": {"messages": CONVERSATION},
    "sharegpt": {
        "conversations": [
            {"from": "system", "value": SYSTEM},
            {"from": "human", "value": USER},
            {"from": "gpt", "value": REPLY},
        ]
    },
    "alpaca": {"instruction": USER, "input": "", "output": REPLY, "system": SYSTEM},
    "question/answer": {"system": SYSTEM, "question": USER, "answer": REPLY},
    "prompt/completion": {"system_prompt": SYSTEM, "prompt": USER, "completion": REPLY},
    "input/output": {"system": SYSTEM, "input": USER, "output": REPLY},
    "query/response": {"system": SYSTEM, "query": USER, "response": REPLY},
    "dpo strings": {"system": SYSTEM, "prompt": USER, "chosen": REPLY, "rejected": WRONG},
    "dpo messages": {
        "chosen": CONVERSATION,
        "rejected": [*CONVERSATION[:2], {"role": "assistant", "content": WRONG}],
    },
}


def to_sft(rows: list[dict], overrides: ColumnOverrides | None = None, extension: int = 1) -> datasets.Dataset:
    data = datasets.Dataset.from_list(rows)
    found = detect(data.column_names, data[0], overrides or ColumnOverrides(), "sft", "test data")
    return convert_split(data, found, target_for(found, "sft"), extension, "the train split of test data")


@pytest.mark.parametrize("name", list(SAME_CONVERSATION))
def test_every_format_converts_to_the_same_conversation(name):
    converted = to_sft([SAME_CONVERSATION[name]])
    assert converted.column_names == ["messages"]
    assert converted[0]["messages"] == CONVERSATION


def test_alpaca_input_is_appended_to_the_instruction():
    row = {"instruction": "Translate to French.", "input": "cheese", "output": "fromage"}
    assert to_sft([row])[0]["messages"] == [
        {"role": "user", "content": "Translate to French.\n\ncheese"},
        {"role": "assistant", "content": "fromage"},
    ]


def test_plain_text_stays_text():
    converted = to_sft([{"text": "one two three"}])
    assert converted.column_names == ["text"] and converted[0]["text"] == "one two three"


def test_column_overrides_beat_detection():
    row = {"sys": SYSTEM, "ask": USER, "say": REPLY, "question": "decoy", "answer": "decoy"}
    overrides = ColumnOverrides(system="sys", user="ask", assistant="say")
    assert to_sft([row], overrides)[0]["messages"] == CONVERSATION


def test_conversation_extension_merges_rows():
    rows = [{"question": f"q{i}", "answer": f"a{i}", "system": SYSTEM} for i in range(5)]
    merged = to_sft(rows, extension=2)
    assert len(merged) == 3
    first = merged[0]["messages"]
    assert [t["role"] for t in first] == ["system", "user", "assistant", "user", "assistant"]
    assert [t["content"] for t in first[1:]] == ["q0", "a0", "q1", "a1"]
    assert extend_conversations([[{"role": "user", "content": "x"}]], 3) == [[{"role": "user", "content": "x"}]]


def test_preference_rows_keep_pairs_and_put_the_system_prompt_in_the_prompt():
    data = datasets.Dataset.from_list([SAME_CONVERSATION["dpo strings"]])
    found = detect(data.column_names, data[0], ColumnOverrides(), "preference", "test data")
    pair = convert_split(data, found, "preference", 1, "test data")[0]
    assert pair == {"prompt": CONVERSATION[:2], "chosen": REPLY, "rejected": WRONG}
    question = datasets.Dataset.from_list([{"question": USER, "chosen": REPLY, "rejected": WRONG}])
    found = detect(question.column_names, question[0], ColumnOverrides(), "preference", "test data")
    assert found.columns == {"prompt": "question", "chosen": "chosen", "rejected": "rejected"}


def test_conversations_are_not_preference_data():
    data = datasets.Dataset.from_list([SAME_CONVERSATION["messages"]])
    with pytest.raises(DataError, match="no preference pairs"):
        detect(data.column_names, data[0], ColumnOverrides(), "preference", "test data")


SHAREGPT_OK = SAME_CONVERSATION["sharegpt"]
ALPACA_OK = {"instruction": "do it", "input": "", "output": "done"}
QA_OK = {"question": "q", "answer": "a"}


def sharegpt(*turns: tuple[str, object]) -> dict:
    return {"conversations": [{"from": who, "value": text} for who, text in turns]}


@pytest.mark.parametrize(
    ("good", "bad", "expected"),
    [
        (SHAREGPT_OK, sharegpt(("narrator", "x"), ("gpt", "y")), "message 1: unknown role 'narrator'"),
        (SHAREGPT_OK, sharegpt(("human", "  "), ("gpt", "y")), "message 1: 'value' is empty"),
        (SHAREGPT_OK, sharegpt(("human", 7), ("gpt", "y")), "'value' must be text, got int"),
        (SHAREGPT_OK, sharegpt(("human", "hi")), "no assistant reply"),
        (SHAREGPT_OK, {"conversations": ["hi", "there"]}, "message 1: expected an object"),
        (SHAREGPT_OK, {"conversations": "hi there"}, "expected a non-empty list of messages, got str"),
        (ALPACA_OK, {"instruction": 5, "input": "", "output": "x"}, "column 'instruction' must be text, got int"),
        (ALPACA_OK, {"instruction": "do it", "input": "", "output": ""}, "column 'output' is empty"),
        (QA_OK, {"question": "q", "answer": None}, "column 'answer' must be text, got nothing"),
    ],
)
def test_malformed_rows_name_the_row(good, bad, expected):
    # rows as the converter sees them (an Arrow column could not even hold some of these mixes)
    found = detect(list(good), good, ColumnOverrides(), "sft", "test data")
    to_conversation(good, found, "Row 1")
    with pytest.raises(DataError) as err:
        to_conversation(bad, found, "Row 2 of the train split of test data")
    message = str(err.value)
    assert "Row 2 of the train split of test data" in message and expected in message, message


def test_a_bad_row_in_a_dataset_is_named():
    rows = [SHAREGPT_OK, sharegpt(("human", "hi"), ("narrator", "y"))]
    with pytest.raises(DataError, match=r"Row 2 of the train split of test data, message 2: unknown role"):
        to_sft(rows)


def test_unrecognised_format_lists_columns_and_fixes():
    with pytest.raises(DataError, match=r"could not recognise .*colour, fruit.*--user-column"):
        to_sft([{"colour": "red", "fruit": "apple"}])


def params(**overrides):
    base = {
        "text_column": "text",
        "system_column": None,
        "user_column": None,
        "assistant_column": None,
        "prompt_text_column": None,
        "rejected_text_column": None,
        "conversation_extension": 1,
        "train_split": "train",
        "valid_split": "valid",
    }
    return SimpleNamespace(**(base | overrides))


def test_convert_loaded_reports_the_mapping_and_checks_the_validation_split(caplog):
    train = datasets.Dataset.from_list([SAME_CONVERSATION["alpaca"]] * 2)
    logger = logging.getLogger("test-formats")
    with caplog.at_level(logging.INFO, logger="test-formats"):
        loaded, converted = convert_loaded(LoadedData(train, train, "test data"), params(), "sft", logger)
    assert loaded.valid[0]["messages"] == CONVERSATION
    assert "alpaca (instruction/input/output): system -> system, instruction -> user" in caplog.text
    assert converted.summary in caplog.text
    bad_valid = datasets.Dataset.from_list([{"question": "q", "answer": "a"}])
    with pytest.raises(DataError, match="validation split lacks column"):
        convert_loaded(LoadedData(train, bad_valid, "test data"), params(), "sft", logger)
    with pytest.raises(DataError, match=r"Column 'nope' \(set by --user-column\) not found"):
        convert_loaded(LoadedData(train, None, "test data"), params(user_column="nope"), "sft", logger)


def test_converted_data_is_saved_for_inspection(tmp_path):
    train = datasets.Dataset.from_list([SAME_CONVERSATION["sharegpt"]])
    _, converted = convert_loaded(LoadedData(train, None, "d"), params(), "sft", logging.getLogger("t"))
    folder = converted.save(tmp_path)
    assert (folder / "train.jsonl").read_text().count("\n") == 1
    assert '"format": "sharegpt"' in (folder / "conversion.json").read_text()
