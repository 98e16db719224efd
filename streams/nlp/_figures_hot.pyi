"""Type stub of the compiled figures path (``_figures_hot.pyx``); see ``streams.nlp.figure_model``."""

from typing import Any

__all__ = [
    "anaphora",
    "best_many",
    "char_features",
    "class_features",
    "conjunctions",
    "context_features",
    "cue_hits",
    "entity_index",
    "first_scope",
    "form_features",
    "head_features",
    "ids",
    "number_index",
    "ptv",
    "quoted",
    "scan",
    "scope_features",
    "scores_many",
    "word_features",
]

def scan(view: Any, n: Any, q_i: int, head_end: int, f: list[str], after: bool, weapon: bool) -> str: ...
def ids(index: dict[str, int], feats: list[str]) -> list[int]: ...
def scores_many(rows: Any, batch: list[list[int]]) -> list[list[float]]: ...
def anaphora(
    a: Any,
    starts: dict[int, list[tuple[str, int]]],
    ends: dict[int, list[tuple[str, int]]],
    sent_cues: dict[int, set[str]],
    frame: set[int],
    words: frozenset[str],
) -> None: ...
def cue_hits(
    hits: list[Any],
    sent_ids: list[int],
    key_role: Any,
    roles: dict[str, tuple[str | None, int]],
    starts: dict[int, list[tuple[str, int]]],
    ends: dict[int, list[tuple[str, int]]],
    sent_cues: dict[int, set[str]],
    breaks: set[int],
    frame: set[int],
    mark_before: dict[int, int],
    mark_after: dict[int, int],
) -> None: ...
def best_many(labels: tuple[str, ...], scores: list[list[float]]) -> list[tuple[str, float, list[float]]]: ...
def form_features(n: Any, f: list[str]) -> str: ...
def char_features(a: Any, n: Any, f: list[str]) -> None: ...
def word_features(view: Any, n: Any, q_i: int, f: list[str]) -> None: ...
def class_features(view: Any, n: Any, q_i: int, f: list[str]) -> str | None: ...
def context_features(view: Any, n: Any, f: list[str]) -> None: ...
def head_features(view: Any, n: Any, f: list[str]) -> tuple[int, str]: ...
def scope_features(view: Any, n: Any, q_i: int, f: list[str]) -> None: ...
def ptv(view: Any, n: Any, q_i: int) -> tuple[bool, int]: ...
def first_scope(view: Any, s: int) -> tuple[int, str] | None: ...
def conjunctions(f: list[str], form: str, head: str, first_b: str, first_a: str) -> None: ...
def quoted(a: Any) -> list[tuple[int, int]]: ...
def entity_index(a: Any, entities: Any) -> tuple[Any, Any]: ...
def number_index(
    a: Any,
) -> tuple[set[int], dict[int, list[int]], int, dict[float, int], dict[int, int]]: ...
