"""Named chat templates: each renders its family's format, and its mask covers only the replies and EOS."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from aitraining.data.chat_templates import (
    TEMPLATES,
    apply_chat_template_choice,
    check_pad_token,
    check_template_name,
    family_mismatch,
    resolve_chat_template,
    stop_token_ids,
    turn_end_problem,
)
from aitraining.errors import ParamError
from aitraining.tasks.llm.params import LLMParams
from aitraining.testing import train_bpe_tokenizer

FAMILY_TOKENS = (
    "<|eot_id|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<start_of_turn>",
    "<end_of_turn>",
    "<|end|>",
    "<|user|>",
    "<|assistant|>",
    "<|system|>",
    "<|im_start|>",
    "<|im_end|>",
)
ROLES = {"pad_token": "<pad>", "unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>"}
CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi there"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "Sky colour?"},
    {"role": "assistant", "content": "Blue."},
]
IM = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n"
HEAD = "<|start_header_id|>"
EXPECTED = {
    "chatml": (
        IM + "Hello!<|im_end|>\n<|im_start|>user\nSky colour?<|im_end|>\n<|im_start|>assistant\nBlue.<|im_end|>\n",
        ["Hello!<|im_end|>", "Blue.<|im_end|>"],
        "<|im_start|>assistant\n",
    ),
    "qwen": (
        IM + "Hello!<|im_end|>\n<|im_start|>user\nSky colour?<|im_end|>\n<|im_start|>assistant\nBlue.<|im_end|>\n",
        ["Hello!<|im_end|>", "Blue.<|im_end|>"],
        "<|im_start|>assistant\n",
    ),
    "zephyr": (
        "<|system|>\nBe brief.</s>\n<|user|>\nHi there</s>\n<|assistant|>\nHello!</s>\n"
        "<|user|>\nSky colour?</s>\n<|assistant|>\nBlue.</s>\n",
        ["Hello!</s>", "Blue.</s>"],
        "<|assistant|>\n",
    ),
    "llama3": (
        f"<s>{HEAD}system<|end_header_id|>\n\nBe brief.<|eot_id|>{HEAD}user<|end_header_id|>\n\nHi there<|eot_id|>"
        f"{HEAD}assistant<|end_header_id|>\n\nHello!<|eot_id|>{HEAD}user<|end_header_id|>\n\nSky colour?<|eot_id|>"
        f"{HEAD}assistant<|end_header_id|>\n\nBlue.<|eot_id|>",
        ["Hello!<|eot_id|>", "Blue.<|eot_id|>"],
        f"{HEAD}assistant<|end_header_id|>\n\n",
    ),
    "mistral": (
        "<s>[INST] Be brief.\n\nHi there[/INST] Hello!</s>[INST] Sky colour?[/INST] Blue.</s>",
        [" Hello!</s>", " Blue.</s>"],
        "[/INST]",
    ),
    "gemma": (
        "<s><start_of_turn>user\nBe brief.\n\nHi there<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
        "<start_of_turn>user\nSky colour?<end_of_turn>\n<start_of_turn>model\nBlue.<end_of_turn>\n",
        ["Hello!<end_of_turn>", "Blue.<end_of_turn>"],
        "<start_of_turn>model\n",
    ),
    "phi": (
        "<|system|>\nBe brief.<|end|>\n<|user|>\nHi there<|end|>\n<|assistant|>\nHello!<|end|>\n"
        "<|user|>\nSky colour?<|end|>\n<|assistant|>\nBlue.<|end|>\n",
        ["Hello!<|end|>", "Blue.<|end|>"],
        "<|assistant|>\n",
    ),
    "alpaca": (
        "<s>Be brief.\n\n### Instruction:\nHi there\n\n### Response:\nHello!</s>\n\n"
        "### Instruction:\nSky colour?\n\n### Response:\nBlue.</s>\n\n",
        ["Hello!</s>", "Blue.</s>"],
        "### Response:\n",
    ),
    "vicuna": (
        "<s>Be brief. USER: Hi there ASSISTANT: Hello!</s>USER: Sky colour? ASSISTANT: Blue.</s>",
        [" Hello!</s>", " Blue.</s>"],
        "ASSISTANT:",
    ),
}


@pytest.fixture(scope="module")
def family_tok():
    """A tokenizer that has every family's special tokens, as the family's own models do."""
    return train_bpe_tokenizer(special_tokens=("<pad>", "<unk>", "<s>", "</s>", *FAMILY_TOKENS), token_roles=ROLES)


@pytest.fixture(scope="module")
def family_stops(family_tok):
    return frozenset(
        family_tok.convert_tokens_to_ids(t) for t in ("</s>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "<|im_end|>")
    )


def masked_spans(tok, chat):
    out = tok.apply_chat_template(chat, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    spans, run = [], []
    for token, marked in zip(out["input_ids"], out["assistant_masks"], strict=True):
        if marked:
            run.append(token)
        elif run:
            spans.append(run)
            run = []
    return [*spans, run] if run else spans


def test_every_named_template_has_an_expectation():
    assert set(EXPECTED) == set(TEMPLATES)
    assert {"chatml", "zephyr", "llama3", "mistral", "gemma", "qwen", "phi", "alpaca", "vicuna"} <= set(TEMPLATES)
    help_text = LLMParams.model_fields["chat_template"].description
    assert all(name in help_text for name in TEMPLATES)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_named_template_renders_the_family_format_and_masks_replies_plus_eos(family_tok, family_stops, name):
    text, replies, generation_prompt = EXPECTED[name]
    family_tok.chat_template = resolve_chat_template(name, family_tok, family_stops)
    assert family_tok.apply_chat_template(CHAT, tokenize=False) == text
    spans = masked_spans(family_tok, CHAT)
    assert [family_tok.decode(s) for s in spans] == replies
    assert all(s[-1] in family_stops for s in spans)  # every supervised reply ends with a stop token
    prompt = family_tok.apply_chat_template(CHAT[:2], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith(generation_prompt)
    assert text.startswith(prompt)  # the prompt is a prefix of the conversation: preference splitting relies on it
    assert turn_end_problem(family_tok, family_stops) is None


def test_qwen_adds_its_default_system_prompt(family_tok, family_stops):
    family_tok.chat_template = resolve_chat_template("qwen", family_tok, family_stops)
    text = family_tok.apply_chat_template(CHAT[1:3], tokenize=False)
    assert text.startswith("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud.")


def test_unsupported_role_fails_loudly(family_tok, family_stops):
    family_tok.chat_template = resolve_chat_template("gemma", family_tok, family_stops)
    with pytest.raises(Exception, match="no place for role tool"):
        family_tok.apply_chat_template([{"role": "tool", "content": "x"}], tokenize=False)


def test_turns_end_with_eos_when_the_model_does_not_stop_on_the_family_token(caplog):
    tok = train_bpe_tokenizer()  # eos <|im_end|>, no <|eot_id|>
    logger = logging.getLogger("t-templates")
    with caplog.at_level(logging.INFO, logger="t-templates"):
        choice = apply_chat_template_choice("llama3", tok, SimpleNamespace(model_type="llama"), None, logger)
    assert "instead of '<|eot_id|>', which is not in its vocabulary" in caplog.text
    assert tok.chat_template == choice.text
    spans = masked_spans(tok, CHAT)
    assert [tok.decode(s) for s in spans] == ["Hello!<|im_end|>", "Blue.<|im_end|>"]


def test_family_end_token_is_used_when_the_generation_config_stops_on_it(family_tok):
    eot = family_tok.convert_tokens_to_ids("<end_of_turn>")
    config = SimpleNamespace(eos_token_id=[family_tok.eos_token_id, eot], model_type="gemma")
    stops = stop_token_ids(family_tok, config)
    assert "<end_of_turn>" in resolve_chat_template("gemma", family_tok, stops)
    assert "<end_of_turn>" not in resolve_chat_template("gemma", family_tok, frozenset({family_tok.eos_token_id}))


def test_family_mismatch_warning():
    warning = family_mismatch("llama3", SimpleNamespace(model_type="gemma2"))
    assert "llama3 is the Llama 3 format, but the model is a gemma2 model" in warning
    assert "--chat-template gemma" in warning
    assert family_mismatch("llama3", SimpleNamespace(model_type="llama")) is None
    assert family_mismatch("chatml", SimpleNamespace(model_type="gemma")) is None


def test_template_without_eos_after_replies_is_flagged():
    tok = train_bpe_tokenizer()
    stops = frozenset({tok.eos_token_id})
    tok.chat_template = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    assert "does not end assistant replies" in turn_end_problem(tok, stops)
    tok.chat_template = (
        "{% for m in messages %}{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] }}{% endgeneration %}"
        "{{ eos_token }}{% else %}{{ m['content'] + eos_token }}{% endif %}{% endfor %}"
    )
    assert "leaves out the token that ends a reply" in turn_end_problem(tok, stops)


def test_pad_equal_to_eos_is_never_silent(caplog):
    logger = logging.getLogger("t-pad")
    tok = train_bpe_tokenizer()
    tok.pad_token = tok.eos_token
    stops = frozenset({tok.eos_token_id})
    with caplog.at_level(logging.INFO, logger="t-pad"):
        check_pad_token(tok, stops, logger)
    assert tok.pad_token == "<|unk|>" and "padding now uses '<|unk|>'" in caplog.text
    no_unk = train_bpe_tokenizer(special_tokens=("<s>", "</s>"), token_roles={"bos_token": "<s>", "eos_token": "</s>"})
    no_unk.pad_token = "</s>"
    with caplog.at_level(logging.INFO, logger="t-pad"):
        check_pad_token(no_unk, frozenset({no_unk.eos_token_id}), logger)
    assert "Warning: the pad token is the EOS token '</s>'" in caplog.text


def test_unknown_template_name_suggests():
    with pytest.raises(ParamError, match="Did you mean llama3"):
        check_template_name("lama3")
