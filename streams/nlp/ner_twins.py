"""The compiled twins of the entity passes, used only while their references are the code they mirror."""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

from streams.core import hot as _core_hot
from streams.nlp.ner_crf import _compiled

__all__ = ["HEAD_RUNS", "HEAD_RUNS_MIRRORED", "MIRRORS", "Twins", "bound", "guard", "stale_twins", "twin"]

F = TypeVar("F", bound=Callable[..., Any])

#: For each reference in ``streams.nlp.entities`` that has a compiled twin in ``_ner_hot``: the twin's name,
#: the reference functions the twin writes out (the reference itself first), and the fingerprint of their
#: code (``streams.core.hot.code_fingerprint``; :func:`guard`) the twin was written against. A
#: reference whose code changed (a new rule in a pass; not a comment or docstring) runs in Python until its
#: twin follows it and this fingerprint is recorded again (``tests/nlp/test_entities_twins.py`` names the
#: stale ones; docs/guards.md says how). Helpers a twin calls for the rarer cases are read from
#: ``streams.nlp.entities`` at each call, so their changes reach both paths. A new entry needs its field in
#: :class:`Twins`.
MIRRORS: dict[str, tuple[str, tuple[str, ...], str]] = {
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
        "d48a9fe23764ca1f",
    ),
    "group_mentions": ("group_mentions", ("group_mentions",), "cc61ddda20d4ea86"),
    "_kb_additions": ("kb_additions", ("_kb_additions",), "ba2e920ce6fdd603"),
    "_list_items": ("list_items", ("_list_items", "_list_near", "_token_range"), "69c0b787fa8534fc"),
    "_capital_runs": (
        "capital_runs",
        ("_capital_runs", "_run_candidate"),
        "bc7dbc341d87e0fd",
    ),
    "_edge_words": ("edge_words", ("_edge_words", "_edge_possible", "_token_range"), "137f64ec29865353"),
    "_connector_joins": (
        "connector_joins",
        ("_connector_joins", "_join_tokens", "_join_possible", "_token_range"),
        "a9edad4e267b78e1",
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
        "e8700c6cd37af875",
    ),
    "_washington": ("washington", ("_washington",), "c9fa0916825642a8"),
    "text_view": ("text_view", ("text_view", "_view"), "52ba893af0c8ba03"),
    "_head_runs": ("head_runs_of", ("_head_runs",), "c0b401a597dbf7fa"),
    "_shape_spans": ("shape_spans", ("_shape_spans", "_run_span", "_tail_head_span"), "348eae53b39e89e9"),
    "_bracket_join": ("bracket_join", ("_bracket_join", "_bracket_end"), "f107aeec7897dbbd"),
    "_retype": (
        "retype",
        ("_retype", "_join_people", "_neighbour_type", "_split_pair", "_token_range"),
        "1854effd9d8acddf",
    ),
    "_coref": (
        "coref",
        ("_coref", "_person_names", "_relink", "_bare_mentions", "_bracket_acronyms", "_spelled_acronyms"),
        "324c49d74656451b",
    ),
}

#: The code of ``streams.nlp.name_heads`` that ``_ner_hot``'s compiled head runs (``_head_runs_direct``, ``_run_all`` and their
#: ``_HeadRuns``, hot13) write out: ``head_runs`` and its ``_RunReader``, ``_joins`` and ``_match``. ``head_runs_of``
#: (the twin of ``entities._head_runs``) runs them only while :data:`HEAD_RUNS` is fresh and
#: ``entities.head_runs`` is ``name_heads.head_runs``; else it calls ``entities.head_runs`` (the reference).
HEAD_RUNS_MIRRORED = (
    "head_runs",
    "_RunReader.__init__",
    "_RunReader.gap",
    "_RunReader.inside_name",
    "_RunReader.head",
    "_RunReader.run",
    "_RunReader._step",
    "_RunReader._stops",
    "_RunReader._closes",
    "_RunReader._punctuation",
    "_RunReader._word",
    "_RunReader._spanned",
    "_joins",
    "_match",
)
#: the compiled head runs' guard (``streams.core.hot.Guard``): :data:`HEAD_RUNS_MIRRORED` and the fingerprint
#: recorded when they were written out (``python scripts/fingerprints.py --write``; docs/guards.md)
HEAD_RUNS = _core_hot.Guard(
    "d1177d11726ad8a6", [("streams.nlp.name_heads", n) for n in HEAD_RUNS_MIRRORED], "name_heads.head_runs"
)

#: pass -> (the ``MIRRORS`` entry its guard was built from, the guard): built at the first check, again when a
#: test edits the entry
_guards: dict[str, tuple[Any, _core_hot.Guard]] = {}
#: (reference, compiled module) -> the function to run
_chosen: dict[tuple[Any, ModuleType], Any] = {}
_NER_HOT = "streams.nlp._ner_hot"
_ENTITIES = "streams.nlp.entities"


def _entities() -> Any:
    return sys.modules[_ENTITIES]


def guard(name: str) -> _core_hot.Guard:
    """The guard of the twin of pass ``name`` (``streams.core.hot.Guard``): its reference functions of
    ``streams.nlp.entities`` and the fingerprint recorded in ``MIRRORS``."""
    entry = MIRRORS[name]
    got = _guards.get(name)
    if got is None or got[0] is not entry:
        got = _guards[name] = (
            entry,
            _core_hot.Guard(entry[2], [(_ENTITIES, n) for n in entry[1]], f"entities.{name}"),
        )
    return got[1]


def _hot_now(ent: Any) -> Any:
    """The compiled module the tagger runs (``entities._compiled()``), or None on the reference path."""
    # ``ner_crf._compiled()`` read without its two calls, unless a stand-in replaced it (a test's)
    if ent._compiled is _compiled:
        return _core_hot.extension(_NER_HOT) if _core_hot.HOT is not None else None
    return ent._compiled()


def _choose(ref: F, hot: Any, ent: Any) -> F:
    if hot is None:
        return ref
    key = (ref, hot)
    got = _chosen.get(key)
    if got is None:
        got = ref
        name = getattr(ref, "__name__", "")
        if name in MIRRORS and getattr(ent, name, None) is ref and guard(name).fresh():
            got = getattr(hot, MIRRORS[name][0], None) or ref  # (not a twinned pass, or a stand-in: ``ref``)
        if isinstance(hot, ModuleType):
            _chosen[key] = got
    return got  # type: ignore[no-any-return]


def twin(ref: F) -> F:
    """The compiled twin of the entity pass ``ref`` when the tagger runs compiled (``entities._compiled``) and
    ``ref`` is the reference the twin mirrors (``MIRRORS``), else ``ref`` itself."""
    ent = _entities()
    return _choose(ref, _hot_now(ent), ent)


@dataclass(slots=True)
class Twins:
    """What each mirrored pass of ``streams.nlp.entities`` runs as, chosen once (:func:`bound`): the attribute
    named as the reference is :func:`twin` of the reference as the module holds it."""

    py_span_mentions: Callable[..., Any]
    group_mentions: Callable[..., Any]
    _kb_additions: Callable[..., Any]
    _list_items: Callable[..., Any]
    _capital_runs: Callable[..., Any]
    _edge_words: Callable[..., Any]
    _connector_joins: Callable[..., Any]
    _doc_person_split: Callable[..., Any]
    _washington: Callable[..., Any]
    text_view: Callable[..., Any]
    _head_runs: Callable[..., Any]
    _shape_spans: Callable[..., Any]
    _bracket_join: Callable[..., Any]
    _retype: Callable[..., Any]
    _coref: Callable[..., Any]


_REFERENCES = operator.attrgetter(*MIRRORS)
#: compiled module (or None: the reference path) -> (the references as they were, the ``_chosen`` they were
#: chosen with, their Twins)
_bound: dict[Any, tuple[tuple[Any, ...], Any, Twins]] = {}


def bound() -> Twins:
    """:func:`twin` of every mirrored pass at once, for one ``entities.extract_entities`` / ``find_mentions``
    call: the call sites then read an attribute instead of calling :func:`twin` each. Kept per compiled
    module (or the reference path) while the module's references are the same objects (a test's stand-in
    rebinds)."""
    ent = _entities()
    hot = _hot_now(ent)
    refs = _REFERENCES(ent)
    got = _bound.get(hot) if hot is None or isinstance(hot, ModuleType) else None
    if got is not None and got[1] is _chosen and got[0] == refs:
        return got[2]
    tw = Twins(**{name: _choose(ref, hot, ent) for name, ref in zip(MIRRORS, refs, strict=True)})
    if hot is None or isinstance(hot, ModuleType):
        _bound[hot] = (refs, _chosen, tw)
    return tw


def stale_twins() -> list[str]:
    """The references whose code is not what their twin mirrors (see ``MIRRORS``)."""
    return [name for name in MIRRORS if guard(name).stale()]
