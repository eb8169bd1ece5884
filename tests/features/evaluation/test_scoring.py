"""The scorer against direct, independent computations of the definitions on the tiny LM."""

import math

import numpy as np
import pytest
import torch
from eval_helpers import colour_items
from transformers import AutoModelForCausalLM, AutoTokenizer

from aitraining.features.evaluation.benchmarks import parse_row
from aitraining.features.evaluation.encode import Example, choice_requests, document_requests, example_request
from aitraining.features.evaluation.scoring import Scorer, multiple_choice, perplexity


@pytest.fixture(scope="module")
def lm(tiny_lm):
    return AutoModelForCausalLM.from_pretrained(tiny_lm).eval(), AutoTokenizer.from_pretrained(tiny_lm)


def direct_loglik(model, tokenizer, context: str, continuation: str) -> float:
    """lm-eval's loglikelihood for one request, one unpadded sequence at a time."""
    whole = tokenizer(context + continuation)["input_ids"]
    n_context = len(tokenizer(context)["input_ids"])
    with torch.no_grad():
        logprobs = torch.log_softmax(model(torch.tensor([whole])).logits[0].float(), dim=-1)
    return sum(float(logprobs[i - 1, whole[i]]) for i in range(n_context, len(whole)))


def direct_acc(model, tokenizer, rows) -> tuple[float, float]:
    """lm-eval's process_results: argmax of the logliks and of logliks / len(choice)."""
    acc, acc_norm = [], []
    for row in rows:
        context = f"Question: {row['question']}\nAnswer:"
        lls = np.array([direct_loglik(model, tokenizer, context, " " + c) for c in row["choices"]])
        lengths = np.array([float(len(c)) for c in row["choices"]])
        acc.append(float(np.argmax(lls) == row["answer"]))
        acc_norm.append(float(np.argmax(lls / lengths) == row["answer"]))
    return float(np.mean(acc)), float(np.mean(acc_norm))


def test_acc_and_acc_norm_equal_lm_eval_definitions_on_20_items(lm):
    model, tokenizer = lm
    rows = colour_items()
    assert len(rows) == 20
    items = [parse_row(r, f"fixture:{i}") for i, r in enumerate(rows)]
    requests = [choice_requests(item, tokenizer, chat=False) for item in items]
    want_acc, want_norm = direct_acc(model, tokenizer, rows)
    for batch_size in (1, 7):  # padding in batches changes nothing
        scorer = Scorer(model, batch_size, tokenizer.pad_token_id, 512)
        got = multiple_choice(scorer, items, requests)
        assert (got["acc"], got["acc_norm"], got["n"]) == (pytest.approx(want_acc), pytest.approx(want_norm), 20)
    # and the per-choice log-likelihoods themselves
    first = [s.logprob for s in scorer.score(requests[0])]
    context = f"Question: {rows[0]['question']}\nAnswer:"
    direct = [direct_loglik(model, tokenizer, context, " " + c) for c in rows[0]["choices"]]
    assert first == pytest.approx(direct, abs=1e-4)


def test_perplexity_is_exp_of_the_token_weighted_mean_nll(lm):
    model, tokenizer = lm
    texts = ["one two three four", "red apple", "five six seven eight nine ten eleven"]
    requests = [example_request(Example(None, t), tokenizer, eos_after_text=True) for t in texts]
    got = perplexity(Scorer(model, 2, tokenizer.pad_token_id, 512), requests)
    total_nll = total_tokens = 0.0
    for text in texts:  # transformers' own loss: mean NLL over every token after the first
        ids = torch.tensor([tokenizer(text)["input_ids"] + [tokenizer.eos_token_id]])
        with torch.no_grad():
            loss = float(model(ids, labels=ids).loss)
        total_nll += loss * (ids.shape[1] - 1)
        total_tokens += ids.shape[1] - 1
    assert got["eval_tokens"] == total_tokens
    assert got["perplexity"] == pytest.approx(math.exp(total_nll / total_tokens), rel=1e-4)


def test_prompt_answer_examples_score_only_the_answer_tokens(lm):
    _, tokenizer = lm
    prompt_ids, answer_ids = example_request(Example("What goes with red?", "apple"), tokenizer, eos_after_text=True)
    # the chat template is in use: the prompt ends with the assistant header, the answer with the end-of-turn token
    assert tokenizer.decode(prompt_ids).endswith("<|im_start|>assistant\n")
    assert answer_ids[-1] == tokenizer.eos_token_id and tokenizer.decode(answer_ids[:-1]).strip() == "apple"


def test_long_documents_are_scored_in_windows_like_packed_blocks(lm):
    model, tokenizer = lm
    text = "one two three four five six seven eight nine ten eleven twelve"
    ids = tokenizer(text)["input_ids"] + [tokenizer.eos_token_id]
    requests = document_requests(text, tokenizer, eos_after_text=True, window=5)
    assert [c + s for c, s in requests] == [ids[i : i + 5] for i in range(0, len(ids), 5) if len(ids[i : i + 5]) > 1]
    got = perplexity(Scorer(model, 3, tokenizer.pad_token_id, 5), requests)
    nll = tokens = 0.0
    for start in range(0, len(ids), 5):
        block = torch.tensor([ids[start : start + 5]])
        if block.shape[1] > 1:
            with torch.no_grad():
                nll += float(model(block, labels=block).loss) * (block.shape[1] - 1)
            tokens += block.shape[1] - 1
    assert got["perplexity"] == pytest.approx(math.exp(nll / tokens), rel=1e-4)
