"""The compiled whitespace collapse of the content hash (``streams.core._hot.collapse_spaces``) is
``" ".join(text.split())``, and ``normalize_for_hash`` gives the same string on both paths."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core import hot as hot_state
from streams.core.ids import normalize_for_hash
from tests.compiled_paths import compiled_module, on_path, real_texts

#: every code point ``str.split()`` splits on, and a few that it does not
_SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
_CHARS = st.one_of(
    st.sampled_from([*_SPACES, "a", "Z", "é", "ß", "İ", "😀", "\u200b", "\ufeff"]), st.characters()
)


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module(hot_state.load_compiled(), "ids")


@settings(max_examples=500, deadline=None)
@given(st.text(_CHARS, max_size=80))
def test_collapse_spaces_is_split_and_join(hot: ModuleType, text: str) -> None:
    assert hot.collapse_spaces(text) == " ".join(text.split())
    ref = on_path(False, lambda: normalize_for_hash(text))
    assert on_path(True, lambda: normalize_for_hash(text)) == ref


def test_normalize_for_hash_is_the_same_on_both_paths_on_real_text() -> None:
    n = 0
    for _, text in real_texts():
        assert on_path(True, lambda t=text: normalize_for_hash(t)) == on_path(
            False, lambda t=text: normalize_for_hash(t)
        )
        n += 1
    assert n >= 30
