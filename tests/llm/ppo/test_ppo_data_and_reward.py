"""PPO prompts (text and chat, cut from the left) and reward-model loading and scoring."""

from __future__ import annotations

import logging

import pytest
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from aitraining.engine.tokens import right_pad
from aitraining.errors import AitrainingError, DataError, ParamError
from aitraining.tasks.llm.ppo.data import prompt_limit, tokenize_prompts
from aitraining.tasks.llm.ppo.reward import RewardScorer, same_tokenizer
from aitraining.tasks.llm.ppo.rollout import Rollout, left_pad, response_mask

CHAT = [
    {"role": "system", "content": "Answer with one word."},
    {"role": "user", "content": "What goes with red?"},
    {"role": "assistant", "content": "apple"},
]


@pytest.fixture(scope="module")
def tokenizer(tiny_lm):
    return AutoTokenizer.from_pretrained(tiny_lm)


def test_text_prompts_get_bos_and_long_ones_lose_their_start(tokenizer):
    long_text = "one two three four five six seven eight nine ten"
    tokenizer = AutoTokenizer.from_pretrained(tokenizer.name_or_path)
    tokenizer.chat_template = None  # --chat-template none: raw text prompts
    prompts, report = tokenize_prompts(["red", long_text], tokenizer, limit=4, source="data")
    full = tokenizer(long_text)["input_ids"]
    assert prompts["input_ids"] == [tokenizer("red")["input_ids"], full[-4:]]
    assert prompts["input_ids"][0][0] == tokenizer.bos_token_id
    assert (report.rows, report.truncated, report.longest) == (2, 1, len(full))
    assert "1 prompts longer than 4 tokens were cut from the left" in report.message(4)


def test_chat_prompts_drop_the_answer_and_open_the_assistant_turn(tokenizer):
    prompts, report = tokenize_prompts([CHAT], tokenizer, limit=200, source="data")
    text = tokenizer.decode(prompts["input_ids"][0])
    assert text.endswith("<|im_start|>assistant\n")
    assert "apple" not in text and "What goes with red?" in text
    assert text.count("<|begin|>") == 1  # the template's BOS, not a second one from the tokenizer
    assert report.chat == 1


def test_chat_prompts_need_a_template(tokenizer):
    bare = AutoTokenizer.from_pretrained(tokenizer.name_or_path)
    bare.chat_template = None
    with pytest.raises(ParamError, match="no chat template"):
        tokenize_prompts([CHAT], bare, limit=200, source="data")


def test_bad_prompts_name_the_row(tokenizer):
    with pytest.raises(DataError, match="Row 2 of data"):
        tokenize_prompts(["ok", 5], tokenizer, limit=200, source="data")
    with pytest.raises(DataError, match="only an assistant message"):
        tokenize_prompts([[{"role": "assistant", "content": "hi"}]], tokenizer, limit=200, source="data")


def test_prompt_limit_leaves_room_for_the_response():
    assert prompt_limit(64, 16) == 48
    with pytest.raises(ParamError, match="rl-max-new-tokens"):
        prompt_limit(32, 32)


@pytest.mark.parametrize(
    ("make", "reason"),
    [("missing", "not found"), ("causal_lm", "is a LlamaForCausalLM"), ("adapter", "a LoRA adapter only")],
)
def test_unusable_reward_models_give_a_clear_error(make, reason, tiny_lm, tokenizer, tmp_path):
    path = {"missing": str(tmp_path / "nowhere"), "causal_lm": str(tiny_lm), "adapter": str(tmp_path)}[make]
    (tmp_path / "adapter_config.json").write_text("{}")
    with pytest.raises(AitrainingError) as info:
        RewardScorer(path, tokenizer, "cpu", logging.getLogger("test"), 4)
    message = str(info.value)
    assert path in message and "must be a folder produced by `aitraining llm --trainer reward`" in message
    assert reason in message


def _rollout(tokenizer, prompts: list[str], responses: list[str]) -> Rollout:
    query_ids, query_mask = left_pad([tokenizer(p)["input_ids"] for p in prompts], tokenizer.pad_token_id)
    eos = [tokenizer.eos_token_id]
    encoded = [tokenizer(r, add_special_tokens=False)["input_ids"] + eos for r in responses]
    width = max(len(e) for e in encoded) + 2
    response_ids = torch.tensor([e + [tokenizer.pad_token_id] * (width - len(e)) for e in encoded])
    empty = torch.zeros(response_ids.shape)
    return Rollout(query_ids, query_mask, response_ids, response_mask(response_ids, eos), empty, empty, empty)


def test_scores_match_the_reward_model_on_the_plain_text(reward_model, tokenizer, caplog):
    with caplog.at_level(logging.INFO):
        scorer = RewardScorer(str(reward_model), tokenizer, "cpu", logging.getLogger("ppo-test"), batch_size=2)
    assert scorer.reuse_ids and "same tokenizer as the policy" in caplog.text
    rollout = _rollout(tokenizer, ["one two", "the cat sees"], [" five six seven", " a red ball today"])
    scores = scorer.score(rollout)
    model = AutoModelForSequenceClassification.from_pretrained(reward_model).eval()
    eos = tokenizer.eos_token
    for row, text in enumerate(["one two five six seven" + eos, "the cat sees a red ball today" + eos]):
        with torch.no_grad():
            expected = model(**tokenizer(text, return_tensors="pt")).logits[0, 0]
        assert float(scores[row]) == pytest.approx(float(expected), abs=1e-4)
    # The decode / re-tokenize path used for a different tokenizer gives the same scores on clean text.
    scorer.reuse_ids = False
    assert torch.allclose(scorer.score(rollout), scores, atol=1e-4)


def test_a_different_tokenizer_is_detected(tokenizer):
    other = AutoTokenizer.from_pretrained(tokenizer.name_or_path)
    assert same_tokenizer(tokenizer, other)
    other.add_special_tokens({"additional_special_tokens": ["<|reward|>"]})
    assert not same_tokenizer(tokenizer, other)


def test_right_pad():
    ids, mask = right_pad([[5, 6, 7], [8]], 0)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]] and mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_a_tokenizer_that_appends_eos_does_not_end_the_prompt():
    from aitraining.testing import train_bpe_tokenizer

    tokenizer = train_bpe_tokenizer(add_bos_token=True, add_eos_token=True)
    assert tokenizer("red")["input_ids"][-1] == tokenizer.eos_token_id
    prompts, _ = tokenize_prompts(["red"], tokenizer, limit=10, source="data")
    assert prompts["input_ids"][0] == tokenizer("red")["input_ids"][:-1]
