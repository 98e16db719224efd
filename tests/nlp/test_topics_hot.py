"""The compiled topic-lexicon evidence (``streams.core._hot.topic_lexicon_scores``, ``longest_hits``) gives
what its pure-Python reference (``streams.nlp.topics._py_lexicon_scores``, ``_py_longest``) gives."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.core import hot as hot_state
from streams.core.analysis import Hit
from streams.nlp import topics
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module(hot_state.load_compiled(), "topics")


def _spans(n_max: int = 40) -> st.SearchStrategy[list[tuple[int, int, int]]]:
    return st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6), st.integers(0, 3)), max_size=n_max)


def _hits(spans: list[tuple[int, int, int]]) -> list[Hit]:
    return [Hit(s, s + w, s, s + w, "topic", (f"k{k}",), (f"f{k}",), True) for s, w, k in spans]


@settings(max_examples=300, deadline=None)
@given(_spans())
def test_longest_hits_keeps_the_reference_hits_in_its_order(
    hot: ModuleType, spans: list[tuple[int, int, int]]
) -> None:
    hits = _hits(spans)
    want = topics._py_longest(hits)
    got = hot.longest_hits(hits)
    assert [id(h) for h in got] == [id(h) for h in want]  # the same objects: equal spans are told apart


class _Plain:
    """A hit that is not the slots dataclass: its fields are read by ``getattr``."""

    def __init__(self, h: Hit):
        self.__dict__.update({f: getattr(h, f) for f in Hit.__dataclass_fields__})


def test_longest_hits_reads_other_classes_by_getattr(hot: ModuleType) -> None:
    hits = _hits([(3, 2, 0), (0, 9, 1), (3, 2, 2), (10, 1, 0), (0, 9, 0)])
    plain = [_Plain(h) for h in hits]
    assert [hits.index(h) for h in topics._py_longest(hits)] == [
        plain.index(p) for p in hot.longest_hits(plain)
    ]


def _same(text: str, language: str | None) -> None:
    lex = topics.load_lexicon()
    an = analyze(text, language)
    want = on_path(False, lambda: topics._lexicon_scores(an, language, lex))
    got: Any = on_path(True, lambda: topics._lexicon_scores(an, language, lex))
    assert repr(got) == repr(want)  # the floats to the last bit, and every dict's order
    assert [list(d) for d in got[2:]] == [list(d) for d in want[2:]]
    assert (
        got[2]["no such topic"] == [] and got[4]["no such topic"] == set()
    )  # defaultdicts, as the reference's


def _lexicon_words() -> list[str]:
    """Words of the topic lexicon's terms (and of its page notices), a spread of ~400."""
    from streams.core.hot import read_yaml

    data = read_yaml(topics.LEXICON_PATH.read_text(encoding="utf-8"))
    words: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str):
            words.update(node.replace("*", "").split())
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data.get("topics", {}))
    walk(data.get("neutral", {}))
    ordered = sorted(words)
    return ordered[:: max(1, len(ordered) // 400)] or ["perang"]


#: the lexicon's words, page notices (a line holding one counts for nothing) and line and sentence ends
_WORDS = [
    *_lexicon_words(),
    "Klik di sini",
    "baca juga",
    "we use cookies",
    "privacy policy",
    ".",
    "\n",
    "\n\n",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_WORDS), max_size=120).map(" ".join),
    st.sampled_from(["id", "en", "ms", None, "fr"]),
)
def test_lexicon_scores_on_random_lexicon_text(hot: ModuleType, text: str, language: str | None) -> None:
    _same(text, language)


def test_a_notice_masks_its_line_on_both_paths(hot: ModuleType) -> None:
    text = (
        "Perang di Ukraina. Serangan rudal.\nKlik di sini: perang, rudal, militer\n"
        + "kata " * 120
        + "baca juga"
    )
    _same(text, "id")
    on = on_path(True, lambda: topics._lexicon_scores(analyze(text, "id"), "id", topics.load_lexicon()))
    assert all(
        s < text.index("Klik") or s > text.index("militer") for spans in on[2].values() for s, _ in spans
    )


def test_lexicon_scores_on_real_text(hot: ModuleType) -> None:
    n = 0
    for _id, text in real_texts():
        for language in ("id", "en"):
            _same(text, language)
        n += 1
    assert n >= 30
