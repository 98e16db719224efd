"""The compiled twins of the entity passes, used only while their references are the code they mirror."""

from __future__ import annotations

import hashlib
import inspect
import logging
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from streams.core import hot as _core_hot
from streams.nlp.ner_crf import _compiled

__all__ = ["MIRRORS", "fingerprint", "stale_twins", "twin"]

F = TypeVar("F", bound=Callable[..., Any])

_LOG = logging.getLogger(__name__)

#: For each reference in ``streams.nlp.entities`` that has a compiled twin in ``_ner_hot``: the twin's name,
#: the reference functions the twin writes out (the reference itself first), and the fingerprints of their
#: source (:func:`fingerprint`) the twin was written against (a twin may follow more than one version: a
#: setting or helper a later version added is read where it exists). A reference whose source changed (a new rule in
#: a pass) runs in Python until its twin follows it and this fingerprint is updated
#: (``tests/nlp/test_entities_twins.py`` names the stale ones). Helpers a twin calls for the rarer cases are
#: read from ``streams.nlp.entities`` at each call, so their changes reach both paths.
MIRRORS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "py_span_mentions": (
        "span_mentions",
        (
            "py_span_mentions",
            "_extend_span",
            "_link",
            "_first_name",
            "_person_tail",
            "_kb_names_win",
            "_ministry_country",
        ),
        ("22350c30b4c3aadf", "7384ae892599f13e"),
    ),
    "group_mentions": ("group_mentions", ("group_mentions",), ("fb9dea52e249468b",)),
    "_kb_additions": ("kb_additions", ("_kb_additions",), ("aae60b532223de59", "b497eb35ee82659d")),
    "_list_items": ("list_items", ("_list_items", "_list_near", "_token_range"), ("d931582802d0a279",)),
    "_capital_runs": (
        "capital_runs",
        ("_capital_runs", "_run_candidate"),
        ("f411ba4ef27565f0", "ed7b2a1377b27b37"),
    ),
    "_edge_words": ("edge_words", ("_edge_words", "_edge_possible", "_token_range"), ("209ee8a6f4def97b",)),
    "_connector_joins": (
        "connector_joins",
        ("_connector_joins", "_join_tokens", "_join_possible", "_token_range"),
        ("a138e4723f25802a", "b98833231f239ddd"),
    ),
    "_doc_person_split": (
        "doc_person_split",
        (
            "_doc_person_split",
            "_person_forms",
            "_aligned",
            "_token_range",
            "_doc_person_cut",
            "_org_signal",
            "_tail_word",
        ),
        ("a3e7e37709c8512f",),
    ),
    "_washington": ("washington", ("_washington",), ("3345ea3c3836d905",)),
    "text_view": ("text_view", ("text_view", "_view"), ("7a11de86db9a8345",)),
    "_head_runs": ("head_runs_of", ("_head_runs",), ("e68dcf2b83342cfd",)),
    "_shape_spans": ("shape_spans", ("_shape_spans", "_run_span", "_tail_head_span"), ("b69d8680858db7a1",)),
    "_bracket_join": ("bracket_join", ("_bracket_join", "_bracket_end"), ("5f98b29ab91a03a7",)),
    "_retype": (
        "retype",
        ("_retype", "_join_people", "_neighbour_type", "_split_pair", "_token_range"),
        ("359af46abe90e811",),
    ),
    "_coref": (
        "coref",
        ("_coref", "_person_names", "_relink", "_bare_mentions"),
        ("5b18766d3072e6bd", "1e9fdb98c3a927f5"),
    ),
}

_fresh: dict[str, bool] = {}
#: (reference, compiled module) -> the function to run
_chosen: dict[tuple[Any, ModuleType], Any] = {}
_NER_HOT = "streams.nlp._ner_hot"


def _entities() -> Any:
    return sys.modules["streams.nlp.entities"]


def fingerprint(names: tuple[str, ...]) -> str:
    """The first 16 hex digits of the SHA-1 of the source of these functions of ``streams.nlp.entities``."""
    ent = _entities()
    h = hashlib.sha1()
    for name in names:
        h.update(inspect.getsource(getattr(ent, name)).encode("utf-8"))
    return h.hexdigest()[:16]


def _is_fresh(name: str) -> bool:
    got = _fresh.get(name)
    if got is None:
        _twin, names, wants = MIRRORS[name]
        try:
            got = fingerprint(names) in wants
        except (OSError, TypeError, AttributeError):  # no source to read: the twin cannot be checked
            got = False
        if not got:
            _LOG.warning("entities.%s changed since its compiled twin was written: the reference runs", name)
        _fresh[name] = got
    return got


def twin(ref: F) -> F:
    """The compiled twin of the entity pass ``ref`` when the tagger runs compiled (``entities._compiled``) and
    ``ref`` is the reference the twin mirrors (``MIRRORS``), else ``ref`` itself."""
    ent = _entities()
    # ``ner_crf._compiled()`` read without its two calls, unless a stand-in replaced it (a test's)
    hot = (
        (_core_hot.extension(_NER_HOT) if _core_hot.HOT is not None else None)
        if ent._compiled is _compiled
        else ent._compiled()
    )
    if hot is None:
        return ref
    key = (ref, hot)
    got = _chosen.get(key)
    if got is None:
        got = ref
        name = getattr(ref, "__name__", "")
        if name in MIRRORS and getattr(ent, name, None) is ref and _is_fresh(name):
            got = getattr(hot, MIRRORS[name][0], None) or ref  # (not a twinned pass, or a stand-in: ``ref``)
        if isinstance(hot, ModuleType):
            _chosen[key] = got
    return got  # type: ignore[no-any-return]


def stale_twins() -> list[str]:
    """The references whose source is not what their twin mirrors (see ``MIRRORS``)."""
    return [name for name, (_t, names, wants) in MIRRORS.items() if fingerprint(names) not in wants]
