"""The topic stage's term counts and evidence: the compiled ``vocab_counts`` gives what its reference
(``streams.nlp.classify_model.py_vocab_counts``) gives, the model's probabilities and evidence are the
same on both paths, and the evidence list stops at its limit with the spans the whole pass keeps."""

from __future__ import annotations

from collections import Counter
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core import hot as hot_state
from streams.nlp import classify_model, topics
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module(hot_state.load_compiled(), "topic counts")


_WORDS = st.sampled_from(["perang", "damai", "the", "war", "x", "", "Perang", "drone", "é", "1"])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_WORDS, max_size=60),
    st.dictionaries(_WORDS, st.integers(-3, 50), max_size=8),
)
def test_vocab_counts_are_the_reference_counts_in_their_order(
    hot: ModuleType, lowers: list[str], index: dict[str, int]
) -> None:
    want = classify_model.py_vocab_counts(lowers, index)
    got = hot.vocab_counts(lowers, index)
    assert list(got.items()) == list(want.items())
    # the reference is the Counter the model read before (first occurrence order, mapped through index)
    assert list(want.items()) == list(
        {index[t]: c for t, c in Counter(w for w in lowers if w in index).items()}.items()
    )


def test_the_model_gives_the_same_probabilities_and_evidence_on_both_paths() -> None:
    model = classify_model.load_model()
    if model is None:
        pytest.skip("no topic model shipped")
    n = 0
    for _, text in real_texts():
        an = analyze(text, "id")
        ref = on_path(False, lambda an=an: model.predict_analysis(an, "id"))
        got = on_path(True, lambda an=an: model.predict_analysis(an, "id"))
        assert ref is not None and got is not None
        assert list(got.probs.items()) == list(ref.probs.items())
        assert got.evidence == ref.evidence
        n += 1
    assert n >= 30


def _reference_dedupe(spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s in sorted(set(spans)):
        if out and s[0] < out[-1][1]:
            if s[1] - s[0] > out[-1][1] - out[-1][0]:
                out[-1] = s
            continue
        out.append(s)
    return out[:limit]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 8)).map(lambda p: (p[0], p[0] + p[1])), max_size=50
    ),
    st.integers(-3, 14),
)
def test_the_evidence_stops_at_its_limit_with_the_whole_pass_spans(
    spans: list[tuple[int, int]], limit: int
) -> None:
    assert topics._dedupe_spans(spans, limit) == _reference_dedupe(spans, limit)


def test_top_codes_are_the_taxonomy_top_entries() -> None:
    tax = topics.load_taxonomy()
    assert topics._top_codes() == {c for c, e in tax.items() if e.is_top}
    assert topics._top_codes()


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(-2, 8)).map(lambda p: (p[0], p[0] + p[1])), max_size=50
    ),
    st.integers(-3, 14),
)
def test_the_compiled_evidence_is_the_reference_evidence(
    hot: ModuleType, spans: list[tuple[int, int]], limit: int
) -> None:
    want = _reference_dedupe(spans, limit)
    got = hot.dedupe_spans(spans, limit)
    assert got == want
    assert all(type(s) is tuple for s in got)
    assert on_path(True, lambda: topics._dedupe_spans(spans, limit)) == want
    assert on_path(False, lambda: topics._dedupe_spans(spans, limit)) == want


def test_the_compiled_evidence_leaves_other_spans_to_the_reference(hot: ModuleType) -> None:
    for odd in ([(1, 2), (True, 3)], [(1, 2), (2**80, 2**81)], [(1, 2), [3, 4]], [(1, 2, 3)], [(1.0, 2)]):
        assert hot.dedupe_spans(odd, 12) is None
    big = [(2**80, 2**81), (1, 2)]
    assert on_path(True, lambda: topics._dedupe_spans(big, 12)) == _reference_dedupe(big, 12)
