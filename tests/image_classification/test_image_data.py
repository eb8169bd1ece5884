"""Image data in the four layouts, lazy references, unreadable images counted / refused under --strict."""

import json
import logging

import datasets
import pytest
from PIL import Image

from aitraining.data.images import load_image_splits, open_image, scan_images
from aitraining.errors import DataError
from aitraining.testing.vision import write_colour_classes

LOG = logging.getLogger("test")


def load(path, **kw):
    args = {
        "train_split": "train",
        "valid_split": None,
        "max_samples": None,
        "image_column": "image",
        "target_column": "target",
    }
    return load_image_splits(str(path), **{**args, **kw})


def test_class_subfolders_hold_paths_not_pixels(tmp_path):
    write_colour_classes(tmp_path, n=6)
    write_colour_classes(tmp_path, n=4, split="valid")
    data = load(tmp_path, valid_split="valid")
    assert sorted(data.train["target"]) == ["blue"] * 3 + ["red"] * 3
    assert len(data.valid) == 4
    assert isinstance(data.train[0]["image"], str)  # a reference; decoded only when a batch needs it
    assert open_image(data.train[0]["image"]).size == (32, 32)
    with pytest.raises(DataError, match=r"No image split folder 'test'.*Split folders found: train, valid"):
        load(tmp_path, valid_split="test")


def test_metadata_jsonl_and_csv_with_relative_paths(tmp_path):
    folder = tmp_path / "train"
    folder.mkdir()
    for i in range(3):
        Image.new("RGB", (8, 8)).save(folder / f"{i}.png")
    (folder / "metadata.jsonl").write_text(
        "".join(json.dumps({"file_name": f"{i}.png", "target": i}) + "\n" for i in range(3))
    )
    data = load(tmp_path)
    assert data.train["target"] == [0, 1, 2] and data.train["image"][0] == str(folder / "0.png")
    csv = tmp_path / "rows.csv"
    csv.write_text("path,label\ntrain/0.png,a\ntrain/1.png,b\n")
    rows = load(csv, image_column="path", target_column="label").train
    assert [open_image(p).size for p in rows["path"]] == [(8, 8), (8, 8)]


def test_a_folder_with_a_data_file_is_read_from_the_file_not_as_class_folders(tmp_path):
    """train.csv beside an images/ subfolder: the rows are the file's, not one class named 'images'."""
    (tmp_path / "images").mkdir()
    for i in range(3):
        Image.new("RGB", (8, 8)).save(tmp_path / "images" / f"{i}.png")
    (tmp_path / "train.csv").write_text("image,target\nimages/0.png,a\nimages/2.png,b\n")
    rows = load(tmp_path).train
    assert rows["target"] == ["a", "b"] and rows["image"][1] == str(tmp_path / "images" / "2.png")


def test_saved_dataset_with_image_column_is_not_decoded(tmp_path):
    images = [Image.new("RGB", (4 + i, 4)) for i in range(3)]
    saved = datasets.Dataset.from_dict({"image": images, "target": ["a", "b", "a"]}).cast_column(
        "image", datasets.Image()
    )
    saved.save_to_disk(str(tmp_path / "saved"))
    rows = load(tmp_path / "saved").train
    assert set(rows[0]["image"]) == {"bytes", "path"}
    assert [open_image(r).size for r in rows["image"]] == [(4, 4), (5, 4), (6, 4)]


def test_unreadable_images_are_skipped_with_their_paths_or_refused_under_strict(tmp_path, caplog):
    write_colour_classes(tmp_path, n=6)
    broken = tmp_path / "train" / "red" / "broken.png"
    broken.write_bytes(b"not a png")
    data = load(tmp_path)
    with caplog.at_level(logging.WARNING):
        scan = scan_images(data.train, "image", "train", "folder", strict=False, logger=LOG)
    assert len(scan.kept) == 6 and len(scan.unreadable) == 1 and str(broken) in scan.unreadable[0]
    assert "Skipping 1 of 7 unreadable images" in caplog.text and str(broken) in caplog.text
    with pytest.raises(DataError, match=f"1 of 7 images .* cannot be opened and --strict is set: {broken}"):
        scan_images(data.train, "image", "train", "folder", strict=True, logger=LOG)


def test_preview_data_counts_images_per_class_and_unreadable(run_cli, tmp_path):
    write_colour_classes(tmp_path, n=6, colours=("red", "green", "blue"))
    (tmp_path / "train" / "red" / "broken.png").write_bytes(b"")
    code, out = run_cli("image-classification", "--preview-data", "--data-path", tmp_path)
    assert code == 0, out
    assert "6 readable images (1 unreadable skipped)" in out
    assert "3 classes, images per class: blue 2, green 2, red 2" in out
    code, out = run_cli("image-classification", "--preview-data", "--strict", "--data-path", tmp_path)
    assert code != 0 and "--strict is set" in out
