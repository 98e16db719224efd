"""Benchmark: median time of both classifiers (topics + events) per 3 KB article, one core.

Usage: PYTHONPATH=. python bench/bench_classify.py [--rounds N] [SEED_DIR]
Uses the seed articles when found (``$WARTA_SHARED/seeds``) plus built-in Indonesian and English texts,
each cut or repeated to exactly 3,000 characters.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import timeit
from pathlib import Path

from streams.nlp.analysis import analyze
from streams.nlp.classify_model import load_model
from streams.nlp.events import detect_events, load_event_rules
from streams.nlp.topics import classify_topics, load_lexicon, load_taxonomy

#: sum(range(10000)) on an idle, current x86-64 core with CPython 3.11 (for the normalised estimate).
REFERENCE_IDLE_US = 75.0

BUILTIN = [
    "Rusia melancarkan serangan rudal dan drone ke Kyiv pada Selasa malam, kata militer Ukraina. Pasukan "
    "Ukraina menembak jatuh sebagian besar rudal. Presiden Volodymyr Zelensky menyerukan gencatan senjata "
    "dan mengatakan perundingan dengan Rusia akan dilanjutkan di Istanbul. ",
    "Timnas Indonesia menang 2-0 atas Vietnam dalam laga kualifikasi Piala Dunia. Gol pertama dicetak "
    "striker pada menit ke-23, disusul gol kedua lewat tendangan penalti. Pelatih memuji para pemain. ",
    "Negotiators from Kyiv and Moscow met in Istanbul for a new round of peace talks. The delegations "
    "discussed a ceasefire and a prisoner exchange, and Russia launched 120 drones overnight. ",
    "Bank Indonesia raised its benchmark interest rate to defend the rupiah as inflation climbed and "
    "investors sold shares; exports fell and the stock market closed lower. ",
]


def _articles(seed_dir: Path | None) -> list[str]:
    texts = list(BUILTIN)
    if seed_dir and seed_dir.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))]
    out = []
    for t in texts:
        while len(t) < 3000:
            t = t + "\n" + t
        out.append(t[:3000])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "seeds", nargs="?", default=str(Path(os.environ.get("WARTA_SHARED", "../shared")) / "seeds")
    )
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args(argv)
    load_taxonomy(), load_lexicon(), load_event_rules()
    model = load_model()
    arts = _articles(Path(args.seeds))
    for a in arts:  # warm caches
        classify_topics(a, model=model)
        detect_events(a)
    both: list[float] = []
    topics: list[float] = []
    events: list[float] = []
    wall: list[float] = []
    clock = time.thread_time  # CPU time of this thread: one core, not the time spent waiting for it
    ratios: list[float] = []
    for _ in range(args.rounds):
        r0 = clock()
        sum(range(10000))
        ref_round = clock() - r0
        for a in arts:
            a = a + " "  # defeat per-text caches: every round sees a "new" article
            an = analyze(a)  # the shared analysis stage runs before (timed in the pipeline bench)
            w0 = time.perf_counter()
            t0 = clock()
            classify_topics(a, model=model, analysis=an)
            t1 = clock()
            detect_events(a)
            t2 = clock()
            wall.append(time.perf_counter() - w0)
            topics.append(t1 - t0)
            events.append(t2 - t1)
            both.append(t2 - t0)
            if ref_round > 0:
                ratios.append((t2 - t0) / ref_round)
    ms = 1000.0
    ref = min(timeit.repeat("sum(range(10000))", number=100, repeat=5)) / 100
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"articles: {len(arts)} x {args.rounds} rounds, 3000 chars each (model: {'yes' if model else 'no'})"
    )
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} (shared machines inflate these figures)")
    print(
        f"reference: sum(range(10000)) takes {ref * 1e6:.0f} us here (about 60-90 us on an idle modern core)"
    )
    print(f"topics  median {statistics.median(topics) * ms:.3f} ms CPU")
    print(f"events  median {statistics.median(events) * ms:.3f} ms CPU")
    print(
        f"both    median {statistics.median(both) * ms:.3f} ms CPU per 3 KB article (budget 1 ms); "
        f"wall median {statistics.median(wall) * ms:.3f} ms"
    )
    if ratios:
        est = statistics.median(ratios) * REFERENCE_IDLE_US / 1000.0
        print(
            f"both    = {statistics.median(ratios):.1f} x sum(range(10000)) measured alongside; "
            f"on a core where that takes {REFERENCE_IDLE_US:.0f} us: ~{est:.2f} ms (estimate)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
