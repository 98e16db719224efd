"""The compiled twins of the quote stage (``streams.nlp._quotes_hot``) give exactly what the pure-Python
reference (``streams.nlp.quotes``) gives, and run only while the reference functions they copy are unchanged.

Each twin is compared with its reference on random input (hypothesis: spans with ties and odd types, text
full of quotation marks, case variants and the characters ``re.IGNORECASE`` matches to ASCII letters), and
the whole stage on real text: the generated bench articles, the seeds and the realdev and realtrain pages
(run through the pipeline first, so the entities the speakers resolve to are real).
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import quotes as qt
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module("streams.nlp._quotes_hot", "quotes")


def test_the_twins_follow_the_reference_they_were_written_from(hot: ModuleType) -> None:
    """A changed reference function turns the twins off (the stage runs its reference: identical, slower);
    this names it. Bring the twins in ``_quotes_hot.pyx`` up to date, record ``fingerprint()`` in ``_TWINS``
    and rebuild."""
    assert hot.fingerprint() == hot.recorded(), (
        "a reference function of streams/nlp/_quotes_hot.pyx changed: "
        + ", ".join(f"{m}.{q}" for m, q in hot._TWINS[1])
    )
    assert on_path(True, qt._compiled) is hot
    assert on_path(False, qt._compiled) is None


def test_a_replaced_reference_function_turns_the_twins_off(hot: ModuleType, monkeypatch: Any) -> None:
    def _count_words(an: Any, q_start: int, q_end: int, cap: int) -> int:
        return 0

    monkeypatch.setattr(qt, "_count_words", _count_words)
    assert on_path(True, qt._compiled) is None
    monkeypatch.undo()
    assert on_path(True, qt._compiled) is hot


def _new_word(an: Any, k: int, first: int) -> bool:
    """``quotes._new_word`` with another docstring (module level, as the reference is)."""
    return k == first or an.starts[k] > an.ends[k - 1]


def test_docstrings_do_not_move_the_fingerprint(hot: ModuleType, monkeypatch: Any) -> None:
    before = hot.fingerprint()
    monkeypatch.setattr(qt, "_new_word", _new_word)
    assert hot.fingerprint() == before


# --- mentions -----------------------------------------------------------------------------------------


class _Ent:
    def __init__(self, spans: list[Any], name: str) -> None:
        self.spans = spans
        self.name = name


def _reference_mentions(entities: list[Any]) -> tuple[list[Any], list[Any]]:
    spans = sorted(((s, t, e) for e in entities for s, t in e.spans), key=lambda x: (x[0], -x[1]))
    return spans, [s for s, _, _ in spans]


_SPAN_INT = st.integers(min_value=-3, max_value=40) | st.sampled_from([2**63, -(2**63) - 5, 2**62])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(_SPAN_INT, _SPAN_INT)
            | st.tuples(st.booleans(), st.integers(0, 3))
            | st.lists(st.integers(0, 9), min_size=2, max_size=2),
            max_size=6,
        ),
        max_size=8,
    )
)
def test_mention_spans_are_the_stable_sort_of_the_reference(hot: ModuleType, spans: list[Any]) -> None:
    entities = [_Ent(s, f"e{i}") for i, s in enumerate(spans)]
    got, got_starts = hot.mention_spans(entities)
    want, want_starts = _reference_mentions(entities)
    assert [(s, t, id(e)) for s, t, e in got] == [(s, t, id(e)) for s, t, e in want]
    assert [type(s) for s, _, _ in got] == [type(s) for s, _, _ in want]
    assert got_starts == want_starts


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)), max_size=20),
    st.integers(-5, 70),
    st.integers(-5, 90),
)
def test_within_is_the_reference(hot: ModuleType, raw: list[tuple[int, int]], lo: int, hi: int) -> None:
    entities = [_Ent([(s, s + w)], "e") for s, w in raw]
    m = on_path(False, lambda: qt._Mentions(entities))
    assert hot.within(m.spans, m.starts, lo, hi) == on_path(False, lambda: m.within(lo, hi))


# --- words and marks ----------------------------------------------------------------------------------

_QUOTE_TEXT = st.lists(
    st.sampled_from(
        ["“", "”", '"', "'", "‘", "’", "«", "»", "\n", " ", ", ", ".", "kata", "Budi", "said", "it's", "x"]
    )
    | st.text(alphabet="ab .,'\"“”\n", max_size=5),
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_QUOTE_TEXT)
def test_quote_marks_are_the_reference_matches(hot: ModuleType, body: str) -> None:
    got = [(m.start(), m.end(), m.lastgroup) for m in on_path(True, lambda: list(qt._quote_marks(body)))]
    want = [(m.start(), m.end(), m.lastgroup) for m in on_path(False, lambda: list(qt._quote_marks(body)))]
    assert got == want


@settings(max_examples=300, deadline=None)
@given(_QUOTE_TEXT, st.integers(0, 80), st.integers(0, 80), st.integers(1, 6))
def test_word_counts_are_the_reference(hot: ModuleType, body: str, a: int, b: int, cap: int) -> None:
    an = analyze(body or "x")
    got = on_path(True, lambda: qt._count_words(an, a, b, cap))
    assert got == on_path(False, lambda: qt._count_words(an, a, b, cap))


# --- the role phrase pre-check ------------------------------------------------------------------------


_ROLE_WORDS = ["juru", "bicara", "Kapolres", "the", "official", "K.", "Sİ", "ıs", "ſk", "KAPOLRES", "Bicara"]


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(_ROLE_WORDS), min_size=1, max_size=3).map(" ".join),
    st.lists(
        st.sampled_from([*_ROLE_WORDS, " ", ",", "\n", "JURU", "İ", "ı", "K", "ſ", "é"]), max_size=30
    ).map(" ".join),
    st.integers(0, 40),
)
def test_role_precheck_never_rejects_a_match(hot: ModuleType, phrase: str, body: str, cut: int) -> None:
    """Wherever ``_role_holder``'s regex finds the phrase before the quote, the pre-check lets it search."""
    rx = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)
    hi = min(len(body), cut + len(body) // 2)
    if rx.search(body, 0, hi) is not None:
        assert hot.may_occur(body, phrase, 0, hi), (phrase, body, hi)
    if not hot.may_occur(body, phrase, 0, hi):
        assert re.compile(re.escape(phrase), re.IGNORECASE).search(body, 0, hi) is None


def test_role_precheck_rejects_an_absent_phrase(hot: ModuleType) -> None:
    body = "Kapolres Bogor AKBP Asep Syafrudin menjelaskan hal itu. Juru bicara menambahkan."
    assert not hot.may_occur(body, "kata kepala", 0, len(body))
    assert hot.may_occur(body, "KAPOLRES", 0, len(body))
    assert hot.may_occur(body, "juru bicara", 0, len(body))
    assert not hot.may_occur(body, "juru bicara", 0, 60)  # it starts at 56: not inside [0, 60)
    assert hot.may_occur(body, "kapolrés", 0, len(body))  # not ASCII: always a maybe


# --- the stage ----------------------------------------------------------------------------------------


def _dump(quotes: list[Any]) -> list[dict[str, Any]]:
    return [q.model_dump() for q in quotes]


def test_real_articles_give_the_same_quotes_on_both_paths(hot: ModuleType) -> None:
    if not (SHARED / "eval" / "realtrain").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): the real pages are read from it at test time")
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    pipe = build_pipeline(Settings(), MemoryState())
    n = n_quotes = 0
    for art_id, text in real_texts():
        doc = pipe.run_doc(RawArticle(id=art_id, text=text))
        an, ents = doc.analysis, doc.entities
        compiled = on_path(True, lambda an=an, ents=ents: _dump(qt.extract_quotes(an, ents)))
        reference = on_path(False, lambda an=an, ents=ents: _dump(qt.extract_quotes(an, ents)))
        assert compiled == reference, art_id
        assert compiled == _dump(doc.quotes), art_id
        n += 1
        n_quotes += len(compiled)
    assert n >= 190 and n_quotes > 300
