"""The named chat templates: each family's published format, written as Jinja for `apply_chat_template`.

Every template wraps what the model must produce (the assistant reply and the token that ends it) in
`{% generation %}`, so `return_assistant_tokens_mask=True` gives an exact assistant-only loss mask.
Templates end each turn with the Jinja variable `eot`, which `chat_templates.template_text` binds to the
family's end-of-turn token (`<|eot_id|>`, `<end_of_turn>`, ...) or, when the model does not stop on that
token, to the tokenizer's EOS, so what training teaches is always where generation stops.

Formats followed (a later revision of a family where they differ):
- chatml, qwen: `<|im_start|>role\\n...<|im_end|>\\n`; qwen adds Qwen2.5's default system turn.
- zephyr: HuggingFaceH4/zephyr-7b-beta, `<|role|>\\n...</s>\\n`.
- llama3: Meta Llama 3 Instruct, `<|start_header_id|>role<|end_header_id|>\\n\\n...<|eot_id|>`.
- mistral: Mistral tokenizer v2/v3 (`<s>[INST] user[/INST] reply</s>`), system text put before the first
  user message as mistral-common does for v1.
- gemma: Gemma 2/3 Instruct, `<start_of_turn>user|model\\n...<end_of_turn>\\n`, system text before the first
  user message as Gemma 3 does.
- phi: Phi-3 Instruct, `<|system|>|<|user|>|<|assistant|>\\n...<|end|>\\n` (the extra EOS Phi-3 appends after a
  finished conversation is left out: every reply already ends with the stop token).
- alpaca: Stanford Alpaca's prompt (`### Instruction:` / `### Response:`), repeated per turn.
- vicuna: FastChat vicuna_v1.1 (`SYSTEM USER: ... ASSISTANT: ...</s>`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NamedTemplate:
    name: str
    title: str
    source: str  # Jinja using `eot` for the end of every turn
    end_of_turn: str | None = None  # the family's end-of-turn token; None: the tokenizer's EOS
    families: tuple[str, ...] = ()  # config.model_type values it belongs to; empty: any model


def _jinja(text: str, **subs: str) -> str:
    """Templates are written one statement per line; every line starts with a `-` tag, which drops the
    newline before it, so the layout never leaks into the rendered text. `@NAME@` takes `subs["NAME"]`."""
    for key, value in subs.items():
        text = text.replace(f"@{key}@", value)
    return "".join(line.strip() for line in text.strip().splitlines())


_BOS = "{%- if bos_token %}{{- bos_token }}{%- endif %}"
# Roles a format has no place for fail loudly (and the row is named by the caller) instead of vanishing.
_UNSUPPORTED = "{%- else %}{{- raise_exception('The @NAME@ chat template has no place for role ' + message['role']) }}"

CHATML = _jinja(r"""
{%- for message in messages %}
{{- '<|im_start|>' + message['role'] + '\n' }}
{%- if message['role'] == 'assistant' %}
{%- generation %}{{- message['content'] + eot }}{%- endgeneration %}
{%- else %}{{- message['content'] + eot }}{%- endif %}
{{- '\n' }}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}
""")

QWEN_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
QWEN = (
    _jinja(
        r"""
{%- if messages[0]['role'] != 'system' %}{{- '<|im_start|>system\n@SYSTEM@' + eot + '\n' }}{%- endif %}
""",
        SYSTEM=QWEN_SYSTEM,
    )
    + CHATML
)

ZEPHYR = _jinja(r"""
{%- for message in messages %}
{%- if message['role'] == 'assistant' %}
{{- '<|assistant|>\n' }}{%- generation %}{{- message['content'] + eot }}{%- endgeneration %}{{- '\n' }}
{%- else %}{{- '<|' + message['role'] + '|>\n' + message['content'] + eot + '\n' }}{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|assistant|>\n' }}{%- endif %}
""")

LLAMA3 = _jinja(
    r"""
@BOS@
{%- for message in messages %}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}
{%- if message['role'] == 'assistant' %}
{%- generation %}{{- (message['content'] | trim) + eot }}{%- endgeneration %}
{%- else %}{{- (message['content'] | trim) + eot }}{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{%- endif %}
""",
    BOS=_BOS,
)

MISTRAL = _jinja(
    r"""
@BOS@
{%- set ns = namespace(prefix='') %}
{%- for message in messages %}
{%- if message['role'] == 'system' %}{%- set ns.prefix = message['content'] + '\n\n' %}
{%- elif message['role'] == 'user' %}
{{- '[INST] ' + ns.prefix + message['content'] + '[/INST]' }}{%- set ns.prefix = '' %}
{%- elif message['role'] == 'assistant' %}
{%- generation %}{{- ' ' + message['content'] + eot }}{%- endgeneration %}
@UNSUPPORTED@
{%- endif %}
{%- endfor %}
""",
    BOS=_BOS,
    UNSUPPORTED=_UNSUPPORTED.replace("@NAME@", "mistral"),
)

GEMMA = _jinja(
    r"""
@BOS@
{%- set ns = namespace(prefix='') %}
{%- for message in messages %}
{%- if message['role'] == 'system' %}{%- set ns.prefix = message['content'] + '\n\n' %}
{%- elif message['role'] == 'user' %}
{{- '<start_of_turn>user\n' + ns.prefix + (message['content'] | trim) + eot + '\n' }}{%- set ns.prefix = '' %}
{%- elif message['role'] == 'assistant' %}
{{- '<start_of_turn>model\n' }}
{%- generation %}{{- (message['content'] | trim) + eot }}{%- endgeneration %}{{- '\n' }}
@UNSUPPORTED@
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<start_of_turn>model\n' }}{%- endif %}
""",
    BOS=_BOS,
    UNSUPPORTED=_UNSUPPORTED.replace("@NAME@", "gemma"),
)

PHI = _jinja(
    r"""
{%- for message in messages %}
{%- if message['role'] == 'assistant' %}
{{- '<|assistant|>\n' }}{%- generation %}{{- message['content'] + eot }}{%- endgeneration %}{{- '\n' }}
{%- elif message['role'] in ['system', 'user'] %}
{{- '<|' + message['role'] + '|>\n' + message['content'] + eot + '\n' }}
@UNSUPPORTED@
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|assistant|>\n' }}{%- endif %}
""",
    UNSUPPORTED=_UNSUPPORTED.replace("@NAME@", "phi"),
)

ALPACA_PREAMBLE = (
    "Below is an instruction that describes a task. Write a response that appropriately completes the request."
)
ALPACA = _jinja(
    r"""
@BOS@
{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] + '\n\n' }}
{%- else %}{{- '@PREAMBLE@\n\n' }}{%- endif %}
{%- for message in messages %}
{%- if message['role'] == 'user' %}{{- '### Instruction:\n' + message['content'] + '\n\n' }}
{%- elif message['role'] == 'assistant' %}
{{- '### Response:\n' }}{%- generation %}{{- message['content'] + eot }}{%- endgeneration %}{{- '\n\n' }}
{%- elif loop.first and message['role'] == 'system' %}
@UNSUPPORTED@
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '### Response:\n' }}{%- endif %}
""",
    BOS=_BOS,
    PREAMBLE=ALPACA_PREAMBLE,
    UNSUPPORTED=_UNSUPPORTED.replace("@NAME@", "alpaca"),
)

VICUNA_SYSTEM = (
    "A chat between a curious user and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the user's questions."
)
VICUNA = _jinja(
    r"""
@BOS@
{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] + ' ' }}
{%- else %}{{- "@SYSTEM@ " }}{%- endif %}
{%- for message in messages %}
{%- if message['role'] == 'user' %}{{- 'USER: ' + message['content'] + ' ' }}
{%- elif message['role'] == 'assistant' %}
{{- 'ASSISTANT:' }}{%- generation %}{{- ' ' + message['content'] + eot }}{%- endgeneration %}
{%- elif loop.first and message['role'] == 'system' %}
@UNSUPPORTED@
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- 'ASSISTANT:' }}{%- endif %}
""",
    BOS=_BOS,
    SYSTEM=VICUNA_SYSTEM,
    UNSUPPORTED=_UNSUPPORTED.replace("@NAME@", "vicuna"),
)

LIBRARY: dict[str, NamedTemplate] = {
    t.name: t
    for t in (
        NamedTemplate("chatml", "ChatML", CHATML, "<|im_end|>"),
        NamedTemplate("zephyr", "Zephyr", ZEPHYR),
        NamedTemplate("llama3", "Llama 3", LLAMA3, "<|eot_id|>", ("llama",)),
        NamedTemplate("mistral", "Mistral", MISTRAL, None, ("mistral", "mixtral")),
        NamedTemplate("gemma", "Gemma", GEMMA, "<end_of_turn>", ("gemma", "gemma2", "gemma3", "gemma3_text")),
        NamedTemplate("qwen", "Qwen", QWEN, "<|im_end|>", ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe")),
        NamedTemplate("phi", "Phi-3", PHI, "<|end|>", ("phi3", "phimoe")),
        NamedTemplate("alpaca", "Alpaca", ALPACA),
        NamedTemplate("vicuna", "Vicuna v1.1", VICUNA),
    )
}
