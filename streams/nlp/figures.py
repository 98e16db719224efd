"""Figures: every number the analysis finds, typed and placed (total or part) by the learned figure model."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, cast

from streams.core.analysis import Analysis, NumberToken
from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.hot import read_yaml
from streams.core.records import CASUALTY_KINDS, Entity, Figure, FigurePart
from streams.nlp.figure_model import (
    AFTER,
    BEFORE,
    ArticleView,
    FigureModel,
    article_view,
    headline_scope,
    load_model,
    marked,
    mention_features,
    part_extra,
    resolve_label,
    weapon_noun,
    whole_pass,
    worth_a_look,
)

__all__ = [
    "CASUALTY_KINDS",
    "HEADLINE_KINDS",
    "FigureStage",
    "Mention",
    "classify_mentions",
    "extract_figures",
    "figures_from_analysis",
    "headline_scope",
    "mark_headlines",
    "part_ranks",
    "part_where",
]

_DATA = Path(__file__).resolve().parent.parent / "data" / "figures" / "cues.yaml"

#: Kinds that get one headline figure per article (the number alerts and dashboards use).
HEADLINE_KINDS = CASUALTY_KINDS | {"cases", "casualties"}
#: Model labels that are figure kinds under another name.
_KIND_NAME = {"other": "count"}
_UNIT_HEADS = ("H.people", "H.drones", "H.missiles", "H.cases", "H.count", "H.prisoner")


@dataclass(frozen=True)
class _Cues:
    """Settings of cues.yaml the passes read (its word lists are hits of the shared analysis)."""

    approximate: frozenset[str]
    tolerance: float
    other: tuple[tuple[str, bool, bool], ...]
    other_window: int


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    d: dict[str, Any] = read_yaml(_DATA.read_text(encoding="utf-8"))
    return _Cues(
        approximate=frozenset(d["approximate"]),
        tolerance=float(d["restatement_tolerance"]),
        other=tuple(
            (name, bool(spec.get("money")), bool(spec.get("percent")))
            for name, spec in d["other_kinds"].items()
        ),
        other_window=int(d["other_window"]),
    )


@dataclass(slots=True)
class Mention:
    """A number mention with what the model says of it."""

    n: NumberToken
    feats: list[str]
    kind: str
    p_kind: float
    part: str = "total"
    p_part: float = 1.0
    ids: list[int] = field(default_factory=list)  # the model's ids of ``feats``


def _resolved_kind(
    model: FigureModel, probs: Sequence[float], before: str | None, after: str | None
) -> tuple[str, float]:
    """The kind a mention's label probabilities name, each pointer label's probability added to the kind
    its cue names (a pointer to a side with no cue is a label the mention cannot take: the others share its
    probability); none unless it is the likeliest and more likely than not."""
    labels = model.kind.labels
    mass = 1.0
    if labels[-2:] == (BEFORE, AFTER):  # the pointers last: each adds to its kind after its direct label
        by_kind: dict[str, float] = dict(zip(labels[:-2], probs, strict=False))  # the direct labels
        p_before, p_after = probs[-2], probs[-1]
        if before is None:  # training never gives "@before" to a mention with no cue before it
            mass -= p_before
        else:
            by_kind[before] = by_kind.get(before, 0.0) + p_before
        if after is None:
            mass -= p_after
        else:
            by_kind[after] = by_kind.get(after, 0.0) + p_after
    else:
        by_kind = {}
        for label, p in zip(labels, probs, strict=True):
            kind = resolve_label(label, before, after)
            by_kind[kind] = by_kind.get(kind, 0.0) + p
    none = by_kind.pop("none", 0.0) / mass
    if not by_kind:
        return "none", none
    kind = max(by_kind, key=by_kind.__getitem__)
    p_kind = by_kind[kind] / mass
    if none >= 0.5 and none > p_kind:
        return "none", none
    return kind, p_kind


def classify_mentions(view: ArticleView, model: FigureModel) -> list[Mention]:
    """Pass 1: the kind of every number mention (``none`` mentions are dropped): money and percent by
    their marker, numbers in a sentence without a word of a figure's frame none, the rest by the model
    (every mention of the article scored at once)."""
    hot = whole_pass("classify_mentions")
    if hot is not None:  # the same pass, compiled (``_figures_hot``)
        return cast(list[Mention], hot(view, model, Mention))
    slots: list[Mention | None] = []
    read: list[tuple[int, str | None, str | None]] = []  # slot, nearest casualty cue before / after
    for n in view.a.numbers:
        mark = marked(n)
        if mark is not None:
            slots.append(Mention(n, [], mark, 1.0))
        elif worth_a_look(view, n):
            feats, before, after = mention_features(view, n)
            read.append((len(slots), before, after))
            slots.append(Mention(n, feats, "none", 0.0, ids=model.ids(feats)))
    kinds = model.kind.predict_many([cast(Mention, slots[i]).ids for i, _, _ in read])
    counts: list[int] = []
    for (i, before, after), (_, _, probs) in zip(read, kinds, strict=True):
        m = cast(Mention, slots[i])
        m.kind, m.p_kind = _resolved_kind(model, probs, before, after)
        if m.kind == "none" and model.count is not None:
            counts.append(i)  # not a casualty: a count worth keeping?
    if model.count is not None:
        got = model.count.predict_many([cast(Mention, slots[i]).ids for i in counts])
        for i, (label, p, _) in zip(counts, got, strict=True):
            m = cast(Mention, slots[i])
            m.kind, m.p_kind = ("other" if label == "other" else "none"), p
    for i, _, _ in read:
        m = cast(Mention, slots[i])
        if m.kind.startswith("weapons_"):
            noun = weapon_noun(view, m.n)
            m.kind = noun + m.kind[7:] if noun is not None else "none"
        if m.kind == "none" or (m.kind in CASUALTY_KINDS and m.p_kind < model.threshold(m.kind)):
            slots[i] = None
    return [m for m in slots if m is not None]


def part_where(view: ArticleView, n: NumberToken) -> tuple[int, bool, bool]:
    """Where a mention stands in its article, for :func:`part_ranks`: its sentence, whether the title
    states its value, whether its sentence names a year older than the article's latest."""
    s = view.a.sent_ids[n.tok_start]
    ys = view.years.get(s) or []
    return s, n.value in view.title_values, bool(ys) and min(ys) < view.max_year


def _where_ranks(
    same: Sequence[tuple[int, float]], k: int, v: float, where: Sequence[tuple[int, bool, bool]]
) -> dict[str, Any]:
    """How mention ``k`` sits against the other values of its kind: the title states another one, or
    another one stands in the first three sentences while this one comes later."""
    s, in_title, old = where[k]
    other = [i for i, x in same if x != v]
    title_other = not in_title and any(where[i][1] for i in other)
    lead_other = s >= 3 and any(where[i][0] <= 2 for i in other)
    return {
        "title_other": title_other,
        "lead_other": lead_other,
        "upstaged": title_other or lead_other,
        "oldyear": old,
    }


def part_ranks(
    kinds_values: Sequence[tuple[str, float]],
    k: int,
    where: Sequence[tuple[int, bool, bool]] | None = None,
    same: Sequence[tuple[int, float]] | None = None,
) -> dict[str, Any]:
    """Where mention ``k`` stands among the mentions of its kind: largest, first, alone, a sum of others
    (with ``where``, see :func:`part_where`: also against the title and the lead; ``same``: the index and
    value of every mention of its kind, in order, when the caller has them)."""
    kind, v = kinds_values[k]
    if same is None:
        same = [(i, x) for i, (kk, x) in enumerate(kinds_values) if kk == kind]
    vals = [x for _, x in same]
    larger_before = any(x > v for i, x in same if i < k)
    larger_after = any(x > v for i, x in same if i > k)
    others = [x for i, x in same if i != k and x < v]
    extra = _where_ranks(same, k, v, where) if where is not None else {}
    return extra | {
        "max": v >= max(vals),
        "first": same[0][0] == k,
        "last": same[-1][0] == k,
        "n": min(3, len(same)),
        "larger_before": larger_before,
        "larger_after": larger_after,
        "smaller_after": any(x < v for i, x in same if i > k),
        "sum": len(others) >= 2 and abs(sum(others) - v) < 1e-6,
    }


def _assign_parts(view: ArticleView, mentions: list[Mention], model: FigureModel) -> None:
    """Pass 2: total or part for the mentions of a headline kind, from where each ranks in its kind."""
    kv = [(m.kind, m.n.value) for m in mentions]
    where = [part_where(view, m.n) for m in mentions]
    heads = [k for k, m in enumerate(mentions) if m.kind in HEADLINE_KINDS]
    of_kind: dict[str, list[tuple[int, float]]] = {}
    for k in heads:  # each kind's mentions once, not once per mention
        of_kind.setdefault(kv[k][0], []).append((k, kv[k][1]))
    batch = [
        mentions[k].ids + _part_ids(model, kv[k][0], part_ranks(kv, k, where, of_kind[kv[k][0]]))
        for k in heads
    ]
    for k, (part, p, _) in zip(heads, model.part.predict_many(batch), strict=True):
        mentions[k].part, mentions[k].p_part = part, p


def _part_ids(model: FigureModel, kind: str, ranks: dict[str, Any]) -> list[int]:
    """The model's ids of the part head's own features (:func:`part_extra`), kept per kind and ranks:
    few combinations recur, so the feature strings are built once per model."""
    key = (kind, *ranks.values())
    got = model.part_ids.get(key)
    if got is None:
        got = model.part_ids[key] = model.ids(part_extra(kind, ranks))
    return got


def _mixed(view: ArticleView, m: Mention) -> bool:
    """A casualty count bound to two kinds joined by "or" ("ribuan orang tewas atau terluka")."""
    a = view.a
    sent = a.sent_ids[m.n.tok_start]
    kinds: set[str] = set()
    saw_or = False
    for k in range(m.n.tok_end, min(len(a), m.n.tok_end + 8)):
        if a.sent_ids[k] != sent or (k in view.num_tok):
            break
        for name, _ in view.starts.get(k, ()):
            if name.startswith("K.") and name[2:] in ("killed", "wounded", "missing"):
                if kinds and saw_or and name[2:] not in kinds:
                    return True
                kinds.add(name[2:])
            elif name == "F.mixed_or" and kinds:
                saw_or = True
    return False


def _other_kind(view: ArticleView, n: NumberToken, money: bool, percent: bool) -> str | None:
    """aid_amount / territory_controlled_percent: a money or percent figure with a cue of that kind near it."""
    c = _cues()
    a = view.a
    sent = a.sent_ids[n.tok_start]
    lo, hi = max(0, n.tok_start - c.other_window), min(len(a), n.tok_end + c.other_window)
    at = _other_cues(view)
    for name, want_money, want_percent in c.other:
        if want_money != money or want_percent != percent:
            continue
        for k in at.get("O." + name, ()):
            if lo <= k < hi and a.sent_ids[k] == sent:
                return name
    return None


def _other_cues(view: ArticleView) -> dict[str, list[int]]:
    """The tokens where a cue of an other kind ("O.aid_amount") starts, by name, found once per article."""
    got = view.other_at
    if got is None:
        got = view.other_at = {}
        for k, names in view.starts.items():  # a name's tokens in any order: one in the window is enough
            for nm, _ in names:
                if nm[:2] == "O.":
                    got.setdefault(nm, []).append(k)
    return got


def _span(view: ArticleView, n: NumberToken) -> tuple[int, int]:
    """The figure's text: the number with its currency marker and its percent or currency word."""
    start, end = n.start, n.end
    if n.currency:
        start = view.mark_before.get(n.tok_start, start)
    if n.percent or n.currency:
        end = view.mark_after.get(n.tok_end, end)
    return start, end


def _unit(view: ArticleView, n: NumberToken) -> str | None:
    if n.percent:
        return "percent"
    if n.currency:
        return n.currency
    a = view.a
    for k in range(n.tok_end, min(len(a), n.tok_end + 3)):
        for name, te in view.starts.get(k, ()):
            if name in _UNIT_HEADS:
                return a.text[a.starts[k] : a.ends[te - 1]]
    return None


def _actor(view: ArticleView, start: int, ents: list[tuple[int, int, str]]) -> str | None:
    """The entity named last before the figure in its sentence (who launched, who gives aid)."""
    a = view.a
    s0 = a.sentences[a.sentence_at(start)].start if a.sentences else 0
    idx = bisect.bisect_left([s for s, _, _ in ents], start) - 1
    if idx >= 0 and ents[idx][0] >= s0 and ents[idx][1] <= start:
        return ents[idx][2]
    return None


def _to_figure(view: ArticleView, m: Mention, ents: list[tuple[int, int, str]]) -> Figure:
    """Pass 3: a mention as a Figure (kind name, span, unit, qualifier, actor, part)."""
    n = m.n
    kind = _KIND_NAME.get(m.kind, m.kind)
    if kind == "money" or kind == "percent":
        kind = _other_kind(view, n, kind == "money", kind == "percent") or kind
    elif kind in CASUALTY_KINDS and n.vague and _mixed(view, m):
        kind = "casualties"
    start, end = _span(view, n)
    actor = _actor(view, start, ents) if kind.endswith("_launched") or kind == "aid_amount" else None
    part = None if m.part == "total" or kind not in HEADLINE_KINDS else cast(FigurePart, m.part)
    return Figure(
        kind=kind,
        value=n.value,
        unit=_unit(view, n),
        text=view.a.text[start:end],
        span=(start, end),
        actor=actor,
        qualifier=n.vague or n.qualifier,
        part=part,
    )


def _all_downed(mentions: list[Mention]) -> list[Mention]:
    """ "shot down all 42 drones": a downed total qualified "all" also states how many were launched (the
    same mention, both kinds)."""
    out: list[Mention] = []
    for m in mentions:
        out.append(m)
        if m.kind.endswith("_downed") and m.n.qualifier == "all" and m.part == "total":
            out.append(replace(m, kind=m.kind[: -len("downed")] + "launched"))
    return out


def _restated(figs: list[Figure]) -> set[int]:
    """ "nearly 70" / "more than 30" when the article states an exact figure of the kind close to it."""
    c = _cues()
    exact: dict[str, list[float]] = {}
    for f in figs:
        if f.kind in HEADLINE_KINDS and f.qualifier not in c.approximate:
            exact.setdefault(f.kind, []).append(f.value)
    out = set()
    for i, f in enumerate(figs):
        if f.kind in HEADLINE_KINDS and f.qualifier in c.approximate:
            vals = exact.get(f.kind, [])
            if any(
                v != f.value
                and abs(v - f.value) <= c.tolerance * max(v, f.value)
                and _zeros(f.value) > _zeros(v)
                for v in vals
            ):
                out.add(i)
    return out


def _zeros(v: float) -> int:
    """Trailing zeros of an integer value: how round a number is (70 -> 1, 69 -> 0)."""
    if not math.isfinite(v):
        return 0
    n, z = int(v), 0
    if n != v or n == 0:
        return 0
    while n % 10 == 0:
        n, z = n // 10, z + 1
    return z


#: Sentences of the lead: a background clause there tells the incident ("recovery after 16 tornadoes killed
#: 6"); later it tells an earlier event ("... usai lima anggota patroli terluka oleh ranjau").
_LEAD_SENTENCES = 3


def _scopes(view: ArticleView, mentions: Sequence[Mention]) -> list[float]:
    """Per mention, how a headline-kind total is scoped: 2 a part by its words (a partitive), 1 a period, a
    running total or a background clause (:func:`headline_scope`), 0.5 it follows a share of another kind in
    its sentence ("Dua orang tewas di ibu kota, sementara 15 lainnya luka-luka": weaker than the words that
    scope a clause: "202 orang tewas, termasuk empat jenazah ..., dan 1.037 luka-luka" beats "Sejak perang
    Gaza dimulai ..., 131.138 luka-luka"), else 0."""
    out: list[float] = []
    share_sents: dict[int, set[str]] = {}
    sent_ids = view.a.sent_ids
    for m in mentions:
        s = sent_ids[m.n.tok_start]
        if m.kind not in HEADLINE_KINDS:
            out.append(0)
            continue
        if m.part != "total":
            if m.part == "share":
                share_sents.setdefault(s, set()).add(m.kind)
            out.append(0)
            continue
        scope = headline_scope(view, m.n, m.kind)
        sib = bool(share_sents.get(s, set()) - {m.kind})
        late_background = scope == "background" and s >= _LEAD_SENTENCES
        out.append(2 if scope == "partitive" or late_background else 1 if scope is not None else 0.5 * sib)
    return out


#: Qualifiers that keep a number exact; any other qualifier names a vague amount ("hundreds").
_EXACT_QUALIFIERS = frozenset({"at_least", "about", "nearly", "more_than", "less_than", "up_to", "all"})


def _is_vague(f: Figure) -> bool:
    return f.qualifier is not None and f.qualifier not in _EXACT_QUALIFIERS


def mark_headlines(
    figs: list[Figure], sure: Sequence[float] | None = None, scoped: Sequence[float] | None = None
) -> list[Figure]:
    """One headline per kind: the stated total the model is surest of (``sure``: how sure it is that each
    figure is a total of its kind, summed over the exact mentions that state the same value, so that a
    total the article restates gathers its evidence; a vague amount's lower bound states no exact value;
    without it the largest), never a part. ``scoped`` (:func:`_scopes`): a total its words scope to less
    than the article's incident (a period, a running total, a background clause: 1; beside a share: 0.5) is
    chosen only when the kind has no less scoped total, and one its words make a part (a partitive: 2) never;
    a vague amount only when the kind has no exact total of the same scope; the first one on ties."""
    best: dict[str, int] = {}
    stated: dict[tuple[str, float, bool], float] = {}
    vague = [_is_vague(f) for f in figs]
    if sure is not None:
        for f, s, v in zip(figs, sure, vague, strict=True):
            if f.part is None:
                stated[f.kind, f.value, v] = stated.get((f.kind, f.value, v), 0.0) + s

    def key(i: int) -> tuple[float, bool, float, float]:
        f = figs[i]
        free = -scoped[i] if scoped is not None else 0.0  # the less scoped the better
        if sure is None:
            return (free, not vague[i], f.value, 0.0)
        return (free, not vague[i], stated[f.kind, f.value, vague[i]], sure[i])

    for i, f in enumerate(figs):
        if f.kind not in HEADLINE_KINDS or f.part is not None or (scoped is not None and scoped[i] > 1):
            continue
        if f.kind not in best or key(i) > key(best[f.kind]):
            best[f.kind] = i
    chosen = set(best.values())
    return [f.model_copy(update={"headline": True}) if i in chosen else f for i, f in enumerate(figs)]


def extract_figures(text: str, lang: str | None = "id", entities: list[Entity] | None = None) -> list[Figure]:
    """Every figure in ``text`` (analysed here; the stage reads ``doc.analysis``)."""
    from streams.nlp.analysis import analyze

    return figures_from_analysis(analyze(text, lang), entities)


def figures_from_analysis(
    a: Analysis,
    entities: Sequence[Entity] | None = None,
    model: FigureModel | None = None,
    title: str | None = None,
) -> list[Figure]:
    """The figures of an analysed article: kind, then part, then Figures, restatements out, headlines."""
    hot = whole_pass("figures_from_analysis")
    if hot is not None:  # the same passes, compiled (``_figures_hot``)
        return cast(list[Figure], hot(a, entities, model, title))
    if not a.numbers:
        return []
    model = model or load_model()
    view = article_view(a, entities, title)
    mentions = classify_mentions(view, model)
    _assign_parts(view, mentions, model)
    mentions = _all_downed(mentions)
    ents = sorted((s, e, ent.name) for ent in (entities or ()) for s, e in ent.spans)
    figs = [_to_figure(view, m, ents) for m in mentions]
    gone = _restated(figs)
    kept = [i for i in range(len(figs)) if i not in gone]
    sure = [mentions[i].p_kind * (mentions[i].p_part if mentions[i].part == "total" else 0.0) for i in kept]
    scoped = _scopes(view, mentions)
    return mark_headlines([figs[i] for i in kept], sure, [scoped[i] for i in kept])


class FigureStage:
    """Fills ``figures`` from ``body`` (after ``entities``, which give the actors; the title is a feature)."""

    name: ClassVar[str] = "figures"
    requires: ClassVar[tuple[str, ...]] = ("body", "title", "analysis", "entities")
    assigns: ClassVar[tuple[str, ...]] = ("figures",)

    def __init__(self, settings: Any = None, state: Any = None):
        _cues()
        load_model()

    def __call__(self, doc: Doc) -> None:
        if not isinstance(doc.body, str):
            raise StageError("W600", "article body is not text", hint="run the decode stage first")
        if doc.analysis is None:
            raise StageError("W600", "no shared analysis of the body", hint="run the analysis stage first")
        title = doc.title if isinstance(doc.title, str) else None
        doc.figures = figures_from_analysis(doc.analysis, doc.entities, title=title)
