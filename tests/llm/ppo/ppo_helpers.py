"""PPO test helpers: a tiny reward model trained on the spot to like number words, and small settings.

The signal is one a random tiny policy can find quickly: each response token has about a 2% chance
of being one of ten number words (" one" ... " ten"), and the reward model, trained pairwise, scores
texts with more of them higher. PPO then has to make the policy say more number words.
"""

from __future__ import annotations

import random
from contextlib import contextmanager

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from aitraining.tasks.llm.params import LLMParams

NUMBER_WORDS = (" one", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten")
PROMPTS = ("one two", "the cat", "a dog sees", "red", "my friend likes", "blue sky", "hello", "three")


def good_token_ids(tokenizer) -> list[int]:
    ids = [tokenizer(word, add_special_tokens=False)["input_ids"] for word in NUMBER_WORDS]
    assert all(len(i) == 1 for i in ids), "each number word must be one token for this test's signal"
    return [i[0] for i in ids]


def _random_text(rng: random.Random, vocab: list[int], good: list[int], n_good: int, bos: int) -> list[int]:
    """bos, a 3-token 'prompt', then a 3-8 token 'response' holding `n_good` number words."""
    response = [rng.choice(vocab) for _ in range(rng.randint(3, 8))]
    for _ in range(n_good):
        response[rng.randrange(len(response))] = rng.choice(good)
    return [bos] + [rng.choice(vocab) for _ in range(3)] + response


def train_reward_model(base: str, out_dir, steps: int = 200, seed: int = 0):
    """Pairwise (Bradley-Terry) training: -log sigmoid(r(chosen) - r(rejected)), chosen has more number words."""
    tokenizer = AutoTokenizer.from_pretrained(base)
    good = good_token_ids(tokenizer)
    vocab = [i for i in range(len(tokenizer)) if i not in good and i not in tokenizer.all_special_ids]
    rng = random.Random(seed)
    torch.manual_seed(seed)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1)
    model.config.pad_token_id = tokenizer.pad_token_id
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(steps):
        pairs = [sorted(rng.sample(range(4), 2), reverse=True) for _ in range(16)]
        texts = [_random_text(rng, vocab, good, hi, tokenizer.bos_token_id) for hi, _ in pairs]
        texts += [_random_text(rng, vocab, good, lo, tokenizer.bos_token_id) for _, lo in pairs]
        width = max(len(t) for t in texts)
        ids = torch.tensor([t + [tokenizer.pad_token_id] * (width - len(t)) for t in texts])
        scores = model(input_ids=ids, attention_mask=(ids != tokenizer.pad_token_id).long()).logits[:, 0]
        loss = -torch.nn.functional.logsigmoid(scores[:16] - scores[16:]).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


@contextmanager
def one_thread():
    """Tiny models gain nothing from threads, and two threads on a busy 2-core machine can run 10x slower."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def ppo_params(tiny_lm, reward_model, **overrides) -> LLMParams:
    """Small, fast settings: 32 prompts in chunks of 16, 6 new tokens, constant learning rate."""
    values = {
        "model": str(tiny_lm),
        "trainer": "ppo",
        "rl_reward_model_path": str(reward_model),
        "lr": 3e-3,
        "epochs": 12,
        "scheduler": "constant",
        "warmup_ratio": 0.0,
        "block_size": 64,
        "rl_chunk_size": 16,
        "rl_mini_batch_size": 8,
        "batch_size": 8,  # rollout generation / scoring batch
        "rl_num_ppo_epochs": 2,
        "rl_max_new_tokens": 6,
        "rl_kl_coef": 0.2,
        "seed": 0,
    }
    values.update(overrides)
    return LLMParams(**values)
