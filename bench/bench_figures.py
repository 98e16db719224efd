"""Benchmark: figures + quotes + events per ~3 KB article on one core, and one 200k-character paragraph.

Usage: PYTHONPATH=. python bench/bench_figures.py [ARTICLES_DIR ...]
Reads the .txt articles of the given directories (default: $WARTA_SHARED/seeds and
$WARTA_SHARED/eval/realdev/articles), cut or repeated to ~3 KB. The shared analysis and the entities
are computed once per article beforehand (other stages' cost): the figures, quotes and events stages
are timed on top of them. Prints medians in ms, then the time of the same stages (and of the analysis)
on a one-paragraph article of 200,000 characters.
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


def _articles(dirs: list[Path]) -> list[str]:
    out = []
    for d in dirs:
        for p in sorted(d.glob("*.txt")):
            t = normalize_text(p.read_text(encoding="utf-8"))
            while len(t.encode()) < 3000:
                t = t + "\n" + t
            out.append(t.encode()[:3072].decode("utf-8", "ignore"))
    return out


def _prepared(text: str, lang: str, pre: list) -> Doc:  # type: ignore[type-arg]
    d = Doc(raw=RawArticle(text=text), body=text, language=lang)
    for s in pre:
        s(d)
    return d


def main() -> None:
    from streams.nlp.analysis import AnalysisStage
    from streams.nlp.entities import EntityStage
    from streams.nlp.events import EventStage
    from streams.nlp.figures import FigureStage
    from streams.nlp.quotes import QuoteStage

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    shared = Path(os.environ.get("WARTA_SHARED", "../shared"))
    dirs = [Path(a) for a in sys.argv[1:]] or [shared / "seeds", shared / "eval" / "realdev" / "articles"]
    arts = _articles([d for d in dirs if d.is_dir()])
    if not arts:
        sys.exit("no articles: pass a directory of .txt files")
    pre = [AnalysisStage(), EntityStage()]
    stages = [FigureStage(), QuoteStage(), EventStage()]
    docs = [_prepared(a, "en" if a.isascii() else "id", pre) for a in arts]
    per_stage: dict[str, list[float]] = {s.name: [] for s in stages}
    totals: list[float] = []
    for _ in range(2):  # warm-up
        for d in docs:
            for s in stages:
                s(d)
    for _ in range(20):
        for d in docs:
            t = time.perf_counter()
            for s in stages:
                ts = time.perf_counter()
                s(d)
                per_stage[s.name].append((time.perf_counter() - ts) * 1000)
            totals.append((time.perf_counter() - t) * 1000)
    print(
        f"articles: {len(arts)} x ~{statistics.mean(len(a.encode()) for a in arts):.0f} bytes, runs: {len(totals)}"
    )
    for name, xs in per_stage.items():
        print(f"  {name:8} median {statistics.median(xs):.3f} ms")
    print(f"figures+quotes+events median per article: {statistics.median(totals):.3f} ms")
    # one paragraph of 200k characters (issue 15): the stages stay linear
    para = " ".join(a.replace("\n", " ") for a in arts)
    for size in (50_000, 200_000):
        text = (para * (size // len(para) + 1))[:size]
        t = time.perf_counter()
        d = _prepared(text, "id", pre[:1])
        t_an = time.perf_counter() - t
        t = time.perf_counter()
        for s in stages:
            s(d)
        print(
            f"one paragraph of {size:,} characters: figures+quotes+events {time.perf_counter() - t:.3f} s "
            f"(analysis {t_an:.3f} s; {len(d.figures)} figures, {len(d.events)} events)"
        )


if __name__ == "__main__":
    main()
