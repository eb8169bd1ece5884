"""object-detection: trains a tiny DETR, reloads, boxes in original coordinates; boxes and mAP unit checks."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import AutoImageProcessor, AutoModelForObjectDetection

from aitraining.tasks.object_detection.boxes import clip_boxes, parse_objects
from aitraining.tasks.object_detection.metrics import Detections, coco_map
from aitraining.testing.vision import make_tiny_detr, write_box_metadata


@pytest.fixture(scope="module")
def tiny_detr(tmp_path_factory):
    return make_tiny_detr(tmp_path_factory.mktemp("detr"))


def test_trains_reloads_and_returns_boxes_in_original_coordinates(run_cli, tiny_detr, tmp_path):
    data = write_box_metadata(tmp_path / "d", n=24)
    write_box_metadata(tmp_path / "d", n=8, split="valid", seed=1)
    project = tmp_path / "p"
    code, log = run_cli(
        "object-detection",
        "--train",
        "--model",
        tiny_detr,
        "--data-path",
        data,
        "--valid-split",
        "valid",
        "--project-name",
        project,
        "--epochs",
        "2",
        "--lr",
        "1e-3",
        "--batch-size",
        "4",
        "--image-square-size",
        "64",
    )
    assert code == 0, log
    assert "images without objects" in log
    metrics = json.loads((project / "metrics.json").read_text())
    final = metrics["final"]
    assert {"eval_map", "eval_map_50", "eval_map_75"} <= set(final), final
    losses = [e["loss"] for e in metrics["history"] if "loss" in e]
    assert losses[-1] < losses[0], losses
    processor = AutoImageProcessor.from_pretrained(project, backend="pil")
    model = AutoModelForObjectDetection.from_pretrained(project)
    image = Image.new("RGB", (200, 100), (128, 128, 128))
    with torch.no_grad():
        outputs = model(**processor(images=image, return_tensors="pt"))
    result = processor.post_process_object_detection(outputs, threshold=0.0, target_sizes=[(100, 200)])[0]
    boxes = result["boxes"]
    assert len(boxes) > 0
    assert boxes[:, 2].max() > 64 or boxes[:, 3].max() > 64 or boxes[:, 0].max() > 64  # not the 64-pixel frame
    assert float(boxes[:, [0, 2]].min()) >= -1 and float(boxes[:, [0, 2]].max()) <= 201
    assert float(boxes[:, [1, 3]].max()) <= 101
    code, out = run_cli("object-detection", "--predict", "--project-name", project, "--data-path", data / "valid")
    assert code == 0, out
    rows = [json.loads(line) for line in (project / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == 8 and {"image", "width", "height", "objects"} <= set(rows[0])


def test_preview_counts_clipped_and_dropped_boxes_and_bad_rows_name_the_row(run_cli, tmp_path):
    folder = tmp_path / "train"
    folder.mkdir()
    rows = [
        {"bbox": [[-10, 5, 30, 20], [50, 50, 10, 10]], "category": ["cat", "dog"]},  # clipped; fully outside
        {"bbox": [], "category": []},  # an image without objects
        {"bbox": [[1, 1, 5, 5]], "category": ["dog"]},
    ]
    for i in range(len(rows)):
        Image.new("RGB", (40, 40)).save(folder / f"{i}.png")
    lines = [json.dumps({"file_name": f"{i}.png", "objects": o}) for i, o in enumerate(rows)]
    (folder / "metadata.jsonl").write_text("\n".join(lines) + "\n")
    code, out = run_cli("object-detection", "--preview-data", "--data-path", tmp_path)
    assert code == 0, out
    assert "'boxes': 2, 'images_without_objects': 1" in out
    assert "train: 1 boxes clipped to their image, 1 degenerate dropped." in out
    lines[2] = json.dumps({"file_name": "2.png", "objects": {"bbox": [[1, 1, 5]], "category": ["dog"]}})
    (folder / "metadata.jsonl").write_text("\n".join(lines) + "\n")
    code, out = run_cli("object-detection", "--preview-data", "--data-path", tmp_path)
    assert code == 2 and "Row 3 of the train split" in out and "not four numbers" in out, out


def test_map_is_one_when_predictions_equal_truth():
    truth = [
        Detections([[1, 2, 10, 10], [20, 20, 5, 8]], [0, 1]),
        Detections([], []),
        Detections([[3, 3, 30, 20]], [1]),
    ]
    same = [Detections(t.boxes, t.labels, [1.0] * len(t.boxes)) for t in truth]
    assert coco_map(truth, same, 2) == {"map": 1.0, "map_50": 1.0, "map_75": 1.0}
    # shifted by a fifth of their width, every box has IoU 0.8/1.2 = 0.67: found at IoU 0.5, missed at 0.75
    shifted = [
        Detections([[b[0] + b[2] / 5, b[1], b[2], b[3]] for b in t.boxes], t.labels, [0.9] * len(t.boxes))
        for t in truth
    ]
    worse = coco_map(truth, shifted, 2)
    assert worse["map_50"] == pytest.approx(1.0) and worse["map_75"] == 0.0 and 0.0 < worse["map"] < 0.5
    assert coco_map(truth, [Detections([], [], []) for _ in truth], 2)["map"] == 0.0


def test_boxes_clipped_and_degenerate_dropped_with_counts():
    boxes, categories, counts = clip_boxes(
        [[-5, 0, 10, 10], [50, 50, 20, 20], [70, 0, 5, 5], [10, 10, 0, 5], [1, 1, 3, 3]], list("abcde"), 60, 60
    )
    assert boxes == [[0.0, 0.0, 5.0, 10.0], [50.0, 50.0, 10.0, 10.0], [1.0, 1.0, 3.0, 3.0]]
    assert categories == ["a", "b", "e"]
    assert (counts.boxes, counts.clipped, counts.dropped) == (5, 2, 2)
    assert clip_boxes([], [], 10, 10)[2].empty_images == 1


def test_objects_parsing_and_errors():
    assert parse_objects({"bbox": [[1, 2, 3, 4]], "category": [2]}) == ([[1.0, 2.0, 3.0, 4.0]], [2])
    assert parse_objects([{"bbox": [1, 2, 3, 4], "category": "cat"}]) == ([[1.0, 2.0, 3.0, 4.0]], ["cat"])
    assert parse_objects('{"bbox": [], "category": []}') == ([], [])
    for bad, words in [
        ({"bbox": [[1, 2, 3]], "category": ["a"]}, "four numbers"),
        ({"bbox": [[1, 2, 3, 4]], "category": []}, "1 boxes but 0 categories"),
        ({"boxes": []}, "is not"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_objects(bad)


def test_evaluation_path_scores_one_for_outputs_that_match_the_targets():
    """Targets as the processor encodes them (resized, normalised) and model outputs that put the right class
    on exactly those boxes must score mAP 1.0 in the original image's pixels."""
    from transformers.models.detr.image_processing_pil_detr import DetrImageProcessorPil

    from aitraining.tasks.object_detection.boxes import coco_target
    from aitraining.tasks.object_detection.task import evaluation_detections

    processor = DetrImageProcessorPil(size={"height": 64, "width": 64}, do_pad=False)
    images = [Image.new("RGB", (200, 100)), Image.new("RGB", (80, 120))]
    boxes = [[[10, 20, 50, 30], [120, 10, 60, 60]], [[5, 5, 40, 100]]]
    classes = [[0, 1], [1]]
    targets = [coco_target(i, b, c) for i, (b, c) in enumerate(zip(boxes, classes, strict=True))]
    labels = processor(images=images, annotations=targets, return_tensors="np")["labels"]
    queries = 3
    logits = np.full((2, queries, 3), -10.0)
    pred_boxes = np.zeros((2, queries, 4))
    for i, label in enumerate(labels):
        for q, (box, c) in enumerate(zip(label["boxes"], label["class_labels"], strict=True)):
            logits[i, q, c] = 10.0
            pred_boxes[i, q] = box
        logits[i, len(label["boxes"]) :, 2] = 10.0  # the remaining queries say "no object"
    truth, predicted = evaluation_detections(processor, [(logits, pred_boxes)], [labels])
    found = np.concatenate([np.asarray(t.boxes) for t in truth])
    assert found == pytest.approx(np.asarray([[10, 20, 50, 30], [120, 10, 60, 60], [5, 5, 40, 100]]), abs=0.01)
    assert coco_map(truth, predicted, 2) == pytest.approx({"map": 1.0, "map_50": 1.0, "map_75": 1.0})
