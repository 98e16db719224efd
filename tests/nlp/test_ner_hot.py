"""The compiled tagger path (``streams.nlp._ner_hot``) gives exactly what the pure-Python reference gives.

``window_rows``, ``emissions`` and ``decode`` are compared with ``ner_crf.py_window_rows`` /
``py_emissions`` / ``py_decode`` on
random windows and scores (hypothesis, ties included) and on real text (the seeds, realdev and
realtrain articles under ``../shared`` and generated bench articles), and the recogniser's entities
with the compiled path are compared with those of the reference path. ``make test`` builds the
extension (``pip install -e .``), so a missing extension fails here instead of testing the reference
against itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import streams.core.hot as hot_state
from streams.nlp import ner_crf
from streams.nlp.entities import extract_entities, text_view
from streams.nlp.ner_crf import LABELS, load_model, py_decode, py_emissions, py_window_rows
from tests.compiled_paths import compiled_module
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module(ner_crf._load_hot(), "tagger")


def _texts() -> Iterator[str]:
    from bench.generate import generate_articles

    for a in generate_articles(20, seed=3, size_kb=3.0):
        if a.get("text"):
            yield str(a["text"])
    for sub in ("seeds", "eval/realdev/articles", "eval/realtrain/articles"):
        d = SHARED / sub
        if d.is_dir():
            yield from (p.read_text(encoding="utf-8") for p in sorted(d.glob("*.txt")))


def _window_args(text: str) -> tuple:
    model = load_model()
    v = text_view(text)
    lang = model.lang_of(v.lang)
    caches = model._slot_caches
    wc = tuple(caches.setdefault(f"w{k}{lang}", {}) for k in range(3))
    slots = (caches["-2"], caches["-1"], caches["1"], caches["2"], caches["g"], caches["k"])
    windows = ner_crf.py_windows(v.caps, v.sentences)
    return (v.words, v.firsts, v.kbtags, windows, wc, *slots, model._row, lang)


def test_window_rows_and_decode_match_the_reference_on_real_text(hot: ModuleType) -> None:
    model = load_model()
    n = 0
    for text in _texts():
        args = _window_args(text)
        v = text_view(text)
        assert hot.windows(v.caps, v.sentences, ner_crf.WINDOW_GAP, ner_crf.WINDOW_PAD) == args[3]
        wins, rows = py_window_rows(*args)
        caches = load_model()._slot_caches  # the compiled pass's bigram and kb caches are nested dicts
        nested = (caches.setdefault("g2", {}), caches.setdefault("k2", {}))
        assert hot.window_rows(*args[:9], *nested, *args[11:]) == (wins, rows)
        if not wins:
            continue
        emit = py_emissions(model._mat, rows, model._bias)
        assert np.array_equal(hot.emissions(model._mat, rows, model._bias), emit)
        assert sorted(hot.decode(emit, wins, model._trans)) == sorted(py_decode(emit, wins, model._trans))
        n += 1
    assert n >= 20


@st.composite
def _windows_and_scores(draw: st.DrawFn) -> tuple[np.ndarray, list[tuple[int, int, bool, bool]], np.ndarray]:
    lens = draw(st.lists(st.integers(1, 9), min_size=1, max_size=12))
    wins, a = [], 0
    for n in lens:
        wins.append((a, a + n, draw(st.booleans()), draw(st.booleans())))
        a += n + draw(st.integers(0, 3))
    # few distinct values, so equal scores (ties) are common
    vals = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    emit = np.array(draw(st.lists(vals, min_size=sum(lens) * 7, max_size=sum(lens) * 7))).reshape(-1, 7)
    trans = np.array(draw(st.lists(vals, min_size=49, max_size=49))).reshape(7, 7)
    return emit, wins, trans


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.booleans(), max_size=40),
    st.lists(st.integers(0, 6), max_size=8),
    st.integers(0, 3),
    st.integers(0, 2),
)
def test_windows_match_the_reference_on_random_flags(
    hot: ModuleType, flags: list[bool], cuts: list[int], gap: int, pad: int
) -> None:
    sentences, a = [], 0
    for c in cuts:  # sentences with holes between them, as an article's may have
        b = min(len(flags), a + c + 1)
        sentences.append((a, b))
        a = b + (c % 2)
    old = (ner_crf.WINDOW_GAP, ner_crf.WINDOW_PAD)
    try:
        ner_crf.WINDOW_GAP, ner_crf.WINDOW_PAD = gap, pad
        want = ner_crf.py_windows(flags, sentences)
    finally:
        ner_crf.WINDOW_GAP, ner_crf.WINDOW_PAD = old
    assert hot.windows(flags, sentences, gap, pad) == want


@settings(max_examples=300, deadline=None)
@given(_windows_and_scores())
def test_decode_matches_the_reference_on_random_scores_and_ties(hot: ModuleType, case: tuple) -> None:
    emit, wins, trans = case
    assert sorted(hot.decode(emit, wins, trans)) == sorted(py_decode(emit, wins, trans))


def test_decode_finds_the_best_label_path(hot: ModuleType) -> None:
    """Against a brute-force search over every label path of short windows."""
    from itertools import product

    rng = np.random.default_rng(0)
    for _ in range(40):
        n = int(rng.integers(1, 4))
        emit = rng.normal(size=(n, 7))
        trans = rng.normal(size=(7, 7))
        before, after = bool(rng.integers(2)), bool(rng.integers(2))

        def score(
            path: tuple[int, ...],
            emit: np.ndarray = emit,
            trans: np.ndarray = trans,
            n: int = n,
            before: bool = before,
            after: bool = after,
        ) -> float:
            s = emit[0][path[0]] + (trans[0][path[0]] if before else 0.0)
            for t in range(1, n):
                s += trans[path[t - 1]][path[t]] + emit[t][path[t]]
            return float(s + (trans[path[-1]][0] if after else 0.0))

        best = max(product(range(7), repeat=n), key=score)
        got = dict(hot.decode(emit, [(0, n, before, after)], trans))
        assert tuple(got.get(t, 0) for t in range(n)) == best


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 2), st.sampled_from(["Budi", "Presiden", "dan", "RSF"])),
        max_size=30,
    ),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6)), max_size=8),
)
def test_free_caps_match_the_reference_on_random_tokens(
    hot: ModuleType, toks: list[tuple[bool, int, str]], spans: list[tuple[int, int]]
) -> None:
    from streams.nlp.entities import py_free_caps

    caps = [c for c, _, _ in toks]
    firsts = [f for _, f, _ in toks]
    words = [w for _, _, w in toks]
    starts = [2 * k for k in range(len(toks))]  # every token two characters on
    mentions = sorted((a, a + n) for a, n in spans)  # overlapping and empty spans included
    args = (
        caps,
        firsts,
        starts,
        words,
        frozenset({"Presiden", "dan"}),
        [a for a, _ in mentions],
        [b for _, b in mentions],
    )
    want = py_free_caps(*args)
    assert hot.free_caps(*args) == want
    # what the reference promises, read off the inputs
    assert want == [
        j
        for j in range(len(toks))
        if caps[j]
        and not firsts[j]
        and words[j] not in ("Presiden", "dan")
        and not any(a <= starts[j] < b for a, b in mentions)
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Budi", "(", "“", "--", ":", "dan", "RSF"]), st.integers(1, 3)),
        max_size=30,
    ),
    st.lists(st.integers(0, 6), max_size=8),
    st.lists(st.tuples(st.integers(0, 90), st.integers(0, 12), st.booleans()), max_size=8),
)
def test_view_tags_match_the_reference_on_random_tokens(
    hot: ModuleType, toks: list[tuple[str, int]], cuts: list[int], hits: list[tuple[int, int, bool]]
) -> None:
    from streams.nlp.entities import _OPENERS, py_view_tags

    words = [w for w, _ in toks]
    starts, ends, at = [], [], 0
    for w, gap in toks:  # tokens with one to three characters between them
        starts.append(at)
        ends.append(at + len(w))
        at += len(w) + gap
    sentences, a = [], 0
    for c in cuts:
        b = min(len(words), a + c + 1)
        sentences.append((a, b))
        a = b
    spans = sorted(hits)  # hits starting and ending anywhere, inside tokens and between them
    args = (
        words,
        starts,
        ends,
        sentences,
        [s for s, _, _ in spans],
        [s + n for s, n, _ in spans],
        [("B-PERSON", "I-PERSON") if typed else None for _, _, typed in spans],
        _OPENERS,
    )
    assert hot.view_tags(*args) == py_view_tags(*args)


def test_view_tags_match_the_reference_on_real_text(hot: ModuleType) -> None:
    from streams.nlp.analysis import analyze
    from streams.nlp.entities import _KB_BIO, _OPENERS, py_view_tags
    from streams.nlp.kb import kb_matches

    n = 0
    for text in _texts():
        an = analyze(text)
        hits = kb_matches(an)
        sentences = [(s.tok_start, s.tok_end) for s in an.sentences]
        args = (
            an.words,
            an.starts,
            an.ends,
            sentences,
            [h.start for h in hits],
            [h.end for h in hits],
            [_KB_BIO.get(h.entry.type) for h in hits],
            _OPENERS,
        )
        assert hot.view_tags(*args) == py_view_tags(*args)
        n += bool(hits)
    assert n >= 20


def test_entities_are_the_same_on_both_paths(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = list(_texts())[:60]
    monkeypatch.setattr(hot_state, "HOT", hot_state.load_compiled())
    if hot_state.HOT is None:
        pytest.skip("the analysis extension is not built")
    compiled = [extract_entities(t) for t in texts]
    monkeypatch.setattr(hot_state, "HOT", None)
    reference = [extract_entities(t) for t in texts]
    assert compiled == reference
    assert any(e.type == "PERSON" for es in compiled for e in es)
    assert LABELS[0] == "O"


# --- the per-span helpers of the recogniser and the knowledge-base selection (entfast3) -----------

#: Words that reach every branch of the span strip: titles, roles, honorifics, connectors, degrees, a
#: final abbreviation, an organisation's lead title, punctuation, possessives, lower-case, digits, other
#: scripts, the empty word.
_SPAN_WORDS = [
    "Budi", "Presiden", "Ipda", "Menteri", "Bapak", "of", "dan", "the", "SH", "S.H.", "MH", "Corp", ".",
    ",", "“", "-", "'s", "’s", "'S", "kata", "iNews", "2024", "Ünal", "é", "", "Polres", "XVII", "Gedung",
    "Kota", "Jakarta", "ا", "١٢",
]  # fmt: skip
_SETS = (
    frozenset({"Presiden", "Ipda", "Polres"}),  # titles
    frozenset({"Menteri"}),  # roles
    frozenset({"Bapak"}),  # honorifics
    frozenset({"of", "the"}),  # connectors
    frozenset({"Corp"}),  # final abbreviations
    frozenset({"SH", "S.H", "MH"}),  # degrees (stop-less)
    frozenset({"Polres"}),  # organisations' leading titles
)


def _span_tokens(draw: st.DrawFn) -> tuple[list[str], list[bool], list[int], list[int], int, int]:
    words = draw(st.lists(st.sampled_from(_SPAN_WORDS), min_size=1, max_size=12))
    caps = [draw(st.booleans()) for _ in words]
    starts, ends, at = [], [], 0
    for w in words:
        at += draw(st.integers(0, 1))  # attached to the word before, or one space on
        starts.append(at)
        at += max(len(w), 1)
        ends.append(at)
    lo = draw(st.integers(0, len(words) - 1))
    hi = draw(st.integers(lo + 1, len(words)))
    return words, caps, starts, ends, lo, hi


@st.composite
def _spans(draw: st.DrawFn) -> tuple[list[str], list[bool], list[int], list[int], int, int]:
    return _span_tokens(draw)


@settings(max_examples=400, deadline=None)
@given(_spans(), st.booleans(), st.booleans(), st.booleans())
def test_strip_bounds_match_the_reference_on_random_spans(
    hot: ModuleType, span: tuple, person: bool, org: bool, real_sets: bool
) -> None:
    from streams.nlp.entities import _strip_sets, py_strip_bounds

    words, caps, starts, ends, lo, hi = span
    sets = _strip_sets() if real_sets else _SETS
    want = py_strip_bounds(words, caps, starts, ends, lo, hi, person, org, sets)
    assert hot.strip_bounds(words, caps, starts, ends, lo, hi, person, org, sets) == want
    a, b = want
    # what the reference promises: it only narrows the span (a final abbreviation takes its stop)
    assert lo <= a and (b <= hi or (b == hi + 1 and words[hi] == "."))
    assert a <= b


@settings(max_examples=400, deadline=None)
@given(_spans(), st.booleans())
def test_keep_span_and_name_word_match_the_reference_on_random_spans(
    hot: ModuleType, span: tuple, real_sets: bool
) -> None:
    from streams.nlp.entities import _ROMAN, _keep_sets, py_keep_span, py_name_word
    from streams.nlp.name_heads import is_head

    words, _caps, starts, ends, lo, hi = span
    text = "".join(
        " " * (s - (ends[k - 1] if k else 0)) + (w or "?")
        for k, (w, s) in enumerate(zip(words, starts, strict=True))
    )
    assert len(text) == ends[-1]
    unnamed = frozenset({"Presiden", "dan", "kata", "of"})
    sets = (
        _keep_sets()
        if real_sets
        else (
            unnamed,
            frozenset({"Kota Jakarta", "XVII Gedung"}),
            frozenset({"Kota", "Polres"}),
            frozenset({"Gedung"}),
        )
    )
    args = (words, text, starts, ends, lo, hi, sets, is_head, _ROMAN.fullmatch)
    assert hot.keep_span(*args) == py_keep_span(*args)
    assert hot.name_word(words, lo, hi, sets[0]) == py_name_word(words, lo, hi, sets[0])
    # a span of no word holding a letter outside the unnamed words is never kept
    if not any(w not in sets[0] and any(c.isalpha() for c in w) for w in words[lo:hi]):
        assert not py_keep_span(*args)


@st.composite
def _lexicon_hits(draw: st.DrawFn) -> tuple[str, list[Any]]:
    from streams.core.analysis import Hit

    text = draw(st.text(alphabet="abAB .", min_size=1, max_size=40))
    hits = []
    for _ in range(draw(st.integers(0, 12))):
        s = draw(st.integers(0, len(text) - 1))
        e = draw(st.integers(s + 1, min(len(text), s + 8)))
        k = draw(st.integers(1, 3))
        keys = tuple(draw(st.sampled_from(["k1", "k2", "k3", "gone"])) for _ in range(k))
        surface = text[s:e]
        forms = tuple(
            draw(st.sampled_from([surface, surface.lower(), surface.upper(), surface.title(), "zz"]))
            for _ in keys
        )
        hits.append(Hit(s, e, 0, 0, "kb", keys, forms, False))
    hits.sort(key=lambda h: (h.start, h.end))
    return text, hits


@settings(max_examples=400, deadline=None)
@given(_lexicon_hits())
def test_kb_select_matches_the_reference_on_random_hits(hot: ModuleType, case: tuple) -> None:
    from streams.nlp.kb import KBMatch, _case_ok, py_kb_select

    text, hits = case
    by_key: dict[str, Any] = {"k1": "E1", "k2": "E2", "k3": "E3"}
    want = py_kb_select(hits, text, by_key, _case_ok, KBMatch)
    assert hot.kb_select(hits, text, by_key, _case_ok, KBMatch) == want
    # the reference's promises: sorted by start, no two overlap, each a known key written acceptably
    for m0, m1 in pairwise(want):
        assert m0.end <= m1.start
    for m in want:
        surface = text[m.start : m.end]
        assert m.entry in by_key.values() and (m.alias == surface or _case_ok(m.alias, surface))


def test_span_helpers_and_kb_select_match_the_reference_on_real_text(hot: ModuleType) -> None:
    from streams.nlp.analysis import analyze
    from streams.nlp.entities import (
        _ROMAN,
        _keep_sets,
        _strip_sets,
        _tagged_spans,
        py_keep_span,
        py_strip_bounds,
    )
    from streams.nlp.kb import KBMatch, _case_ok, load_kb, py_kb_select
    from streams.nlp.name_heads import is_head

    model = load_model()
    spans = kept = 0
    for text in _texts():
        an = analyze(text)
        found = an.hits_by_tag("kb")
        args = (found, an.text, load_kb().by_key, _case_ok, KBMatch)
        assert hot.kb_select(*args) == py_kb_select(*args)
        v = text_view(text, an)
        for lo, hi, typ in _tagged_spans(v, model):
            sargs = (
                v.words,
                v.caps,
                v.starts,
                v.ends,
                lo,
                hi,
                typ == "PERSON",
                typ == "ORGANIZATION",
                _strip_sets(),
            )
            a, b = py_strip_bounds(*sargs)
            assert hot.strip_bounds(*sargs) == (a, b)
            kargs = (v.words, v.text, v.starts, v.ends, a, b, _keep_sets(), is_head, _ROMAN.fullmatch)
            keep = py_keep_span(*kargs)
            assert hot.keep_span(*kargs) == keep
            spans += 1
            kept += keep
    assert spans >= 500 and 0 < kept < spans


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["O", "B-PERSON", "I-PERSON", "B-LOCATION", "I-LOCATION", "I-ORGANIZATION"]),
        max_size=30,
    ),
    st.lists(st.integers(1, 6), max_size=8),
)
def test_tag_spans_match_the_reference_on_random_tags(
    hot: ModuleType, tags: list[str], cuts: list[int]
) -> None:
    from streams.nlp.entities import py_tag_spans

    sentences, at = [], 0
    for c in cuts:  # sentences tiling a prefix of the tags
        if at + c > len(tags):
            break
        sentences.append((at, at + c))
        at += c
    want = py_tag_spans(tags, sentences)
    assert hot.tag_spans(tags, sentences) == want
    # the reference's promises: spans in order, apart, over non-O tags of their type, none across a sentence end
    ends = {b for _, b in sentences}
    for a, b, typ in want:
        assert a < b and all(tags[k] != "O" and tags[k][2:] == typ for k in range(a, b))
        assert not any(e in ends for e in range(a + 1, b))
    assert [a for a, _, _ in want] == sorted({a for a, _, _ in want})
    assert sum(b - a for a, b, _ in want) == sum(t != "O" for t in tags)


def test_tag_spans_match_the_reference_on_real_text(hot: ModuleType) -> None:
    from streams.nlp.entities import py_tag_spans

    model = load_model()
    n = 0
    for text in _texts():
        v = text_view(text)
        tags = model.tag_sentences(v.words, v.firsts, v.kbtags, v.sentences, v.caps, v.lang)
        want = py_tag_spans(tags, v.sentences)
        assert hot.tag_spans(tags, v.sentences) == want
        n += len(want)
    assert n >= 500


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 8), st.booleans(), st.booleans()).map(
            lambda w: (w[0], w[0] + w[1], w[2], w[3])
        ),
        max_size=8,
    )
)
def test_window_positions_are_tag_sentences_dict(
    hot: ModuleType, wins: list[tuple[int, int, bool, bool]]
) -> None:
    """``window_positions`` is the token -> emission row dict ``tag_sentences`` builds in Python (windows that
    overlap or repeat a token: its first place in the dict, its last number)."""
    from itertools import chain, count

    want = dict(zip(chain.from_iterable(range(w[0], w[1]) for w in wins), count()))
    got = hot.window_positions(wins)
    assert list(got.items()) == list(want.items())
