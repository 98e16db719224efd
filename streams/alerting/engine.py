"""The alerting engine: rules over articles, throttled and grouped per (incident kind, story)."""

from __future__ import annotations

import re
import string
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from streams.alerting.rules import _EXACT_QUALIFIERS, HAPPENED, Match, Rule, RuleSet, headline_figures
from streams.alerting.state import AlertState, MemoryAlertState
from streams.core.ids import derived_id
from streams.core.records import Alert, EnrichedArticle, Figure, Severity
from streams.observability.metrics import ALERTS_FIRED

__all__ = [
    "AlertChange",
    "AlertEngine",
    "ChangeKind",
    "alert_id",
    "event_names",
    "figure_text",
    "incident_of",
    "one_per_incident",
    "render_message",
    "story_key",
]

ChangeKind = Literal["fired", "updated", "escalated"]
MAX_EVIDENCE = 50
MAX_ARTICLES = 200


@dataclass(frozen=True)
class AlertChange:
    """An alert to deliver: new (``fired``), grown (``updated``) or past a higher threshold."""

    kind: ChangeKind
    alert: Alert
    window: float
    previous_severity: Severity | None = None


def story_key(article: EnrichedArticle) -> str:
    """The story an article belongs to: its dedup story id, else its own event id."""
    return article.dedup.story_id or article.event_id


def alert_id(rule: str, story: str, epoch: int = 0) -> str:
    """Deterministic: the same rule and story always give the same id (a new one per expired window)."""
    return derived_id("alert", rule, story) if epoch == 0 else derived_id("alert", rule, story, f"w{epoch}")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


_QUALIFIER_WORDS = {
    "at_least": "at least",
    "more_than": "more than",
    "about": "about",
    "nearly": "nearly",
    "less_than": "fewer than",
    "up_to": "up to",
    "all": "all",
}


_VAGUE_WORDS = {"dozen": "a dozen"}
#: Qualifiers of an exact figure ("" none; any other names a vague amount: "hundreds", "dozens").
_EXACT = _EXACT_QUALIFIERS | {""}


def figure_text(value: float, qualifier: str | None) -> str:
    """``19`` / ``at least 19`` / ``hundreds``: a figure as a desk reads it (vague amounts as words)."""
    if qualifier and qualifier not in _QUALIFIER_WORDS:
        return _VAGUE_WORDS.get(qualifier, qualifier.replace("_", " "))  # hundreds, dozens, tens of thousands
    words = _QUALIFIER_WORDS.get(qualifier or "")
    n = f"{int(value):,}" if float(value).is_integer() else f"{value:g}"
    return f"{words} {n}" if words and qualifier != "all" else n


def _fill(segment: str, fields: Mapping[str, str]) -> tuple[str, bool, bool]:
    """``segment`` with its fields filled -> (text, has fields, every field has a value)."""
    out = []
    has = False
    complete = True
    for lit, name, spec, _conv in string.Formatter().parse(segment):
        out.append(lit)
        if name is None:
            continue
        has = True
        value = fields.get(name, "")
        if value == "":
            complete = False
            continue
        try:
            out.append(format(value, spec or ""))
        except ValueError:
            out.append(value)
    return "".join(out), has, complete


def _split_group(template: str) -> list[tuple[int, int]]:
    """Spans of the innermost-first ``(...)`` / ``[...]`` groups outside ``{fields}``."""
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    depth_field = 0
    for i, ch in enumerate(template):
        if ch == "{":
            depth_field += 1
        elif ch == "}":
            depth_field = max(0, depth_field - 1)
        elif depth_field:
            continue
        elif ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            spans.append((stack.pop(), i + 1))
    return spans


def render_message(template: str, fields: Mapping[str, str]) -> str:
    """Fill ``{name}`` fields. A part of a ``(...)``/``[...]`` group whose field has no value is left out,
    and so is a group left empty: "(drones {fig_drones_launched}, missiles {fig_missiles_launched})"
    becomes "(drones 653)" or nothing; a message never shows a placeholder."""
    spans = _split_group(template)
    if not spans:
        return _fill(template, fields)[0]
    # outermost groups, each rendered part by part (comma/semicolon separated)
    outer = [sp for sp in spans if not any(o[0] < sp[0] and sp[1] < o[1] for o in spans)]
    out = []
    pos = 0
    for a, b in sorted(outer):
        out.append(_fill(template[pos:a], fields)[0])
        inner = template[a + 1 : b - 1]
        parts = re.split(r"(\s*[,;]\s+)", inner)
        kept: list[str] = []
        any_field = False
        for k in range(0, len(parts), 2):
            text, has, complete = _fill(parts[k], fields)
            any_field = any_field or has
            if has and not complete:
                continue
            if kept:
                kept.append(parts[k - 1])
            kept.append(text)
        if any_field and not "".join(kept).strip():
            if out and out[-1].endswith(" "):
                out[-1] = out[-1][:-1]
        else:
            out.append(template[a] + "".join(kept) + template[b - 1])
        pos = b
    out.append(_fill(template[pos:], fields)[0])
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()


def _alert_figures(figures: list[Figure]) -> list[Figure]:
    """The figures an alert shows: the headline of each kind that has one (a part never)."""
    return headline_figures(figures)


def _level(rule: Rule, figmax: Mapping[str, float]) -> int:
    """Index of the highest escalation threshold crossed (-1: none) by the largest exact figures (a vague
    amount, "hundreds", never escalates an alert)."""
    esc = rule.escalate
    if esc is None:
        return -1
    value = max((figmax.get(k, float("-inf")) for k in esc.figure), default=float("-inf"))
    level = -1
    for i, t in enumerate(esc.thresholds):
        if value >= t:
            level = i
    return level


_SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


def incident_of(rule: Rule) -> str:
    """The kind of incident a rule reports: its ``incident``, else its own name (one alert per rule)."""
    return rule.incident or rule.name


def _precedence(rm: tuple[Rule, Match]) -> tuple[int, bool]:
    rule, match = rm
    return _SEVERITY_RANK.get(rule.severity, 0), any(ev.get("kind") == "event" for ev in match.evidence)


#: Another rule's event goes on an alert only when the event model gives it even odds (the bar of a warning
#: rule's event): "ongoing discussions about a temporary ceasefire" read at 0.40 is no part of a swap alert.
CARRIED_MIN_SCORE = 0.5


def _carried(ev: Mapping[str, Any]) -> bool:
    """Whether another rule's evidence item goes on the alert: an event that happened, at even odds. A demanded
    ceasefire (107) matched by the ceasefire rule is no part of a strike alert, nor is that rule's figure."""
    return (
        ev.get("kind") == "event"
        and ev.get("modality") in HAPPENED
        and float(ev.get("score") or 0.0) >= CARRIED_MIN_SCORE
    )


def one_per_incident(matches: Iterable[tuple[Rule, Match]]) -> list[tuple[Rule, Match]]:
    """Rules of one incident kind that match one article give one alert: the most severe rule, then one
    that matched an event that happened over one that matched only figures, then the first in the file.
    The alert carries that rule's evidence and keywords, and of the rest (the other rules, the branches of
    its own rule that did not hold) only the events that happened (:func:`_carried`): what fired the alert,
    and what else the incident did."""
    groups: dict[str, list[tuple[Rule, Match]]] = {}
    for rule, match in matches:
        groups.setdefault(incident_of(rule), []).append((rule, match))
    out = []
    for members in groups.values():
        rule, match = max(members, key=_precedence)
        merged = Match(evidence=list(match.evidence), keywords=list(match.keywords))
        for _, other in members:
            rest = other.seen if other is match else other.evidence + other.seen
            merged.evidence += [ev for ev in rest if _carried(ev) and ev not in merged.evidence]
        out.append((rule, merged))
    return out


def event_names(article: EnrichedArticle) -> str:
    """The events that happened, by name ("Engage in negotiation, Return, release person(s)"), not codes."""
    names = [e.label for e in article.events if not e.negated and e.modality in HAPPENED and e.label]
    return ", ".join(dict.fromkeys(names))


def _matched_events(entry: Mapping[str, Any]) -> str:
    """Names of the events the alert's rules matched ("Declare truce, ceasefire"), in order."""
    names = [str(ev.get("label") or "") for ev in entry.get("evidence", []) if ev.get("kind") == "event"]
    return ", ".join(dict.fromkeys(n for n in names if n))


class AlertEngine:
    """Evaluates rules; returns the alert changes to deliver, staging them in ``state``.

    The caller delivers the changes, then calls :meth:`commit` (state durable), then commits its
    input offsets. :meth:`rollback` forgets the staged changes when delivery failed.
    """

    def __init__(
        self, rules: RuleSet, state: AlertState | None = None, *, clock: Callable[[], float] = time.time
    ):
        self.rules = rules
        self.state: AlertState = state if state is not None else MemoryAlertState()
        self.clock = clock

    def process(self, article: EnrichedArticle) -> list[AlertChange]:
        changes = []
        for rule, match in one_per_incident(self.rules.matches(article)):
            change = self._apply(rule, match, article)
            if change is not None:
                changes.append(change)
        return changes

    def commit(self) -> None:
        self.state.commit()

    def rollback(self) -> None:
        self.state.rollback()

    def _apply(self, rule: Rule, match: Match, article: EnrichedArticle) -> AlertChange | None:
        now = self.clock()
        story = story_key(article)
        group = incident_of(rule)
        key = f"{group}\x1f{story}"
        entry = self.state.get(key)
        if entry is not None and now - entry["fired_ts"] > rule.window:
            entry = {"epoch": entry["epoch"] + 1}  # the window is over: a new alert
        elif entry is not None and article.event_id in entry["event_ids"]:
            return None  # redelivery or replay of an article already counted
        fresh = entry is None or "id" not in entry
        if fresh:
            entry = _new_entry(rule, group, story, entry["epoch"] if entry else 0, now)
        assert entry is not None
        old_level = entry["level"]
        old_severity = entry["severity"]
        entry["revision"] += 1
        entry["updated_ts"] = now
        _accumulate(entry, match, article)
        level = _level(rule, entry.get("figexact", entry["figmax"]))
        entry["level"] = max(level, old_level)
        if level >= 0 and rule.escalate and rule.escalate.severity:
            entry["severity"] = rule.escalate.severity
        kind: ChangeKind = "fired" if fresh else ("escalated" if level > old_level else "updated")
        alert = self._alert(rule, entry, story, article)
        self.state.put(key, entry)
        if kind != "updated":
            ALERTS_FIRED.labels(rule=rule.name, severity=alert.severity).inc()
        return AlertChange(kind, alert, rule.window, None if fresh else old_severity)

    def _alert(self, rule: Rule, entry: dict[str, Any], story: str, article: EnrichedArticle) -> Alert:
        fields: dict[str, str] = {
            "rule": rule.name,
            "severity": entry["severity"],
            "title": article.title or article.lead[:120] or article.id,
            "source": article.source.name or article.source.domain or "",
            "sources": ", ".join(entry["sources"]),
            "language": article.language or "",
            "url": article.url or "",
            "article_id": article.id,
            "event_id": article.event_id,
            "story_id": story,
            "count": str(len(entry["article_ids"])),
            "events": _matched_events(entry) or event_names(article),
            "topics": ", ".join(t.label for t in article.topics[:3]),
            "entities": ", ".join(e.name for e in article.entities[:5]),
            "keywords": ", ".join(entry["keywords"]),
            "published_at": article.published_at or "",
        }
        quals = entry.get("figqual", {})
        for k, v in entry["figmax"].items():
            fields[f"fig_{k}"] = figure_text(v, quals.get(k))
        labels = {**rule.labels}
        return Alert(
            id=entry["id"],
            rule=rule.name,
            severity=entry["severity"],
            story_id=story,
            message=render_message(rule.message, fields),
            labels=labels,
            article_ids=list(entry["article_ids"]),
            event_ids=list(entry["event_ids"]),
            sources=list(entry["sources"]),
            evidence=list(entry["evidence"]),
            revision=entry["revision"],
            fired_at=_iso(entry["fired_ts"]),
            updated_at=_iso(entry["updated_ts"]),
        )


def _new_entry(rule: Rule, group: str, story: str, epoch: int, now: float) -> dict[str, Any]:
    """The throttle state of a new alert of ``rule`` (incident kind ``group``) about ``story``."""
    return {
        "id": alert_id(group, story, epoch),
        "epoch": epoch,
        "fired_ts": now,
        "revision": 0,
        "level": -1,
        "article_ids": [],
        "event_ids": [],
        "sources": [],
        "evidence": [],
        "figmax": {},
        "keywords": [],
        "severity": rule.severity,
    }


def _accumulate(entry: dict[str, Any], match: Match, article: EnrichedArticle) -> None:
    """Add an article's ids, source, evidence, largest figures and keywords to an alert's state."""
    if article.id not in entry["article_ids"] and len(entry["article_ids"]) < MAX_ARTICLES:
        entry["article_ids"].append(article.id)
    entry["event_ids"].append(article.event_id)
    entry["event_ids"] = entry["event_ids"][-MAX_ARTICLES:]
    src = article.source.name or article.source.domain
    if src and src not in entry["sources"]:
        entry["sources"].append(src)
    for ev in match.evidence:
        if len(entry["evidence"]) >= MAX_EVIDENCE:
            break
        entry["evidence"].append({**ev, "article_id": article.id})
    figqual = entry.setdefault("figqual", {})
    exact = entry.setdefault("figexact", {})
    for f in _alert_figures(article.figures):
        if f.value > entry["figmax"].get(f.kind, float("-inf")):
            entry["figmax"][f.kind] = f.value
            figqual[f.kind] = f.qualifier
        if (
            (f.qualifier or "") in _EXACT
            and f.kind != "casualties"
            and f.value > exact.get(f.kind, float("-inf"))
        ):
            exact[f.kind] = f.value
    for k in match.keywords:
        if k.casefold() not in {x.casefold() for x in entry["keywords"]}:
            entry["keywords"].append(k)
