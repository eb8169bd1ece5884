"""Tokenizers trained on the spot, so tests and demos never need the HuggingFace Hub.

Training a byte-level BPE or WordPiece model on a few hundred lines takes milliseconds, which is cheaper and
more reliable than shipping tokenizer files or downloading them. The results are ordinary
`transformers` fast tokenizers: they save with `save_pretrained` and reload with `AutoTokenizer`, so the code
under test sees the same objects it would see with a real checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from aitraining.testing._corpus import default_corpus

# Order matters: special tokens get the first ids, so `<|pad|>` is 0, `<|unk|>` 1, and so on.
BPE_SPECIAL_TOKENS: tuple[str, ...] = ("<|pad|>", "<|unk|>", "<|begin|>", "<|im_end|>", "<|im_start|>")
BPE_TOKEN_ROLES: dict[str, str] = {
    "pad_token": "<|pad|>",
    "unk_token": "<|unk|>",
    "bos_token": "<|begin|>",
    "eos_token": "<|im_end|>",
}
WORDPIECE_SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def _texts_or_default(texts: Iterable[str] | None) -> list[str]:
    """Materialise the training texts; the tokenizers trainer wants a re-iterable, non-empty source."""
    lines = list(texts) if texts is not None else default_corpus()
    return lines or default_corpus()


def train_bpe_tokenizer(
    texts: Iterable[str] | None = None,
    vocab_size: int = 600,
    special_tokens: Sequence[str] = BPE_SPECIAL_TOKENS,
    *,
    token_roles: Mapping[str, str] | None = None,
    add_bos_token: bool = False,
    add_eos_token: bool = False,
    model_max_length: int = 512,
) -> PreTrainedTokenizerFast:
    """Train a GPT-2 style byte-level BPE tokenizer and wrap it for `transformers`.

    Byte-level means every string is encodable (no unknown characters ever), and the ByteLevel decoder makes
    `decode(encode(text)) == text`, spaces and newlines included. That round trip matters for generation tests
    and for chat templates, whose rendered text must tokenize back to the same characters.

    Args:
        texts: training lines; the built-in default corpus when omitted.
        vocab_size: target size including the 256 byte symbols and the special tokens.
        special_tokens: added first (lowest ids), never split, and marked special.
        token_roles: which special token plays which role (`bos_token`, `eos_token`, `pad_token`,
            `unk_token`, ...); defaults to `BPE_TOKEN_ROLES` when `special_tokens` is the default set.
            Special tokens without a role become `extra_special_tokens`.
        add_bos_token / add_eos_token: whether plain `tokenizer(text)` adds bos/eos around the text.
        model_max_length: advertised maximum sequence length.
    """
    if token_roles is None:
        token_roles = BPE_TOKEN_ROLES if tuple(special_tokens) == BPE_SPECIAL_TOKENS else {}
    unk = token_roles.get("unk_token")
    backend = Tokenizer(models.BPE(unk_token=unk))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    # trim_offsets=False keeps each token's offsets covering all of its characters; the assistant-mask code
    # in `apply_chat_template` maps template spans to tokens through these offsets.
    backend.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(_texts_or_default(texts), trainer=trainer)
    extra = [tok for tok in special_tokens if tok not in token_roles.values()]
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        model_max_length=model_max_length,
        add_bos_token=add_bos_token,
        add_eos_token=add_eos_token,
        extra_special_tokens=extra,
        # Decoder-only models take no token_type_ids; returning them would break `model(**batch)`.
        model_input_names=["input_ids", "attention_mask"],
        clean_up_tokenization_spaces=False,
        **token_roles,
    )


def _wordpiece_vocab(texts: list[str], vocab_size: int, lowercase: bool) -> dict[str, int]:
    """A WordPiece vocabulary learnt deterministically: the same texts give the same ids in every process.

    The tokenizers library's WordPiece trainer does not: it numbers the `##` continuation pieces in hash-map
    order, so ties between equally frequent merges break differently per process, and the vocabulary (and
    with it every seeded model's embedding of a word) changed from run to run. Its byte-pair trainer has no
    such pieces and is deterministic, so the pieces are learnt with it and each is added twice, as a word
    start and as a `##` continuation.
    """
    backend = Tokenizer(models.BPE(unk_token=WORDPIECE_SPECIAL_TOKENS[1]))
    backend.normalizer = normalizers.BertNormalizer(lowercase=lowercase, strip_accents=lowercase)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=(vocab_size + len(WORDPIECE_SPECIAL_TOKENS)) // 2,
        special_tokens=list(WORDPIECE_SPECIAL_TOKENS),
        # Every printable ASCII character stays encodable even when the corpus never used it.
        initial_alphabet=[chr(c) for c in range(33, 127)],
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer=trainer)
    by_id = sorted(backend.get_vocab().items(), key=lambda item: item[1])
    pieces = [token for token, _ in by_id if token not in WORDPIECE_SPECIAL_TOKENS]
    tokens = [*WORDPIECE_SPECIAL_TOKENS, *pieces, *(f"##{piece}" for piece in pieces)]
    return {token: i for i, token in enumerate(tokens)}


def train_wordpiece_tokenizer(
    texts: Iterable[str] | None = None,
    vocab_size: int = 800,
    *,
    lowercase: bool = True,
    model_max_length: int = 512,
) -> PreTrainedTokenizerFast:
    """Train a BERT-style WordPiece tokenizer with `[CLS] A [SEP] B [SEP]` post-processing.

    Encoder tasks need what BERT provides: `[CLS]`/`[SEP]` framing, segment ids for sentence pairs, and
    character offsets (`return_offsets_mapping=True`) so extractive question answering can map answer
    spans to tokens. The BERT normalizer and pre-tokenizer give offsets that point into the original text.
    """
    pad, unk, cls, sep, mask = WORDPIECE_SPECIAL_TOKENS
    vocab = _wordpiece_vocab(_texts_or_default(texts), vocab_size, lowercase)
    backend = Tokenizer(models.WordPiece(vocab=vocab, unk_token=unk, max_input_chars_per_word=100))
    backend.normalizer = normalizers.BertNormalizer(lowercase=lowercase, strip_accents=lowercase)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.decoder = decoders.WordPiece(prefix="##")
    backend.add_special_tokens(list(WORDPIECE_SPECIAL_TOKENS))
    cls_id, sep_id = backend.token_to_id(cls), backend.token_to_id(sep)
    backend.post_processor = processors.TemplateProcessing(
        single=f"{cls}:0 $A:0 {sep}:0",
        pair=f"{cls}:0 $A:0 {sep}:0 $B:1 {sep}:1",
        special_tokens=[(cls, cls_id), (sep, sep_id)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        model_max_length=model_max_length,
        pad_token=pad,
        unk_token=unk,
        cls_token=cls,
        sep_token=sep,
        mask_token=mask,
        do_lower_case=lowercase,
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
        clean_up_tokenization_spaces=True,
    )
