"""The shipped English stop-word file replaces scikit-learn's private list."""

from __future__ import annotations

import pytest

from streams.data.text import english_stop_words


def test_the_shipped_list_is_read_whole() -> None:
    words = english_stop_words()
    assert len(words) >= 300
    assert {"among", "of", "the", "whereas"} <= words
    assert all(w == w.lower() and " " not in w and not w.startswith("#") for w in words)


def test_the_shipped_list_is_scikit_learns_where_it_is_installed() -> None:
    text = pytest.importorskip(
        "sklearn.feature_extraction.text", reason="scikit-learn is a training-only extra"
    )
    assert english_stop_words() == frozenset(text.ENGLISH_STOP_WORDS)
