"""The compiled per-span loop of the recogniser (``_ner_hot.span_mentions``, with ``_extend_span`` and
``_link`` written out) gives the mentions its pure-Python reference (``entities.py_span_mentions``) gives."""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass, field
from itertools import pairwise
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.nlp import entities
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module("streams.nlp._ner_hot", "entities")


def _loop_args(text: str, language: str | None, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The arguments of every ``_span_mentions`` call of the recogniser on ``text`` (reference path)."""
    seen: list[tuple[Any, ...]] = []
    real = entities.py_span_mentions

    def spy(*args: Any) -> list[entities.Mention]:
        seen.append(args)
        return real(*args)

    monkeypatch.setattr(entities, "_span_mentions", spy)
    on_path(False, lambda: entities.find_mentions(text, language, analyze(text, language)))
    monkeypatch.undo()
    return seen


def _same_loop(hot: ModuleType, text: str, language: str | None, monkeypatch: pytest.MonkeyPatch) -> int:
    n = 0
    for args in _loop_args(text, language, monkeypatch):
        want = on_path(False, lambda a=args: entities.py_span_mentions(*a))
        got = on_path(True, lambda a=args: hot.span_mentions(*a))
        assert repr(got) == repr(want)
        n += len(got)
    return n


#: Words that reach the loop's branches: a building before a ministry, hyphenated and apostrophe names,
#: administrative heads before places, place tails and nouns, organisation heads before places, a
#: ministry and its country, people closing an organisation's span, known and unknown names.
_WORDS = [
    "Gedung", "Kemenhub", "Shin", "Tae-yong", "O'Brien", "Kabupaten", "Cianjur", "Jawa", "Barat", "Polres",
    "Situbondo", "Angkatan", "Udara", "Ukraina", "Kementerian", "Luar", "Negeri", "Kazakhstan", "Presiden",
    "Joko", "Widodo", "Vladimir", "Putin", "Volodymyr", "Zelensky", "Kyiv", "Rusia", "Amerika", "Serikat",
    "Gansu", "province", "refugee", "camp", "Aida", "Universitas", "Indonesia", "Budi", "Santoso", "kata",
    "di", "dan", "yang", "Washington", "PBB", "NATO", "Reuters", "-", ",", ".", "\n",
]  # fmt: skip


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=80).map(" ".join), st.sampled_from(["id", "en"])
)
def test_span_mentions_on_random_name_text(
    hot: ModuleType, monkeypatch: pytest.MonkeyPatch, text: str, language: str
) -> None:
    _same_loop(hot, text, language, monkeypatch)


def test_span_mentions_on_real_text(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    mentions = 0
    for _id, text in real_texts():
        mentions += _same_loop(hot, text, None, monkeypatch)
    assert mentions > 1000


def test_find_mentions_routes_to_the_compiled_loop(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = hot.span_mentions

    class Spy:
        def __getattr__(self, name: str) -> Any:
            if name == "span_mentions":
                return lambda *a: calls.append(1) or real(*a)
            return getattr(hot, name)

    monkeypatch.setattr(entities, "_compiled", lambda: Spy())
    text = "Presiden Joko Widodo bertemu Vladimir Putin di Kyiv."
    got = on_path(True, lambda: entities.find_mentions(text, "id", analyze(text, "id")))
    assert calls and any(m.type == "PERSON" for m in got)


#: Words reaching every branch of ``str.isupper`` and of the headline test: upper, lower, title-case
#: letters ("ǅ"), uncased scripts, digits, one-letter words, punctuation, the empty word.
_CASE_WORDS = ["KYIV", "Kyiv", "kyiv", "AS", "A", "a", "ǅ", "ǄA", "ǅA", "ÉLYSÉE", "Élysée", "١٢", "2024", "-", "", "X1", "ΑΘΗΝΑ", "ß", "İ", "(", "NATO-nya"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CASE_WORDS), max_size=40), st.lists(st.integers(0, 40), max_size=8))
def test_view_caps_and_headlines_are_the_references(
    hot: ModuleType, words: list[str], cuts: list[int]
) -> None:
    lowers = [w.casefold() for w in words]
    assert hot.view_caps(words, lowers) == entities.py_view_caps(words, lowers)
    bounds = sorted({0, len(words), *(c for c in cuts if c <= len(words))})
    sentences = list(pairwise(bounds))
    want: list[Any] = [False] * len(words)
    got: list[Any] = [False] * len(words)
    entities.py_headlines(words, sentences, want, entities.HEADLINE)
    hot.headlines(words, sentences, got, entities.HEADLINE)
    assert got == want


def test_isupper_in_the_headline_test_is_str_isupper_on_every_code_point(hot: ModuleType) -> None:
    """One-character words of every code point (no surrogates), three to a sentence: a sentence is a
    headline exactly when ``str.isupper`` (and ``str.isalpha``) say so of its words."""
    for base in range(0, 0x30000, 0x1000):
        chars = [chr(c) for c in range(base, base + 0x1000) if not 0xD800 <= c < 0xE000]
        words = [c + c for c in chars]  # two letters: the alphabetic test applies too
        sentences = [(i, i + 3) for i in range(0, len(words) - 2, 3)]
        want: list[Any] = [False] * len(words)
        got: list[Any] = [False] * len(words)
        entities.py_headlines(words, sentences, want, entities.HEADLINE)
        hot.headlines(words, sentences, got, entities.HEADLINE)
        assert got == want, hex(base)


@dataclass(slots=True)
class _Plain:
    a: Any
    b: Any = None


@dataclass(slots=True)
class _Post:
    a: Any
    b: Any = None

    def __post_init__(self) -> None:
        self.b = "post"


@dataclass
class _NoSlots:
    a: Any
    b: Any = None


@dataclass(slots=True)
class _OwnInit:
    a: Any
    b: Any = None

    def __init__(self, a: Any, b: Any = None) -> None:
        self.a, self.b = a, "own"


@dataclass(slots=True)
class _NotInInit:
    a: Any
    b: Any = field(init=False, default="fixed")


def test_new_slots_builds_what_the_class_builds(hot: ModuleType) -> None:
    for cls in (_Plain, _Post, _NoSlots, _OwnInit):
        got, want = hot.new_slots(cls, (1, "x")), cls(1, "x")
        assert type(got) is cls and got == want and repr(got) == repr(want)
    assert hot.new_slots(_Plain, (1,)) == _Plain(1)  # fewer values: the class is called (its defaults)
    with pytest.raises(TypeError):
        hot.new_slots(_NotInInit, (1, 2))  # a field outside __init__: called, and it rejects two values
    m = hot.new_slots(entities.Mention, (1, 4, "GPE", "place:Kyiv", "Kyiv", 0.8, None, "crf"))
    assert m == entities.Mention(1, 4, "GPE", "place:Kyiv", "Kyiv", 0.8)
    from streams.nlp.kb import KBMatch

    assert hot.new_slots(KBMatch, (0, 3, None, "AS")) == KBMatch(0, 3, None, "AS")  # type: ignore[arg-type]


def test_new_slots_holds_and_releases_its_values(hot: ModuleType) -> None:
    value = object()
    before = sys.getrefcount(value)
    made = [hot.new_slots(_Plain, (value, value)) for _ in range(100)]
    assert sys.getrefcount(value) == before + 200
    assert all(p.a is value and p.b is value for p in made)
    del made
    gc.collect()
    assert sys.getrefcount(value) == before
