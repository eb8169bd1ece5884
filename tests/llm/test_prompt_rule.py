"""One rule for plain-string prompts (issue 9, item 2) and answer-only loss by default (item 11), without training.

Under a chat template a plain prompt is a user turn and a completion an assistant turn, in sft, the
preference trainers, PPO and inference alike; with --chat-template none everything is raw.
"""

from __future__ import annotations

import logging

import pytest
from transformers import AutoTokenizer

from aitraining.tasks.llm import prep_pref, prep_sft
from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.llm.ppo.data import tokenize_prompts
from aitraining.tasks.llm.prompt_rule import CHAT_RULE, RAW_RULE, announce, encode_prompt

PROMPT, ANSWER = "What goes with red?", " apple"
USER_TURN = f"<|begin|><|im_start|>user\n{PROMPT}<|im_end|>\n<|im_start|>assistant\n"
# The tiny template without its {% generation %} marks, as most real tokenizers' templates are.
UNMARKED = (
    "{{- bos_token }}{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello"},
    {"role": "user", "content": PROMPT},
    {"role": "assistant", "content": "apple"},
]


@pytest.fixture
def chat_tok(tiny_lm):
    return AutoTokenizer.from_pretrained(tiny_lm)  # has a chat template: the default case


@pytest.fixture
def raw_tok(tiny_lm):
    tok = AutoTokenizer.from_pretrained(tiny_lm)
    tok.chat_template = None  # what --chat-template none leaves
    return tok


def trained_text(tok, enc) -> str:
    return tok.decode([t for t, label in zip(enc["input_ids"], enc["labels"], strict=True) if label != -100])


def test_every_path_renders_a_plain_prompt_as_the_same_user_turn(chat_tok, caplog):
    expected = chat_tok(USER_TURN, add_special_tokens=False)["input_ids"]
    assert chat_tok.decode(expected) == USER_TURN
    # sft prompt/completion
    row = {"prompt": PROMPT, "completion": ANSWER}
    sft = prep_sft.encode_row(row, 1, "prompt_completion", "prompt", LLMParams(), chat_tok, "data")
    assert sft["input_ids"][: len(expected)] == expected
    assert trained_text(chat_tok, sft) == f"{ANSWER}<|im_end|>"  # the completion and its end-of-turn
    # dpo / orpo / reward
    cols = {"prompt": "prompt", "chosen": "chosen", "rejected": "rejected"}
    prompt_ids, _ = prep_pref.encode_row({"prompt": PROMPT, "chosen": " a", "rejected": " b"}, cols, chat_tok, "r")
    assert prompt_ids == expected
    # ppo
    prompts, _ = tokenize_prompts([PROMPT], chat_tok, limit=100, source="data")
    assert prompts["input_ids"][0] == expected
    # --inference
    assert encode_prompt(PROMPT, chat_tok) == expected
    with caplog.at_level(logging.INFO):
        announce(chat_tok, logging.getLogger("rule"))
    assert CHAT_RULE in caplog.text


def test_without_a_template_every_path_is_raw(raw_tok, caplog):
    expected = raw_tok(PROMPT)["input_ids"]
    row = {"prompt": PROMPT, "completion": ANSWER}
    sft = prep_sft.encode_row(row, 1, "prompt_completion", "prompt", LLMParams(), raw_tok, "data")
    assert sft["input_ids"][: len(expected)] == expected and trained_text(raw_tok, sft) == f"{ANSWER}<|im_end|>"
    cols = {"prompt": "prompt", "chosen": "chosen", "rejected": "rejected"}
    prompt_ids, _ = prep_pref.encode_row({"prompt": PROMPT, "chosen": " a", "rejected": " b"}, cols, raw_tok, "r")
    prompts, _ = tokenize_prompts([PROMPT], raw_tok, limit=100, source="data")
    assert prompt_ids == prompts["input_ids"][0] == encode_prompt(PROMPT, raw_tok) == expected
    with caplog.at_level(logging.INFO):
        announce(raw_tok, logging.getLogger("rule"))
    assert RAW_RULE in caplog.text


def test_answers_only_is_the_default_loss(chat_tok):
    assert LLMParams().assistant_only_loss is True
    enc = prep_sft.encode_row({"messages": CHAT}, 1, "chat", "messages", LLMParams(), chat_tok, "data")
    assert trained_text(chat_tok, enc) == "Hello<|im_end|>apple<|im_end|>"
    everything = prep_sft.encode_row(
        {"messages": CHAT}, 1, "chat", "messages", LLMParams(assistant_only_loss=False), chat_tok, "data"
    )
    assert everything["labels"] == everything["input_ids"]
    assert prep_sft.loss_note("chat", LLMParams()).startswith("Loss: assistant replies only")
    assert "--assistant-only-loss=False" in prep_sft.loss_note("prompt_completion", LLMParams())


def test_answers_are_found_in_templates_without_generation_marks(chat_tok):
    """Most real templates have no {% generation %}: the replies are found by rendering each prefix."""
    chat_tok.chat_template = UNMARKED
    enc = prep_sft.encode_row({"messages": CHAT}, 1, "chat", "messages", LLMParams(), chat_tok, "data")
    assert trained_text(chat_tok, enc) == "Hello<|im_end|>apple<|im_end|>"  # not the newline that follows


def test_plain_text_warning_only_when_asked_for(chat_tok, caplog):
    with caplog.at_level(logging.WARNING):
        prep_sft.check_template("text", LLMParams(), chat_tok, logging.getLogger("t"))
        assert "no effect on plain-text data" not in caplog.text
        prep_sft.check_template("text", LLMParams(assistant_only_loss=True), chat_tok, logging.getLogger("t"))
    assert "no effect on plain-text data" in caplog.text


def test_inference_renders_prompts_as_the_run_trained(tiny_lm, tmp_path, caplog):
    """A generic run learnt raw text, so --inference prompts it raw even though the tokenizer has a template."""
    import json
    import shutil

    from aitraining.tasks.llm.inference import prompt_tokenizer

    sft, generic = shutil.copytree(tiny_lm, tmp_path / "sft"), shutil.copytree(tiny_lm, tmp_path / "generic")
    (sft / "training_params.json").write_text(json.dumps({"trainer": "sft"}))
    (generic / "training_params.json").write_text(json.dumps({"trainer": "default"}))
    with caplog.at_level(logging.INFO):
        assert encode_prompt(PROMPT, prompt_tokenizer(sft, logging.getLogger("i"))) == encode_prompt(
            PROMPT, AutoTokenizer.from_pretrained(tiny_lm)
        )
        raw = prompt_tokenizer(generic, logging.getLogger("i"))
    assert encode_prompt(PROMPT, raw) == raw(PROMPT)["input_ids"]
    assert "trained with --trainer generic on raw text" in caplog.text and RAW_RULE in caplog.text
