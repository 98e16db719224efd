"""``warta eval seeds`` checks: the example rules fire on articles whose gold has the events they watch."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from streams.alerting.rules import Condition, RuleSet, example_rules, load_rules
from streams.core.records import EnrichedArticle
from streams.evaluation.seeds import CheckResult

__all__ = ["checks", "event_prefixes"]


def event_prefixes(cond: Condition) -> set[str]:
    """Every CAMEO prefix a condition tree watches (outside ``not``)."""
    out: set[str] = set()
    if cond.event is not None:
        out.update(cond.event.codes)
    for sub in (cond.all_ or []) + (cond.any_ or []):
        out |= event_prefixes(sub)
    return out


@lru_cache(maxsize=1)
def _rules() -> RuleSet:
    return load_rules(example_rules())


def checks(name: str, gold: dict[str, Any], art: EnrichedArticle) -> list[CheckResult]:
    rs = _rules()
    fired = {r.name for r, _m in rs.matches(art)}
    out = []
    for code in (gold.get("events") or {}).get("required", []):
        covering = [r.name for r in rs.rules if any(code.startswith(p) for p in event_prefixes(r.when))]
        if covering:
            ok = any(n in fired for n in covering)
            out.append(
                CheckResult(
                    name, f"alert for CAMEO {code}", ok, f"{'/'.join(covering)}: fired {sorted(fired)}"
                )
            )
    return out
