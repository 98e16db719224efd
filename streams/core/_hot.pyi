"""Type stub of the compiled hot path (``_hot.pyx``); see ``streams.core.hot``."""

from collections.abc import Callable
from typing import Any

__all__ = [
    "digit_starts",
    "layout",
    "lexicon_hits",
    "lexicon_token_hits",
    "longest_hits",
    "lowers",
    "murmur2",
    "padded_words",
    "parse_numbers",
    "parse_numeral",
    "parse_words",
    "phrase_find",
    "runs",
    "space_groups",
    "split_sentences",
    "tokenize",
    "topic_lexicon_scores",
    "word_lowers",
]

def tokenize(text: str) -> tuple[list[int], list[int], list[str], list[str]]: ...
def lowers(text: str, words: list[str], normalize: Callable[[str], str]) -> list[str]: ...
def split_sentences(
    words: list[str],
    starts: list[int],
    ends: list[int],
    breaks: list[int],
    abbrevs: frozenset[str],
    terminals: frozenset[str],
    closers: frozenset[str],
) -> list[tuple[int, int]]: ...
def runs(ids_at: list[int], n: int) -> list[int]: ...
def word_lowers(lowers: list[str]) -> list[str]: ...
def shingles(tokens: list[str], k: int) -> list[str]: ...
def digit_starts(words: list[str]) -> list[int]: ...
def parse_numeral(
    raw: str, language: str | None = "id", *, before_multiplier: bool = False
) -> float | None: ...
def lexicon_hits(
    auto: Any,
    lowers: list[str],
    words: list[str],
    starts: list[int],
    ends: list[int],
    sent_ids: list[int],
    text: str,
    Hit: type[Any],
) -> list[Any]: ...
def lexicon_token_hits(
    root: tuple[Any, ...],
    lowers: list[str],
    words: list[str],
    starts: list[int],
    ends: list[int],
    sent_ids: list[int],
    text: str,
    Hit: type[Any],
    by_tag: dict[str, list[Any]] | None = None,
) -> list[Any] | None: ...
def hit_layout(cls: type[Any]) -> bool: ...
def parse_words(lowers: list[str], i: int, end: int, r: Any) -> tuple[float, int] | None: ...
def space_groups(
    words: list[str], starts: list[int], ends: list[int], text: str, i: int, s_begin: int, s_end: int
) -> int: ...
def parse_numbers(an: Any, r: Any, NumberToken: type[Any]) -> list[Any]: ...
def layout(
    text: str,
    starts: list[int],
    ends: list[int],
    words: list[str],
    gaps: list[str],
    Sentence: type[Any],
    Block: type[Any],
    abbrevs: frozenset[str],
    terminals: frozenset[str],
    closers: frozenset[str],
) -> tuple[list[int], list[int], list[int], list[Any], list[Any], list[Any]]: ...
def padded_words(low: str) -> str: ...
def phrase_find(auto: Any, padded: str, n: int, Match: type[Any]) -> list[Any]: ...
def murmur2(data: bytes | bytearray | memoryview) -> int: ...
def longest_hits(hits: list[Any]) -> list[Any]: ...
def collapse_spaces(text: str) -> str: ...
def dedupe_spans(spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]] | None: ...
def vocab_counts(lowers: list[str], index: dict[str, int]) -> dict[int, int]: ...
def topic_lexicon_scores(
    an: Any,
    language: str | None,
    lex: Any,
    masked_units: Any,
    resolve: Any,
    neutral_prefix: str,
    other_language: float,
    lead_chars: int,
    lead_bonus: float,
    scale: float,
    spans: Any,
    sents: Any,
) -> tuple[dict[str, float], dict[str, float], Any, set[str], Any]: ...
