"""The tagger's feature strings built in C (``_ner_hot.group_features``) are ``ner_crf._group_features``'.

The twin writes out ``_group_features`` with ``_word_group``, ``_word_group_shared``, ``_ctx_group``,
``_kb_group``, ``_shape`` and ``_in_dictionary`` and keeps what each word brings to its groups; it must give
the reference's list (the same strings in the same order) for every kind of group key, on random words of any
script and case (hypothesis) and on every group key of real text; it must follow the data the features read
(a changed cluster table); ``CrfModel._row`` must use it only while its fingerprint is the recorded one; and
``fill_row`` must leave a row to numpy, untouched, when a weight is not a list of floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from streams.core import hot as hot_state
from streams.nlp import ner_crf, ner_features_twin
from streams.nlp.ner_crf import LABELS, CrfModel, _group_features, _group_keys
from tests.compiled_paths import compiled_module, on_path, real_texts


@pytest.fixture(scope="module")
def hot() -> Any:
    return compiled_module("streams.nlp._ner_hot", "tagger")


# words the features treat specially: lexicon words, dictionary roots with affixes, cluster words, one letter,
# digits, capitals, titlecase and other scripts
_WORDS = [
    "Presiden", "Jakarta", "jakarta", "di", "Di", "Menteri", "Kementerian", "Partai", "Desa", "Jalan", "kata",
    "said", "Mr", "Dr", "of", "the", "dan", "memperbaiki", "perbaikan", "dibangunnya", "rumahnya", "Bogor",
    "malang", "A", "x", "3", "2024", "U.S.", "İstanbul", "ǅemal", "ΣΟΦΙΑ", "東京", "Ⅻ", "<s>", "</s>", "",
]  # fmt: skip
_word = st.one_of(st.sampled_from(_WORDS), st.text(max_size=12))
_first = st.sampled_from([0, 1, 2, True, False])
_lang = st.sampled_from(["", "id", "en"])
_kb = st.sampled_from(["O", "B-PERSON", "I-PERSON", "B-LOCATION", "I-ORGANIZATION", "<s>", "</s>"])
_keys = st.one_of(
    st.tuples(st.just("w"), _word, _first, _lang),
    st.tuples(st.just("c"), _word, st.sampled_from([-2, -1, 1, 2])),
    st.tuples(st.just("g"), _word, _word),
    st.tuples(st.just("k"), _kb, _kb, _kb, st.booleans()),
)


@settings(max_examples=600, deadline=None)
@given(_keys)
@example(("w", "memperbaikinya", 1, "id"))
@example(("w", "Kementerian", 2, "en"))
@example(("c", "<s>", -2))
@example(("c", "Presiden", -1))
@example(("c", "said", 1))
@example(("k", "<s>", "B-PERSON", "I-PERSON", True))
def test_feature_strings_are_the_reference_strings(hot: Any, key: tuple[Any, ...]) -> None:
    assert hot.group_features(key) == _group_features(key)
    assert hot.group_features(key) == _group_features(key)  # again, from the per-word cache


def test_feature_strings_of_real_text_are_the_reference_strings(hot: Any) -> None:
    keys: set[tuple[Any, ...]] = set()
    for _, text in real_texts():
        words = text.split()[:300]
        firsts = [1 if k == 0 else 0 for k in range(len(words))]
        kbtags = ["B-PERSON" if w.istitle() else "O" for w in words]
        for i in range(len(words)):
            for lang in ("", "id", "en"):
                keys.update(_group_keys(words, firsts, kbtags, i, 0, len(words), lang))
    assert len(keys) > 4000, len(keys)
    differing = [k for k in keys if hot.group_features(k) != _group_features(k)]
    assert not differing, differing[:5]


def test_the_twin_follows_the_data_the_features_read(hot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    key = ("w", "Bogor", 0, "id")
    assert hot.group_features(key) == _group_features(key)  # cached with today's clusters
    monkeypatch.setattr(ner_crf, "_clusters", lambda: {"bogor": ("c1", "c2", "c3")})
    assert "k32=c1" in _group_features(key)
    assert hot.group_features(key) == _group_features(key)


def test_rows_use_the_twin_only_while_its_fingerprint_is_recorded(
    hot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ner_features_twin.fingerprint() == ner_features_twin.RECORDED
    assert ner_features_twin.features(hot) is hot.group_features
    assert ner_features_twin.features(None) is _group_features
    guard = ner_features_twin.GUARD
    monkeypatch.setattr(ner_features_twin, "GUARD", hot_state.Guard("0" * 16, guard.refs, guard.what))
    monkeypatch.setattr(ner_features_twin, "_last", [])
    assert ner_features_twin.features(hot) is _group_features

    def stand_in(key: tuple[Any, ...]) -> list[str]:
        return ["b"]

    monkeypatch.setattr(
        ner_features_twin, "GUARD", hot_state.Guard(guard.fingerprint(), guard.refs, guard.what)
    )
    monkeypatch.setattr(ner_crf, "_group_features", stand_in)
    assert ner_features_twin.features(hot) is stand_in  # another function: its fingerprint differs


def test_fill_row_leaves_other_weights_to_numpy(hot: Any) -> None:
    n = len(LABELS)
    key = ("g", "a", "b")
    (feat,) = _group_features(key)
    mat = np.full((2, n), 7.0)
    assert hot.fill_row(mat, 1, key, {feat: [1.0] * (n - 1)}, _group_features) is False
    assert hot.fill_row(mat, 1, key, {feat: [1] * n}, _group_features) is False
    assert mat.tolist() == [[7.0] * n, [7.0] * n]
    assert hot.fill_row(mat, 1, key, {feat: [0.5] * n, "other": [9.0] * n}, _group_features) is True
    with pytest.raises(IndexError):
        hot.fill_row(mat, 2, key, {feat: [0.5] * n}, _group_features)
    assert mat.tolist() == [[7.0] * n, [0.5] * n]
    model = CrfModel({feat: [1] * n}, [[0.0] * n for _ in LABELS])  # ints: numpy adds them
    row = on_path(True, lambda: model._row(key))
    assert model._mat[row].tolist() == [1.0] * n
