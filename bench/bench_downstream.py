"""Benchmark the downstream consumers' hot paths: rule evaluation and archive batch writes.

Run: PYTHONPATH=. python bench/bench_downstream.py [--pg postgresql://...]; prints medians.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from streams.alerting.engine import AlertEngine
from streams.alerting.rules import load_rules
from streams.archive.store import ArchiveStore
from streams.core.ids import event_id
from streams.core.records import CameoEvent, DedupInfo, EnrichedArticle, Entity, Figure, SourceInfo, Topic

ROOT = Path(__file__).resolve().parents[1]
BODY = (
    "Rusia meluncurkan {n} drone dan 51 rudal ke berbagai kota di Ukraina semalam, kata angkatan udara. "
    "Sedikitnya 12 orang tewas. Kedua negara juga membahas pertukaran tawanan di Abu Dhabi. " * 6
)


def make(i: int, version: str = "bench") -> EnrichedArticle:
    body = BODY.format(n=i)
    return EnrichedArticle(
        id=f"b{i}", event_id=event_id(f"b{i}", body, version), pipeline_version=version, title=f"Serangan {i}",
        body=body, language="id", source=SourceInfo(name=f"src{i % 7}"),
        topics=[Topic(code="medtop:20000056", label="armed conflict", score=0.8, parent="medtop:16000000")],
        events=[CameoEvent(code="1952", label="drones", score=0.9), CameoEvent(code="0841", label="release", score=0.7)],
        entities=[Entity(text="Ukraina", name="Ukraine", type="GPE", id="Q212", country="UA", confidence=0.9)],
        figures=[Figure(kind="drones_launched", value=i, text=str(i), span=(20, 23)),
                 Figure(kind="killed", value=12, text="12", span=(120, 122))],
        dedup=DedupInfo(story_id=f"s{i // 5}"),
    )  # fmt: skip


def median_of(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--pg", help="also benchmark this PostgreSQL URL")
    args = ap.parse_args()
    arts = [make(i) for i in range(args.n)]
    rules = load_rules(ROOT / "deploy" / "alerts" / "rules.yaml")

    def rules_run() -> None:
        eng = AlertEngine(rules)
        for a in arts:
            eng.process(a)
            eng.commit()

    t = median_of(rules_run)
    print(f"alert engine ({len(rules.rules)} example rules, memory state): {args.n / t:,.0f} articles/s "
          f"(median {t * 1e6 / args.n:.0f} us/article)")  # fmt: skip
    urls = [("sqlite", None)] + ([("postgresql", args.pg)] if args.pg else [])
    for name, url in urls:
        for batch in (1, 50, 200):

            def write(url=url, batch=batch) -> None:  # type: ignore[no-untyped-def]
                with tempfile.TemporaryDirectory() as d:
                    st = ArchiveStore(url or f"sqlite:///{d}/a.db")
                    if url:
                        st.delete_version("bench")
                    for i in range(0, len(arts), batch):
                        st.write(arts[i : i + batch])
                    st.close()

            t = median_of(write, repeat=3)
            print(f"archive {name} write, batch {batch:>3}: {args.n / t:,.0f} articles/s")


if __name__ == "__main__":
    main()
