"""Benchmark: analysis + entities + figures + quotes per ~3 KB article on one core; prints medians.

Usage: PYTHONPATH=. python bench/bench_entities.py [SEED_DIR]
Uses the seed articles when present (cut or repeated to ~3 KB), else a built-in made-up article.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from streams.core.doc import Doc
from streams.core.records import RawArticle
from streams.ingest.normalize import normalize_text

_SAMPLE = (
    "JAKARTA - Presiden Prabowo Subianto bertemu Perdana Menteri Malaysia Anwar Ibrahim di Istana Merdeka, "
    "Senin. Menteri Luar Negeri Sugiono mengatakan kedua negara sepakat memperkuat kerja sama ASEAN.\n"
    "“Kami membahas banyak hal, termasuk situasi di Laut China Selatan,” kata Sugiono kepada wartawan.\n"
    "Sementara itu, serangan Rusia ke Kharkiv menewaskan sedikitnya 12 orang dan melukai 45 lainnya, "
    "menurut Gubernur Oleh Syniehubov. Rusia meluncurkan 120 drone dan 8 rudal semalam.\n"
)


def _articles(seed_dir: Path | None) -> list[str]:
    texts = []
    if seed_dir and seed_dir.is_dir():
        texts = [normalize_text(p.read_text(encoding="utf-8")) for p in sorted(seed_dir.glob("*.txt"))]
    if not texts:
        texts = [_SAMPLE]
    out = []
    for t in texts:
        while len(t.encode()) < 3000:
            t = t + "\n" + t
        out.append(t.encode()[:3072].decode("utf-8", "ignore"))
    return out


def main() -> None:
    from streams.nlp.analysis import AnalysisStage
    from streams.nlp.entities import EntityStage
    from streams.nlp.figures import FigureStage
    from streams.nlp.kb import load_kb
    from streams.nlp.quotes import QuoteStage

    t0 = time.perf_counter()
    load_kb()
    kb_ms = (time.perf_counter() - t0) * 1000
    shared = os.environ.get("WARTA_SHARED", "../shared")
    seed_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(shared) / "seeds"
    arts = _articles(seed_dir)
    stages = [AnalysisStage(), EntityStage(), FigureStage(), QuoteStage()]  # figures read the analysis
    per_stage: dict[str, list[float]] = {s.name: [] for s in stages}
    totals: list[float] = []
    for _ in range(3):  # warm-up
        for a in arts:
            d = Doc(raw=RawArticle(text=a), body=a, language="id")
            for s in stages:
                s(d)
    for _ in range(60):
        for a in arts:
            d = Doc(raw=RawArticle(text=a), body=a, language="id")
            t = time.perf_counter()
            for s in stages:
                ts = time.perf_counter()
                s(d)
                per_stage[s.name].append((time.perf_counter() - ts) * 1000)
            totals.append((time.perf_counter() - t) * 1000)
    print(f"knowledge base load: {kb_ms:.1f} ms (first call in this process; cached automaton when warm)")
    print(
        f"articles: {len(arts)} x ~{statistics.mean(len(a.encode()) for a in arts):.0f} bytes, runs: {len(totals)}"
    )
    for name, xs in per_stage.items():
        print(f"  {name:9} median {statistics.median(xs):.3f} ms")
    print(f"analysis+entities+figures+quotes median per article: {statistics.median(totals):.3f} ms")


if __name__ == "__main__":
    main()
