"""Train the page-line classifier on realdev + realtrain; report leave-outlet-out figures; ship the model.

Deterministic: articles sorted by id, outlets assigned to folds in sorted order, L-BFGS from zeros.

    python scripts/train_pages.py                 # CV figures (model vs rules alone), then ship
    python scripts/train_pages.py --cv-only       # figures only
    python scripts/train_pages.py --misses        # also print every miss of the CV run
    python scripts/train_pages.py --no-cv         # only train and write the shipped model
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

from streams.core.errors import StageError
from streams.evaluation.real import load_manifest, norm_text, text_kept
from streams.ingest.clean import _line_marks as line_marks
from streams.ingest.clean import body_lines, byline_lines, clean_article, line_view, title_lines
from streams.ingest.linemodel import (
    HEAD_SKIP,
    LABELS,
    MODEL_PATH,
    LineModel,
    OutletMemory,
    head_features,
    page_features,
    stack_features,
)

SHARED = Path(os.environ.get("WARTA_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
FOLDS = 5
L2 = float(os.environ.get("PAGES_L2", "1.0"))
WEAK = float(
    os.environ.get("PAGES_WEAK", "0.3")
)  # weight of a line no manifest field names (its label is the rules' verdict)
#: Weight of an unnamed line the rules keep above the page's first must_keep sentence (experiment).
WEAK_TOP = float(os.environ.get("PAGES_WEAK_TOP", str(WEAK)))
MIN_COUNT = 2
#: Furniture lines with these marks (a caption verb, a photo credit at the end) are labelled captions.
CAPTION_MARKS = set(
    filter(None, os.environ.get("PAGES_CAPTION_MARKS", "caption_verb,credit_end,credit_slash").split(","))
)
#: Train with outlet memory (lines seen on the outlet's earlier pages). Off: the pipeline does not feed
#: it (a page's body would depend on what a worker saw before), so the model must not lean on it.
OUTLET_MEMORY = os.environ.get("PAGES_OUTLET_MEMORY", "0") == "1"
#: A second pass that also reads the first pass's verdicts on the neighbouring lines (out of fold).
STACK = os.environ.get("PAGES_STACK", "1") == "1"
#: The second pass reads the line's own features too (else only the first pass's verdicts and its bias).
STACK_OWN = os.environ.get("PAGES_STACK_OWN", "1") == "1"
#: The second pass runs only on lines the first gives p(body) below this (the others are body either way).
STACK_BELOW = float(os.environ.get("PAGES_STACK_BELOW", "0.95"))
#: Weight of an unnamed line the rules keep between two must_keep sentences (article text, mostly).
INSIDE = float(os.environ.get("PAGES_INSIDE", "1.0"))
#: Weight of a named line of a rare label (a page has one byline among dozens of lines).
RARE = {"byline": float(os.environ.get("PAGES_RARE_BYLINE", "1.0"))}
#: The byline head's L2 and the weight of its positive lines (one per page that shows a byline).
BYLINE_L2 = float(os.environ.get("PAGES_BYLINE_L2", "1.0"))
BYLINE_POS = float(os.environ.get("PAGES_BYLINE_POS", "3.0"))
#: Decision thresholds (chosen on the outlet-held-out run; ``--sweep`` tries others).
THRESHOLDS = {
    # a line the rules keep leaves the body only when the model gives body less than this (and another
    # label the most): 0.4 removes more furniture held out (0.848 against 0.796) but cuts twice the
    # lines nobody named (40 against 22) and a dated promo the event stage reads (docs/pages.md)
    "body": float(os.environ.get("PAGES_BODY", "0.1")),
    # a line the model reads as a photo caption leaves at p(body) < 0.5 (held out: 295 furniture strings
    # against 291 at 0.1, the same 15 unnamed cuts; with score_max_words 60, long captions are scored)
    "body_caption": 0.5,
    # copies of one string on a page share the probabilities of the copy least like article text
    "shared": float(os.environ.get("PAGES_SHARED", "1")),
    # a list item leaves at its own cut (the data lists the figures stage reads score low)
    "body_list": float(os.environ.get("PAGES_BODY_LIST", "0.1")),
    # meta mode (the default) cuts the kept lines of up to this many words the model reads as furniture;
    # 8 scores best by _objective over all pages (0/8/12/25); held out it is chosen per fold (--nested)
    "meta_short": float(os.environ.get("PAGES_META_SHORT", "8")),
    # meta mode also cuts kept lines of up to meta_long words (shorter than a paragraph; a plain sentence
    # between the paragraphs is not scored) when the model is as sure as full mode's general cut
    # (p(body) < meta_long_body, whatever the label), and lines of up to meta_caption_words with a caption's
    # mark (docs/pages8.md)
    "meta_long": float(os.environ.get("PAGES_META_LONG", "19")),
    "meta_caption_words": float(os.environ.get("PAGES_META_CAPTION_WORDS", "60")),
    "meta_long_body": float(os.environ.get("PAGES_META_LONG_BODY", "0.1")),
    # meta mode cuts a line whose p(caption) reaches this, whatever its likeliest label (photo captions
    # written as sentences read as body too; held out no article line reaches 0.3)
    "meta_caption": float(os.environ.get("PAGES_META_CAPTION", "0.3")),
    # 1: meta mode scores the lines full mode scores (the rules' dropped lines too), so the second pass
    # reads the neighbours' verdicts as full mode does: 5 more strings held out, but clean costs 0.5 ms
    # more (every page builds its text context): off
    "meta_context": float(os.environ.get("PAGES_META_CONTEXT", "0")),
    # ... but when a page scores lines anyway, the rules' dropped lines within two of them are scored too
    # (the second pass reads them as what they are, not as body; no cost measured)
    "meta_near": float(os.environ.get("PAGES_META_NEAR", "1")),
    # meta mode never cuts an item of a list the line above announces, nor that line ("Key points:")
    "meta_announced": float(os.environ.get("PAGES_META_ANNOUNCED", "1")),
    # meta mode cuts a scored line above the article's first paragraph or below its last (captions,
    # widgets, related links sit there) below this p(body) when it is higher than the line's own cut
    "meta_edge_body": float(os.environ.get("PAGES_META_EDGE_BODY", "0.3")),
    "restore": 0.8,
    "title": 0.2,
    "title_rules": 0.05,
    "byline": 0.3,
    "byline_rules": 0.02,
    "byline_head": 0.35,
    "title_head": 0.25,
    "score_max_words": 60,
    # 0: a kept paragraph of more than score_min_inner words is scored only when it is one of the first two
    # or the last, or carries a caption's mark (clean.body_lines): the same held-out figures, fewer lines
    "score_inner": float(os.environ.get("PAGES_SCORE_INNER", "0")),
    "score_min_inner": 25,
}
_CAPTION = re.compile(
    r"\b(?:foto|photo|image|gambar|credit|getty|ilustrasi|illustration|antara foto|ap photo|afp|reuters/|"
    r"dok\.|dokumentasi|istimewa|shutterstock|video)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\d{1,2}[:.]\d{2}|\b\d{4}\b|\b(?:lalu|ago|wib|wita|gmt|utc|updated|diperbarui|published|diterbitkan)\b",
    re.IGNORECASE,
)


def load_articles() -> list[dict[str, Any]]:
    rows = []
    for split in ("realdev", "realtrain"):
        man = SHARED / "eval" / split / "manifest.jsonl"
        for g in load_manifest(man):
            path = man.parent / "articles" / f"{g['id']}.txt"
            if path.is_file():
                rows.append({**g, "text": path.read_text(encoding="utf-8")})
    return sorted(rows, key=lambda g: str(g["id"]))


def _furniture_kind(line: str) -> str:
    words = len(line.split())
    if words <= 14 and _DATE.search(line) and not _CAPTION.search(line):
        return "date"
    if _CAPTION.search(line) or (CAPTION_MARKS and CAPTION_MARKS & set(line_marks(line))):
        return "caption"
    return "furniture"


def _named(g: dict[str, Any], line: str) -> str | None:
    """The label a manifest field gives the line, or None when no field names it."""
    low = norm_text(line)
    if not low:
        return None
    keep = [norm_text(k) for k in g.get("must_keep", []) if norm_text(k)]
    if any(k in low or (low in k and len(low) > 25) for k in keep):
        return "body"
    title = norm_text(g.get("title"))
    if title and (low == title or (title in low and len(title) >= 0.5 * len(low))):
        return "title"
    byline = norm_text(g.get("byline"))
    if byline and byline in low and len(low.split()) <= 25:
        return "byline"
    dateline = norm_text(g.get("dateline"))
    if dateline and low.startswith(dateline) and len(low) <= len(dateline) + 12:
        return "dateline"
    furn = [norm_text(f) for f in g.get("furniture", []) if norm_text(f)]
    if any(f in low and len(f) >= 0.5 * len(low) for f in furn):
        return _furniture_kind(line)
    return None


def label_page(
    g: dict[str, Any], lines: list[str], rule_kind: dict[int, str]
) -> tuple[list[str], list[float]]:
    labels, weights = [], []
    named = [_named(g, line) for line in lines]
    kept = [i for i, lab in enumerate(named) if lab == "body"]
    first, last = (kept[0], kept[-1]) if kept else (0, -1)
    for i, line in enumerate(lines):
        lab = named[i]
        if lab is not None:
            labels.append(lab)
            weights.append(RARE.get(lab, 1.0))
        elif first < i < last and i not in rule_kind:
            # between two sentences the manifest keeps, a line the rules keep and no field names as
            # furniture is the article's own (a list, a subhead): a stronger body label
            labels.append("body")
            weights.append(INSIDE)
        elif i in rule_kind:
            kind = rule_kind[i].split(":")[0]
            if kind in ("byline", "title", "dateline", "caption") and (kind == "caption" or g.get(kind)):
                labels.append(kind)
            else:
                labels.append(_furniture_kind(line))
            weights.append(WEAK)
        else:
            labels.append("body")
            # above the first sentence the manifest keeps sit captions, kickers and standfirsts nobody named
            weights.append(WEAK_TOP if i < first else WEAK)
    return labels, weights


def _label_above(lines: list[str], i: int, want: str) -> bool:
    """A bare byline label ("Penulis :") whose next line holds the wanted byline."""
    return i + 1 < len(lines) and want in norm_text(lines[i + 1]) and len(norm_text(lines[i])) <= 20


def train_head(rows: list[dict[str, Any]], head: str) -> dict[str, float]:
    """A binary head ("byline", "title"): logistic regression over its candidate lines' features."""
    cands = [(fs, y) for r in rows for fs, y in r[head]]
    counts: Counter[str] = Counter(f for fs, _ in cands for f in set(fs))
    vocab = sorted(f for f, c in counts.items() if c >= MIN_COUNT or f == "bias")
    index = {f: i for i, f in enumerate(vocab)}
    ri, ci = [], []
    for n, (fs, _) in enumerate(cands):
        for f in sorted(set(fs)):
            if f in index:
                ri.append(n)
                ci.append(index[f])
    x = sparse.csr_matrix((np.ones(len(ri)), (ri, ci)), shape=(len(cands), len(vocab)))
    y = np.array([float(v) for _, v in cands])
    ww = np.where(y > 0, BYLINE_POS, 1.0)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        eps = 1e-12
        val = (
            -(ww * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))).sum()
            + 0.5 * BYLINE_L2 * (w**2).sum()
        )
        grad = x.T @ (ww * (p - y)) + BYLINE_L2 * w
        return float(val), np.asarray(grad).ravel()

    res = minimize(loss, np.zeros(len(vocab)), jac=True, method="L-BFGS-B", options={"maxiter": 400})
    return {f: round(float(res.x[i]), 4) for i, f in enumerate(vocab) if abs(res.x[i]) >= 1e-3}


def page_rows(arts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Lines, features, labels and weights of every article (outlet memory in sorted order)."""
    memory = OutletMemory()
    out = {}
    for n, g in enumerate(arts):
        # every other titled page comes with its title from the feed, as producers often send one
        given = g.get("title") if n % 2 else None
        lines, _, hints = line_view(g["text"], url=g.get("url"), title=given)
        if OUTLET_MEMORY:
            hints.seen = memory.seen(str(g.get("outlet")), lines)
        labels, weights = label_page(g, lines, hints.rule_kind)
        feats = page_features(lines, hints)
        want = norm_text(g.get("byline"))
        want_t = norm_text(g.get("title"))
        cands = byline_lines(lines, hints)
        scored = set(
            body_lines(lines, set(range(len(lines))) - set(hints.rule_kind), THRESHOLDS, hints.marks)
        )
        out[str(g["id"])] = {
            "outlet": str(g.get("outlet")).casefold(),
            # the lines full mode scores (the others, long paragraphs the rules keep, count as body)
            "scored": [i in scored for i in range(len(lines))],
            "feats": feats,
            "labels": labels,
            "weights": weights,
            "seen": hints.seen,
            "title": [
                (head_features(feats[i]), bool(want_t) and _named(g, lines[i]) == "title")
                for i in title_lines(lines, hints)
            ],
            "byline": [
                (
                    head_features(feats[i]),
                    bool(want) and (want in norm_text(lines[i]) or _label_above(lines, i, want)),
                )
                for i in cands
            ],
        }
    return out


def stacked_feats(rows: list[dict[str, Any]], first: dict[str, list[float]]) -> list[list[list[str]]]:
    """Each row's features for the second pass: its own and what ``first`` says of its neighbours."""
    model = LineModel(LABELS, first)
    one = [float(lab == "body") for lab in LABELS]
    out = []
    for r in rows:
        vecs = [model.probs(fs) if sc else one for fs, sc in zip(r["feats"], r["scored"], strict=True)]
        if STACK_OWN:
            out.append([[*fs, *stack_features(vecs, i)] for i, fs in enumerate(r["feats"])])
        else:
            out.append([["bias", *stack_features(vecs, i)] for i in range(len(vecs))])
    return out


def out_of_fold(rows: list[dict[str, Any]]) -> list[list[list[str]]]:
    """Second-pass features of every row from first-pass models that did not see its outlet
    (inner folds by outlet, as at run time the first pass has never seen the page)."""
    outlets = sorted({r["outlet"] for r in rows})
    fold = {o: i % FOLDS for i, o in enumerate(outlets)}
    out: list[list[list[str]]] = [[] for _ in rows]
    for k in range(FOLDS):
        inner = [r for r in rows if fold[r["outlet"]] != k]
        held = [n for n, r in enumerate(rows) if fold[r["outlet"]] == k]
        if not held:
            continue
        first = fit([r["feats"] for r in inner], inner)
        for n, fs in zip(held, stacked_feats([rows[n] for n in held], first), strict=True):
            out[n] = fs
    return out


def train(rows: list[dict[str, Any]]) -> LineModel:
    weights = fit([r["feats"] for r in rows], rows)
    stack = fit(out_of_fold(rows), rows) if STACK else None
    meta = {"l2": L2, "weak": WEAK, "lines": sum(len(r["labels"]) for r in rows), "features": len(weights)}
    meta["thresholds"] = dict(THRESHOLDS)
    meta["byline_head"] = {"l2": BYLINE_L2, "positive_weight": BYLINE_POS, "skip": list(HEAD_SKIP)}
    meta["title_head"] = {"l2": BYLINE_L2, "positive_weight": BYLINE_POS, "skip": list(HEAD_SKIP)}
    if stack:
        meta["stack"] = {"l2": L2, "features": len(stack), "own": STACK_OWN, "below": STACK_BELOW}
    heads = {h: train_head(rows, h) for h in ("byline", "title")}
    return LineModel(LABELS, weights, meta, heads, stack)


def fit(feats: list[list[list[str]]], rows: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Multinomial logistic regression over the rows' labels and weights (features given per row)."""
    counts: Counter[str] = Counter(f for page in feats for fs in page for f in set(fs))
    vocab = sorted(f for f, c in counts.items() if c >= MIN_COUNT or f == "bias")
    index = {f: i for i, f in enumerate(vocab)}
    data, ri, ci, y, w = [], [], [], [], []
    n = 0
    for page, r in zip(feats, rows, strict=True):
        for fs, lab, wt in zip(page, r["labels"], r["weights"], strict=True):
            for f in set(fs):
                if f in index:
                    ri.append(n)
                    ci.append(index[f])
                    data.append(1.0)
            y.append(LABELS.index(lab))
            w.append(wt)
            n += 1
    x = sparse.csr_matrix((data, (ri, ci)), shape=(n, len(vocab)))
    yy = np.array(y)
    ww = np.array(w)
    k = len(LABELS)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), yy] = 1.0

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        wm = flat.reshape(len(vocab), k)
        z = x @ wm
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        val = -(ww * (onehot * logp).sum(axis=1)).sum() + 0.5 * L2 * (flat**2).sum()
        grad = x.T @ ((np.exp(logp) - onehot) * ww[:, None]) + L2 * wm
        return float(val), np.asarray(grad).ravel()

    res = minimize(loss, np.zeros(len(vocab) * k), jac=True, method="L-BFGS-B", options={"maxiter": 400})
    wm = res.x.reshape(len(vocab), k)
    return {
        f: [round(float(v), 4) for v in wm[i]] for i, f in enumerate(vocab) if np.abs(wm[i]).max() >= 1e-3
    }


def _measure(g: dict[str, Any], res: Any, tot: dict[str, list[int]], misses: list[str]) -> None:
    body = norm_text(res.body if res else "")
    for key in ("title", "byline"):
        got = getattr(res, key) if res else None
        if g.get(key):
            ok = norm_text(got) == norm_text(g[key])
            tot[key][0] += ok
            tot[key][1] += 1
            if not ok:
                misses.append(f"{g['id']} {key}: want {g[key]!r} got {got!r}")
        else:
            tot[key + "_invented"][0] += not got
            tot[key + "_invented"][1] += 1
            if got:
                misses.append(f"{g['id']} {key} invented: {got!r}")
    furn = [f for f in g.get("furniture", []) if norm_text(f)]
    for f in furn:
        left = norm_text(f) in body
        tot["furniture_removed"][0] += not left
        if left:
            misses.append(f"{g['id']} furniture left: {f[:70]!r}")
    tot["furniture_removed"][1] += len(furn)
    keep = [k for k in g.get("must_keep", []) if norm_text(k)]
    for k in keep:
        whole = norm_text(k) in body
        kept = text_kept(norm_text(k), body)
        tot["text_kept"][0] += kept
        tot["text_kept_whole"][0] += whole
        if not kept:
            misses.append(f"{g['id']} text lost: {k[:70]!r}")
    tot["text_kept"][1] += len(keep)
    tot["text_kept_whole"][1] += len(keep)
    _content_cut(g, res, tot, misses)


def _content_cut(g: dict[str, Any], res: Any, tot: dict[str, list[int]], misses: list[str]) -> None:
    """Lines the rules kept and the model cut that no manifest field names as furniture, title, byline
    or dateline: article text (a list inside the body, a subhead, a wrapped paragraph's piece) or
    furniture nobody listed. Lower is better; what the later stages lose when the model cuts text."""
    for kind, line in res.removed if res else ():
        if not kind.startswith("model:"):
            continue
        named = _named(g, line)
        cut = named in (None, "body")
        tot["content_cut"][0] += cut
        tot["content_cut"][1] += 1
        if cut:
            misses.append(f"{g['id']} content cut ({kind}): {line[:70]!r}")


KEYS = (
    "title",
    "title_invented",
    "byline",
    "byline_invented",
    "furniture_removed",
    "text_kept",  # whole, or with its leading dateline split off into the record's fields
    "text_kept_whole",  # the sentence whole in the body, dateline and all
    "content_cut",  # model cuts of lines no manifest field names (of all its cuts; lower is better)
)


def evaluate(
    arts: list[dict[str, Any]], models: dict[str, Any], *, body: bool = True
) -> tuple[dict[str, list[int]], list[str]]:
    tot = {k: [0, 0] for k in KEYS}
    misses: list[str] = []
    for g in arts:
        try:
            res = clean_article(g["text"], url=g.get("url"), line_model=models[str(g["id"])], model_body=body)
        except StageError:
            res = None
        _measure(g, res, tot, misses)
    return tot, misses


def _objective(tot: dict[str, list[int]]) -> float:
    """What a nested choice maximises (set before any run): furniture removed, an article sentence lost
    costing five strings, a cut line no field names half a string."""
    lost = tot["text_kept"][1] - tot["text_kept"][0]
    return tot["furniture_removed"][0] - 5.0 * lost - 0.5 * tot["content_cut"][0]


def nested_choice(
    arts: list[dict[str, Any]], rows: dict[str, dict[str, Any]], key: str, values: list[float], *, body: bool
) -> float:
    """The value of threshold ``key`` that the inner outlet folds of ``arts`` (one outer fold's training
    pages) score best (:func:`_objective`; ties go to the first value): nothing is chosen on the pages
    it is then measured on."""
    fold = folds_of(arts)
    inner: dict[str, Any] = {}
    for k in range(FOLDS):
        model = train([rows[i] for i in sorted(fold) if fold[i] != k])
        inner.update({i: model for i in fold if fold[i] == k})
    scores = []
    for v in values:
        for m in {id(m): m for m in inner.values()}.values():
            m.meta["thresholds"][key] = v
        scores.append(_objective(evaluate(arts, inner, body=body)[0]))
    print(f"  nested {key}: " + ", ".join(f"{v:g}={sc:.1f}" for v, sc in zip(values, scores, strict=True)))
    return values[scores.index(max(scores))]


def folds_of(arts: list[dict[str, Any]]) -> dict[str, int]:
    outlets = sorted({str(g.get("outlet")).casefold() for g in arts})
    fold = {o: i % FOLDS for i, o in enumerate(outlets)}
    return {str(g["id"]): fold[str(g.get("outlet")).casefold()] for g in arts}


def _table(name: str, tot: dict[str, list[int]]) -> str:
    cells = [f"{k} {a}/{b}={a / b:.3f}" if b else f"{k} -" for k, (a, b) in tot.items()]
    return f"{name}: " + ", ".join(cells)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--no-cv", action="store_true", help="only train and write the shipped model")
    ap.add_argument("--misses", action="store_true")
    ap.add_argument(
        "--meta-misses", action="store_true", help="also print the misses of the default meta mode"
    )
    ap.add_argument("--sweep", nargs="*", help="threshold sets to try on the CV models: title=0.3,byline=0.3")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--nested", help="KEY=v1,v2,…: choose a threshold per outer fold on inner folds")
    args = ap.parse_args(argv)
    arts = load_articles()
    if not arts:
        print(f"no articles under {SHARED}/eval", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    rows = page_rows(arts)
    if args.no_cv:
        return _ship(rows, args.out)
    fold = folds_of(arts)
    models: dict[str, Any] = {}
    for k in range(FOLDS):
        model = train([rows[i] for i in sorted(rows) if fold[i] != k])
        models.update({i: model for i in rows if fold[i] == k})
    if args.nested:
        # a threshold chosen per outer fold on that fold's training pages alone (inner outlet folds)
        key, _, vals = args.nested.partition("=")
        values = [float(v) for v in vals.split(",")]
        for k in range(FOLDS):
            train_arts = [g for g in arts if fold[str(g["id"])] != k]
            best = nested_choice(train_arts, rows, key, values, body=not key.startswith("meta_"))
            print(f"fold {k}: {key} = {best:g}")
            for i in (i for i in rows if fold[i] == k):
                models[i].meta["thresholds"][key] = best
    tot, misses = evaluate(arts, models)
    base, _ = evaluate(arts, dict.fromkeys(models, False))
    print(f"{len(arts)} articles, {len({g['outlet'] for g in arts})} outlets, {FOLDS} outlet-grouped folds")
    print(_table("rules alone     ", base))
    print(_table("model (held out)", tot))
    meta_tot, meta_misses = evaluate(arts, models, body=False)
    print(_table("title+byline only", meta_tot))
    for spec in args.sweep or ():
        th = dict(x.split("=") for x in spec.split(","))
        for m in {id(m): m for m in models.values()}.values():
            m.meta["thresholds"] = {k: float(v) for k, v in th.items()}
        tot, misses = evaluate(arts, models)  # --misses prints the last set's
        print(_table(f"  {spec}", tot))
    if args.misses:
        print("\n".join(misses))
    if args.meta_misses:
        print("\n".join("meta: " + m for m in meta_misses))
    print(f"({time.perf_counter() - t0:.1f} s)")
    if args.cv_only:
        return 0
    return _ship(rows, args.out)


def _ship(rows: dict[str, dict[str, Any]], out: Path) -> int:
    """Train on every page and write the model."""
    model = train([rows[i] for i in sorted(rows)])
    out.write_text(json.dumps(model.to_json(), sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size // 1024} KB, {len(model.weights)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
