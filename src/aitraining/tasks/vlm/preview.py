"""`aitraining vlm --preview-data`: the samples exactly as training encodes them, before any weights load.

The data goes through the command's own load_data (image scan, row checks, the preflight encoding), and only
the processor is loaded. Tokens inside [[ ]] carry loss; each run of image tokens is shown as `<image>×N`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aitraining.engine.tokens import mark_loss
from aitraining.engine.vision.multimodal import image_token_id
from aitraining.errors import ParamError
from aitraining.tasks.vlm.encode import IGNORE

if TYPE_CHECKING:
    from aitraining.tasks.vlm.params import VLMParams


def collapse_images(processor: Any, ids: list[int], labels: list[int]) -> str:
    """The decoded sample with trained runs in [[ ]] and each run of image tokens as `<token>×N`."""
    token = image_token_id(processor)
    name = processor.tokenizer.convert_ids_to_tokens(token) if token is not None else "<image>"
    pieces, start = [], 0
    while start < len(ids):
        is_image = ids[start] == token
        end = start
        while end < len(ids) and (ids[end] == token) == is_image:
            end += 1
        if is_image:
            pieces.append(f"{name}×{end - start}")
        else:
            trained = [label != IGNORE for label in labels[start:end]]
            pieces.append(mark_loss(processor.tokenizer, ids[start:end], trained))
        start = end
    return "".join(pieces)


def samples(rows: Any, processor: Any, count: int) -> list[str]:
    out = []
    for position, row in enumerate(rows.select(range(min(count, len(rows))))):
        ids, labels = row["input_ids"], row["labels"]
        token = image_token_id(processor)
        images = sum(1 for t in ids if t == token)
        head = f"{len(ids)} tokens, {images} image tokens, {sum(lab != IGNORE for lab in labels)} in the loss"
        out.append(f"--- sample {position + 1} ({head}) ---\n{collapse_images(processor, ids, labels)}")
    return out


def render(data: Any, processor: Any, params: VLMParams) -> str:
    from aitraining.tasks.vlm.task import LOSS_RULE

    shown = min(params.preview_samples, len(data.train))
    family = "prefix/suffix (PaliGemma)" if not getattr(processor, "chat_template", None) else "the chat template"
    lines = [
        f"Data preview for --trainer {params.trainer}: {shown} of {len(data.train)} encoded train samples, as "
        f"training sees them (model {params.model}: processor only; rendered with {family}).",
        LOSS_RULE,
        "Tokens inside [[ ]] carry loss; everything else is context the model only reads.",
        "",
        "\n\n".join(samples(data.train, processor, params.preview_samples)),
        "",
    ]
    lines += [report.line() for report in data.findings.get("preflight", {}).values()]
    return "\n".join(lines)


def run(resolved: Any) -> int:
    from aitraining.engine.logs import setup_console
    from aitraining.engine.runner import quiet_upstream_noise
    from aitraining.tasks.vlm.task import VLMTask

    params = resolved.params
    if not params.model or not params.data_path:
        raise ParamError("--preview-data needs --model (for its processor) and --data-path.")
    setup_console()
    quiet_upstream_noise()
    task = VLMTask()
    data = task.load_data(params, strict=resolved.strict)
    print(render(data, task.load_processor(params), params))
    return 0
