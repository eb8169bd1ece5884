"""Parameters of `aitraining vlm`: the common set, early stopping, LoRA and the VLM inputs."""

from __future__ import annotations

from typing import Literal

from aitraining.errors import ParamError
from aitraining.params.crosscutting import SweepParams
from aitraining.params.fields import param, retuned
from aitraining.params.groups import CommonParams
from aitraining.params.vision import ImageInputParams

VLM = "VLM inputs"
INFER = "Inference (with --inference)"
PREVIEW = "Data preview (with --preview-data)"
TRAINERS = ("vqa", "captioning")

# The language model's attention and MLP projections, wherever a VLM nests its text model; the vision
# tower (vision_tower, visual, vision_model) and the projector keep their weights.
LANGUAGE_MODEL_LINEAR = r".*(language_model|text_model)\..*(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"


class VLMParams(ImageInputParams, SweepParams):
    trainer: Literal[TRAINERS] = param(  # type: ignore[valid-type]
        "vqa",
        "vqa: answer --prompt-text-column questions about each image; captioning: describe each image "
        "(--text-column holds the caption).",
        group=VLM,
    )
    image_column: str = param(
        "image",
        "Column holding the image: a path (relative to the data file's folder) or a datasets Image. A split folder "
        "with a metadata.jsonl (file_name plus the text columns) fills it from the files.",
        group=VLM,
    )
    text_column: str = param(
        "text",
        "The answer (vqa) or caption (captioning): the only tokens that carry loss. May instead hold chat "
        '\'messages\' whose user turns carry {"type": "image"} entries; then every assistant turn is trained.',
        group=VLM,
    )
    prompt_text_column: str | None = param(
        None,
        "The question column (vqa); rendered as the user turn beside the image.",
        group=VLM,
        trainers=("vqa",),
    )
    model_max_length: int = param(
        2048,
        "Longest sample in tokens, image tokens included. A sample this would cut inside its image tokens is "
        "dropped and counted (an error with --strict); one cut in its answer is truncated there.",
        group=VLM,
        ge=8,
    )
    # AutoTrain's defaults for its VLM trainer; LoRA defaults to the language model only
    lr: float = retuned(CommonParams, "lr", 3e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 2)
    target_modules: str = param(
        LANGUAGE_MODEL_LINEAR,
        "Modules to adapt. Default: a regular expression matching the language model's q/k/v/o and MLP "
        "projections only, so the vision tower and projector are left as they are. Also: 'all-linear', a "
        "comma-separated list such as q_proj,v_proj, or a JSON list.",
        group="PEFT / LoRA",
        requires="peft",
    )

    preview_samples: int = param(
        3, "Samples --preview-data renders token by token.", group=PREVIEW, requires="preview_data", ge=1
    )
    inference_prompts: str | None = param(
        None,
        "What to answer: a .jsonl/.json/.csv file (or image folder with metadata.jsonl) whose rows hold "
        "--image-column and, for vqa, --prompt-text-column; or one image file or folder of images (captioning).",
        group=INFER,
        requires="inference",
    )
    inference_max_new_tokens: int = param(
        64, "Tokens to generate per answer (greedy decoding).", group=INFER, requires="inference", ge=1
    )

    def check(self) -> None:
        self.check_peft()
        if self.text_column == self.prompt_text_column:
            raise ParamError(
                f"--text-column and --prompt-text-column are both '{self.text_column}': the answer and the question "
                "must be different columns."
            )
