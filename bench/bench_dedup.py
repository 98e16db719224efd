"""Benchmark of the dedup stage: median time per ~3 KB article with N articles indexed, and the
state size per indexed article (JSON bytes of keys and values, as the tables store them).

    PYTHONPATH=. python bench/bench_dedup.py [--n 100000] [--probe 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np
import orjson

from streams.core.doc import Doc
from streams.core.ids import content_hash
from streams.core.pipeline import MemoryState
from streams.core.records import RawArticle
from streams.core.settings import Settings
from streams.dedup.stage import DedupStage

SYLLABLES = [
    "ka",
    "ta",
    "ra",
    "ma",
    "na",
    "sa",
    "la",
    "pa",
    "ba",
    "da",
    "ga",
    "ja",
    "ri",
    "ku",
    "se",
    "lo",
    "be",
    "ni",
]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def article(vocab: list[str], rng: np.random.Generator, chars: int = 3000) -> str:
    """Zipf-distributed common words (like news text), plus a few names (drawn uniformly from a
    large pool, so distinct articles rarely share them) and numbers, in sentences."""
    idx = np.minimum(rng.zipf(1.3, size=chars // 6), len(vocab)) - 1
    words = [vocab[i] for i in idx]
    for _ in range(12):
        pos = int(rng.integers(len(words)))
        name = (
            vocab[int(rng.integers(len(vocab)))].capitalize()
            + " "
            + vocab[int(rng.integers(len(vocab)))].capitalize()
        )
        words[pos] = name
    for _ in range(3):
        words[int(rng.integers(len(words)))] = str(int(rng.integers(100, 100_000)))
    sentences = [" ".join(words[i : i + 18]) for i in range(0, len(words), 18)]
    return ". ".join(s[:1].upper() + s[1:] for s in sentences)[:chars]


def doc_for(aid: str, text: str, when: float) -> Doc:
    raw = RawArticle(id=aid, text=text, ingested_at=when, source=f"outlet{hash(aid) % 50}.id")
    doc = Doc.from_raw(raw)
    doc.body = text
    doc.dedup = doc.dedup.model_copy(update={"content_hash": content_hash(text)})
    return doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000, help="articles indexed before measuring")
    ap.add_argument("--probe", type=int, default=2000, help="articles timed after that")
    args = ap.parse_args()
    rng = random.Random(1)
    nrng = np.random.default_rng(1)
    vocab = vocabulary(20_000, rng)
    state = MemoryState()
    stage = DedupStage(Settings(), state)
    start = time.time() - 6.5 * 86400
    span = 6.5 * 86400
    texts: list[str] = []
    t0 = time.perf_counter()
    for i in range(args.n):
        text = article(vocab, nrng)
        if i % 10 == 9 and texts:  # a tenth are near copies of recent articles
            src = texts[rng.randrange(len(texts))]
            text = src[: int(len(src) * rng.uniform(0.7, 1.0))]
        texts.append(text)
        if len(texts) > 500:
            texts.pop(0)
        stage(doc_for(f"https://example.com/news/{i}", text, start + span * i / args.n))
    build = time.perf_counter() - t0
    n_indexed = len(state.tables["dedup_articles"])
    size = sum(
        len(orjson.dumps(k)) + len(orjson.dumps(v)) for t in state.tables.values() for k, v in t.items()
    )
    per_table = {
        name: sum(len(orjson.dumps(k)) + len(orjson.dumps(v)) for k, v in t.items()) / max(1, n_indexed)
        for name, t in state.tables.items()
    }
    # Probe: new articles, near copies and exact copies, timed one by one.
    times: list[float] = []
    now = start + span
    flagged = 0
    for j in range(args.probe):
        kind = j % 4
        text = article(vocab, nrng) if kind < 2 else texts[rng.randrange(len(texts))]
        if kind == 2:
            text = text[: int(len(text) * 0.8)]
        doc = doc_for(f"https://example.com/probe/{j}", text, now + j)
        t = time.perf_counter()
        stage(doc)
        times.append(time.perf_counter() - t)
        flagged += doc.dedup.duplicate_of is not None
    med = statistics.median(times) * 1e3
    p95 = sorted(times)[int(0.95 * len(times))] * 1e3
    mean_len = statistics.mean(len(t) for t in texts)
    print(f"indexed articles: {n_indexed} (built in {build:.1f}s, mean article {mean_len:.0f} chars)")
    print(
        f"dedup stage per article: median {med:.3f} ms, p95 {p95:.3f} ms ({args.probe} probes, {flagged} flagged)"
    )
    print(
        "state bytes per indexed article by table: " + ", ".join(f"{k}={v:.0f}" for k, v in per_table.items())
    )
    print(f"state bytes per indexed article: {size / max(1, n_indexed):.0f}")


if __name__ == "__main__":
    main()
