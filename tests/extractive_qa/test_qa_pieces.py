"""extractive-qa without training: answers parsing, SQuAD scoring, windows and span recovery, and the
errors bad input gives (before any model is loaded)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from qa_helpers import WINDOWS, cue_rows, train_args, write_rows

from aitraining.errors import DataError
from aitraining.tasks.extractive_qa.answers import parse_answers, squad_metrics
from aitraining.tasks.extractive_qa.windows import answer_positions, best_spans, encode_windows
from aitraining.testing import make_tiny_encoder


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    return make_tiny_encoder(tmp_path_factory.mktemp("enc"))


@pytest.fixture(scope="module")
def tokenizer(encoder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(encoder)


def test_answers_accept_mappings_json_text_and_single_values():
    assert parse_answers({"text": ["Paris"], "answer_start": [3]}).texts == ["Paris"]
    assert parse_answers('{"text": ["a", "b"], "answer_start": [0, 2]}').starts == [0, 2]
    assert parse_answers({"text": "Paris", "answer_start": 3}).starts == [3]
    assert parse_answers({"text": [], "answer_start": []}).empty
    for bad in (
        "{not json",
        {"text": ["a"]},
        {"text": ["a", "b"], "answer_start": [1]},
        {"text": [""], "answer_start": [0]},
    ):
        with pytest.raises(ValueError):
            parse_answers(bad)


def test_squad_scores_normalise_and_handle_no_answer():
    scores = squad_metrics(["The Eiffel Tower.", "eiffel", "", "x"], [["Eiffel Tower"], ["Eiffel Tower"], [], []])
    assert scores["exact_match"] == pytest.approx(2 / 4)  # normalised match, and the right "no answer"
    assert scores["f1"] == pytest.approx((1 + 2 / 3 + 1 + 0) / 4)


def test_windows_overlap_and_the_answer_is_recovered_from_logits(tokenizer):
    context = " ".join(["the cat sees a red ball today."] * 12) + " the code is seven."
    start_char = context.index("seven")
    windows = encode_windows(tokenizer, ["what is the code?"], [context], 64, 16)
    assert len(windows["input_ids"]) >= 3 and set(windows["example"]) == {0}
    pairs = zip(windows["offsets"], windows["cls"], strict=True)
    labels = [answer_positions(offsets, cls, start_char, start_char + 5) for offsets, cls in pairs]
    holding = [i for i, (s, _) in enumerate(labels) if s != windows["cls"][i]]
    assert holding and all(labels[i] == (windows["cls"][i],) * 2 for i in range(len(labels)) if i not in holding)
    # logits that point at the answer in the window holding it, and at CLS everywhere else
    starts, ends = [], []
    for i, (s, e) in enumerate(labels):
        start, end = np.zeros(len(windows["input_ids"][i]) + 5), np.zeros(len(windows["input_ids"][i]) + 5)
        start[s], end[e] = 8.0, 8.0
        start[len(windows["input_ids"][i]) :] = -100  # batch padding must be ignored
        starts.append(start)
        ends.append(end)
    (span,) = best_spans(starts, ends, windows, [context], max_answer_tokens=30, allow_empty=False)
    assert (span.text, span.start, span.end) == ("seven", start_char, start_char + 5)
    (empty,) = best_spans(starts, ends, windows, [context], max_answer_tokens=30, allow_empty=True)
    assert empty.text == "seven"  # the answer's window beats every window's "no answer"


def test_answer_start_outside_the_context_names_row_and_column(encoder, run_cli, tmp_path):
    rows = cue_rows(12)
    rows[4]["answers"] = {"text": ["seven"], "answer_start": [len(rows[4]["context"]) + 10]}
    data = write_rows(tmp_path / "d", rows)
    code, log = run_cli(*train_args(encoder, data, tmp_path / "p"))
    assert code == 2 and "Row 5 of the train split" in log and "outside the context" in log and "'answers'" in log
    assert not (tmp_path / "p").exists()


def test_answer_text_not_at_answer_start_says_where_it_is(encoder, run_cli, tmp_path):
    rows = cue_rows(12, unanswerable=0)
    answer = rows[2]["answers"]
    answer["answer_start"] = [answer["answer_start"][0] + 1]
    data = write_rows(tmp_path / "d", rows)
    code, log = run_cli(*train_args(encoder, data, tmp_path / "p"))
    assert code == 2 and "Row 3 of the train split" in log and "is not at answer_start" in log
    assert f"occurs at {answer['answer_start'][0] - 1}" in log


def write_csv(folder, rows, question_header="question"):
    folder.mkdir(exist_ok=True)
    with (folder / "train.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["context", question_header, "answers"])
        writer.writeheader()
        for row in rows:
            answers = json.dumps(row["answers"])
            writer.writerow({"context": row["context"], question_header: row["question"], "answers": answers})
    return folder


def test_csv_with_json_answers_and_a_missing_column(encoder, run_cli, tmp_path):
    rows = cue_rows(10, unanswerable=0)
    folder = write_csv(tmp_path / "csv", rows, question_header="query")
    argv = train_args(encoder, folder, tmp_path / "p")
    code, log = run_cli(*argv)
    assert code == 2 and "Column 'question' (set by question_column) not found" in log and "query" in log
    rows[6]["answers"]["answer_start"] = ["x"]
    write_csv(folder, rows, question_header="query")
    code, log = run_cli(*argv, "--question-column", "query")
    assert code == 2 and "Row 7 of the train split" in log and "answer_start that is not a whole number" in log


def test_stride_must_leave_room_and_long_questions_fail_clearly(encoder, run_cli, tmp_path, tokenizer):
    data = write_rows(tmp_path / "d", cue_rows(10))
    code, log = run_cli(
        *train_args(encoder, data, tmp_path / "p", "--max-seq-length", "128", "--max-doc-stride", "100")
    )
    assert code == 2 and "--max-doc-stride 100 must be at most half of --max-seq-length 128" in log
    with pytest.raises(DataError, match="no context fits beside it"):
        encode_windows(tokenizer, ["what is " * 30], ["some context"], 64, 16)


def test_all_unanswerable_is_refused(encoder, run_cli, tmp_path):
    data = write_rows(tmp_path / "d", cue_rows(10, unanswerable=1.0))
    code, log = run_cli(*train_args(encoder, data, tmp_path / "p", *WINDOWS))
    assert code == 2 and "nothing to learn" in log
