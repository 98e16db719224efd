"""A stand-in for the tagger's span scores, shared by the entity span-pass tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["StubScores", "table_scores"]


class StubScores:
    """Stands in for ``CrfModel.support`` / ``supports``: the log-odds of a token span as a name of a
    type, from ``score(words, typ)``; ``asked`` records each (span text, type) asked for."""

    def __init__(self, score: Callable[[list[str], str], float]) -> None:
        self.score = score
        self.asked: list[tuple[str, str]] = []

    @property
    def asked_texts(self) -> set[str]:
        return {text for text, _ in self.asked}

    def support(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        sentence: tuple[int, int],
        span: tuple[int, int],
        typ: str,
        lang: str | None = None,
    ) -> float:
        got = list(words[span[0] : span[1]])
        self.asked.append((" ".join(got), typ))
        return self.score(got, typ)

    def supports(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        sentence: tuple[int, int],
        span: tuple[int, int],
        types: Sequence[str],
        lang: str | None = None,
    ) -> list[float]:
        return [self.support(words, firsts, kbtags, sentence, span, t, lang) for t in types]


def table_scores(table: dict[tuple[str, str], float], default: float = -50.0) -> StubScores:
    """Scores from a fixed table of (span text, type), else ``default`` (very low)."""
    return StubScores(lambda words, typ: table.get((" ".join(words), typ), default))
