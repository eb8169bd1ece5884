"""The tiny encoder of these tests is the same in every build and every process: its tokenizer used to get a
different vocabulary each time (tie-breaking in the WordPiece trainer), which moved the untrained model's
scores between 0.27 and 0.46 and forced the learning thresholds down to the weakest run."""

from __future__ import annotations

from st_data import all_texts

from aitraining.testing import train_wordpiece_tokenizer


def test_the_tokenizer_vocabulary_is_the_same_every_time():
    vocabularies = [train_wordpiece_tokenizer(all_texts()).get_vocab() for _ in range(5)]
    assert all(vocab == vocabularies[0] for vocab in vocabularies)
    tokenizer = train_wordpiece_tokenizer(all_texts())
    assert tokenizer.tokenize("the apple is red") == ["the", "apple", "is", "red"]  # known words stay whole
