"""Type stub of the compiled tagger path (``_ner_hot.pyx``); see ``streams.nlp.ner_crf``."""

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "bracket_join",
    "capital_runs",
    "connector_joins",
    "coref",
    "decode",
    "doc_person_split",
    "edge_words",
    "emissions",
    "entity",
    "free_caps",
    "group_mentions",
    "head_runs_of",
    "headlines",
    "kb_additions",
    "kb_select",
    "keep_span",
    "list_items",
    "name_word",
    "new_slots",
    "retype",
    "shape_spans",
    "span_mentions",
    "spelled_initials",
    "strip_bounds",
    "tag_spans",
    "text_view",
    "view_caps",
    "view_tags",
    "washington",
    "window_positions",
    "window_rows",
    "windows",
]

def window_rows(
    words: list[str],
    firsts: list[int],
    kbtags: list[str],
    windows: list[tuple[int, int, int, int]],
    wc: tuple[dict[str, int], ...],
    cm2: dict[Any, int],
    cm1: dict[Any, int],
    cp1: dict[Any, int],
    cp2: dict[Any, int],
    gc: dict[Any, int],
    kc: dict[Any, int],
    row: Callable[[tuple[Any, ...]], int],
    lang: str,
) -> tuple[list[tuple[int, int, bool, bool]], list[int]]: ...
def free_caps(
    caps: list[bool],
    firsts: list[int],
    starts: list[int],
    words: list[str],
    skip: frozenset[str],
    mstarts: list[int],
    mends: list[int],
) -> list[int]: ...
def view_tags(
    words: list[str],
    starts: list[int],
    ends: list[int],
    sentences: list[tuple[int, int]],
    hstarts: list[int],
    hends: list[int],
    hbio: list[tuple[str, str] | None],
    openers: frozenset[str],
) -> tuple[list[str], list[tuple[int, int]], bytearray, list[int]]: ...
def decode(
    emit: np.ndarray, wins: list[tuple[int, int, bool, bool]], trans: np.ndarray
) -> list[tuple[int, int]]: ...
def emissions(mat: np.ndarray, rows: list[int], bias: np.ndarray) -> np.ndarray: ...
def window_positions(wins: list[tuple[int, int, int, int]]) -> dict[int, int]: ...
def windows(
    flags: list[bool], sentences: list[tuple[int, int]], gap: int, pad: int
) -> list[tuple[int, int, int, int]]: ...
def strip_bounds(
    words: list[str],
    caps: list[bool],
    starts: list[int],
    ends: list[int],
    lo: int,
    hi: int,
    person: bool,
    org: bool,
    sets: tuple[frozenset[str], ...],
) -> tuple[int, int]: ...
def name_word(words: list[str], lo: int, hi: int, unnamed: frozenset[str]) -> bool: ...
def keep_span(
    words: list[str],
    text: str,
    starts: list[int],
    ends: list[int],
    lo: int,
    hi: int,
    sets: tuple[frozenset[str], ...],
    is_head: Callable[[list[str]], bool],
    roman: Callable[[str], Any],
) -> bool: ...
def kb_select(
    found: list[Any],
    text: str,
    by_key: dict[str, Any],
    case_ok: Callable[[str, str], bool],
    make: Callable[..., Any],
) -> list[Any]: ...
def tag_spans(tags: list[str], sentences: list[tuple[int, int]]) -> list[tuple[int, int, str]]: ...
def view_caps(words: list[str], lowers: list[str]) -> list[bool]: ...
def headlines(
    words: list[str], sentences: list[tuple[int, int]], firsts: list[Any], headline: Any
) -> None: ...
def span_mentions(
    view: Any,
    model: Any,
    spans: list[tuple[int, int, str, str]],
    people: set[str],
    hit_at: dict[tuple[int, int], Any],
    hits: dict[int, Any],
) -> list[Any]: ...
def new_slots(cls: type[Any], values: tuple[Any, ...]) -> Any: ...
def group_mentions(text: str, mentions: list[Any]) -> list[Any]: ...
def entity(cls: type[Any], fields: dict[str, Any]) -> Any: ...
def kb_additions(view: Any, model: Any, mentions: list[Any]) -> list[Any]: ...
def list_items(
    view: Any, model: Any, mentions: list[Any], hit_at: dict[tuple[int, int], Any], hits: dict[int, Any]
) -> list[Any]: ...
def capital_runs(
    view: Any, model: Any, mentions: list[Any], hit_at: dict[tuple[int, int], Any], hits: dict[int, Any]
) -> list[Any]: ...
def edge_words(
    view: Any, model: Any, mentions: list[Any], hit_at: dict[tuple[int, int], Any], hits: dict[int, Any]
) -> list[Any]: ...
def connector_joins(
    view: Any, model: Any, mentions: list[Any], hit_at: dict[tuple[int, int], Any], hits: dict[int, Any]
) -> list[Any]: ...
def doc_person_split(
    view: Any, model: Any, mentions: list[Any], hit_at: dict[tuple[int, int], Any], hits: dict[int, Any]
) -> list[Any]: ...
def washington(view: Any, mentions: list[Any]) -> list[Any]: ...
def coref(view: Any, mentions: list[Any]) -> list[Any]: ...
def text_view(text: str, analysis: Any) -> Any: ...
def head_runs_of(view: Any, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]: ...
def spelled_initials(surface: str) -> tuple[str, int]: ...
def shape_spans(view: Any, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str, str]]: ...
def bracket_join(view: Any, mentions: list[Any]) -> list[Any]: ...
def retype(view: Any, mentions: list[Any]) -> list[Any]: ...
