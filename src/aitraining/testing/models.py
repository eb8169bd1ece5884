"""Tiny randomly initialised checkpoints, written to disk like any Hub model.

Tests and the README demo need real `from_pretrained` directories (config, weights, tokenizer files) to
exercise the same loading code users hit, but must not touch the network and must finish in seconds on a
laptop CPU. Each factory trains a tokenizer on the spot, builds a model a few hundred kilobytes big, and saves
both with `save_pretrained`. Results depend only on the arguments and the seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import torch
from transformers import (
    BertConfig,
    BertForPreTraining,
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerFast,
    T5Config,
    T5ForConditionalGeneration,
)

from aitraining.testing.tokenizers import train_bpe_tokenizer, train_wordpiece_tokenizer

_M = TypeVar("_M", bound=PreTrainedModel)

# ChatML with `{% generation %}` around each assistant reply *and* its closing <|im_end|>, so
# `return_assistant_tokens_mask=True` marks exactly what the model must learn to produce, stop token included
# (TRL's `is_chat_template_stop_token_trained` checks the same thing). Every turn renders the same whatever
# follows it (prefix preserving), which prompt/completion splitting relies on. Content may be a string, a list
# of `{"type": "text", "text": ...}` parts, or missing (tool-call turns).
CHAT_TEMPLATE = (
    "{{- bos_token }}"
    "{%- for message in messages %}"
    "{%- set content = message['content'] if message['content'] is defined and message['content'] is not none"
    " else '' %}"
    "{%- if content is not string %}"
    "{%- set ns = namespace(text='') %}"
    "{%- for part in content %}{%- if part['type'] == 'text' %}{%- set ns.text = ns.text + part['text'] %}"
    "{%- endif %}{%- endfor %}"
    "{%- set content = ns.text %}"
    "{%- endif %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['role'] == 'assistant' %}"
    "{%- generation %}{{- content + '<|im_end|>' }}{%- endgeneration %}"
    "{%- else %}"
    "{{- content + '<|im_end|>' }}"
    "{%- endif %}"
    "{{- '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def _save(model: PreTrainedModel, tokenizer: PreTrainedTokenizerFast, out_dir: str | Path) -> Path:
    """Save model and tokenizer side by side, the layout `AutoModel*/AutoTokenizer.from_pretrained` expect."""
    path = Path(out_dir)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def _seeded_init(seed: int, build: Callable[[], _M]) -> _M:
    """Build a model under a fixed seed without disturbing the caller's global RNG state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def make_tiny_causal_lm(
    out_dir: str | Path,
    *,
    texts: Iterable[str] | None = None,
    seed: int = 0,
    hidden_size: int = 64,
    num_layers: int = 2,
) -> Path:
    """Write a tiny Llama causal LM with a ChatML tokenizer to `out_dir` and return the path.

    Tokenizer: byte-level BPE; bos `<|begin|>` (added by `tokenizer(text)` and by the chat template), eos
    `<|im_end|>` (also the end-of-turn token), pad `<|pad|>` distinct from eos so padding masks never hide
    the stop token, unk `<|unk|>`, and `<|im_start|>` as an extra special token. Llama is used because its
    code path (RoPE, GQA, RMSNorm) is the one most real checkpoints share.
    """
    tokenizer = train_bpe_tokenizer(texts, add_bos_token=True)
    tokenizer.chat_template = CHAT_TEMPLATE
    heads = 4
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=heads,
        num_key_value_heads=heads // 2,
        head_dim=hidden_size // heads,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    model = _seeded_init(seed, lambda: LlamaForCausalLM(config))
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return _save(model, tokenizer, out_dir)


def make_tiny_encoder(out_dir: str | Path, *, texts: Iterable[str] | None = None, seed: int = 0) -> Path:
    """Write a tiny BERT with a WordPiece tokenizer and return the path.

    Saved as `BertForPreTraining`, the same weight layout as `bert-base-uncased` (encoder, pooler, MLM and
    next-sentence heads), so `AutoModelForMaskedLM` finds its head and `AutoModelForSequenceClassification`,
    `...TokenClassification` and `...QuestionAnswering` get a trained-looking body plus a new random head,
    exactly as with a real checkpoint.
    """
    tokenizer = train_wordpiece_tokenizer(texts)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=512,
        type_vocab_size=2,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = _seeded_init(seed, lambda: BertForPreTraining(config))
    return _save(model, tokenizer, out_dir)


def make_tiny_seq2seq(out_dir: str | Path, *, texts: Iterable[str] | None = None, seed: int = 0) -> Path:
    """Write a tiny T5 encoder-decoder with a byte-level BPE tokenizer and return the path.

    T5 over BART because its conventions are simple and fixed: no bos, `tokenizer(text)` appends `</s>`, and
    decoding starts from the pad token (`decoder_start_token_id == pad_token_id == 0`).
    """
    tokenizer = train_bpe_tokenizer(
        texts,
        special_tokens=("<pad>", "</s>", "<unk>"),
        token_roles={"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"},
        add_eos_token=True,
    )
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=64,
        d_kv=16,
        d_ff=128,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        feed_forward_proj="relu",
        dropout_rate=0.0,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )
    model = _seeded_init(seed, lambda: T5ForConditionalGeneration(config))
    # T5 always ties the output layer to its input embeddings (transformers 5 forces it), so a random model's
    # likeliest next token is the one it was fed: it would "generate" the decoder start (pad) token forever.
    # Zeroing the pad row, as `nn.Embedding(padding_idx=...)` does for Llama and BERT, makes it emit text.
    with torch.no_grad():
        model.shared.weight[config.pad_token_id].zero_()
    model.generation_config = GenerationConfig(
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )
    return _save(model, tokenizer, out_dir)
