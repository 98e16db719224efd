"""``warta eval alerts``: the shipped rules over realdev + realtrain in date order, each alert checked against gold."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from streams.core.doc import Doc
from streams.core.records import CASUALTY_KINDS, EnrichedArticle, RawArticle
from streams.nlp.events import EventStage

__all__ = [
    "AlertEval",
    "AlertRow",
    "EvalArticle",
    "HeldOutEvents",
    "HeldOutFigures",
    "alert_verdict",
    "gold_view",
    "held_out_models",
    "load_eval_articles",
    "manifest_date",
    "run_alert_eval",
    "shown_figures",
    "summary",
]

#: Arrival times of the replay: one article a minute from this instant, in date order (a backfill: the
#: stream sees articles of many years within hours, so only their publication dates tell them apart).
_REPLAY_START = 1_700_000_000.0
#: Qualifiers of an exact figure ("" none); any other names a vague amount ("hundreds").
_EXACT = frozenset({"", "at_least", "about", "nearly", "more_than", "less_than", "up_to", "all"})
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january januari", "feb february februari", "mar march maret", "apr april",
            "may mei", "jun june juni", "jul july juli", "aug august agustus agu",
            "sep sept september", "oct october oktober okt", "nov november nopember",
            "dec december desember des",
        )
    )
    for m in names.split()
}  # fmt: skip
_ISO = re.compile(
    r"(?<!\d)((?:19|20)\d\d)[-/](\d\d)[-/](\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?([+-]\d\d:\d\d)?)?"
)
_DMY = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)(?!\d)")
_D_MON_Y = re.compile(r"(?<![\w])(\d{1,2})\s+([A-Za-z]+)\.?,?\s+((?:19|20)\d\d)(?!\d)")
_MON_D_Y = re.compile(r"(?<![\w])([A-Za-z]+)\.?\s+(\d{1,2}),?\s+((?:19|20)\d\d)(?!\d)")
_MON_Y = re.compile(r"(?<![\w])([A-Za-z]+)\.?\s+((?:19|20)\d\d)(?!\d)")


def _day(y: int, m: int, d: int) -> datetime | None:
    try:
        return datetime(y, m, d, tzinfo=UTC)
    except ValueError:
        return None


def _first_date(text: str) -> datetime | None:
    """The first full date in ``text``: ISO, d/m/yyyy, "21 November 2022", "Nov 3, 2023", else "Dec 2023"."""
    found: list[tuple[int, datetime]] = []
    for m in _ISO.finditer(text):
        iso = m.group(0).replace("/", "-")
        try:
            stamp = datetime.fromisoformat(iso if m.group(4) else iso[:10])
        except ValueError:
            continue
        found.append((m.start(), stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)))
    for m in _DMY.finditer(text):
        if (dt := _day(int(m.group(3)), int(m.group(2)), int(m.group(1)))) is not None:
            found.append((m.start(), dt))
    for m in _D_MON_Y.finditer(text):
        mon = _MONTHS.get(m.group(2).casefold())
        if mon and (dt := _day(int(m.group(3)), mon, int(m.group(1)))) is not None:
            found.append((m.start(), dt))
    for m in _MON_D_Y.finditer(text):
        mon = _MONTHS.get(m.group(1).casefold())
        if mon and (dt := _day(int(m.group(3)), mon, int(m.group(2)))) is not None:
            found.append((m.start(), dt))
    if found:
        return min(found, key=lambda x: x[0])[1]
    for m in _MON_Y.finditer(text):
        mon = _MONTHS.get(m.group(1).casefold().removeprefix("mid-"))
        if mon:
            return _day(int(m.group(2)), mon, 15)
    return None


def manifest_date(published: str | None) -> datetime | None:
    """The publication date a manifest's ``published`` note gives: a timestamp it starts with, else the date
    it infers ("-> 22 Nov 2022 (inferred)"), else a store or URL date, else the first full date it names."""
    if not published:
        return None
    text = str(published)
    head = _ISO.match(text.strip())
    if head:
        return _first_date(head.group(0))
    for part in reversed(text.split("->")[1:]):
        if (dt := _first_date(part)) is not None:
            return dt
    for rx in (r"date (\S+)", r"URL[^;,)]*?((?:19|20)\d\d[-/]\d\d[-/]\d\d)"):
        m = re.search(rx, text)
        if m and (dt := _first_date(m.group(1))) is not None:
            return dt
    return _first_date(text)


@dataclass
class EvalArticle:
    """One manifest article: where its text is, its outlet and date, and its gold figures and events."""

    id: str
    outlet: str
    path: Path
    url: str | None
    published: datetime | None
    gold_figures: list[dict[str, Any]]
    gold_events: list[dict[str, Any]] | None  # None: no gold events file covers the article

    def totals(self) -> set[tuple[str, float]]:
        return {
            (str(g["type"]), float(g["value"])) for g in self.gold_figures if not g.get("part") and _num(g)
        }

    def vague_totals(self) -> set[str]:
        """Kinds of which the gold states a vague total ("puluhan", "hundreds")."""
        return {str(g["type"]) for g in self.gold_figures if not g.get("part") and not _num(g)}

    def every_figure(self) -> dict[tuple[str, float], str]:
        return {
            (str(g["type"]), float(g["value"])): str(g.get("part") or "total")
            for g in self.gold_figures
            if _num(g)
        }


def _num(g: Mapping[str, Any]) -> bool:
    try:
        float(g["value"])
    except (TypeError, ValueError, KeyError):
        return False
    return True


def _gold_events(manifest: Path) -> dict[str, list[dict[str, Any]]]:
    """Gold events of a manifest's articles: ``../events/<split>.jsonl`` beside the split's folder."""
    path = manifest.parent.parent / "events" / f"{manifest.parent.name}.jsonl"
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out[str(rec["id"])] = list(rec.get("events") or [])
    return out


def load_eval_articles(manifests: Iterable[Path]) -> list[EvalArticle]:
    """Every manifest article with a text file, in date order (undated ones last, by id)."""
    out = []
    for manifest in manifests:
        events = _gold_events(manifest)
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            path = manifest.parent / "articles" / f"{rec['id']}.txt"
            if not path.is_file():
                continue
            out.append(
                EvalArticle(
                    str(rec["id"]), str(rec.get("outlet") or rec["id"]), path, rec.get("url"),
                    manifest_date(rec.get("published")), list(rec.get("figures") or []), events.get(str(rec["id"])),
                )
            )  # fmt: skip
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(out, key=lambda a: (a.published or far, a.id))


# --- held-out models -----------------------------------------------------------------------------------


@dataclass
class HeldOut:
    """Per article id, the figure model and the event models that never saw the article's outlet."""

    figures: dict[str, Any] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)


def held_out_models(manifests: Sequence[Path], k: int) -> HeldOut:
    """Train each model's own outlet-grouped folds (as ``warta eval figures`` / ``events`` do) and map every
    article to the models of the fold that held it out."""
    from streams.evaluation import events as ev_eval
    from streams.evaluation import figures as fig_eval

    out = HeldOut()
    arts = fig_eval.load_articles(manifests)
    fold = fig_eval.outlet_folds(arts, k)
    for f in range(k):
        model = fig_eval.fit([a for a, x in zip(arts, fold, strict=True) if x != f])
        out.figures.update({a.id: model for a, x in zip(arts, fold, strict=True) if x == f})
    gold_files = [m.parent.parent / "events" / f"{m.parent.name}.jsonl" for m in manifests]
    ev_arts = [a for g in gold_files if g.is_file() for a in ev_eval.load_articles(g)]
    if ev_arts:
        folds = ev_eval.fold_of(ev_arts, k)
        for f in range(k):
            models = ev_eval.train_models([a for a in ev_arts if folds[a.outlet] != f])
            out.events.update({a.id: models for a in ev_arts if folds[a.outlet] == f})
    return out


class HeldOutFigures:
    """The figures stage with the held-out model of each article (the shipped one for others)."""

    name: ClassVar[str] = "figures"
    requires: ClassVar[tuple[str, ...]] = ("body", "title", "analysis", "entities")
    assigns: ClassVar[tuple[str, ...]] = ("figures",)

    def __init__(self, models: Mapping[str, Any]):
        self.models = models

    def __call__(self, doc: Doc) -> None:
        from streams.nlp.figures import figures_from_analysis

        if doc.analysis is None:
            return
        title = doc.title if isinstance(doc.title, str) else None
        doc.figures = figures_from_analysis(
            doc.analysis, doc.entities, self.models.get(str(doc.id)), title=title
        )


class HeldOutEvents:
    """The events stage with the held-out models of each article: ``detect_events``' passes, every event
    with its roles (the shipped path skips the roles of events the merge drops: the same output)."""

    name: ClassVar[str] = EventStage.name
    requires: ClassVar[tuple[str, ...]] = EventStage.requires
    optional: ClassVar[tuple[str, ...]] = EventStage.optional
    assigns: ClassVar[tuple[str, ...]] = EventStage.assigns

    def __init__(self, models: Mapping[str, Any]):
        self.models = models

    def __call__(self, doc: Doc) -> None:
        from streams.nlp import events as ev

        models = self.models.get(str(doc.id)) or ev.load_event_models()
        if models is None or doc.analysis is None or not doc.body.strip():
            doc.events = []
            return
        ctx = ev.build_context(
            doc.body, doc.analysis, entities=doc.entities, topics=[t.code for t in doc.topics],
            published_at=doc.published_at, quotes=[q.span for q in doc.quotes],
            figures=[(f.span[0], f.kind) for f in doc.figures], byline=doc.byline, outlets=ev.outlets_of(doc),
        )  # fmt: skip
        cands = ev.find_candidates(ctx)
        if not cands:
            doc.events = []
            return
        ev.score_candidates(ctx, cands, models)
        chosen = ev.choose_events(cands, models)
        doc.events = ev.merge_same_code(
            [ev.event_of(ctx, c, mod, sc, models, cands) for c, mod, sc in chosen]
        )


def _pipeline(held: HeldOut | None) -> Any:
    """The default stages with one state (stories span the run); the held-out figure and event stages."""
    from streams.core.pipeline import DEFAULT_STAGES, MemoryState, Pipeline, build_stage

    state = MemoryState()
    stages: list[Any] = []
    for name in DEFAULT_STAGES:
        if held is not None and name == "figures":
            stages.append(HeldOutFigures(held.figures))
        elif held is not None and name == "events":
            stages.append(HeldOutEvents(held.events))
        else:
            stages.append(build_stage(name, None, state))
    return Pipeline(stages)


# --- the replay and the verdicts ----------------------------------------------------------------------


@dataclass
class AlertRow:
    """One alert as the desk last saw it after an article: rule, article, what it carries, verdicts."""

    n: int
    change: str  # fired / updated / escalated
    alert_id: str
    rule: str
    severity: str
    story: str
    article: str
    outlet: str
    date: str
    title: str
    message: str
    figures: list[tuple[str, float, str, str]]  # (kind, value, article it came from, qualifier)
    events: list[dict[str, Any]]  # code, label, modality, score, text (around its first evidence span)
    problems: list[str]
    verdict: (
        str  # "ok" / "wrong" / "doubtful" (right figures and events, but no rule fires on gold) / "unchecked"
    )
    articles: list[str] = field(default_factory=list)
    gold_rules: list[str] = field(default_factory=list)  # the rules that fire on the article's gold


@dataclass
class AlertEval:
    """The replay's alert changes, and the articles on whose gold a rule fires but that got no alert."""

    rows: list[AlertRow]
    missed: list[tuple[str, str, list[str], str]]  # (article, date, rules that fire on its gold, what it got)
    #: stories of more than one article: (story id, [(article, manifest date)])
    stories: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    def far_apart(self, days: float = 30.0) -> list[tuple[str, list[tuple[str, str]]]]:
        """Stories whose articles' manifest dates lie more than ``days`` apart (or are unknown)."""
        out = []
        for sid, members in self.stories:
            dates = [datetime.fromisoformat(d) for _, d in members if d != "-"]
            if len(dates) < len(members) or (max(dates) - min(dates)).days > days:
                out.append((sid, members))
        return out


def shown_figures(alert_articles: Sequence[EnrichedArticle]) -> dict[str, tuple[float, str, str]]:
    """The figure of each kind an alert shows (the engine's rule: the largest over the alert's articles of
    the headline of each kind), with the article it came from and its qualifier."""
    from streams.alerting.engine import _alert_figures

    out: dict[str, tuple[float, str, str]] = {}
    for art in alert_articles:
        for f in _alert_figures(art.figures):
            if f.kind not in out or f.value > out[f.kind][0]:
                out[f.kind] = (f.value, art.id, f.qualifier or "")
    return out


def _shown_kinds(message_template: str) -> set[str]:
    return set(re.findall(r"\{fig_(\w+)\}", message_template))


def alert_verdict(
    figures: Sequence[tuple[str, float, str, str]],
    events: Sequence[Mapping[str, Any]],
    art: EvalArticle,
    others: Mapping[str, EvalArticle],
) -> tuple[str, list[str]]:
    """Gold's verdict: every figure shown is the article's own total (a figure of another article of the
    story counts only when it is that article's total and the two were published within a week), and every
    event matched happened in the article (its CAMEO root among the gold events that happened)."""
    problems: list[str] = []
    checked = False
    for kind, value, src, qualifier in figures:
        owner = others.get(src, art)
        if kind not in CASUALTY_KINDS and kind != "count":
            continue
        checked = True
        gold = owner.every_figure()
        if src != art.id and not _close(owner, art):
            problems.append(f"{kind}={value:g} from {src} (another incident)")
        elif (kind, value) in owner.totals() or (qualifier not in _EXACT and kind in owner.vague_totals()):
            continue
        elif (kind, value) in gold:
            problems.append(f"{kind}={value:g} is a {gold[(kind, value)]}")
        else:
            problems.append(f"{kind}={value:g} not a gold figure")
    if art.gold_events is not None:
        happened = {str(g["code"])[:2] for g in art.gold_events if g.get("modality") == "happened"}
        other = {
            str(g["code"])[:2]: str(g.get("modality"))
            for g in art.gold_events
            if g.get("modality") != "happened"
        }
        for ev in events:
            code, mod = str(ev["code"]), str(ev["modality"])
            checked = True
            if code[:2] in (happened if mod == "happened" else set(other) | happened):
                continue
            problems.append(
                f"event {code}: " + (f"gold {other[code[:2]]}" if code[:2] in other else "not in gold")
            )
    if not checked:
        return "unchecked", problems
    return ("wrong" if problems else "ok"), problems


def gold_view(article: EnrichedArticle, art: EvalArticle) -> EnrichedArticle:
    """``article`` with the gold figures and main events in place of the models': the largest gold total of
    each kind is its headline, every main gold event is sure (score 1). The rules over it say what a desk
    should be alerted to (a rule of every incident kind fires on the article's main incident)."""
    from streams.core.records import FIGURE_KINDS, CameoEvent, Figure

    figures: list[Figure] = []
    top: dict[str, float] = {}
    for g in art.gold_figures:
        if not g.get("part") and _num(g):
            top[str(g["type"])] = max(top.get(str(g["type"]), float("-inf")), float(g["value"]))
    for g in art.gold_figures:
        kind = str(g["type"])
        if kind not in FIGURE_KINDS or not _num(g):
            continue
        part = g.get("part") or None
        head = part is None and float(g["value"]) == top.get(kind)
        figures.append(Figure(kind=kind, value=float(g["value"]), text=str(g.get("evidence", "")), span=(0, 0),
                              part=part, headline=head))  # fmt: skip
    events = [
        CameoEvent(
            code=str(g["code"]),
            label=str(g["code"]),
            score=1.0,
            modality=g.get("modality") or "happened",
            source_actor=g.get("source"),
            target_actor=g.get("target"),
        )
        for g in art.gold_events or []
        if g.get("main")
    ]
    update: dict[str, Any] = {"figures": figures}
    if art.gold_events is not None:
        update["events"] = events
    return article.model_copy(update=update)


def _close(a: EvalArticle, b: EvalArticle, days: float = 7.0) -> bool:
    if a.published is None or b.published is None:
        return False
    return abs((a.published - b.published).total_seconds()) <= days * 86400


def run_alert_eval(
    manifests: Sequence[Path], rules: Path, *, cv: int = 5, dates: bool = True, held: HeldOut | None = None
) -> AlertEval:
    """Replay the manifests' articles in date order through the pipeline (held-out models with ``cv`` >= 2)
    and the alert engine with ``rules``; one row per alert change, each with gold's verdict, and the
    articles that should have had an alert (a rule fires on their gold) and had none."""
    from streams.alerting.engine import AlertEngine, one_per_incident
    from streams.alerting.rules import load_rules

    arts = load_eval_articles(manifests)
    if held is None and cv >= 2:
        held = held_out_models(manifests, cv)
    pipe = _pipeline(held)
    ruleset = load_rules(rules)
    by_rule = {r.name: r for r in ruleset.rules}
    clock = [_REPLAY_START]
    engine = AlertEngine(ruleset, clock=lambda: clock[0])
    by_id = {a.id: a for a in arts}
    enriched: dict[str, EnrichedArticle] = {}
    rows: list[AlertRow] = []
    wanted: dict[str, list[str]] = {}
    for i, art in enumerate(arts):
        clock[0] = _REPLAY_START + 60.0 * i
        raw = RawArticle(
            id=art.id, text=art.path.read_text(encoding="utf-8"), url=art.url, ingested_at=clock[0],
            published_at=art.published.isoformat() if dates and art.published else None,
        )  # fmt: skip
        out = pipe.run(raw)
        enriched[art.id] = out
        wanted[art.id] = [r.name for r, _ in one_per_incident(ruleset.matches(gold_view(out, art)))]
        for change in engine.process(out):
            row = _row(len(rows) + 1, change, out, art, by_id, enriched, by_rule)
            _against_gold_rules(row, wanted[art.id], by_rule)
            rows.append(row)
    alerted = {a for r in rows for a in r.articles}
    missed = [
        (a.id, a.published.date().isoformat() if a.published else "-", wanted[a.id], _got(enriched[a.id]))
        for a in arts
        if wanted.get(a.id) and a.id not in alerted
    ]
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a in arts:
        groups[enriched[a.id].dedup.story_id or a.id].append(
            (a.id, a.published.date().isoformat() if a.published else "-")
        )
    return AlertEval(rows, missed, [(sid, m) for sid, m in sorted(groups.items()) if len(m) > 1])


def _got(article: EnrichedArticle) -> str:
    """What the models gave an article: its headline figures and the events that happened, with scores."""
    figs = [f"{f.kind}={f.value:g}" for f in article.figures if f.headline and f.kind != "count"]
    evs = [f"{e.code}:{e.score:.2f}" for e in article.events if e.modality == "happened" and not e.negated]
    return f"headlines {', '.join(figs) or '-'}; events {', '.join(evs) or '-'}"


def _against_gold_rules(row: AlertRow, gold_rules: list[str], by_rule: Mapping[str, Any]) -> None:
    """Whether a rule of the alert's incident kind fires on the article's gold too."""
    from streams.alerting.engine import incident_of

    row.gold_rules = gold_rules
    if row.rule not in by_rule:
        return
    kind = incident_of(by_rule[row.rule])
    if any(incident_of(by_rule[g]) == kind for g in gold_rules if g in by_rule):
        return
    row.problems.append("no rule of its incident fires on gold")
    if row.verdict == "ok":
        row.verdict = "doubtful"


def _row(
    n: int,
    change: Any,
    out: EnrichedArticle,
    art: EvalArticle,
    by_id: Mapping[str, EvalArticle],
    enriched: Mapping[str, EnrichedArticle],
    by_rule: Mapping[str, Any],
) -> AlertRow:
    alert = change.alert
    kinds = _shown_kinds(by_rule[alert.rule].message) if alert.rule in by_rule else set()
    shown = shown_figures([enriched[a] for a in alert.article_ids if a in enriched])
    figures = [(k, v, src, q) for k, (v, src, q) in sorted(shown.items()) if k in kinds]
    figures += [
        (str(ev["figure"]), float(ev["value"]), art.id, "")
        for ev in alert.evidence
        if ev.get("kind") == "figure" and ev.get("article_id") == art.id and str(ev["figure"]) not in kinds
    ]
    events: list[dict[str, Any]] = []
    for ev in alert.evidence:
        if ev.get("kind") != "event" or ev.get("article_id") != art.id:
            continue
        item = {"code": str(ev["code"]), "label": str(ev.get("label") or ""), "modality": str(ev.get("modality") or ""),
                "score": float(ev.get("score") or 0.0), "text": _snippet(out.body, ev)}  # fmt: skip
        if item not in events:
            events.append(item)
    verdict, problems = alert_verdict(figures, events, art, by_id)
    return AlertRow(
        n, change.kind, alert.id, alert.rule, alert.severity, alert.story_id or "", art.id, art.outlet,
        art.published.date().isoformat() if art.published else "-", out.title or "", alert.message,
        figures, events, problems, verdict, list(alert.article_ids),
    )  # fmt: skip


def _snippet(body: str, ev: Mapping[str, Any], width: int = 50) -> str:
    spans = ev.get("spans") or []
    if not spans:
        return ""
    s, e = int(spans[0][0]), int(spans[0][1])
    return " ".join(body[max(0, s - width) : e + width].split())


def summary(rows: Sequence[AlertRow], missed: Sequence[Any] = ()) -> dict[str, Any]:
    """Counts: alerts, changes (fired, updated, escalated: each a message the desk reads), the verdicts of
    the changes, stories with two or more alerts, and alerts that grew over more than one article."""
    last: dict[str, AlertRow] = {}
    for r in rows:
        last[r.alert_id] = r
    per_story: dict[str, set[str]] = defaultdict(set)
    for r in last.values():
        per_story[r.story].add(r.alert_id)
    verdicts: dict[str, int] = defaultdict(int)
    for r in rows:
        verdicts[r.verdict] += 1
    return {
        "alerts": len(last),
        "changes": len(rows),
        "verdicts": dict(sorted(verdicts.items())),
        "stories_with_two_alerts": sum(1 for ids in per_story.values() if len(ids) > 1),
        "multi_article_alerts": sum(1 for r in last.values() if len(r.articles) > 1),
        "missed": len(missed),
    }
