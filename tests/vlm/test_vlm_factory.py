"""The offline factories: each family loads with AutoModelForImageTextToText and its processor, is small, and
expands an image to the number of tokens its scheme says."""

import pytest
from transformers import AutoModelForImageTextToText, AutoProcessor

from aitraining.engine.vision.multimodal import load_processor
from aitraining.tasks.vlm.encode import encode
from aitraining.testing.vlm import square_image

# family -> (model class, image tokens per image: LLaVA (28/7)^2 patches, Qwen2-VL (56/14)^2 patches / 2x2 merge,
# PaliGemma its image_seq_length)
EXPECTED = {
    "llava": ("LlavaForConditionalGeneration", 16),
    "qwen2_vl": ("Qwen2VLForConditionalGeneration", 4),
    "paligemma": ("PaliGemmaForConditionalGeneration", 16),
}


@pytest.mark.parametrize("family", list(EXPECTED))
def test_family_loads_offline_and_is_tiny(vlm_models, family):
    folder = vlm_models(family)
    model = AutoModelForImageTextToText.from_pretrained(folder)
    cls, tokens = EXPECTED[family]
    assert type(model).__name__ == cls
    assert sum(p.numel() for p in model.parameters()) < 2_000_000
    processor = load_processor(str(folder))
    encoded = encode(processor, [square_image("red")], "What colour is the square?", "red")
    assert encoded.image_tokens == tokens


def test_llava_loads_with_plain_auto_processor(vlm_models):
    processor = AutoProcessor.from_pretrained(vlm_models("llava"))
    assert type(processor).__name__ == "LlavaProcessor" and processor.chat_template


def test_qwen2_vl_without_torchvision_is_built_images_only(vlm_models, caplog):
    pytest.importorskip("PIL")
    try:
        import torchvision  # noqa: F401

        pytest.skip("torchvision is installed: AutoProcessor loads the video half itself")
    except ImportError:
        pass
    processor = load_processor(str(vlm_models("qwen2_vl")))
    assert type(processor).__name__ == "Qwen2VLProcessor"
    assert not hasattr(processor, "video_processor")
