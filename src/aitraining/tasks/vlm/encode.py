"""One sample (images, question, answer, or chat messages) to token ids and labels with loss on the answers only.

Chat-template families (LLaVA, Qwen2-VL, Idefics, ...): the question is a user turn holding the image(s),
the answer an assistant turn (the llm command's prompt rule). The whole conversation goes through the
processor once; each assistant turn's span is found by rendering the conversation up to that turn (with the
generation prompt) and up to its end, and taking the common token prefix with the full rendering. Image
tokens, prompts, template scaffolding and anything after a reply's end-of-turn token are -100; the
end-of-turn token itself is trained (it is how the model learns to stop). This needs no generation markers
and holds for any template that renders a turn the same whatever follows it.

PaliGemma (no chat template): the processor takes the prompt as `text` and the answer as `suffix` and
returns the labels itself (prefix and image tokens -100) plus the token_type_ids its attention needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aitraining.engine.tokens import common_prefix
from aitraining.engine.vision.multimodal import image_token_id, uses_prefix_suffix

IGNORE = -100


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[int]
    extras: dict[str, list[int]] = field(default_factory=dict)  # per-token processor outputs (token_type_ids, ...)
    image_tokens: int = 0
    last_image_token: int = -1  # position of the last image token (-1: none)


def conversation(prompt: str | None, answer: str | None) -> list[dict[str, Any]]:
    """The user turn (image first, then the question when there is one) and the assistant's answer."""
    user: list[dict[str, Any]] = [{"type": "image"}]
    if prompt:
        user.append({"type": "text", "text": prompt})
    messages = [{"role": "user", "content": user}]
    if answer is not None:
        messages.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
    return messages


def normalise_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat rows as content lists; string contents become one text part. A conversation without any image
    entry gets one at the start of its first user turn (the row's image belongs somewhere)."""
    out = []
    for message in messages:
        content = message.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        out.append({"role": message["role"], "content": parts})
    if not any(p.get("type") == "image" for m in out for p in m["content"]):
        first_user = next((m for m in out if m["role"] == "user"), None)
        if first_user is not None:
            first_user["content"] = [{"type": "image"}, *first_user["content"]]
    return out


def count_images(messages: list[dict[str, Any]]) -> int:
    return sum(1 for m in messages for p in m["content"] if isinstance(p, dict) and p.get("type") == "image")


def render(processor: Any, messages: list[dict[str, Any]], generation_prompt: bool = False) -> str:
    return processor.apply_chat_template(messages, add_generation_prompt=generation_prompt, tokenize=False)


def call(processor: Any, text: str, images: list[Any], **kwargs: Any) -> dict[str, Any]:
    """The processor on one text (special tokens added unless the template already starts with BOS, as the
    processor's own apply_chat_template does)."""
    bos = processor.tokenizer.bos_token
    add_special = not (bos and text.startswith(bos))
    return processor(text=[text], images=[images] if images else None, add_special_tokens=add_special, **kwargs)


def ids_of(processor: Any, text: str, images: list[Any]) -> list[int]:
    return _row(call(processor, text, images)["input_ids"])


def _row(value: Any) -> list[int]:
    first = value[0]
    return [int(v) for v in (first.tolist() if hasattr(first, "tolist") else first)]


def _extras(output: dict[str, Any], processor: Any, length: int) -> dict[str, list[int]]:
    """Per-token outputs besides ids and mask (mm_token_type_ids, token_type_ids): padded with the ids."""
    image_keys = set(getattr(processor.image_processor, "model_input_names", ()) or ()) | {"pixel_values"}
    extras = {}
    for key, value in output.items():
        if key in ("input_ids", "attention_mask", "labels") or key in image_keys:
            continue
        row = _row(value) if len(value) == 1 else []
        if len(row) == length:
            extras[key] = row
    return extras


def _trained_span(ids: list[int], start: int, end: int, stops: frozenset[int]) -> range:
    """[start, end) cut after its last stop token: what a template renders after end-of-turn is not trained."""
    for last in range(end - 1, start - 1, -1):
        if ids[last] in stops:
            return range(start, last + 1)
    return range(start, end)


def encode_chat(processor: Any, messages: list[dict[str, Any]], images: list[Any]) -> Encoded:
    output = call(processor, render(processor, messages), images)
    ids = _row(output["input_ids"])
    labels = [IGNORE] * len(ids)
    eos = processor.tokenizer.eos_token_id
    stops = frozenset({eos} if eos is not None else ())
    for turn, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before = render(processor, messages[:turn], generation_prompt=True) if turn else ""
        start = common_prefix(ids_of(processor, before, images[: count_images(messages[:turn])]), ids) if turn else 0
        upto = messages[: turn + 1]
        end = (
            len(ids)
            if turn + 1 == len(messages)
            else common_prefix(ids_of(processor, render(processor, upto), images[: count_images(upto)]), ids)
        )
        for position in _trained_span(ids, start, end, stops):
            labels[position] = ids[position]
    return _finish(processor, ids, labels, _extras(output, processor, len(ids)))


def encode_prefix_suffix(processor: Any, prompt: str | None, answer: str, images: list[Any]) -> Encoded:
    """PaliGemma: the processor builds `<image>... <bos>prompt\\n answer<eos>` and its labels."""
    output = processor(text=[_prefix(processor, prompt, images)], images=[images], suffix=[answer])
    ids, labels = _row(output["input_ids"]), _row(output["labels"])
    return _finish(processor, ids, labels, _extras(output, processor, len(ids)))


def _prefix(processor: Any, prompt: str | None, images: list[Any]) -> str:
    """PaliGemma's text: one image token per image, then the prompt (the processor adds BOS and the newline)."""
    return processor.image_token * len(images) + (prompt or "")


def _finish(processor: Any, ids: list[int], labels: list[int], extras: dict[str, list[int]]) -> Encoded:
    token = image_token_id(processor)
    positions = [i for i, t in enumerate(ids) if t == token] if token is not None else []
    for position in positions:  # never trained, whatever a template or processor marked
        labels[position] = IGNORE
    return Encoded(ids, labels, extras, len(positions), positions[-1] if positions else -1)


def encode(processor: Any, images: list[Any], prompt: str | None, answer: Any) -> Encoded:
    """A row: `answer` is the answer text, or the chat messages of a messages row."""
    if isinstance(answer, list):
        return encode_chat(processor, normalise_messages(answer), images)
    if uses_prefix_suffix(processor):
        return encode_prefix_suffix(processor, prompt, str(answer), images)
    return encode_chat(processor, conversation(prompt, str(answer)), images)


def prompt_inputs(processor: Any, images: list[Any], prompt: str | None) -> dict[str, Any]:
    """Model inputs to generate an answer from (--inference, the tests): the user turn and the generation
    prompt, or PaliGemma's prefix."""
    if uses_prefix_suffix(processor):
        return processor(text=[_prefix(processor, prompt, images)], images=[images], return_tensors="pt")
    text = render(processor, conversation(prompt, None), generation_prompt=True)
    return call(processor, text, images, return_tensors="pt")
