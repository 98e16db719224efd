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
from pathlib import Path

from streams.nlp.classify_model import load_model
from streams.nlp.events import detect_events, load_event_rules
from streams.nlp.topics import classify_topics, load_lexicon, load_taxonomy

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
    for _ in range(args.rounds):
        for a in arts:
            a = a + " "  # defeat per-text caches: every round sees a "new" article
            t0 = time.perf_counter()
            classify_topics(a, model=model)
            t1 = time.perf_counter()
            detect_events(a)
            t2 = time.perf_counter()
            topics.append(t1 - t0)
            events.append(t2 - t1)
            both.append(t2 - t0)
    ms = 1000.0
    print(
        f"articles: {len(arts)} x {args.rounds} rounds, 3000 chars each (model: {'yes' if model else 'no'})"
    )
    print(
        f"topics  median {statistics.median(topics) * ms:.3f} ms   p95 {sorted(topics)[int(len(topics) * 0.95)] * ms:.3f} ms"
    )
    print(
        f"events  median {statistics.median(events) * ms:.3f} ms   p95 {sorted(events)[int(len(events) * 0.95)] * ms:.3f} ms"
    )
    print(f"both    median {statistics.median(both) * ms:.3f} ms per 3 KB article (budget 1 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
