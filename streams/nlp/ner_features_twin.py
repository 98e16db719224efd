"""The compiled twin of the tagger's feature strings, used only while the functions it mirrors are unchanged."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from streams.core import hot as _core_hot

__all__ = ["GUARD", "MIRRORED", "RECORDED", "features", "fingerprint"]

#: The functions of ``streams.nlp.ner_crf`` that ``_ner_hot.group_features`` writes out (hot12), the first
#: one the reference it replaces.
MIRRORED = (
    "_group_features",
    "_word_group",
    "_word_group_shared",
    "_ctx_group",
    "_kb_group",
    "_shape",
    "_in_dictionary",
)
#: :func:`fingerprint` of :data:`MIRRORED` as the twin was written against them. A change to one of them
#: (a new feature; not a comment or docstring) makes the reference run until the twin follows and this is
#: recorded again (``python scripts/fingerprints.py --write``; docs/guards.md). The data they read (the
#: lexicons, the dictionary, clusters, case classes, given names, ``_SUFFIXES``, ``_PREFIXES``) are read from
#: ``ner_crf`` by both paths, so changes there reach both.
RECORDED = "e9764a8c6e1bafa7"

#: the twin's guard (``streams.core.hot.Guard``): the functions it mirrors and :data:`RECORDED`
GUARD = _core_hot.Guard(
    RECORDED, [("streams.nlp.ner_crf", name) for name in MIRRORED], "ner_crf._group_features"
)
#: (compiled module, reference, the function chosen for them): the last choice
_last: list[Any] = []


def _ner_crf() -> Any:
    return sys.modules["streams.nlp.ner_crf"]


def fingerprint() -> str:
    """:func:`streams.core.hot.code_fingerprint` of the :data:`MIRRORED` functions as they are now."""
    return GUARD.fingerprint()


def features(hot: Any) -> Callable[[tuple[Any, ...]], list[str]]:
    """What ``CrfModel._row`` builds a new group's feature strings with: ``hot.group_features`` on the compiled
    path (``hot``, the ``_ner_hot`` module, or None) while the functions it mirrors are the code it was
    written against (checked again when ``ner_crf._group_features`` is another object), else the reference."""
    ref = _ner_crf()._group_features
    if hot is None:
        return ref  # type: ignore[no-any-return]
    last = _last
    if last and last[0] is hot and last[1] is ref:
        return last[2]  # type: ignore[no-any-return]
    got = getattr(hot, "group_features", None)
    chosen = got if got is not None and GUARD.fresh() else ref
    _last[:] = [hot, ref, chosen]
    return chosen  # type: ignore[no-any-return]
