"""Named chat templates. Each marks assistant turns with {% generation %} so the assistant-only
loss mask is exact, and each ends an assistant turn with the tokenizer's EOS token."""

from __future__ import annotations

from typing import Any

from aitraining.errors import ParamError

CHATML = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{{ '<|im_start|>assistant\\n' }}{% generation %}{{ message['content'] + eos_token }}{% endgeneration %}"
    "{{ '\\n' }}"
    "{% else %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

ZEPHYR = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{{ '<|assistant|>\\n' }}{% generation %}{{ message['content'] + eos_token }}{% endgeneration %}"
    "{{ '\\n' }}"
    "{% else %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

TEMPLATES: dict[str, str] = {"chatml": CHATML, "zephyr": ZEPHYR}
SPECIAL = ("tokenizer", "none")


def check_template_name(name: str) -> None:
    """Fail early (before any loading) on an unknown --chat-template."""
    if name in SPECIAL or name in TEMPLATES:
        return
    from aitraining.suggest import did_you_mean

    choices = [*SPECIAL, *TEMPLATES]
    raise ParamError(
        f"Unknown --chat-template '{name}'.{did_you_mean(name, choices)} Choose one of: {', '.join(choices)}."
    )


def resolve_chat_template(name: str | None, tokenizer: Any) -> str | None:
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
    return TEMPLATES[name]


def marks_assistant(template: str | None) -> bool:
    return bool(template) and "{% generation %}" in template.replace("{%- generation %}", "{% generation %}")
