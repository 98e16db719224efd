"""The compiled lexicon match over the token trie gives the hits, in the order, of the character
automaton and of the pure-Python reference (``streams.nlp.lexicons.py_match_lexicons``).

The texts are built from the lexicons' own keys (single and multi-token, the prefix forms with and
without a suffix), in any case, glued or spaced, cut by sentence ends and line breaks, so most of
them hit many entries, overlapping ones included; plus every real page under ``../shared``.
"""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import streams.core.hot as hot_state
from streams.core.analysis import Analysis, Hit
from streams.nlp.analysis import analyze
from streams.nlp.lexicons import lexicon_automaton, match_lexicons, py_match_lexicons, token_trie
from tests.compiled_paths import compiled_module, real_texts


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module(hot_state.load_compiled(), "analysis")


def _keys() -> list[str]:
    auto = lexicon_automaton().automaton
    return sorted(auto.keys())


_KEYS = _keys()
_PREFIX_KEYS = [k for k in _KEYS if lexicon_automaton().automaton.get(k)[1]]


def _surface(key: str) -> str:
    return key.strip()


_pieces = st.one_of(
    st.sampled_from(_KEYS).map(_surface),
    st.sampled_from(_KEYS).map(_surface).map(str.upper),
    st.sampled_from(_KEYS).map(_surface).map(str.title),
    st.sampled_from(_PREFIX_KEYS or _KEYS)
    .map(_surface)
    .flatmap(lambda k: st.sampled_from(["", "kan", "an", "nya", "s"]).map(lambda s: k + s)),
    st.sampled_from([" ", " ", "  ", ", ", ". ", ".\n", "\n\n", "-", "'", "’", " n't ", " ¨ ", "ß", "İ"]),
    st.text(min_size=1, max_size=3),
)
texts = st.lists(_pieces, max_size=40).map(" ".join)


def _both(hot: ModuleType, an: Analysis) -> tuple[list[Hit] | None, list[Hit]]:
    built = lexicon_automaton()
    args = (an.lowers, an.words, an.starts, an.ends, an.sent_ids, an.text, Hit)
    return hot.lexicon_token_hits(built.trie, *args), hot.lexicon_hits(built.automaton, *args)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from(["id", "en"]))
@example("gencatan senjata gencatan senjata. Senjata", "id")
@example("melempar melemparkan Melempar. melempar", "id")
def test_trie_hits_are_the_automaton_and_reference_hits(hot: ModuleType, text: str, lang: str) -> None:
    an = analyze(text, lang, lexicons=False)
    if not an.lowers:
        return
    by_trie, by_automaton = _both(hot, an)
    want = py_match_lexicons(an)
    assert by_automaton == want
    assert by_trie == want  # analyze never makes a lowered token with a space, so no fallback


def test_trie_hits_of_real_pages_are_the_reference_hits(hot: ModuleType) -> None:
    pages = list(real_texts())  # generated articles, then the real pages when ../shared is present
    hits = 0
    for _, text in pages:
        an = analyze(text, "id", lexicons=False)
        by_trie, _ = _both(hot, an)
        want = py_match_lexicons(an)
        assert by_trie == want
        hits += len(want)
    assert hits > 1000


def test_a_lowered_token_with_a_space_or_empty_falls_back_to_the_automaton(hot: ModuleType) -> None:
    for odd in ("a b", ""):
        an = analyze("gencatan senjata di Kyiv", "id", lexicons=False)
        an.lowers[2] = odd
        by_trie, by_automaton = _both(hot, an)
        assert by_trie is None
        assert match_lexicons(an) == by_automaton == py_match_lexicons(an)


def test_the_trie_holds_every_key_with_its_value() -> None:
    built = lexicon_automaton()
    values = {k: built.automaton.get(k) for k in _KEYS}
    assert built.trie == token_trie(values)
    for key, value in values.items():
        node = built.trie
        parts = key[1:].split(" ")
        path, last = (parts[:-1], parts[-1]) if value[1] else (parts[:-1], None)
        for tok in path:
            assert node[1] is not None
            node = node[1][tok]
        if last is None:
            assert node[0] is value
        else:
            assert (last, value) in node[2] and last[0] in node[3]


def test_prefixes_of_a_node_are_tried_shortest_first() -> None:
    a, b = (8, True, 0, ()), (9, True, 0, ())
    trie = token_trie({" melempar": b, " melem": a, " x y ": (5, False, 2, ())})
    assert [p for p, _ in trie[2]] == ["melem", "melempar"]
    assert trie[3] == frozenset({"m"})
    assert trie[1] is not None and trie[1]["x"][1] is not None
    assert trie[1]["x"][1]["y"][0] == (5, False, 2, ())


def test_the_pipeline_path_matches_through_the_trie(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = hot.lexicon_token_hits

    class Spy:
        def __getattr__(self, name: str) -> object:
            return getattr(hot, name)

        @staticmethod
        def lexicon_token_hits(*args: object) -> object:
            calls.append(1)
            return real(*args)

    monkeypatch.setattr(hot_state, "HOT", Spy())
    an = analyze("Gencatan senjata di Kyiv, 12 orang tewas.", "id", lexicons=False)
    got = match_lexicons(an)
    assert calls and got == py_match_lexicons(an) and got


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_hits_grouped_while_matched_are_the_lazy_grouping(hot: ModuleType, text: str) -> None:
    """``analyze`` on the compiled path groups the hits by tag as it builds them: the same lists, in
    the same order, as ``hits_by_tag`` builds from the hits of the reference path."""
    got = analyze(text, "id")
    old = hot_state.HOT
    hot_state.HOT = None
    try:
        want = analyze(text, "id")
    finally:
        hot_state.HOT = old
    assert got == want
    for tag in ("kb", "cue", "trigger", "topic", "speech", "captive", "no-such-tag"):
        assert got.hits_by_tag(tag) == want.hits_by_tag(tag)  # type: ignore[arg-type]
        assert [h for h in got.hits if h.tag == tag] == got.hits_by_tag(tag)  # type: ignore[arg-type]


def test_analyses_equal_whatever_look_up_tables_were_built() -> None:
    a = analyze("Gencatan senjata di Kyiv, 12 orang tewas.", "id")
    b = analyze("Gencatan senjata di Kyiv, 12 orang tewas.", "id")
    a.hits_by_tag("topic")
    a.hits_starting_at(0)
    a.number_at(5)
    assert a == b
    b.set_hits([])
    assert a != b and b.hits_by_tag("topic") == []
