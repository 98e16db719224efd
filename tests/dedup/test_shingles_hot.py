"""Dedup's shingles on the compiled path (``streams.core._hot.shingles``, cut out of one join) are the
reference's (``py_shingles``, one join per shingle): random token lists of any text and any ``k``, and the
word lists of real pages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core import hot as hot_state
from streams.dedup.text import py_shingles, shingles, words
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts

_TOKENS = st.lists(
    st.one_of(
        st.sampled_from(["banjir", "di", "Jakarta", "55.000", "é", "日本", "a b", ""]), st.text(max_size=6)
    ),
    max_size=40,
)


@pytest.fixture(scope="module")
def built() -> object:
    return compiled_module(hot_state.load_compiled(), "analysis")


@settings(max_examples=400, deadline=None)
@given(tokens=_TOKENS, k=st.integers(-1, 8))
def test_shingles_are_the_reference_shingles(built: object, tokens: list[str], k: int) -> None:
    assert built.shingles(tokens, k) == py_shingles(tokens, k)  # type: ignore[attr-defined]
    assert on_path(True, lambda: shingles(tokens, k)) == py_shingles(tokens, k)


def test_shingles_of_real_pages_are_the_reference_shingles(built: object) -> None:
    checked = 0
    for _, text in real_texts():
        toks = words(analyze(text, lexicons=False))
        for k in (1, 5):
            got = on_path(True, lambda toks=toks, k=k: shingles(toks, k))
            assert got == py_shingles(toks, k)
            assert on_path(False, lambda toks=toks, k=k: shingles(toks, k)) == got
        checked += 1
    assert checked >= 30
