"""Choosing the chat template a run trains with, and the checks that catch template mistakes before training.

`--chat-template` is `tokenizer` (the model's own), `none`, or a named template from `template_library`.
A named template replaces the tokenizer's `chat_template`, so it is used in training and saved with the
output tokenizer, and inference renders prompts the same way. The checks here are the ones that otherwise
only show at inference: a reply that does not end with a token generation stops on, padding that is the
EOS token, and a template of another model family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aitraining.data.template_library import LIBRARY, NamedTemplate
from aitraining.errors import ParamError

SPECIAL = ("tokenizer", "none")
TEMPLATES: dict[str, NamedTemplate] = LIBRARY
_PROBE = [{"role": "user", "content": "Ping?"}, {"role": "assistant", "content": "Pong."}]


@dataclass
class TemplateChoice:
    name: str | None  # the --chat-template value (None: the tokenizer's own, when it has one)
    text: str | None  # the Jinja text now on the tokenizer (None: no chat template)
    stop_ids: frozenset[int] = field(default_factory=frozenset)  # ids generation stops on
    notes: list[str] = field(default_factory=list)


def check_template_name(name: str) -> None:
    """Fail early (before any loading) on an unknown --chat-template."""
    if name in SPECIAL or name in TEMPLATES:
        return
    from aitraining.suggest import did_you_mean

    choices = [*SPECIAL, *TEMPLATES]
    raise ParamError(
        f"Unknown --chat-template '{name}'.{did_you_mean(name, choices)} Choose one of: {', '.join(choices)}."
    )


def _jinja_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def template_text(spec: NamedTemplate, end_of_turn: str | None) -> str:
    """The named template with `eot` bound: a literal token, or the tokenizer's EOS when None."""
    bound = _jinja_string(end_of_turn) if end_of_turn else "eos_token"
    return "{%- set eot = " + bound + " %}" + spec.source


def _ids(value: Any) -> set[int]:
    if value is None:
        return set()
    return {int(v) for v in value} if isinstance(value, (list, tuple)) else {int(value)}


def stop_token_ids(tokenizer: Any, model_config: Any = None, model_path: str | None = None) -> frozenset[int]:
    """Token ids that end generation: the tokenizer's EOS and the model's (generation) config EOS ids."""
    ids = _ids(tokenizer.eos_token_id) | _ids(getattr(model_config, "eos_token_id", None))
    if model_path:
        try:  # a small JSON file next to config.json; instruct models list their end-of-turn token here
            from transformers import GenerationConfig

            ids |= _ids(GenerationConfig.from_pretrained(model_path).eos_token_id)
        except Exception:  # no generation_config.json is normal
            pass
    return frozenset(ids)


def end_of_turn_for(spec: NamedTemplate, tokenizer: Any, stop_ids: frozenset[int]) -> tuple[str | None, str | None]:
    """(token bound to `eot`, note). The family's token when generation stops on it; otherwise the EOS,
    because a model taught to end replies with a token it never stops on would talk on at inference."""
    if spec.end_of_turn is None:
        return None, None
    token_id = tokenizer.get_vocab().get(spec.end_of_turn)
    if token_id is not None and token_id in stop_ids:
        return spec.end_of_turn, None
    why = "is not in its vocabulary" if token_id is None else "is not a token this model stops generating on"
    note = (
        f"Chat template {spec.name}: turns end with the tokenizer's EOS {tokenizer.eos_token!r} instead of "
        f"{spec.end_of_turn!r}, which {why}, so generation stops where training taught replies to end."
    )
    return None, note


def resolve_chat_template(name: str | None, tokenizer: Any, stop_ids: frozenset[int] | None = None) -> str | None:
    """The template text to use for `--chat-template name` (None: render no chat template)."""
    if name is None or name == "tokenizer":
        own = getattr(tokenizer, "chat_template", None)
        if name == "tokenizer" and not own:
            raise ParamError(
                "--chat-template tokenizer: this model's tokenizer has no chat template. "
                f"Pick a named one ({', '.join(TEMPLATES)}) or 'none' for plain-text data."
            )
        return own or None
    if name == "none":
        return None
    check_template_name(name)
    if tokenizer.eos_token is None:
        raise ParamError(
            f"--chat-template {name} ends every reply with the EOS token, but this tokenizer has none. "
            "Set eos_token in the model's tokenizer_config.json."
        )
    spec = TEMPLATES[name]
    eot, _ = end_of_turn_for(spec, tokenizer, stop_ids or frozenset(_ids(tokenizer.eos_token_id)))
    return template_text(spec, eot)


def marks_assistant(template: str | None) -> bool:
    return template is not None and "{% generation %}" in template.replace("{%- generation %}", "{% generation %}")


def apply_chat_template_choice(
    name: str | None, tokenizer: Any, model_config: Any, model_path: str | None, logger: Any
) -> TemplateChoice:
    """Put the chosen template on the tokenizer (it is saved with it) and run the template checks."""
    stop_ids = stop_token_ids(tokenizer, model_config, model_path)
    own = getattr(tokenizer, "chat_template", None)
    text = resolve_chat_template(name, tokenizer, stop_ids)
    choice = TemplateChoice(name, text, stop_ids)
    if name in TEMPLATES:
        _, note = end_of_turn_for(TEMPLATES[name], tokenizer, stop_ids)
        if own and own != text:
            choice.notes.append(f"Chat template {name} replaces the tokenizer's own template (saved with the model).")
        choice.notes += [note] if note else []
        family = family_mismatch(name, model_config)
        if family:
            logger.warning(family)
    tokenizer.chat_template = text
    for note in choice.notes:
        logger.info(note)
    if text:
        problem = turn_end_problem(tokenizer, stop_ids)
        if problem:
            logger.warning(problem)
    return choice


def family_mismatch(name: str, model_config: Any) -> str | None:
    """A warning when a family's template is used on a model of another family."""
    spec = TEMPLATES[name]
    model_type = getattr(model_config, "model_type", None)
    if not spec.families or not model_type or model_type in spec.families:
        return None
    own = [t.name for t in TEMPLATES.values() if model_type in t.families]
    hint = f" Its family's template is --chat-template {own[0]}." if own else ""
    return (
        f"Warning: --chat-template {name} is the {spec.title} format, but the model is a {model_type} model "
        f"(config.model_type). It will learn the {spec.title} format from scratch.{hint}"
    )


def turn_end_id(tokenizer: Any) -> int | None:
    """The special token the chat template writes right after an assistant reply (its end-of-turn), if any."""
    if not getattr(tokenizer, "chat_template", None):
        return None
    try:
        rendered = tokenizer.apply_chat_template(_PROBE, tokenize=False)
    except Exception:  # turn_end_problem reports templates that cannot render
        return None
    reply = _PROBE[-1]["content"]
    following = tokenizer(rendered[rendered.rfind(reply) + len(reply) :], add_special_tokens=False)["input_ids"]
    control = set(tokenizer.all_special_ids) | set(getattr(tokenizer, "added_tokens_decoder", {}))
    return following[0] if following and following[0] in control else None  # a control token, not text


def turn_end_problem(tokenizer: Any, stop_ids: frozenset[int]) -> str | None:
    """Whether a rendered assistant reply is followed (and, when marked, its supervised part ended) by a
    token generation stops on; without it a trained model does not know where to stop."""
    try:
        rendered = tokenizer.apply_chat_template(_PROBE, tokenize=False)
    except Exception as exc:  # reported, not fatal
        return f"Warning: the chat template could not render a plain user/assistant exchange ({exc})."
    reply = _PROBE[-1]["content"]
    after = rendered[rendered.rfind(reply) + len(reply) :]
    following = tokenizer(after, add_special_tokens=False)["input_ids"]
    names = ", ".join(repr(tokenizer.convert_ids_to_tokens(i)) for i in sorted(stop_ids)) or "(none)"
    if not following or following[0] not in stop_ids:
        return (
            f"Warning: the chat template does not end assistant replies with a token generation stops on ({names}), "
            "so the trained model may not stop. Pick a named template with --chat-template."
        )
    if marks_assistant(tokenizer.chat_template):
        out = tokenizer.apply_chat_template(_PROBE, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
        marked = [t for t, m in zip(out["input_ids"], out["assistant_masks"], strict=True) if m]
        if not marked or marked[-1] not in stop_ids:
            return (
                "Warning: the chat template's {% generation %} block leaves out the token that ends a reply "
                f"({names}); with --assistant-only-loss the model never learns to stop. Use a named template."
            )
    return None


def check_pad_token(tokenizer: Any, stop_ids: frozenset[int], logger: Any) -> None:
    """Padding must never be a token the model has to learn: switch to a distinct pad when one exists."""
    if tokenizer.pad_token_id is None or tokenizer.pad_token_id not in stop_ids:
        return
    unk = tokenizer.unk_token
    if unk is not None and tokenizer.unk_token_id not in stop_ids:
        logger.info(
            f"The pad token was the EOS token {tokenizer.pad_token!r}, which replies are trained to end with; "
            f"padding now uses {unk!r} (saved with the tokenizer)."
        )
        tokenizer.pad_token = unk
        return
    logger.warning(
        f"Warning: the pad token is the EOS token {tokenizer.pad_token!r}, which replies are trained to end with. "
        "aitraining masks padding by position, so EOS stays in the loss here, but tools that mask labels by pad "
        "id would drop it. Add a dedicated pad token to the tokenizer to avoid this."
    )
