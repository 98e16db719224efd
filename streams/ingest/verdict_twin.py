"""The compiled twin of clean's furniture-rule verdict, used only while its reference is the code it mirrors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from streams.core import hot as _core_hot

__all__ = ["GUARD", "MIRRORED", "RECORDED", "fingerprint", "is_fresh", "rules_verdict_twin"]

_PAGES_HOT = "streams.ingest._pages_hot"

#: What ``_pages_hot.rules_verdict`` writes out: these functions of ``streams.ingest.clean`` and
#: ``streams.ingest.rules`` (by qualified name; ``_Verdict.__init__`` for the fields it fills), and their
#: fingerprint (``streams.core.hot.code_fingerprint``, docs/guards.md) the twin was written against. When one
#: changes (a new rule scope, another pre-filter), the reference runs until the twin follows it and
#: :data:`RECORDED` is recorded again (``scripts/fingerprints.py``; ``tests/ingest/test_verdict_twin.py`` names a
#: stale twin). The rules themselves (``furniture.yaml``), ``anchored_prefilter_for`` and ``_unanchored_rules``
#: are read at each call, so their changes reach both paths.
MIRRORED: tuple[str, ...] = (
    "clean._rules_verdict",
    "clean._rules_with_needs_met",
    "clean._words",
    "clean._Verdict.__init__",
    "rules.FurnitureRule.find",
)
RECORDED = "6994ce57c3401292"

#: the twin's guard (``streams.core.hot.Guard``): the functions it mirrors and :data:`RECORDED`
GUARD = _core_hot.Guard(
    RECORDED,
    [(f"streams.ingest.{module}", qualname) for module, _, qualname in (n.partition(".") for n in MIRRORED)],
    "clean._rules_verdict",
)


def fingerprint() -> str:
    """The code fingerprint of :data:`MIRRORED` as they are now."""
    return GUARD.fingerprint()


def is_fresh() -> bool:
    """Whether the reference is the code the twin mirrors (:meth:`streams.core.hot.Guard.fresh`)."""
    return GUARD.fresh()


def rules_verdict_twin() -> Callable[[str], Any] | None:
    """``line -> clean._rules_verdict(line)`` on the compiled path when it runs (``WARTA_COMPILED``) and the
    reference is the mirrored code, else None (the caller runs the reference)."""
    hot = _core_hot.compiled_extension(_PAGES_HOT)
    if hot is None or not hasattr(hot, "rules_verdict") or not is_fresh():
        return None
    return _twin


def _twin(line: str) -> Any:
    clean = sys.modules["streams.ingest.clean"]
    hot = _core_hot.extension(_PAGES_HOT)
    # the names the reference reads, from its own module (a test's stand-in reaches both paths)
    got = hot.rules_verdict(  # type: ignore[union-attr]
        line,
        clean.furniture_rules(),
        clean._unanchored_rules(),
        clean._ALNUM.search,
        clean._anchored_for,
        clean.anchored_max_words(),
        clean._Verdict,
    )
    return clean._rules_verdict(line) if got is None else got
