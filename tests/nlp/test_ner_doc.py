"""The tagger's document case features (``ner_crf.doc_codes``) and their compiled rows."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import ner_crf
from streams.nlp.entities import text_view
from streams.nlp.ner_crf import doc_codes, load_model, py_window_rows, sentence_features


def test_a_sentence_opening_word_written_lower_case_elsewhere_is_l1() -> None:
    v = text_view("Workers said the plant closed. Many workers left the plant on Monday.")
    codes = dict(zip(v.words, doc_codes(v.words, v.firsts), strict=False))
    assert codes["Workers"] == "L1"
    assert codes["Monday"] == "-"  # written once: no evidence


def test_a_name_capitalized_inside_sentences_elsewhere_is_c() -> None:
    v = text_view("Jokowi tiba pagi ini. Presiden Jokowi lalu berpidato. Warga menyambut Jokowi.")
    got = [c for w, c in zip(v.words, doc_codes(v.words, v.firsts), strict=True) if w == "Jokowi"]
    assert got == ["C1", "C0", "C0"]


def test_only_other_occurrences_count() -> None:
    v = text_view("Kami bertemu Budi kemarin.")
    assert doc_codes(v.words, v.firsts)[v.words.index("Budi")] == "-"
    v = text_view("Kami bertemu Apel kemarin. Dia makan apel.")
    assert doc_codes(v.words, v.firsts)[v.words.index("Apel")] == "L0"
    v = text_view("Kami bertemu Apel kemarin. Dia makan apel dari Apel.")
    assert doc_codes(v.words, v.firsts)[v.words.index("Apel")] == "M0"


def test_the_document_changes_the_features_and_the_sentence_alone_is_the_default() -> None:
    words, firsts, kb = ["Workers", "left"], [True, False], ["O", "O"]
    alone = sentence_features(words, firsts, kb)
    in_doc = sentence_features(words, firsts, kb, docs=["L1", "-"])
    assert "dc=L1" in in_doc[0] and not any(f.startswith("dc") for f in alone[0])
    assert in_doc[1] == alone[1]


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    from tests.compiled_paths import require_compiled

    mod = ner_crf._load_hot()
    require_compiled(mod, "tagger")
    return mod


_WORDS = st.sampled_from(["Jakarta", "jakarta", "Budi", "budi", "dan", "PT", "Bank", "bank", ".", "2024"])
_CODES = st.sampled_from(["-", "C0", "C1", "L1", "M0", "L2"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_WORDS, st.integers(0, 2), _CODES), min_size=1, max_size=30))
def test_compiled_rows_with_document_codes_equal_the_reference(hot: ModuleType, toks: list) -> None:
    model = load_model()
    words = [w for w, _, _ in toks]
    firsts = [f for _, f, _ in toks]
    docs = [c for _, _, c in toks]
    kbtags = ["O"] * len(words)
    caches = model._slot_caches
    wc = tuple(caches.setdefault(f"w{k}id", {}) for k in range(3))
    slots = (caches["-2"], caches["-1"], caches["1"], caches["2"], caches["g"], caches["k"])
    windows = ner_crf.py_windows([w != w.lower() for w in words], [(0, len(words))])
    args = (words, firsts, kbtags, docs, windows, wc, *slots, model._row, "id")
    assert hot.window_rows(*args) == py_window_rows(*args)
    # the same rows as the group keys the reference scores token by token
    wins, rows = py_window_rows(*args)
    k = 0
    for a, b, _, _ in wins:
        for g in range(a, b):
            keys = ner_crf._group_keys(words, firsts, kbtags, g, 0, len(words), "id", docs)
            assert rows[8 * k + 7] == model._row(keys[7])
            k += 1
