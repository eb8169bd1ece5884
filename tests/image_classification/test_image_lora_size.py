"""--peft (LoRA with the head trained in full) and --image-size on a fixed-size ViT: the result still runs
under a plain pipeline at the new size; --augment only touches the train split."""

import json
import logging
import random

from PIL import Image
from transformers import AutoConfig, pipeline

from aitraining.engine.vision.augment import augment_image, augment_with_boxes
from aitraining.tasks.object_detection.boxes import clip_boxes
from aitraining.testing.vision import make_tiny_vit, write_colour_classes


def test_lora_at_a_new_image_size_runs_under_pipeline(run_cli, tmp_path):
    model = make_tiny_vit(tmp_path / "m")
    data = write_colour_classes(tmp_path / "d", n=40)
    project = tmp_path / "p"
    code, log = run_cli(
        "image-classification",
        "--train",
        "--model",
        model,
        "--data-path",
        data,
        "--project-name",
        project,
        "--peft",
        "--lora-r",
        "4",
        "--image-size",
        "48",
        "--augment",
        "--epochs",
        "3",
        "--lr",
        "5e-3",
    )
    assert code == 0, log
    assert "Images are processed at 48 pixels" in log
    assert (project / "adapter" / "adapter_config.json").is_file()
    assert AutoConfig.from_pretrained(project).image_size == 48
    assert json.loads((project / "preprocessor_config.json").read_text())["size"] == {"height": 48, "width": 48}
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert final["eval_accuracy"] > 0.7, final  # chance is 1/2
    result = pipeline("image-classification", model=str(project))(Image.new("RGB", (100, 60), (220, 40, 40)))
    assert {r["label"] for r in result} == {"red", "blue"}


def test_augmentations_keep_boxes_on_the_object():
    image = Image.new("RGB", (100, 80), (0, 0, 0))
    image.paste((255, 255, 255), (60, 20, 90, 50))  # the object: x 60..90, y 20..50
    for seed in range(20):
        out, boxes = augment_with_boxes(image, [[60.0, 20.0, 30.0, 30.0]], random.Random(seed))
        boxes, _, counts = clip_boxes(boxes, ["square"], out.width, out.height)
        if counts.dropped:
            continue
        x, y, w, h = boxes[0]
        inside = out.crop((max(0, int(x) + 2), max(0, int(y) + 2), int(x + w) - 2, int(y + h) - 2))
        if inside.width > 2 and inside.height > 2:
            assert min(inside.convert("L").getdata()) > 150, (seed, boxes)  # still on the white square
    sizes = {augment_image(image, random.Random(seed)).size for seed in range(10)}
    assert len(sizes) > 1 and all(w <= 100 and h <= 80 for w, h in sizes)  # random crops of the image


def test_augment_changes_training_batches_only(tmp_path):
    import datasets
    import torch

    from aitraining.engine.vision.processor import load_image_processor
    from aitraining.tasks.image_classification.params import ImageClassificationParams
    from aitraining.tasks.image_classification.task import ImageClassification, ImageClassificationState

    model = make_tiny_vit(tmp_path / "m")
    data = write_colour_classes(tmp_path / "d", n=4)
    rows = datasets.Dataset.from_dict(
        {"image": [str(p) for p in sorted((data / "train").rglob("*.png"))], "target": ["blue", "blue", "red", "red"]}
    )
    params = ImageClassificationParams(model=str(model), augment=True)
    task, processor = ImageClassification(), load_image_processor(str(model))
    state = ImageClassificationState(
        params=params, logger=logging.getLogger("test"), processor=processor, unreadable={}, labels=("blue", "red")
    )
    plain = processor(images=[Image.open(p).convert("RGB") for p in rows["image"]], return_tensors="pt")
    valid = task.preprocess(rows, state, "valid")
    train = task.preprocess(rows, state, "train")
    assert torch.equal(torch.stack([valid[i]["pixel_values"] for i in range(4)]), plain["pixel_values"])
    assert not torch.equal(torch.stack([train[i]["pixel_values"] for i in range(4)]), plain["pixel_values"])
