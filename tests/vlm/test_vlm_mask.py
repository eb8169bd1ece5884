"""Loss on the answer tokens only, for every family: the image tokens, the prompt, the template markup and the
padding carry none. Each test counts the loss tokens and checks they are exactly the answer's (plus the
end-of-turn token, which is trained so the model learns to stop)."""

import pytest

from aitraining.engine.vision.multimodal import image_token_id, load_processor
from aitraining.tasks.vlm.collate import make_collator
from aitraining.tasks.vlm.encode import IGNORE, encode
from aitraining.testing.vlm import square_image

FAMILIES = ("llava", "qwen2_vl", "paligemma")


def trained(encoded):
    return [t for t, label in zip(encoded.input_ids, encoded.labels, strict=True) if label != IGNORE]


def answer_ids(processor, text):
    return processor.tokenizer(text, add_special_tokens=False)["input_ids"] + [processor.tokenizer.eos_token_id]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("prompt", ["What colour is the square?", None], ids=["vqa", "captioning"])
def test_only_the_answer_and_its_end_token_carry_loss(vlm_models, family, prompt):
    processor = load_processor(str(vlm_models(family)))
    encoded = encode(processor, [square_image("yellow")], prompt, "a yellow square")
    expected = answer_ids(processor, "a yellow square")
    assert trained(encoded) == expected
    outside = sum(1 for label in encoded.labels if label != IGNORE) - len(expected)
    assert outside == 0
    image = image_token_id(processor)
    assert encoded.image_tokens > 0
    assert all(label == IGNORE for t, label in zip(encoded.input_ids, encoded.labels, strict=True) if t == image)
    # the trained tokens are the last ones of the answer turn, not somewhere in the prompt
    first = encoded.labels.index(expected[0])
    assert first > encoded.last_image_token


@pytest.mark.parametrize("family", ("llava", "qwen2_vl"))
def test_chat_messages_train_every_assistant_turn_and_no_user_turn(vlm_models, family):
    processor = load_processor(str(vlm_models(family)))
    messages = [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What colour?"}]},
        {"role": "assistant", "content": "blue"},
        {"role": "user", "content": "Are you sure?"},
        {"role": "assistant", "content": [{"type": "text", "text": "yes blue"}]},
    ]
    encoded = encode(processor, [square_image("blue")], None, messages)
    assert trained(encoded) == answer_ids(processor, "blue") + answer_ids(processor, "yes blue")


@pytest.mark.parametrize("family", ("llava", "qwen2_vl"))
def test_messages_without_an_image_entry_get_the_row_image(vlm_models, family):
    processor = load_processor(str(vlm_models(family)))
    messages = [{"role": "user", "content": "What colour?"}, {"role": "assistant", "content": "red"}]
    encoded = encode(processor, [square_image("red")], None, messages)
    assert encoded.image_tokens > 0 and trained(encoded) == answer_ids(processor, "red")


@pytest.mark.parametrize("family", FAMILIES)
def test_padding_carries_no_loss_and_images_batch_per_family(vlm_models, family):
    processor = load_processor(str(vlm_models(family)))
    rows = []
    for colour, answer in (("red", "red"), ("green", "a green square on grey")):
        encoded = encode(processor, [square_image(colour)], "What colour is the square?", answer)
        rows.append(
            {"image": square_image(colour), "input_ids": encoded.input_ids, "labels": encoded.labels, **encoded.extras}
        )
    extras = tuple(k for k in rows[0] if k not in ("image", "input_ids", "labels"))
    batch = make_collator(processor, "image", extras)(rows)
    short = len(rows[0]["input_ids"])
    assert batch["input_ids"].shape[1] > short
    assert (batch["labels"][0, short:] == IGNORE).all() and (batch["attention_mask"][0, short:] == 0).all()
    assert int((batch["labels"][0] != IGNORE).sum()) == len(answer_ids(processor, "red"))
    if family == "qwen2_vl":  # patches of both images concatenated, with each image's grid
        assert batch["pixel_values"].dim() == 2 and batch["image_grid_thw"].shape == (2, 3)
    else:  # one stacked image tensor per sample
        assert batch["pixel_values"].shape[0] == 2 and batch["pixel_values"].dim() == 4
