"""The offline factory must produce checkpoints and data that behave like the real thing.

Other tests build on these objects, so a wrong pad id, a template that masks the user turn, or a tokenizer
that does not reload would silently weaken the whole suite; these tests pin those properties down.
"""

from __future__ import annotations

import csv
import json
from importlib.resources import files
from pathlib import Path

import pytest
import torch
from transformers import (
    AutoModelForCausalLM,
    AutoModelForQuestionAnswering,
    AutoModelForSeq2SeqLM,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    AutoTokenizer,
)

from aitraining.testing import (
    make_tiny_causal_lm,
    make_tiny_encoder,
    make_tiny_seq2seq,
    train_bpe_tokenizer,
    write_chat_dataset,
    write_preference_dataset,
    write_text_corpus,
)

CHAT = [
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": "What goes with red?"},
    {"role": "assistant", "content": "apple"},
    {"role": "user", "content": "And blue?"},
    {"role": "assistant", "content": "The sky, of course.\nBlue sky."},
]


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def causal_lm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_causal_lm(tmp_path_factory.mktemp("causal"))


@pytest.fixture(scope="module")
def causal_tokenizer(causal_lm_dir: Path):
    return AutoTokenizer.from_pretrained(causal_lm_dir)


def test_bpe_tokenizer_round_trips_text() -> None:
    tok = train_bpe_tokenizer()
    text = "Hello  world,\n\tthe user said: 12 + 3 = 15!  Ünïcödé ✓"
    assert tok.decode(tok(text)["input_ids"]) == text


def test_causal_lm_reloads_and_generates(causal_lm_dir: Path, causal_tokenizer) -> None:
    model = AutoModelForCausalLM.from_pretrained(causal_lm_dir)
    assert type(model).__name__ == "LlamaForCausalLM"
    batch = causal_tokenizer(["one two three", "four"], return_tensors="pt", padding=True)
    out = model.generate(**batch, max_new_tokens=4, min_new_tokens=4, do_sample=False)
    assert out.shape == (2, batch["input_ids"].shape[1] + 4)


def test_causal_lm_special_tokens_match_config(causal_lm_dir: Path, causal_tokenizer) -> None:
    tok = causal_tokenizer
    model = AutoModelForCausalLM.from_pretrained(causal_lm_dir)
    assert tok.pad_token == "<|pad|>" and tok.eos_token == "<|im_end|>" and tok.bos_token == "<|begin|>"
    assert tok.unk_token is not None
    assert tok.pad_token_id != tok.eos_token_id
    for name in ("pad_token_id", "bos_token_id", "eos_token_id"):
        assert getattr(model.config, name) == getattr(tok, name)
        assert getattr(model.generation_config, name) == getattr(tok, name)
    for special in ("<|im_start|>", "<|im_end|>"):
        assert len(tok(special, add_special_tokens=False)["input_ids"]) == 1
    # bos is added by plain tokenization, and there are no token_type_ids for a decoder-only model.
    enc = tok("one two")
    assert enc["input_ids"][0] == tok.bos_token_id and "token_type_ids" not in enc
    assert model.config.vocab_size == len(tok)


def test_chat_template_masks_exactly_assistant_turns(causal_tokenizer) -> None:
    tok = causal_tokenizer
    out = tok.apply_chat_template(CHAT, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    ids, mask = out["input_ids"], out["assistant_masks"]
    assert len(ids) == len(mask)
    runs: list[list[int]] = []
    for i, (token, flag) in enumerate(zip(ids, mask, strict=True)):
        if flag:
            if i == 0 or not mask[i - 1]:
                runs.append([])
            runs[-1].append(token)
    expected = [m["content"] + "<|im_end|>" for m in CHAT if m["role"] == "assistant"]
    assert [tok.decode(run) for run in runs] == expected
    unmasked = tok.decode([t for t, flag in zip(ids, mask, strict=True) if not flag])
    assert "What goes with red?" in unmasked and "apple" not in unmasked


def test_chat_template_generation_prompt(causal_tokenizer) -> None:
    text = causal_tokenizer.apply_chat_template(CHAT[:2], tokenize=False, add_generation_prompt=True)
    assert text.startswith("<|begin|><|im_start|>system\n")
    assert text.endswith("<|im_start|>user\nWhat goes with red?<|im_end|>\n<|im_start|>assistant\n")


def test_causal_lm_is_deterministic(tmp_path: Path) -> None:
    first, second = make_tiny_causal_lm(tmp_path / "a"), make_tiny_causal_lm(tmp_path / "b")
    other = make_tiny_causal_lm(tmp_path / "c", seed=1)
    for name in ("model.safetensors", "tokenizer.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert (first / "model.safetensors").read_bytes() != (other / "model.safetensors").read_bytes()


def test_encoder_loads_for_all_heads_and_tokenizes_pairs(tmp_path: Path) -> None:
    path = make_tiny_encoder(tmp_path / "enc")
    tok = AutoTokenizer.from_pretrained(path)
    question, context = "Which colour is the sky?", "The sky is blue today."
    enc = tok([question], [context], return_offsets_mapping=True, return_tensors="pt")
    offsets = enc.pop("offset_mapping")[0].tolist()
    tokens = tok.convert_ids_to_tokens(enc["input_ids"][0])
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and tokens.count("[SEP]") == 2
    assert set(enc["token_type_ids"][0].tolist()) == {0, 1}
    for token, seq_id, (start, end) in zip(tokens, enc.sequence_ids(0), offsets, strict=True):
        if seq_id == 1:
            assert context[start:end].lower() == token.removeprefix("##")

    classifier = AutoModelForSequenceClassification.from_pretrained(path, num_labels=3)
    assert classifier(**enc).logits.shape == (1, 3)
    assert AutoModelForTokenClassification.from_pretrained(path, num_labels=4)(**enc).logits.shape[-1] == 4
    qa_out = AutoModelForQuestionAnswering.from_pretrained(path)(**enc)
    assert qa_out.start_logits.shape == enc["input_ids"].shape


def test_seq2seq_generates(tmp_path: Path) -> None:
    path = make_tiny_seq2seq(tmp_path / "s2s")
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSeq2SeqLM.from_pretrained(path)
    assert model.config.decoder_start_token_id == tok.pad_token_id and tok.pad_token_id != tok.eos_token_id
    batch = tok(["summarize: the cat likes a red ball", "red"], return_tensors="pt", padding=True)
    assert batch["input_ids"][1, batch["attention_mask"][1].sum() - 1] == tok.eos_token_id
    out = model.generate(**batch, max_new_tokens=5, do_sample=False)
    assert out.shape[0] == 2 and out.shape[1] > 1
    assert torch.all(out[:, 0] == tok.pad_token_id)
    assert all(text.strip() for text in tok.batch_decode(out, skip_special_tokens=True))


@pytest.mark.parametrize(
    ("style", "columns"),
    [("messages", {"messages"}), ("prompt_completion", {"prompt", "completion"}), ("text", {"text"})],
)
def test_chat_dataset_columns(tmp_path: Path, style: str, columns: set[str]) -> None:
    folder = write_chat_dataset(tmp_path, n_train=30, n_valid=7, style=style, with_system=True)
    train, valid = _read_jsonl(folder / "train.jsonl"), _read_jsonl(folder / "valid.jsonl")
    assert (len(train), len(valid)) == (30, 7)
    assert all(set(row) == columns for row in train + valid)
    if style == "messages":
        roles = [[turn["role"] for turn in row["messages"]] for row in train]
        assert all(r == ["system", "user", "assistant"] for r in roles)
    else:
        assert all(isinstance(v, str) for row in train for v in row.values())


def test_datasets_are_deterministic_and_learnable_shaped(tmp_path: Path) -> None:
    a = write_chat_dataset(tmp_path / "a", n_train=20, n_valid=5)
    b = write_chat_dataset(tmp_path / "b", n_train=20, n_valid=5)
    assert (a / "train.jsonl").read_text() == (b / "train.jsonl").read_text()
    answers: dict[str, set[str]] = {}
    for row in _read_jsonl(a / "train.jsonl"):
        user, assistant = row["messages"][-2]["content"], row["messages"][-1]["content"]
        answers.setdefault(user.split()[-1].strip("?."), set()).add(assistant)
    assert all(len(v) == 1 for v in answers.values())


def test_text_corpus_and_preferences(tmp_path: Path) -> None:
    corpus = write_text_corpus(tmp_path / "lm", n_train=12, n_valid=3)
    rows = _read_jsonl(corpus / "train.jsonl")
    assert len(rows) == 12 and all(set(r) == {"text"} and r["text"] for r in rows)
    as_csv = write_text_corpus(tmp_path / "csv", n_train=4, n_valid=2, fmt="csv")
    with (as_csv / "valid.csv").open(encoding="utf-8") as fh:
        assert [set(r) for r in csv.DictReader(fh)] == [{"text"}] * 2

    prefs = _read_jsonl(write_preference_dataset(tmp_path / "pref", n_train=10, n_valid=2) / "train.jsonl")
    assert all(set(r) == {"prompt", "chosen", "rejected"} and r["chosen"] != r["rejected"] for r in prefs)


def test_shipped_sample_data_renders_with_chat_template(causal_tokenizer) -> None:
    folder = files("aitraining") / "sample_data" / "llm_sft"
    train = [json.loads(line) for line in (folder / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    valid = [json.loads(line) for line in (folder / "valid.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (len(train), len(valid)) == (120, 20)
    for row in train + valid:
        assert set(row) == {"messages"} and row["messages"][-1]["role"] == "assistant"
        assert {turn["role"] for turn in row["messages"]} <= {"system", "user", "assistant"}
    out = causal_tokenizer.apply_chat_template(
        train[0]["messages"], tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    assert 0 < sum(out["assistant_masks"]) < len(out["input_ids"])
