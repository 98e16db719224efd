"""``warta eval events``: gold CAMEO events (code, source, modality, main) against the learned detector."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.core.records import CameoEvent, RawArticle
from streams.evaluation.real import find_normalised
from streams.nlp.events import (
    THRESHOLDS,
    TRIGGER_CLASSES,
    ActorMention,
    ArticleRoots,
    Candidate,
    EventContext,
    EventModels,
    build_context,
    candidate_features,
    choose_events,
    find_candidates,
    outlets_of,
    role_candidates,
    score_candidates,
)
from streams.nlp.linear import train_listwise, train_softmax

__all__ = [
    "Article",
    "EventReport",
    "actor_matches",
    "choose_thresholds",
    "evaluate",
    "fold_of",
    "load_articles",
    "models_to_json",
    "out_of_fold",
    "predict",
    "run_event_eval",
    "train_models",
]

#: Stages run before the event passes (the dedup stage keeps state across articles: not needed here).
_STAGES = ("decode", "clean", "language", "ids", "analysis", "entities", "figures", "quotes", "topics")
_WORD = re.compile(r"\w+")
_GENERIC = frozenset(
    ["the", "of", "and", "dan", "di", "pasukan", "forces", "militer", "military", "army", "tentara", "police",
     "polisi", "pemerintah", "government", "kelompok", "group", "orang", "people", "warga", "men"]
)  # fmt: skip


#: Train the source ranker as a conditional logit over each mention's actors (else one yes/no per actor).
LISTWISE = True
#: Train the role rankers on every mention of a root that happened (its actors are the gold event's), not
#: only on the mention in the gold evidence sentence.
ROLES_FROM_ROOT = True
#: Label a mention of a root whose gold events all share one class other than happened with that class.
WEAK_LABELS = True


@dataclass
class Article:
    """One gold article: its id, outlet, gold events, and the context the event passes read."""

    id: str
    outlet: str
    gold: list[dict[str, Any]]
    ctx: EventContext
    title: str = ""
    gold_spans: list[tuple[int, int] | None] = field(default_factory=list)


def _split_paths(gold: Path) -> list[tuple[Path, Path]]:
    """``(events jsonl, manifest)`` pairs: a gold directory holds ``realdev.jsonl`` / ``realtrain.jsonl``."""
    files = sorted(gold.glob("*.jsonl")) if gold.is_dir() else [gold]
    out = []
    for f in files:
        manifest = f.parent.parent / f.stem / "manifest.jsonl"
        if manifest.is_file():
            out.append((f, manifest))
    return out


def load_articles(gold: Path) -> list[Article]:
    """Run the pipeline (up to topics) over every article of the gold files and build its event context."""
    from streams.core.pipeline import build_pipeline

    pipeline = build_pipeline(stages=_STAGES)
    out: list[Article] = []
    for events_file, manifest in _split_paths(gold):
        golds = [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines() if line]
        records = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line]
        by_id = {r["id"]: r for r in records}
        for g in golds:
            rec = by_id.get(g["id"])
            path = manifest.parent / "articles" / f"{g['id']}.txt"
            if rec is None or not path.is_file():
                continue
            doc = pipeline.run_doc(
                RawArticle(id=g["id"], text=path.read_text(encoding="utf-8"), url=rec.get("url"))
            )
            if doc.analysis is None:
                continue
            ctx = build_context(
                doc.body, doc.analysis, entities=doc.entities, topics=[t.code for t in doc.topics],
                published_at=doc.published_at, quotes=[q.span for q in doc.quotes],
                figures=[(f.span[0], f.kind) for f in doc.figures], byline=doc.byline,
                outlets=outlets_of(doc),
            )  # fmt: skip
            spans = []
            for ev in g["events"]:
                found = find_normalised(doc.body, ev["evidence"])
                spans.append(found[0] if found else None)
            out.append(
                Article(g["id"], str(rec.get("outlet") or g["id"]), g["events"], ctx, doc.title or "", spans)
            )
    return out


def fold_of(articles: Sequence[Article], k: int) -> dict[str, int]:
    """Outlet -> fold: outlets sorted by name, dealt round-robin (all of an outlet's articles in one fold)."""
    outlets = sorted({a.outlet for a in articles})
    return {o: i % k for i, o in enumerate(outlets)}


def _tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in _GENERIC and len(w) >= 2]


def _acronym(text: str) -> str:
    """The initials of a name of three or more capitalised words ("Rapid Support Forces" -> "rsf")."""
    words = [w for w in _WORD.findall(text) if w[:1].isupper()]
    return "".join(w[0] for w in words).casefold() if len(words) >= 3 else ""


def actor_matches(surfaces: Iterable[str], gold: str | None) -> bool:
    """An actor (its name and the surfaces it is written as) names the gold actor: a shared word, where
    one word may be the other's stem ("Israeli" / "Israel", "Rusia" / "Russian"), or a word of the gold
    that is the actor's acronym ("RSF" for "Rapid Support Forces", "KPK" for "Komisi Pemberantasan
    Korupsi")."""
    if gold is None:
        return False
    want = _tokens(gold)
    every = set(_WORD.findall(gold.casefold()))
    for s in surfaces:
        acro = _acronym(s)
        if acro and acro in every:
            return True
        mine = _tokens(s)
        if not mine and s.strip() and set(_WORD.findall(s.casefold())) <= every:
            return True  # a generic actor ("polisi", "the military") written as in the gold
        for a in mine:
            for b in want:
                if a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b[:-1]) or b.startswith(a[:-1]))):
                    return True
    return False


def _surfaces(ctx: EventContext, m: ActorMention) -> list[str]:
    return [m.name, ctx.body[m.start : m.end]]


def _class_of(modality: str) -> str:
    return modality if modality in ("happened", "background") else "other"


def _label(art: Article, c: Candidate) -> tuple[str, dict[str, Any] | None]:
    """The trigger class of a candidate: the gold event of its root in its sentence, none when the article
    has no gold event of its root, and "" (not trained on) when the root's gold event is elsewhere."""
    root = c.code[:2]
    same = [(g, s) for g, s in zip(art.gold, art.gold_spans, strict=True) if g["code"][:2] == root]
    if not same:
        return "none", None
    an = art.ctx.analysis
    for g, s in same:
        if s is None:
            continue
        if (s[0] - 20 <= c.start < s[1] + 20) or an.sentence_at(s[0]) == c.sent:
            return _class_of(g["modality"]), g
    classes = {_class_of(g["modality"]) for g, _ in same}
    if WEAK_LABELS and "happened" not in classes and len(classes) == 1:
        return (
            classes.pop(),
            None,
        )  # every event of the root is background (or intended...): so is this mention
    return "", None


def _rows(
    articles: Sequence[Article], models: EventModels | None
) -> tuple[
    list[dict[str, float]],
    list[str],
    list[dict[str, float]],
    list[str],
    list[str],
    list[tuple[list[dict[str, float]], list[str], bool]],
]:
    trig_x: list[dict[str, float]] = []
    trig_y: list[str] = []
    role_x: list[dict[str, float]] = []
    src_y: list[str] = []
    tgt_y: list[str] = []
    groups: list[tuple[list[dict[str, float]], list[str], bool]] = []
    for art in articles:
        cands = find_candidates(art.ctx)
        roots = ArticleRoots.of(cands, art.ctx.time)
        for c in cands:
            c.feats = candidate_features(art.ctx, c, roots)
            lab, g = _label(art, c)
            if lab:
                trig_x.append(c.feats)
                trig_y.append(lab)
            if g is None and ROLES_FROM_ROOT and lab in ("", "happened"):
                g = next(
                    (e for e in art.gold if e["code"][:2] == c.code[:2] and e["modality"] == "happened"), None
                )
            if g is None:
                continue
            group = role_candidates(art.ctx, c)
            for m, f in group:
                role_x.append(f)
                src_y.append("yes" if actor_matches(_surfaces(art.ctx, m), g.get("source")) else "no")
                tgt_y.append("yes" if actor_matches(_surfaces(art.ctx, m), g.get("target")) else "no")
            n = len(group)
            groups.append((role_x[-n:] if n else [], src_y[-n:] if n else [], g.get("source") is None))
    return trig_x, trig_y, role_x, src_y, tgt_y, groups


def train_models(
    articles: Sequence[Article],
    *,
    thresholds: dict[str, Any] | None = None,
    l2: float = 16.0,
    positive_weight: float = 1.0,
    modality_l2: float | None = 8.0,
    epochs: int = 300,
    lr: float = 0.5,
    role_l2: float = 2.0,
) -> EventModels:
    """Train the trigger/modality classifier and the source/target rankers on ``articles`` (deterministic)."""
    trig_x, trig_y, role_x, src_y, tgt_y, groups = _rows(articles, None)
    w = positive_weight
    trigger = train_softmax(
        trig_x, trig_y, TRIGGER_CLASSES, l2=l2, epochs=300, min_count=2,
        class_weight={"none": 1.0, "happened": w, "background": w, "other": w},
    )  # fmt: skip
    modality = None
    if modality_l2 is not None:
        mx = [x for x, y in zip(trig_x, trig_y, strict=True) if y != "none"]
        my = [y for y in trig_y if y != "none"]
        modality = train_softmax(
            mx, my, TRIGGER_CLASSES[1:], l2=modality_l2, epochs=epochs, lr=lr, min_count=2
        )
        trig_y = ["none" if y == "none" else "happened" for y in trig_y]
        trigger = train_softmax(
            trig_x, trig_y, ("none", "happened"), l2=l2, epochs=epochs, lr=lr, min_count=2
        )
    if LISTWISE:
        # a group with no right candidate teaches "nothing" only when the gold source is empty
        lists = [(x, [y == "yes" for y in ys]) for x, ys, empty in groups if "yes" in ys or empty]
        source = train_listwise(lists, l2=role_l2, epochs=300, min_count=2)
    else:
        source = train_softmax(role_x, src_y, ("no", "yes"), l2=role_l2, epochs=300, min_count=2)
    target = train_softmax(role_x, tgt_y, ("no", "yes"), l2=role_l2, epochs=300, min_count=2)
    return EventModels(trigger, source, target, modality, **(thresholds or {}))


def models_to_json(models: EventModels) -> dict[str, Any]:
    return {
        "trigger": models.trigger.to_json(),
        "source": models.source.to_json(),
        "target": models.target.to_json(),
        **({"modality": models.modality.to_json()} if models.modality is not None else {}),
        "thresholds": {k: getattr(models, k) for k in THRESHOLDS},
    }


def _chosen(art: Article, cands: list[Candidate], models: EventModels) -> list[tuple[CameoEvent, list[str]]]:
    """The article's events from already scored candidates, without their roles (threshold search)."""
    from streams.nlp.events import event_of

    return [
        (event_of(art.ctx, c, mod, sc, models, cands, roles=False), [])
        for c, mod, sc in choose_events(cands, models)
    ]


def predict(art: Article, models: EventModels) -> list[tuple[CameoEvent, list[str]]]:
    """The article's events from ``models``, each with the surfaces of its source actor."""
    from streams.nlp.events import event_of, pick_roles, same_event

    cands = find_candidates(art.ctx)
    if not cands:
        return []
    score_candidates(art.ctx, cands, models)
    out = []
    for c, mod, sc in choose_events(cands, models):
        ev = event_of(art.ctx, c, mod, sc, models, cands)
        src, _, _ = pick_roles(art.ctx, c, models, same_event(c, cands, mod, models))
        out.append((ev, _surfaces(art.ctx, src) if src else []))
    return out


#: The grids the two emission thresholds are chosen on (``choose_thresholds``): the article's top root is
#: emitted from ``emit_top``, any further root from ``emit_happened``. A further root is emitted from 0.6 at
#: most: the seeds' secondary events (the 157-for-157 exchange in a talks story, the talks in a strike story)
#: score 0.63-0.66, and the seeds keep every gold event (an acceptance check of the issue, not a held-out
#: figure); the held-out folds alone would choose a higher one (``--fixed`` and docs/events.md).
EMIT_TOP_GRID = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
EMIT_HAPPENED_GRID = (0.45, 0.5, 0.55, 0.6)
#: The targets the thresholds are chosen to meet with the largest worst margin.
TARGET_PRECISION = 0.85
TARGET_NOT_HAPPENED = 0.03
TARGET_MAIN = 0.85


def out_of_fold(
    articles: Sequence[Article], k: int, **train_kw: Any
) -> dict[str, tuple[list[Candidate], EventModels]]:
    """Per article, its candidates scored by models trained on the other outlet folds (``k`` folds)."""
    folds = fold_of(articles, k)
    out: dict[str, tuple[list[Candidate], EventModels]] = {}
    for j in range(k):
        train = [a for a in articles if folds[a.outlet] != j]
        held = [a for a in articles if folds[a.outlet] == j]
        if not train or not held:
            continue
        models = train_models(train, **train_kw)
        for art in held:
            cands = find_candidates(art.ctx)
            if cands:
                score_candidates(art.ctx, cands, models)
            out[art.id] = (cands, models)
    return out


def _grid_reports(
    articles: Sequence[Article], oof: dict[str, tuple[list[Candidate], EventModels]]
) -> dict[tuple[int, int], EventReport]:
    from dataclasses import replace

    out: dict[tuple[int, int], EventReport] = {}
    for i, top in enumerate(EMIT_TOP_GRID):
        for j, hap in enumerate(EMIT_HAPPENED_GRID):
            rep = out[i, j] = EventReport()
            for art in articles:
                if art.id not in oof:
                    continue
                cands, models = oof[art.id]
                moved = replace(models, emit_top=top, emit_happened=hap)
                evaluate(art, _chosen(art, cands, moved) if cands else [], rep)
            rep.lines.clear()
    return out


def _pooled(reports: dict[tuple[int, int], EventReport], i: int, j: int) -> list[EventReport]:
    """The reports of the grid point and its neighbours (one step along each threshold)."""
    return [reports[a, b] for a in (i - 1, i, i + 1) for b in (j - 1, j, j + 1) if (a, b) in reports]


def _robust_key(near: list[EventReport]) -> tuple[float, float, float]:
    """A threshold pair's standing by its neighbourhood: each of precision, main events found and the share of
    events that did not happen averaged over the neighbours, then the smallest margin by which they meet their
    targets (negative: missed), then main events found and precision (a pair whose figures hold only at the
    point itself does not win)."""
    n = len(near)
    prec = sum(r.precision for r in near) / n
    main = sum(r.main_recall for r in near) / n
    not_happened = sum(r.not_happened_share for r in near) / n
    margin = min(prec - TARGET_PRECISION, main - TARGET_MAIN, TARGET_NOT_HAPPENED - not_happened)
    return (round(margin, 9), round(main, 9), round(prec, 9))


def choose_thresholds(articles: Sequence[Article], k: int = 4, **train_kw: Any) -> dict[str, float]:
    """The emission thresholds chosen on ``articles`` alone by ``k``-fold cross-validation with outlets held out:
    the pair whose neighbourhood on the grid meets the precision, not-happened and main-events targets with the
    largest worst margin (so a pair on the edge of a target is not chosen). Nested inside an outer fold, this
    never reads the articles it is evaluated on."""
    oof = out_of_fold(articles, k, **train_kw)
    reports = _grid_reports(articles, oof)
    best = max(reports, key=lambda ij: (_robust_key(_pooled(reports, *ij)), -ij[0], -ij[1]))
    return {"emit_top": EMIT_TOP_GRID[best[0]], "emit_happened": EMIT_HAPPENED_GRID[best[1]]}


@dataclass
class EventReport:
    """Counts behind the four figures, and per article what was emitted and what the gold holds."""

    emitted_happened: int = 0
    right_root: int = 0
    not_happened: int = 0
    main_total: int = 0
    main_found: int = 0
    source_checked: int = 0
    source_right: int = 0
    lines: list[str] = field(default_factory=list)
    #: per outer fold, the thresholds chosen by the nested cross-validation
    thresholds: list[dict[str, float]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right_root / self.emitted_happened if self.emitted_happened else 0.0

    @property
    def not_happened_share(self) -> float:
        return self.not_happened / self.emitted_happened if self.emitted_happened else 0.0

    @property
    def main_recall(self) -> float:
        return self.main_found / self.main_total if self.main_total else 0.0

    @property
    def source_accuracy(self) -> float:
        return self.source_right / self.source_checked if self.source_checked else 0.0


def _happened(ev: CameoEvent) -> bool:
    return ev.modality in ("happened", "asserted", "reported") and not ev.negated


def evaluate(art: Article, predicted: list[tuple[CameoEvent, list[str]]], rep: EventReport) -> None:
    """Add one article's events to the report (CAMEO roots, modality, main events, source actors)."""
    gold_happened = [g for g in art.gold if g["modality"] == "happened"]
    roots_happened = {g["code"][:2] for g in gold_happened}
    roots_other = {g["code"][:2] for g in art.gold if g["modality"] != "happened"}
    emitted_roots = set()
    for ev, surfaces in predicted:
        root = ev.code[:2]
        if not _happened(ev):
            rep.lines.append(f"{art.id}\t{ev.code}\t{ev.modality}\t-\t{ev.source_actor}")
            continue
        emitted_roots.add(root)
        rep.emitted_happened += 1
        verdict = "right" if root in roots_happened else "NOT-HAPPENED" if root in roots_other else "wrong"
        rep.right_root += root in roots_happened
        rep.not_happened += verdict == "NOT-HAPPENED"
        if root in roots_happened:
            golds = [g for g in gold_happened if g["code"][:2] == root]
            ok = any(
                actor_matches(surfaces, g.get("source")) or (not surfaces and g.get("source") is None)
                for g in golds
            )
            rep.source_checked += 1
            rep.source_right += ok
            verdict += f"\tsource {'ok' if ok else 'WRONG'} (gold {golds[0].get('source')!r})"
        snippet = ""
        if ev.evidence and art.ctx is not None:
            s, e = ev.evidence[0]
            snippet = " ".join(art.ctx.body[max(0, s - 60) : e + 40].split())
        rep.lines.append(f"{art.id}\t{ev.code}\t{ev.modality}\t{verdict}\t{ev.source_actor}\t{snippet}")
    for g in art.gold:
        if not g.get("main"):
            continue
        rep.main_total += 1
        if g["modality"] == "happened":
            found = g["code"][:2] in emitted_roots
        else:
            found = any(ev.code[:2] == g["code"][:2] and not _happened(ev) for ev, _ in predicted)
        rep.main_found += found
        if not found:
            rep.lines.append(f"{art.id}\t{g['code']}\tMAIN MISSED ({g['modality']})\t{g['evidence'][:70]}")


def run_event_eval(
    gold: Path, *, cv: int = 5, articles: list[Article] | None = None, nested: bool = True
) -> EventReport:
    """``cv`` >= 2: each outlet fold predicted by models trained on the other folds, with the emission
    thresholds chosen by a cross-validation inside those folds (``nested``; else the defaults of
    :class:`EventModels`); 0: the shipped models."""
    from streams.nlp.events import load_event_models

    articles = articles if articles is not None else load_articles(gold)
    rep = EventReport()
    if cv >= 2:
        folds = fold_of(articles, cv)
        for k in range(cv):
            train = [a for a in articles if folds[a.outlet] != k]
            thresholds = choose_thresholds(train, max(2, cv - 1)) if nested else None
            if thresholds is not None:
                rep.thresholds.append(thresholds)
            models = train_models(train, thresholds=thresholds)
            for art in (a for a in articles if folds[a.outlet] == k):
                evaluate(art, predict(art, models), rep)
        return rep
    shipped = load_event_models()
    if shipped is None:
        raise FileNotFoundError("no shipped event model: run scripts/train_events.py")
    for art in articles:
        evaluate(art, predict(art, shipped), rep)
    return rep
