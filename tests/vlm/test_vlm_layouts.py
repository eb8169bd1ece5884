"""vlm reads the image commands' data layouts: a split folder with metadata.jsonl (the other tests), a CSV
with an image-path column, and a save_to_disk folder with an Image column."""

import csv
import json
import shutil

import pytest

from aitraining.cli.main import main


def csv_layout(square_data, tmp_path):
    """train.csv beside the images, paths relative to the file, the image column named 'picture'."""
    rows = [json.loads(line) for line in (square_data / "train" / "metadata.jsonl").read_text().splitlines()]
    folder = tmp_path / "csv"
    (folder / "pics").mkdir(parents=True)
    with (folder / "train.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["picture", "question", "answer"])
        writer.writeheader()
        for row in rows:
            shutil.copy(square_data / "train" / row["file_name"], folder / "pics" / row["file_name"])
            writer.writerow(
                {"picture": f"pics/{row['file_name']}", "question": row["question"], "answer": row["answer"]}
            )
    return folder, "picture", rows


def arrow_layout(square_data, tmp_path):
    """A DatasetDict saved with save_to_disk whose 'image' column holds datasets Images."""
    from datasets import Dataset, DatasetDict, Image

    rows = [json.loads(line) for line in (square_data / "train" / "metadata.jsonl").read_text().splitlines()]
    data = {
        "image": [str(square_data / "train" / r["file_name"]) for r in rows],
        "question": [r["question"] for r in rows],
        "answer": [r["answer"] for r in rows],
    }
    folder = tmp_path / "arrow"
    DatasetDict({"train": Dataset.from_dict(data).cast_column("image", Image())}).save_to_disk(str(folder))
    return folder, "image", rows


@pytest.mark.parametrize("layout", [csv_layout, arrow_layout])
def test_vlm_reads_csv_paths_and_saved_image_columns(vlm_models, square_data, tmp_path, capsys, layout):
    folder, column, rows = layout(square_data, tmp_path)
    argv = ["vlm", "--preview-data", "--model", str(vlm_models("llava")), "--data-path", str(folder)]
    argv += ["--image-column", column, "--prompt-text-column", "question", "--text-column", "answer"]
    code = main([*argv, "--preview-samples", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.count("--- sample") == 2 and "<image>×16" in captured.out
    assert f"[[{rows[0]['answer']}" in captured.out  # the first row's answer is what carries loss
    assert "0 dropped" in captured.out
