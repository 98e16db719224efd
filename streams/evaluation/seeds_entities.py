"""Seed checks for entities, figures and quotes (added to ``warta eval seeds``)."""

from __future__ import annotations

from typing import Any

from streams.core.records import EnrichedArticle, Entity
from streams.evaluation.seeds import CheckResult

__all__ = ["checks", "match_entities"]


def _n(s: str | None) -> str:
    return " ".join((s or "").split()).casefold()


def _hits(ent: Entity, aliases: set[str]) -> bool:
    return _n(ent.name) in aliases or _n(ent.text) in aliases


def match_entities(
    gold: list[dict[str, Any]], reported: list[Entity]
) -> tuple[int, int, int, list[str], list[str]]:
    """One-to-one matching of reported entities to gold ones.

    Returns ``(tp, reported_counted, expected, missed, spurious)``: optional gold entities absorb
    the reported entities that match them without counting either way.
    """
    golds = [(g, {_n(a) for a in g.get("aliases", [])}) for g in gold]
    free = list(range(len(reported)))
    matched_gold: set[int] = set()
    absorbed: set[int] = set()
    tp = 0
    # Required entities first, canonical-name matches before surface matches; then optional ones.
    for optional in (False, True):
        for by in ("name", "text"):
            for gi, (g, aliases) in enumerate(golds):
                if gi in matched_gold or bool(g.get("optional")) != optional:
                    continue
                for ri in free:
                    val = reported[ri].name if by == "name" else reported[ri].text
                    if _n(val) in aliases:
                        matched_gold.add(gi)
                        free.remove(ri)
                        if optional:
                            absorbed.add(ri)
                        else:
                            tp += 1
                        break
    # Extra reported entities that name an already matched optional entity are neutral too.
    for ri in list(free):
        if any(g.get("optional") and _hits(reported[ri], al) for g, al in golds):
            free.remove(ri)
            absorbed.add(ri)
    expected = sum(1 for g, _ in golds if not g.get("optional"))
    reported_counted = len(reported) - len(absorbed)
    missed = [
        g["aliases"][0] for gi, (g, _) in enumerate(golds) if gi not in matched_gold and not g.get("optional")
    ]
    spurious = [f"{reported[ri].name} ({reported[ri].type})" for ri in free]
    return tp, reported_counted, expected, missed, spurious


def checks(name: str, gold: dict[str, Any], art: EnrichedArticle) -> list[CheckResult]:
    out: list[CheckResult] = []
    if "entities" in gold:
        tp, rep, exp, missed, spurious = match_entities(gold["entities"], art.entities)
        f1 = 2 * tp / (rep + exp) if rep + exp else 1.0
        detail = f"F1 {f1:.2f}; missed: {', '.join(missed) or '-'}; spurious: {', '.join(spurious) or '-'}"
        out.append(CheckResult(name, "entities", f1 >= 0.9, detail, counts=(tp, rep, exp)))
    for fig in gold.get("figures", []):
        ok = any(f.kind == fig["kind"] and abs(f.value - float(fig["value"])) < 1e-6 for f in art.figures)
        got = ", ".join(f"{f.kind}={f.value:g}" for f in art.figures) or "-"
        out.append(CheckResult(name, "figures", ok, f"want {fig['kind']}={fig['value']}; got {got}"[:200]))
    for q in gold.get("quotes", []):
        aliases = {_n(a) for a in q.get("speaker_aliases", [])}
        starts = _n(q["starts"])
        found = [x for x in art.quotes if _n(x.text).lstrip("“”\"'‘’« ").startswith(starts)]
        ok = any(_n(x.speaker) in aliases for x in found)
        got = "; ".join(f"{x.speaker!r}" for x in found) or "quote not found"
        out.append(CheckResult(name, "quotes", ok, f"{q['starts'][:30]}… -> {got}"))
    return out
