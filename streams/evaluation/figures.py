"""``warta eval figures``: train the figure model and measure it with outlets held out (realdev + realtrain)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from streams.core.analysis import Analysis, NumberToken
from streams.core.records import CASUALTY_KINDS, Entity, Figure, RawArticle
from streams.evaluation.real import PRECISE_QUALIFIERS, find_normalised, load_manifest
from streams.nlp.figure_model import (
    KINDS,
    PARTS,
    FigureModel,
    LinearHead,
    article_view,
    captives_version,
    marked,
    mention_features,
    model_label,
    number_class,
    part_features,
    pointer_label,
    worth_a_look,
)
from streams.nlp.figures import (
    HEADLINE_KINDS,
    classify_mentions,
    figures_from_analysis,
    part_ranks,
    part_where,
)

__all__ = [
    "FigureReport",
    "GoldArticle",
    "ThresholdChoice",
    "TrainConfig",
    "choose_pair",
    "cross_validate",
    "evaluate",
    "fit",
    "held_out_choice",
    "held_out_threshold",
    "held_out_thresholds",
    "label_mentions",
    "load_articles",
    "outlet_folds",
    "pick_threshold",
    "run_split",
]

#: Stages run before the figures: the body, its analysis and entities, as the pipeline makes them.
_STAGES = ("decode", "clean", "language", "ids", "analysis", "entities")
#: Gold figure types as figure kinds.
_GOLD_KIND = {"other": "count"}
_MAX_REPEAT = 4
_WEAPONS = {"drones_launched": "drones_downed", "drones_downed": "drones_launched"}
_WEAPONS.update({"missiles_launched": "missiles_downed", "missiles_downed": "missiles_launched"})
_WEAPON_KINDS = tuple(sorted(_WEAPONS))

Extractor = Callable[["GoldArticle"], list[Figure]]


@dataclass
class GoldArticle:
    """One manifest article run to its entities, with the gold label of each number mention."""

    id: str
    outlet: str
    analysis: Analysis
    entities: list[Entity]
    gold: dict[str, Any]
    labels: list[tuple[str, str] | None] = field(default_factory=list)  # per analysis.numbers
    mention_of: dict[int, int] = field(default_factory=dict)  # gold figure index -> mention index
    figures: list[dict[str, Any]] = field(default_factory=list)  # gold figures, vague values resolved
    title: str | None = None

    def gold_set(self, *, totals: bool = False) -> set[tuple[str, float]]:
        return {(str(g["type"]), float(g["value"])) for g in self.figures if not (totals and g.get("part"))}


def load_articles(manifests: Iterable[Path]) -> list[GoldArticle]:
    """Run every manifest article (``articles/<id>.txt`` beside it) to its entities and label its numbers."""
    from streams.core.pipeline import build_pipeline

    pipe = build_pipeline(stages=_STAGES)
    out: list[GoldArticle] = []
    for manifest in manifests:
        for gold in load_manifest(manifest):
            path = manifest.parent / "articles" / f"{gold['id']}.txt"
            if not path.is_file():
                continue
            raw = RawArticle(id=str(gold["id"]), text=path.read_text(encoding="utf-8"), url=gold.get("url"))
            doc = pipe.run_doc(raw)
            if doc.analysis is None:
                continue
            art = GoldArticle(
                str(gold["id"]),
                str(gold.get("outlet") or gold["id"]),
                doc.analysis,
                list(doc.entities),
                gold,
                title=doc.title if isinstance(doc.title, str) else None,
            )
            label_mentions(art)
            out.append(art)
    return sorted(out, key=lambda x: x.id)


def _number(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _same(x: float, y: float) -> bool:
    return abs(x - y) <= 1e-6 * max(1.0, abs(y))


def _cue_kinds(a: Analysis, sent: int) -> set[str]:
    """Casualty kinds with a cue in sentence ``sent`` (a restated figure keeps its label only there)."""
    out: set[str] = set()
    s = a.sentences[sent]
    for k in range(s.tok_start, s.tok_end):
        for h in a.hits_starting_at(k, "cue"):
            for key in h.keys:
                parts = key.split(".")
                if parts[0] == "casualties" and parts[-1] in ("cues", "toll"):
                    out.add(parts[1])
                elif parts[0] == "weapons":
                    out.update({f"{parts[1]}_launched", f"{parts[1]}_downed"})
    return out


def label_mentions(art: GoldArticle) -> None:
    """Gold (kind, part) of each number: the figure whose evidence holds it; a restatement of a gold
    casualty value in a sentence with a cue of its kind; money / percent by their markers; else none.
    Vague amounts no figure names are left unlabelled (the annotators did not list them)."""
    labels: list[tuple[str, str] | None] = [None] * len(art.analysis.numbers)
    for g in art.gold.get("figures", []):
        _label_evidence(art, g, labels)
    _label_the_rest(art, labels)
    art.labels = labels


def _label_evidence(art: GoldArticle, g: dict[str, Any], labels: list[tuple[str, str] | None]) -> None:
    """The number inside a gold figure's evidence with its value (a vague one for "puluhan")."""
    nums = art.analysis.numbers
    value = _number(g["value"])
    for s, e in find_normalised(art.analysis.text, str(g.get("evidence", ""))):
        hit = [
            k
            for k, n in enumerate(nums)
            if n.start < e and s < n.end and (_same(n.value, value) if value is not None else bool(n.vague))
        ]
        if hit:
            labels[hit[0]] = (str(g["type"]), str(g.get("part") or "total"))
            art.mention_of[len(art.figures)] = hit[0]
            value = nums[hit[0]].value
            break
    if value is not None:  # a vague gold amount ("puluhan") counts only where its mention is found
        art.figures.append({**g, "value": value})


def _label_the_rest(art: GoldArticle, labels: list[tuple[str, str] | None]) -> None:
    a = art.analysis
    gold_vals = [
        (str(g["type"]), float(g["value"]), str(g.get("part") or "total"))
        for g in art.figures
        if g["type"] in CASUALTY_KINDS or g["type"] == "cases"
    ]
    view = article_view(a, art.entities, art.title)
    for k, n in enumerate(a.numbers):
        if labels[k] is not None:
            continue
        if n.currency or n.percent:
            labels[k] = ("money" if n.currency else "percent", "total")
            continue
        kinds = _cue_kinds(a, a.sent_ids[n.tok_start]) if a.sentences else set()
        again = [(t, p) for t, v, p in gold_vals if _same(n.value, v) and t in kinds]
        if again and number_class(view, n) is not None:
            again = []  # "DC (5)", "(4/1/2020)", "EF-4", "no one": the same value, but no count
        if again:
            labels[k] = again[0]
        elif not n.vague:
            labels[k] = ("none", "total")


def outlet_folds(arts: Sequence[GoldArticle], k: int) -> list[int]:
    """Fold of each article: outlets (sorted by size, then name) dealt to the smallest fold."""
    by_outlet: dict[str, list[int]] = defaultdict(list)
    for i, art in enumerate(arts):
        by_outlet[art.outlet.casefold()].append(i)
    sizes = [0] * k
    fold = [0] * len(arts)
    for _, idx in sorted(by_outlet.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        f = min(range(k), key=lambda j: (sizes[j], j))
        sizes[f] += len(idx)
        for i in idx:
            fold[i] = f
    return fold


@dataclass(frozen=True)
class TrainConfig:
    """crfsuite L-BFGS settings of the two heads (each mention a one-item sequence: a maximum-entropy model)."""

    c1: float = 0.0
    c2: float = 1.0
    iterations: int = 200
    #: one threshold for every casualty kind when ``threshold_folds`` is 0 (a threshold chosen per kind on
    #: inner outlet folds moved with every retrain: see docs/figures.md, wave 8)
    min_probability: float = 0.65
    #: choose the casualty thresholds on this many outlet folds of the training articles, by their pooled
    #: held-out figures (the evaluation's own measures) against ``target_precision``: see ``choose_pair``
    #: and ``excess_cost`` (0: keep ``min_probability``; docs/figq5.md, "An honest threshold"; docs/figstab.md)
    threshold_folds: int = 10
    #: the casualty-figure precision the threshold is chosen to reach on the inner folds (the issue's target)
    target_precision: float = 0.95
    #: examples of a kind seen fewer times than this are repeated (at most 4 times) towards it
    rare: int = 80
    #: choose a threshold per casualty kind on outlet folds of the training articles (0: keep
    #: ``min_probability`` for every kind)
    calibration_folds: int = 0
    #: what a false casualty figure costs against a right one when choosing a threshold
    fp_cost: float = 1.75
    #: a kind with fewer held-out figures than this takes the threshold chosen over all kinds
    calibration_min: int = 20
    #: how far a kind's threshold may be from the one chosen over all kinds
    calibration_reach: float = 0.0
    #: heads averaged over this many trainings, each without one fold of outlets (0 or 1: one training)
    bags: int = 5
    #: the threshold of the drone and missile kinds (a count whose noun is a drone or a missile and whose
    #: verb launches or downs it is rarely anything else). None: chosen on the same inner folds as the
    #: casualty threshold (the lowest on ``_GRID`` whose held-out drone/missile figure precision reaches
    #: ``target_precision``; ``min_probability`` when ``threshold_folds`` is 0)
    weapon_probability: float | None = None
    #: how the inner folds' precision target is applied (docs/figstab.md). A number: the target is soft, the
    #: pair found is the one with the most totals less this many totals for each false figure beyond the
    #: target's allowance (``(1 - target_precision)`` of the figures kept), so an inner precision a figure
    #: below the target costs a fraction of a total instead of moving the thresholds up a step. None: the
    #: target is hard (figq7's rule: only pairs reaching it, else the highest thresholds).
    excess_cost: float | None = 2.0


def _train_head(xs: list[list[str]], ys: list[str], labels: Sequence[str], cfg: TrainConfig) -> LinearHead:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for x, y in zip(xs, ys, strict=True):
        trainer.append([{f: 1.0 for f in x}], [y])
    trainer.set_params({"c1": cfg.c1, "c2": cfg.c2, "max_iterations": cfg.iterations})
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "head.crfsuite")
        trainer.train(path)
        tagger = pycrfsuite.Tagger()
        tagger.open(path)
        state = tagger.info().state_features
        tagger.close()
    present = [lab for lab in labels if lab in set(ys)]
    index = {lab: i for i, lab in enumerate(present)}
    weights: dict[str, list[float]] = {}
    for (attr, lab), w in sorted(state.items()):
        if lab in index and abs(w) > 1e-4:
            weights.setdefault(attr, [0.0] * len(present))[index[lab]] = w
    return LinearHead(tuple(present), weights)


@dataclass
class Examples:
    """Training examples of the three heads: features and labels."""

    kx: list[list[str]] = field(default_factory=list)
    ky: list[str] = field(default_factory=list)
    kk: list[str] = field(default_factory=list)  # the kind of each kind example (its label may be a pointer)
    px: list[list[str]] = field(default_factory=list)
    py: list[str] = field(default_factory=list)
    cx: list[list[str]] = field(default_factory=list)
    cy: list[str] = field(default_factory=list)


def training_examples(arts: Iterable[GoldArticle]) -> Examples:
    """Kind examples (every labelled mention the model reads; counts are none to it), part examples
    (mentions of a headline kind) and count examples (the none and other mentions)."""
    ex = Examples()
    kx, ky, px, py, cx, cy = ex.kx, ex.ky, ex.px, ex.py, ex.cx, ex.cy
    for art in arts:
        view = article_view(art.analysis, art.entities, art.title)
        mf = [mention_features(view, n) for n in art.analysis.numbers]
        feats = [x[0] for x in mf]
        kv = [
            (lab[0] if lab else "none", n.value)
            for lab, n in zip(art.labels, art.analysis.numbers, strict=True)
        ]
        where = [part_where(view, n) for n in art.analysis.numbers]
        for k, lab in enumerate(art.labels):
            n = art.analysis.numbers[k]
            if lab is None or marked(n) is not None or not worth_a_look(view, n):
                continue  # the model reads neither marked numbers nor numbers outside a figure's frame
            kx.append(feats[k])
            ex.kk.append(model_label("none" if lab[0] == "other" else lab[0]))
            if lab[0] in ("none", "other"):
                cx.append(feats[k])
                cy.append(lab[0])
            ky.append(pointer_label(model_label("none" if lab[0] == "other" else lab[0]), mf[k][1], mf[k][2]))
            if lab[0] in HEADLINE_KINDS:
                px.append(part_features(feats[k], lab[0], part_ranks(kv, k, where)))
                py.append(lab[1])
    return ex


def _balance(
    xs: list[list[str]], ys: list[str], rare: int, kinds: Sequence[str] | None = None
) -> tuple[list[list[str]], list[str]]:
    """Repeat the examples of rare kinds (prisoners released, drones downed) so they weigh in training;
    ``kinds``: the kind of each example when its label is a pointer to a cue ("@before")."""
    kinds = ys if kinds is None else kinds
    counts: dict[str, int] = defaultdict(int)
    for y in kinds:
        counts[y] += 1
    ox, oy = list(xs), list(ys)
    for x, y, kind in zip(xs, ys, kinds, strict=True):
        extra = min(_MAX_REPEAT - 1, max(0, -(-rare // counts[kind]) - 1))
        ox.extend([x] * extra)
        oy.extend([y] * extra)
    return ox, oy


def _heads(
    arts: Sequence[GoldArticle], cfg: TrainConfig
) -> tuple[LinearHead, LinearHead, LinearHead, Examples]:
    """The kind, part and count heads trained on ``arts``, and their examples."""
    ex = training_examples(arts)
    kx, ky = _balance(ex.kx, ex.ky, cfg.rare, ex.kk)
    ex.kx, ex.ky = kx, ky
    kind = _train_head(kx, ky, KINDS, cfg)
    return kind, _train_head(ex.px, ex.py, PARTS, cfg), _train_head(ex.cx, ex.cy, ("other", "none"), cfg), ex


def _average(heads: Sequence[LinearHead], order: Sequence[str]) -> LinearHead:
    """One head whose scores are the mean of ``heads``' scores (a label a head lacks scores 0 there)."""
    labels = tuple(lab for lab in order if any(lab in h.labels for h in heads))
    at = {lab: i for i, lab in enumerate(labels)}
    out: dict[str, list[float]] = {}
    for h in heads:
        cols = [at[lab] for lab in h.labels]
        for name, w in h.weights.items():
            row = out.setdefault(name, [0.0] * len(labels))
            for c, x in zip(cols, w, strict=True):
                row[c] += x / len(heads)
    return LinearHead(labels, {k: v for k, v in sorted(out.items()) if any(abs(x) > 1e-4 for x in v)})


def _bagged_heads(
    arts: Sequence[GoldArticle], cfg: TrainConfig
) -> tuple[LinearHead, LinearHead, LinearHead, Examples]:
    """The heads averaged over ``cfg.bags`` trainings, each without one fold of outlets (one changed
    example moves the average less than it moves one training); the examples of all the articles."""
    if cfg.bags < 2:
        return _heads(arts, cfg)
    fold = outlet_folds(arts, cfg.bags)
    trios = [_heads([a for a, x in zip(arts, fold, strict=True) if x != b], cfg) for b in range(cfg.bags)]
    ex = training_examples(arts)
    ex.kx, ex.ky = _balance(ex.kx, ex.ky, cfg.rare, ex.kk)
    return (
        _average([t[0] for t in trios], KINDS),
        _average([t[1] for t in trios], PARTS),
        _average([t[2] for t in trios], ("other", "none")),
        ex,
    )


def fit(arts: Sequence[GoldArticle], cfg: TrainConfig = TrainConfig()) -> FigureModel:
    """Train both heads on ``arts`` (sorted by id: the same articles give the same model)."""
    arts = sorted(arts, key=lambda x: x.id)
    kind, part, count, ex = _bagged_heads(arts, cfg)
    kx = ex.kx
    model = FigureModel(kind, part, min_probability=cfg.min_probability, count=count)
    weapon = cfg.weapon_probability
    choice = None
    if cfg.threshold_folds > 1:
        choice = held_out_choice(arts, cfg)
        model.min_probability, weapon = choice.people, choice.weapons
    if cfg.calibration_folds > 1:
        model.thresholds = choose_thresholds(held_out_scores(arts, cfg), cfg)
    if weapon is not None:
        model.thresholds.update(dict.fromkeys(_WEAPON_KINDS, weapon))
    digest = hashlib.sha256("\n".join(a.id for a in arts).encode()).hexdigest()[:16]
    model.meta = {
        "algorithm": "lbfgs (python-crfsuite, one-item sequences)",
        "c1": cfg.c1,
        "c2": cfg.c2,
        "iterations": cfg.iterations,
        "bags": cfg.bags,
        "threshold_folds": cfg.threshold_folds,
        "target_precision": cfg.target_precision,
        "excess_cost": cfg.excess_cost,
        "articles": len(arts),
        "kind_examples": len(kx),
        "part_examples": len(ex.px),
        "count_examples": len(ex.cx),
        "training_digest": digest,
        "captives_version": captives_version(),
    }
    if choice is not None:  # what the inner folds measured at the chosen thresholds (docs/figq8.md)
        model.meta["inner_precision"] = [choice.precision.right, choice.precision.total]
        model.meta["inner_totals"] = choice.totals
        model.meta["inner_target_reached"] = choice.reached
    return model


#: Thresholds a casualty kind may take (the tie goes to the one nearest ``min_probability``).
_GRID = tuple(round(0.3 + 0.05 * i, 2) for i in range(11))


def held_out_precision(
    arts: Sequence[GoldArticle], cfg: TrainConfig
) -> dict[float, tuple[FigureReport, FigureReport]]:
    """The figures at each threshold of ``_GRID``, summed over ``cfg.threshold_folds`` outlet folds of
    ``arts``, each read by a model trained on the other folds and counted as the evaluation counts them
    (restatements merged, parts kept): of the kinds of people, and of the drone and missile kinds (at the
    same threshold, or at ``cfg.weapon_probability`` when it is set). The two are apart: no figure of one
    group changes with the other's threshold."""
    fold = outlet_folds(arts, cfg.threshold_folds)
    inner = replace(cfg, threshold_folds=0, calibration_folds=0)
    reps = {t: (FigureReport(), FigureReport()) for t in _GRID}
    for f in range(cfg.threshold_folds):
        model = fit([a for a, x in zip(arts, fold, strict=True) if x != f], inner)
        test = [a for a, x in zip(arts, fold, strict=True) if x == f]
        for t in _GRID:
            model.min_probability = t
            w = t if cfg.weapon_probability is None else cfg.weapon_probability
            model.thresholds.update(dict.fromkeys(_WEAPON_KINDS, w))
            run_split(test, _with_model(model), reps[t])
    return reps


def run_split(
    arts: Iterable[GoldArticle], extract: Extractor, reps: tuple[FigureReport, FigureReport]
) -> None:
    """Each article's figures measured apart: those of the kinds of people into ``reps[0]``, those of the
    drone and missile kinds into ``reps[1]``."""
    for art in arts:
        figs = extract(art)
        evaluate(art, [f for f in figs if f.kind not in _WEAPONS], reps[0])
        evaluate(art, [f for f in figs if f.kind in _WEAPONS], reps[1])


def pick_threshold(precision: dict[float, Count], target: float) -> float:
    """The lowest threshold whose precision reaches ``target`` (none does: the highest)."""
    ok = [t for t, c in sorted(precision.items()) if (c.value if c.value is not None else 1.0) >= target]
    return ok[0] if ok else max(precision)


def _plus(a: Count, b: Count) -> Count:
    return Count(a.right + b.right, a.total + b.total)


@dataclass(frozen=True)
class ThresholdChoice:
    """The thresholds chosen on the inner folds, and what the inner folds measured at them."""

    people: float
    weapons: float | None
    #: casualty-figure precision of both groups together on the inner folds at the chosen pair
    precision: Count
    #: totals the inner folds found at the chosen pair
    totals: int
    #: whether the chosen pair reaches the target on the inner folds (hard rule: else no pair did and the
    #: highest thresholds were taken; soft rule: the pair's totals were worth its excess false figures)
    reached: bool


def held_out_choice(arts: Sequence[GoldArticle], cfg: TrainConfig) -> ThresholdChoice:
    """The threshold of the kinds of people and the drone/missile one, chosen on outlet folds of ``arts``
    alone (never on articles they are tested on), from the inner folds' figures pooled at each pair of
    ``_GRID`` (both groups together): see :func:`choose_pair`. With ``cfg.weapon_probability`` set, only
    the threshold of the kinds of people is chosen."""
    reps = held_out_precision(arts, cfg)
    people = {t: (p.measures["casualty_precision"], p.measures["total_recall"]) for t, (p, _) in reps.items()}
    weapons = {
        t: (w.measures["casualty_precision"], w.measures["total_recall"]) for t, (_, w) in reps.items()
    }
    choice = choose_pair(people, weapons, cfg)
    if cfg.weapon_probability is not None:
        choice = replace(choice, weapons=cfg.weapon_probability)
    return choice


def choose_pair(
    people: dict[float, tuple[Count, Count]], weapons: dict[float, tuple[Count, Count]], cfg: TrainConfig
) -> ThresholdChoice:
    """The pair of thresholds (people, drones/missiles) the inner folds' pooled figures choose (each group's
    measures per threshold: casualty-figure precision, totals found).

    Hard target (``cfg.excess_cost`` None, figq7's rule): of the pairs whose casualty-figure precision
    reaches ``cfg.target_precision``, the one that finds the most totals (then the most precise, then the
    lower thresholds); none reaches it: the highest. Soft target (a number ``c``): the pair with the most
    totals less ``c`` per false figure beyond the target's allowance (a pair reaching the target pays
    nothing, so among those the choice is the hard rule's), the same ties. The hard rule jumps a step
    when one figure moves the inner precision across the target (0.950 -> 0.948 moved 0.65 to 0.75:
    docs/figstab.md); the soft rule's score moves by at most ``c`` per figure."""
    weapon_grid = _GRID if cfg.weapon_probability is None else _GRID[:1]
    pairs = [(tp, tw) for tp in _GRID for tw in weapon_grid]
    hard = cfg.excess_cost is None

    def key(pair: tuple[float, float]) -> tuple[float, float, float, float]:
        (pp, pr), (wp, wr) = people[pair[0]], weapons[pair[1]]
        both = _plus(pp, wp)
        precision = both.value if both.value is not None else 1.0
        excess = max(0.0, (both.total - both.right) - (1.0 - cfg.target_precision) * both.total)
        score = pr.right + wr.right - (0.0 if hard else float(cfg.excess_cost or 0.0) * excess)
        return score, precision, -pair[0], -pair[1]

    ok = [pq for pq in pairs if key(pq)[1] >= cfg.target_precision]
    if hard:
        tp, tw = max(ok, key=key) if ok else (max(_GRID), max(weapon_grid))
    else:
        tp, tw = max(pairs, key=key)
    return ThresholdChoice(
        tp,
        tw,
        _plus(people[tp][0], weapons[tw][0]),
        people[tp][1].right + weapons[tw][1].right,
        (tp, tw) in ok,
    )


def held_out_thresholds(arts: Sequence[GoldArticle], cfg: TrainConfig) -> tuple[float, float | None]:
    """The two thresholds of :func:`held_out_choice`."""
    choice = held_out_choice(arts, cfg)
    return choice.people, choice.weapons


def held_out_threshold(arts: Sequence[GoldArticle], cfg: TrainConfig) -> float:
    """The casualty threshold of :func:`held_out_thresholds`."""
    return held_out_thresholds(arts, cfg)[0]


def held_out_scores(arts: Sequence[GoldArticle], cfg: TrainConfig) -> list[tuple[str, float, bool]]:
    """Each casualty mention of the training articles as a model that did not see its outlet reads it:
    its kind, the kind's probability, and whether the article states that kind and value."""
    fold = outlet_folds(arts, cfg.calibration_folds)
    inner = replace(cfg, calibration_folds=0, threshold_folds=0, min_probability=0.0)
    out: list[tuple[str, float, bool]] = []
    for f in range(cfg.calibration_folds):
        model = fit([a for a, x in zip(arts, fold, strict=True) if x != f], inner)
        for art in (a for a, x in zip(arts, fold, strict=True) if x == f):
            gold = art.gold_set()
            view = article_view(art.analysis, art.entities, art.title)
            out.extend(
                (m.kind, m.p_kind, (m.kind, m.n.value) in gold)
                for m in classify_mentions(view, model)
                if m.kind in CASUALTY_KINDS
            )
    return out


def choose_thresholds(scores: Sequence[tuple[str, float, bool]], cfg: TrainConfig) -> dict[str, float]:
    """Per casualty kind, the threshold that keeps the most right figures less ``fp_cost`` per false one
    among ``scores``; a kind with few scores takes the threshold chosen over all of them."""

    def best(items: Sequence[tuple[str, float, bool]], grid: Sequence[float] = _GRID) -> float:
        def gain(t: float) -> tuple[float, float]:
            kept = [ok for _, p, ok in items if p >= t]
            return sum(kept) - cfg.fp_cost * (len(kept) - sum(kept)), -abs(t - cfg.min_probability)

        return max(grid, key=gain)

    overall = best(scores)
    # a kind's own threshold stays near the one over all kinds (a few held-out figures move it far)
    near = [t for t in _GRID if abs(t - overall) <= cfg.calibration_reach + 1e-9]
    out: dict[str, float] = {}
    for kind in sorted({k for k, _, _ in scores}):
        items = [x for x in scores if x[0] == kind]
        out[kind] = best(items, near) if len(items) >= cfg.calibration_min else overall
    return out


# --- measures -----------------------------------------------------------------------------------


@dataclass
class Count:
    right: int = 0
    total: int = 0

    def add(self, right: int, total: int) -> None:
        self.right += right
        self.total += total

    @property
    def value(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class FigureReport:
    """Summed measures over the evaluated articles, and the misses of each."""

    measures: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    kind_p: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    kind_r: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    part_p: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    part_r: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    misses: list[str] = field(default_factory=list)
    articles: int = 0
    #: per outer fold of a cross-validation: the thresholds its model chose on its inner folds, and why
    folds: list[str] = field(default_factory=list)

    def value(self, key: str) -> float | None:
        return self.measures[key].value


#: The issue's measures: key, label, target (None: no target), and whether lower is better.
TARGETS: tuple[tuple[str, str, float | None, bool], ...] = (
    ("casualty_precision", "casualty-figure precision (a part is not wrong)", 0.95, False),
    ("total_recall", "recall of totals", 0.90, False),
    ("headline_total", "headline of each kind is a total", 0.90, False),
    ("weapon_confusion", "launched and downed confused", 0.02, True),
    ("not_figures", "not_figures kept out", 0.99, False),
    ("casualty_recall", "casualty-figure recall (all parts)", None, False),
)


def _exact(f: Figure) -> bool:
    return f.qualifier is None or f.qualifier in PRECISE_QUALIFIERS


def evaluate(art: GoldArticle, figs: list[Figure], rep: FigureReport) -> None:
    """Add one article's figures to the report (distinct kind+value per article, as ``warta eval real``)."""
    rep.articles += 1
    g_all = art.gold_set()
    g_cas = {(t, v) for t, v in g_all if t in CASUALTY_KINDS}
    g_tot = {(t, v) for t, v in art.gold_set(totals=True) if t in CASUALTY_KINDS}
    p_cas = {(f.kind, f.value) for f in figs if f.kind in CASUALTY_KINDS}
    p_exact = {(f.kind, f.value) for f in figs if f.kind in CASUALTY_KINDS and _exact(f)}
    m = rep.measures
    m["casualty_precision"].add(len(p_exact & g_cas), len(p_exact))
    m["total_recall"].add(len(p_cas & g_tot), len(g_tot))
    m["casualty_recall"].add(len(p_cas & g_cas), len(g_cas))
    for k, v in sorted(p_exact - g_cas):
        f = next(f for f in figs if (f.kind, f.value) == (k, v))
        rep.misses.append(f"{art.id}: false {k}={v:g} in {_around(art, f.span)!r}")
    for k, v in sorted(g_tot - p_cas):
        rep.misses.append(f"{art.id}: missed total {k}={v:g}")
    heads = [(f.kind, f.value) for f in figs if f.headline and f.kind in CASUALTY_KINDS]
    m["headline_total"].add(sum(h in g_tot for h in heads), len(heads))
    for k, v in heads:
        if (k, v) not in g_tot:
            rep.misses.append(f"{art.id}: headline {k}={v:g} is no total")
    _weapons(art, figs, rep)
    _not_figures(art, figs, rep)
    _per_kind(g_all, figs, rep)
    _parts(art, figs, rep)


def _around(art: GoldArticle, span: tuple[int, int]) -> str:
    text = art.analysis.text
    return (
        text[max(0, span[0] - 60) : span[0]]
        + "["
        + text[span[0] : span[1]]
        + "]"
        + text[span[1] : span[1] + 60]
    )


def _at(figs: list[Figure], n: NumberToken) -> list[Figure]:
    return [f for f in figs if f.span[0] <= n.start and n.end <= f.span[1]]


def _weapons(art: GoldArticle, figs: list[Figure], rep: FigureReport) -> None:
    nums = art.analysis.numbers
    for gi, g in enumerate(art.figures):
        if g["type"] not in _WEAPONS or gi not in art.mention_of:
            continue
        kinds = {f.kind for f in _at(figs, nums[art.mention_of[gi]])}
        wrong = _WEAPONS[g["type"]] in kinds and g["type"] not in kinds
        rep.measures["weapon_confusion"].add(int(wrong), 1)
        if wrong:
            rep.misses.append(f"{art.id}: {g['type']}={g['value']} typed {_WEAPONS[g['type']]}")


def _not_figures(art: GoldArticle, figs: list[Figure], rep: FigureReport) -> None:
    cas = [f for f in figs if f.kind in CASUALTY_KINDS]
    for nf in art.gold.get("not_figures", []):
        spans = find_normalised(art.analysis.text, str(nf["text"]))
        if not spans:
            continue
        bad = [f for f in cas for s, e in spans if f.span[0] < e and s < f.span[1]]
        rep.measures["not_figures"].add(int(not bad), 1)
        if bad:
            rep.misses.append(f"{art.id}: not-figure {nf['text']!r} became {bad[0].kind}={bad[0].value:g}")


def _kind_of(f: Figure) -> str:
    return {"aid_amount": "money", "territory_controlled_percent": "percent", "count": "other"}.get(
        f.kind, f.kind
    )


def _per_kind(g_all: set[tuple[str, float]], figs: list[Figure], rep: FigureReport) -> None:
    pred = {(_kind_of(f), f.value) for f in figs if _exact(f)}
    for k, v in pred:
        rep.kind_p[k].add(int((k, v) in g_all), 1)
    for k, v in g_all:
        rep.kind_r[k].add(int((k, v) in pred or (k, v) in {(_kind_of(f), f.value) for f in figs}), 1)


def _parts(art: GoldArticle, figs: list[Figure], rep: FigureReport) -> None:
    """Part of each gold figure of a headline kind found at its mention with its kind."""
    nums = art.analysis.numbers
    for gi, g in enumerate(art.figures):
        if g["type"] not in HEADLINE_KINDS or gi not in art.mention_of:
            continue
        got = [f for f in _at(figs, nums[art.mention_of[gi]]) if f.kind == g["type"]]
        if not got:
            continue
        want = str(g.get("part") or "total")
        have = got[0].part or "total"
        rep.part_r[want].add(int(want == have), 1)
        rep.part_p[have].add(int(want == have), 1)


def run_extractor(
    arts: Iterable[GoldArticle], extract: Extractor, rep: FigureReport | None = None
) -> FigureReport:
    rep = rep or FigureReport()
    for art in arts:
        evaluate(art, extract(art), rep)
    return rep


def _with_model(model: FigureModel | None) -> Extractor:
    def extract(art: GoldArticle) -> list[Figure]:
        return figures_from_analysis(art.analysis, art.entities, model, title=art.title)

    return extract


def shipped(arts: Iterable[GoldArticle]) -> FigureReport:
    """The shipped model over ``arts`` (in-sample when they are its training articles)."""
    return run_extractor(arts, _with_model(None))


def cross_validate(arts: Sequence[GoldArticle], k: int, cfg: TrainConfig = TrainConfig()) -> FigureReport:
    """Train on k-1 folds of outlets, measure on the held-out one; the report sums the k folds."""
    fold = outlet_folds(arts, k)
    rep = FigureReport()
    for f in range(k):
        train = [a for a, x in zip(arts, fold, strict=True) if x != f]
        test = [a for a, x in zip(arts, fold, strict=True) if x == f]
        model = fit(train, cfg)
        rep.folds.append(_fold_line(f, len(test), model))
        run_extractor(test, _with_model(model), rep)
    return rep


def _fold_line(f: int, n: int, model: FigureModel) -> str:
    """One outer fold's thresholds and the inner precision they were chosen at."""
    weapons = model.thresholds.get(_WEAPON_KINDS[0], model.min_probability)
    line = f"fold {f} ({n} articles): people {model.min_probability:g}, drones/missiles {weapons:g}"
    got = model.meta.get("inner_precision")
    if got:
        right, total = got
        line += f"; inner precision {right}/{total} = {right / max(1, total):.3f}, inner totals "
        line += f"{model.meta.get('inner_totals')}"
        if not model.meta.get("inner_target_reached", True):
            why = (
                "its totals outweigh the excess"
                if model.meta.get("excess_cost") is not None
                else "the highest"
            )
            line += f" (under the target: {why})"
    return line


def model_json(model: FigureModel) -> str:
    return json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True) + "\n"


@dataclass(frozen=True)
class FigureAlert:
    """A figure-rule alert over a manifest article, with the verdict on its figure."""

    article: str
    rule: str
    kind: str
    value: float
    text: str
    verdict: str  # "total" (the article's own total), "part" (a gold part), "wrong" (no gold figure)
    message: str


def figure_alerts(manifests: Iterable[Path], rules: Path, k: int = 5) -> list[FigureAlert]:
    """The alerts whose evidence holds a figure, each article its own story, with the figures of the
    model that did not see the article's outlet (``k`` folds; 0: the shipped model)."""
    from streams.alerting.engine import AlertEngine
    from streams.alerting.rules import load_rules
    from streams.core.pipeline import build_pipeline

    manifests = list(manifests)
    arts = load_articles(manifests)
    models: dict[str, FigureModel | None] = {a.id: None for a in arts}
    if k >= 2:
        fold = outlet_folds(arts, k)
        for f in range(k):
            model = fit([a for a, x in zip(arts, fold, strict=True) if x != f])
            models.update({a.id: model for a, x in zip(arts, fold, strict=True) if x == f})
    by_id = {a.id: a for a in arts}
    pipe = build_pipeline()
    ruleset = load_rules(rules)
    out: list[FigureAlert] = []
    for manifest in manifests:
        for gold in load_manifest(manifest):
            art = by_id.get(str(gold["id"]))
            if art is None:
                continue
            path = manifest.parent / "articles" / f"{art.id}.txt"
            raw = RawArticle(id=art.id, text=path.read_text(encoding="utf-8"), url=gold.get("url"))
            enriched = pipe.run(raw)
            figs = figures_from_analysis(art.analysis, art.entities, models[art.id], title=art.title)
            enriched = enriched.model_copy(update={"figures": figs})
            out.extend(_alerts_of(art, AlertEngine(ruleset).process(enriched)))
    return out


def _alerts_of(art: GoldArticle, changes: Iterable[Any]) -> list[FigureAlert]:
    totals = art.gold_set(totals=True)
    every = art.gold_set()
    out = []
    for change in changes:
        alert = change.alert
        for ev in alert.evidence:
            if ev.get("kind") != "figure":
                continue
            key = (str(ev["figure"]), float(ev["value"]))
            verdict = "total" if key in totals else ("part" if key in every else "wrong")
            out.append(
                FigureAlert(art.id, alert.rule, key[0], key[1], str(ev.get("text")), verdict, alert.message)
            )
    return out
