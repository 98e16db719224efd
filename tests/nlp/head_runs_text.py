"""``name_heads.head_runs`` over a plain text, shared by the head-run tests."""

from __future__ import annotations

from streams.nlp.entities import _lex, text_view
from streams.nlp.kb import load_given_names
from streams.nlp.name_heads import head_runs

__all__ = ["text_runs"]


def text_runs(
    text: str,
    stops: frozenset[int] = frozenset(),
    stop_words: frozenset[str] = frozenset(),
    named: set[int] | None = None,
    named_words: tuple[str, ...] | None = None,
) -> list[tuple[str, str]]:
    """(text, type) of each head run of ``text``: ``stops`` as the strong and organisation stops, ``named``
    the tokens the tagger read as names (or ``named_words``: the tokens that are one of those words)."""
    v = text_view(text)
    if named_words is not None:
        named = {i for i, w in enumerate(v.words) if w in named_words}
    runs = head_runs(
        v.text,
        v.words,
        v.starts,
        v.ends,
        v.caps,
        v.sentences,
        stops,
        stops,
        stop_words,
        free_before=_lex().free_before,
        given_names=load_given_names(),
        named=named,
    )
    return [(text[v.starts[lo] : v.ends[hi - 1]], t) for lo, hi, t in runs]
