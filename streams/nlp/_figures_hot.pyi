"""Type stub of the compiled figures path (``_figures_hot.pyx``); see ``streams.nlp.figure_model``."""

from typing import Any

__all__ = ["anaphora", "best_many", "cue_hits", "ids", "scan", "scores_many"]

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
