"""``warta eval dedup``: make a seeded duplicate set from real articles and score the clustering.

The set holds originals, variants of them (exact copies, copies in another outlet's page
furniture, the first 70%, a few words changed or dropped, lines joined with a dateline) and
distinct articles of the same outlet and category as hard negatives. Each line is a RawArticle
plus ``gold`` (the cluster) and ``kind``. The scores are pairwise precision, recall and F1 of the
duplicate groups (``duplicate_of`` or the article itself) and of the stories (``story_id``).
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from streams.core.pipeline import build_pipeline
from streams.core.records import EnrichedArticle, RawArticle

__all__ = ["VARIANT_KINDS", "PairScore", "default_source", "evaluate", "make_set", "pair_scores"]

VARIANT_KINDS = ("exact", "furniture", "trim70", "edit", "joined_dateline")

# Made-up page furniture of made-up outlets (never real text of the source articles).
_HEADERS = [
    "BERANDA | NASIONAL | EKONOMI | OLAHRAGA | TEKNO",
    "Kabar Pelita Nusantara - Terpercaya Sejak 2009",
    "Home > Berita > Terkini",
    "Advertisement",
    "Laporan Wartawan Suara Cakrawala",
    "Editor: Redaksi Harian Lintas Timur",
]
_FOOTERS = [
    "Baca juga: Harga cabai di pasar induk kembali turun pekan ini",
    "Ikuti Kabar Pelita di Google News untuk berita terbaru",
    "Dapatkan berita pilihan langsung di ponsel Anda. Gabung saluran kami sekarang!",
    "Copyright © 2017 Harian Lintas Timur. All rights reserved.",
    "TAGS: berita terkini, nasional, viral",
    "Simak video menarik lainnya di kanal kami.",
    "Komentar Anda (0) - Silakan login untuk berkomentar",
]
_OUTLETS = ["kabarpelita.id", "lintastimur.com", "suaracakrawala.net", "wartanusa.co.id", "harianmentari.com"]
_CITIES = ["JAKARTA", "BANDUNG", "SURABAYA", "MEDAN", "MAKASSAR", "YOGYAKARTA"]


def default_source(shared: Path) -> Path:
    """``<shared>/eval/indosum_dev.jsonl`` (``shared`` is the ``shared`` setting, ``$WARTA_SHARED``)."""
    return shared / "eval" / "indosum_dev.jsonl"


def _furniture(text: str, rng: random.Random) -> str:
    head = rng.sample(_HEADERS, rng.randint(1, 3))
    foot = rng.sample(_FOOTERS, rng.randint(2, 4))
    return "\n".join([*head, "", text, "", *foot])


def _trim(text: str, share: float = 0.7) -> str:
    cut = int(len(text) * share)
    space = text.rfind(" ", 0, cut)
    return text[: space if space > 0 else cut].rstrip()


def _edit(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    n = max(3, min(8, len(words) // 60))
    for _ in range(n):
        i = rng.randrange(len(words))
        if rng.random() < 0.5 and len(words) > 10:
            del words[i]
        else:
            words[i] = rng.choice(words)
    return " ".join(words)


def _joined(text: str, rng: random.Random) -> str:
    body = " ".join(line.strip() for line in text.splitlines() if line.strip())
    outlet = rng.choice(_OUTLETS).split(".")[0].capitalize()
    return f"{rng.choice(_CITIES)}, {outlet} - {body}"


def _variant(kind: str, text: str, rng: random.Random) -> str:
    if kind == "exact":
        return text
    if kind == "furniture":
        return _furniture(text, rng)
    if kind == "trim70":
        return _trim(text)
    if kind == "edit":
        return _edit(text, rng)
    return _joined(text, rng)


def make_set(
    source: Path,
    out: Path,
    *,
    seed: int = 7,
    originals: int = 150,
    negatives: int = 250,
    min_chars: int = 600,
) -> int:
    """Write the evaluation set to ``out``; returns the number of lines. Same seed, same set."""
    rng = random.Random(seed)
    rows = [orjson.loads(line) for line in source.read_bytes().splitlines() if line.strip()]
    rows = [r for r in rows if len(r.get("text") or "") >= min_chars]
    rng.shuffle(rows)
    by_group: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_group[(r.get("source") or "", r.get("category") or "")].append(r)
    chosen = rows[:originals]
    used = {r["id"] for r in chosen}
    # Hard negatives: other articles of the same outlet and category as the originals.
    pool = [
        r for r in rows if r["id"] not in used and by_group[(r.get("source") or "", r.get("category") or "")]
    ]
    same = [
        r
        for r in pool
        if any((r.get("source"), r.get("category")) == (c.get("source"), c.get("category")) for c in chosen)
    ]
    negs = same[:negatives]
    base = datetime(2017, 3, 27, 8, 0, tzinfo=UTC)
    lines: list[dict[str, Any]] = []
    for i, r in enumerate(chosen):
        when = base + timedelta(minutes=rng.randint(0, 3 * 24 * 60))
        gold = f"g{i}"
        lines.append(_line(r["id"], r["text"], r.get("source"), when, gold, "original", r.get("category")))
        for j, kind in enumerate(rng.sample(VARIANT_KINDS, rng.randint(1, 3))):
            later = when + timedelta(minutes=rng.randint(5, 36 * 60))
            text = _variant(kind, r["text"], rng)
            lines.append(
                _line(
                    f"{r['id']}~{kind}{j}", text, rng.choice(_OUTLETS), later, gold, kind, r.get("category")
                )
            )
    for k, r in enumerate(negs):
        when = base + timedelta(minutes=rng.randint(0, 3 * 24 * 60))
        lines.append(_line(r["id"], r["text"], r.get("source"), when, f"n{k}", "negative", r.get("category")))
    lines.sort(key=lambda d: d["published_at"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in lines))
    return len(lines)


def _line(
    aid: str, text: str, source: str | None, when: datetime, gold: str, kind: str, cat: str | None
) -> dict[str, Any]:
    return {"id": aid, "text": text, "source": source, "published_at": when.isoformat(),
            "gold": gold, "kind": kind, "category": cat}  # fmt: skip


@dataclass
class PairScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_merges: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pair_scores(
    gold: dict[str, str], pred: dict[str, str], kinds: dict[str, str]
) -> tuple[PairScore, dict[str, PairScore]]:
    """Pairwise scores overall and per kind (a pair counts for the kind of each of its members)."""
    total = PairScore()
    per: dict[str, PairScore] = defaultdict(PairScore)
    ids = sorted(gold)
    for a, b in itertools.combinations(ids, 2):
        same_gold, same_pred = gold[a] == gold[b], pred.get(a) == pred.get(b)
        if not same_gold and not same_pred:
            continue
        buckets = [total, per[kinds[a]]] + ([per[kinds[b]]] if kinds[b] != kinds[a] else [])
        for s in buckets:
            if same_gold and same_pred:
                s.tp += 1
            elif same_pred:
                s.fp += 1
                s.false_merges.append((a, b))
            else:
                s.fn += 1
    return total, dict(per)


def _run(lines: Iterable[dict[str, Any]], settings: Any = None) -> list[EnrichedArticle]:
    pipeline = build_pipeline(settings)
    out = []
    for d in lines:
        raw = RawArticle(
            **{k: d[k] for k in ("id", "text", "source", "published_at") if d.get(k) is not None}
        )
        out.append(pipeline.run(raw))
    return out


def evaluate(path: Path, settings: Any = None) -> dict[str, Any]:
    """Run the pipeline over the set in order; pairwise scores for duplicate groups and stories."""
    lines = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    arts = _run(lines, settings)
    gold = {d["id"]: d["gold"] for d in lines}
    kinds = {d["id"]: d["kind"] for d in lines}
    meta = {d["id"]: (d.get("source"), d.get("category")) for d in lines}
    dup_pred = {a.id: a.dedup.duplicate_of or a.id for a in arts}
    story_pred = {a.id: a.dedup.story_id or a.id for a in arts}
    dup_total, dup_kind = pair_scores(gold, dup_pred, kinds)
    st_total, st_kind = pair_scores(gold, story_pred, kinds)

    def same_outlet(s: PairScore) -> int:
        return sum(1 for a, b in s.false_merges if meta[a] == meta[b])

    return {
        "articles": len(lines),
        "dedup": (dup_total, dup_kind),
        "story": (st_total, st_kind),
        "dedup_same_outlet_false_merges": same_outlet(dup_total),
        "story_same_outlet_false_merges": same_outlet(st_total),
        "flagged": sum(1 for a in arts if a.dedup.duplicate_of),
    }
