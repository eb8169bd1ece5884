"""The preflight runs before any weights load: it counts each sample's image tokens, drops (counted) the
samples --model-max-length would cut inside their image tokens, or stops under --strict, and --preview-data
shows the rendered samples, the loss mask and the statistics."""

import json

import pytest

from aitraining.cli.main import main
from aitraining.engine.vision.multimodal import load_processor
from aitraining.errors import DataError
from aitraining.tasks.vlm.params import VLMParams
from aitraining.tasks.vlm.preflight import encode_split
from aitraining.testing.vlm import square_image


def rows(tmp_path, questions):
    import datasets

    paths = []
    for i, _ in enumerate(questions):
        path = tmp_path / f"{i}.png"
        square_image("red").save(path)
        paths.append(str(path))
    return datasets.Dataset.from_dict({"image": paths, "question": questions, "answer": ["red"] * len(questions)})


def params(limit, **kw):
    return VLMParams(prompt_text_column="question", text_column="answer", model_max_length=limit, **kw)


def test_a_sample_whose_image_tokens_would_be_cut_is_dropped_and_counted(vlm_models, tmp_path):
    """Two chat rows: the image opens the first; the second shows it only after a long first exchange, so a
    limit of 40 tokens keeps the first whole and would cut the second inside its image tokens."""
    import datasets

    processor = load_processor(str(vlm_models("llava")))  # 16 image tokens per image
    path = tmp_path / "red.png"
    square_image("red").save(path)

    def turn(role, text, image=False):
        return {"role": role, "content": [{"type": "image", "text": None}] * image + [{"type": "text", "text": text}]}

    image_first = [turn("user", "Colour?", image=True), turn("assistant", "red")]
    image_later = [
        turn("user", "Tell me about the weather in the hills today please."),
        turn("assistant", "It is sunny and warm."),
        *image_first,
    ]
    data = datasets.Dataset.from_dict({"image": [str(path)] * 2, "answer": [image_first, image_later]})
    kept, report = encode_split(data, "train", processor, params(40), strict=False, source="rows")
    assert report.image_tokens == [16, 16] and report.lengths[0] <= 40 < report.lengths[1]
    assert len(kept) == 1 and report.kept == [0]
    assert len(report.cut_images) == 1 and report.cut_images[0].startswith("row 2:")
    assert "1 dropped (the limit cuts through their image tokens)" in report.line()


def test_the_limit_inside_the_answer_truncates_and_past_all_answers_drops(vlm_models, tmp_path):
    processor = load_processor(str(vlm_models("llava")))
    data = rows(tmp_path, ["What colour is the square?", "What?"])
    full, _ = encode_split(data, "train", processor, params(2048), strict=False, source="rows")
    _, short = (len(ids) for ids in full["input_ids"])
    # a limit that ends the short sample exactly and cuts the long one before its answer
    kept, report = encode_split(data, "train", processor, params(short), strict=False, source="rows")
    assert len(kept) == 1 and len(report.no_answer) == 1 and not report.cut_images
    # two tokens less: the short sample loses the template's closing newline and its end-of-turn token, and
    # keeps the answer, now the only tokens with loss
    kept, report = encode_split(data, "train", processor, params(short - 2), strict=False, source="rows")
    assert report.truncated == 1 and len(kept["input_ids"][0]) == short - 2
    answer = processor.tokenizer("red", add_special_tokens=False)["input_ids"]
    assert [t for t in kept["labels"][0] if t != -100] == answer


def test_strict_stops_on_a_sample_cut_through_its_image_tokens(vlm_models, tmp_path):
    processor = load_processor(str(vlm_models("qwen2_vl")))
    data = rows(tmp_path, ["What colour is the square?"] * 3)
    with pytest.raises(DataError, match=r"3 of 3 samples .* --model-max-length 8 and --strict is set: row 1"):
        encode_split(data, "train", processor, params(8), strict=True, source="rows")


def test_the_command_drops_cut_samples_before_loading_weights(vlm_models, square_data, tmp_path, capsys):
    """Every sample cut through its image tokens: the run stops with the count, before the model loads."""
    code = main(
        [
            "vlm",
            "--train",
            "--model",
            str(vlm_models("llava")),
            "--data-path",
            str(square_data),
            "--prompt-text-column",
            "question",
            "--text-column",
            "answer",
            "--model-max-length",
            "10",
            "--project-name",
            str(tmp_path / "p"),
        ]
    )
    err = capsys.readouterr().err
    assert code != 0 and "16 of 16 samples" in err and "no sample is left" in err
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(("family", "image"), [("llava", "<image>×16"), ("qwen2_vl", "<|image_pad|>×4")])
def test_preview_shows_the_render_the_mask_and_the_counts(vlm_models, square_data, capsys, family, image):
    code = main(
        [
            "vlm",
            "--preview-data",
            "--model",
            str(vlm_models(family)),
            "--data-path",
            str(square_data),
            "--prompt-text-column",
            "question",
            "--text-column",
            "answer",
            "--preview-samples",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("--- sample") == 2 and image in out
    first = json.loads((square_data / "train" / "metadata.jsonl").read_text().splitlines()[0])
    assert "What colour is the square?<|im_end|>" in out and f"[[{first['answer']}<|im_end|>]]" in out
    assert "image tokens per sample min" in out and "0 dropped (the limit cuts through their image tokens)" in out
