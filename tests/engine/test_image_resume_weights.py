"""Resuming an image command restores every weight: transformers 5 saves ViT and DETR under other names than
their modules carry, and the Trainer's own checkpoint load (strict=False) skipped those silently."""

import pytest
import torch

from aitraining.testing.vision import make_tiny_detr, make_tiny_vit, torch_threads

CASES = [
    ("image_classification", "ImageClassification", make_tiny_vit, "AutoModelForImageClassification"),
    ("object_detection", "ObjectDetection", make_tiny_detr, "AutoModelForObjectDetection"),
]


@pytest.mark.parametrize(("package", "task_class", "factory", "auto"), CASES)
def test_resume_loads_the_checkpoint_weights_under_their_saved_names(tmp_path, package, task_class, factory, auto):
    import importlib

    import transformers

    auto_class = getattr(transformers, auto)
    task = getattr(importlib.import_module(f"aitraining.tasks.{package}.task"), task_class)()
    saved = factory(tmp_path / "checkpoint", seed=1)
    fresh = auto_class.from_pretrained(factory(tmp_path / "fresh", seed=2))
    expected = auto_class.from_pretrained(saved).state_dict()
    assert any(not torch.equal(fresh.state_dict()[k], v) for k, v in expected.items())  # the seeds differ
    with torch_threads(1):
        args = transformers.TrainingArguments(str(tmp_path / "out"), report_to=[], use_cpu=True)
        trainer = task.trainer_class()(model=fresh, args=args)
        trainer._load_from_checkpoint(str(saved))
    loaded = trainer.model.state_dict()
    differing = [k for k, v in expected.items() if not torch.equal(loaded[k], v)]
    assert not differing, f"{len(differing)} of {len(expected)} weights not restored, e.g. {differing[:3]}"
