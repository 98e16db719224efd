"""Type stubs of the compiled quote twins (``_quotes_hot.pyx``)."""

import re
from typing import Any

from streams.core.hot import Guard

__all__ = [
    "GUARD",
    "count_words",
    "current",
    "fingerprint",
    "fold",
    "may_occur",
    "mention_spans",
    "quote_marks",
    "within",
]

_TWINS: tuple[str, tuple[tuple[str, str], ...]]
GUARD: Guard

def fingerprint() -> str: ...
def recorded() -> str: ...
def current() -> bool: ...
def mention_spans(entities: Any) -> tuple[list[tuple[Any, Any, Any]], list[Any]]: ...
def within(spans: list[Any], starts: list[Any], lo: Any, hi: Any) -> list[Any]: ...
def count_words(an: Any, q_start: Any, q_end: Any, cap: Any) -> Any: ...
def quote_marks(
    body: str, quote_rx: re.Pattern[str], horizon: dict[str, Any], openers: str, longest: int
) -> list[re.Match[str]]: ...
def fold(ch: str) -> str: ...
def may_occur(body: str, phrase: str, lo: int, hi: int) -> bool: ...
