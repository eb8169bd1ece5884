"""Benchmark rows in every recognised shape, and the errors for bad files and named benchmarks."""

import json

import pytest

from aitraining.errors import DataError, ParamError
from aitraining.features.evaluation.benchmarks import benchmark_files, load_benchmarks, parse_row, read_items

PLAIN = {"question": "What goes with red?", "choices": ["apple", "sky"], "answer": 0}
MMLU_LETTER = {"question": "2+2?", "choices": ["3", "4", "5", "6"], "answer": "B", "subject": "math"}
ARC_ORIGINAL = {
    "question": {
        "stem": "Which is a fruit?",
        "choices": [{"text": "rock", "label": "A"}, {"text": "pear", "label": "B"}],
    },
    "answerKey": "B",
}
ARC_HUB = {"question": "Which is hot?", "choices": {"text": ["ice", "fire"], "label": ["1", "2"]}, "answerKey": "2"}
HELLASWAG = {
    "activity_label": "Baking",
    "ctx_a": "She puts the tray in the oven.",
    "ctx_b": "she",
    "ctx": "She puts the tray in the oven. she",
    "endings": ["waits for the cake [title] to rise.", "eats the oven."],
    "label": "0",
}


def test_field_name_variants_parse():
    plain = parse_row(PLAIN, "x:1")
    assert plain.context == "Question: What goes with red?\nAnswer:"
    assert (plain.choices, plain.answer) == (("apple", "sky"), 0)
    assert parse_row(MMLU_LETTER, "x:2").answer == 1
    arc = parse_row(ARC_ORIGINAL, "x:3")
    assert (arc.question, arc.choices, arc.answer) == ("Which is a fruit?", ("rock", "pear"), 1)
    assert parse_row(ARC_HUB, "x:4").answer == 1  # numeric labels "1".."4" are labels, not indices
    swag = parse_row(HELLASWAG, "x:5")
    # lm-eval: activity_label + ": " + ctx_a + " " + ctx_b.capitalize(), "[title]" markers cleaned
    assert swag.context == "Baking: She puts the tray in the oven. She"
    assert swag.choices == ("waits for the cake. to rise.", "eats the oven.")
    assert swag.answer == 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"question": "q", "choices": ["a", "b"], "answer": 5}, "names none of the 2 choices"),
        ({"question": "q", "choices": ["a"], "answer": 0}, "at least two"),
        ({"question": "", "choices": ["a", "b"], "answer": 0}, "field 'question'"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_bad_rows_name_the_problem(row, message):
    with pytest.raises(DataError, match=message):
        parse_row(row, "bench.jsonl:3")


def test_bad_json_line_names_file_and_line(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps(PLAIN) + "\n{not json\n")
    with pytest.raises(DataError, match=r"b\.jsonl:2: not valid JSON"):
        read_items(path)


def test_folder_holds_one_benchmark_per_file(tmp_path):
    (tmp_path / "arc.jsonl").write_text(json.dumps(ARC_HUB) + "\n")
    (tmp_path / "mmlu.jsonl").write_text(json.dumps(MMLU_LETTER) + "\n\n" + json.dumps(PLAIN) + "\n")
    loaded = load_benchmarks(str(tmp_path))
    assert {k: len(v) for k, v in loaded.items()} == {"arc": 1, "mmlu": 2}


def test_named_benchmark_that_is_not_a_local_path_says_where_to_put_the_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParamError) as err:
        benchmark_files("mmlu")
    text = str(err.value)
    assert "local files only" in text and "./benchmarks/mmlu.jsonl" in text and '"choices"' in text
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParamError, match=r"no \.jsonl files"):
        benchmark_files("empty")
