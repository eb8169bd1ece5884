"""Byte-level BPE tokenizers (RoBERTa, GPT-2, DeBERTa-v1 style) and pre-split words.

Such a tokenizer marks a word that follows a space with a space symbol ('Ġlives'). Words handed over one
by one (`is_split_into_words=True`) carry no space, so without a prefix space training would see 'lives'
where `pipeline("token-classification")` on running text sees 'Ġlives': two different tokens. Turning on
the pre-tokenizer's `add_prefix_space` gives every word its space in training, and the saved tokenizer
does the same on raw text, so both see the same tokens.
"""

from __future__ import annotations

from typing import Any


def add_prefix_space(tokenizer: Any) -> bool:
    """Turn on the byte-level pre-tokenizer's prefix space; False when there is none or it is already on.

    transformers 5 stores an `add_prefix_space=True` keyword of `from_pretrained` without changing the Rust
    pre-tokenizer of a generic fast tokenizer, so the pre-tokenizer itself is changed here.
    """
    from tokenizers import pre_tokenizers

    backend = getattr(tokenizer, "backend_tokenizer", None)
    pre = getattr(backend, "pre_tokenizer", None)
    if backend is None or not isinstance(pre, pre_tokenizers.ByteLevel) or pre.add_prefix_space:
        return False
    pre.add_prefix_space = True
    backend.pre_tokenizer = pre
    tokenizer.add_prefix_space = True  # saved in tokenizer_config.json as well
    return True
