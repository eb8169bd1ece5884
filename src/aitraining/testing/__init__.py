"""Offline model and data factory for tests and demos.

Everything here is built on the spot (tokenizers trained in milliseconds, tiny random models, synthetic
datasets), so the test suite and the README demo run without the HuggingFace Hub or any download.
"""

from aitraining.testing._corpus import default_corpus
from aitraining.testing.datasets import write_chat_dataset, write_preference_dataset, write_text_corpus
from aitraining.testing.models import CHAT_TEMPLATE, make_tiny_causal_lm, make_tiny_encoder, make_tiny_seq2seq
from aitraining.testing.tokenizers import train_bpe_tokenizer, train_wordpiece_tokenizer

__all__ = [
    "CHAT_TEMPLATE",
    "default_corpus",
    "make_tiny_causal_lm",
    "make_tiny_encoder",
    "make_tiny_seq2seq",
    "train_bpe_tokenizer",
    "train_wordpiece_tokenizer",
    "write_chat_dataset",
    "write_preference_dataset",
    "write_text_corpus",
]
