"""The worker's outputs with the pre-encoded handoff against the whole Doc, byte for byte.

    python -m bench.handoff_identity [--n 150] [--seed 13] [--real PATH ...] [--process]

Starts a local broker and runs the same generated articles (a fixed ``ingested_at`` each, 30 %
near copies, one partition so that dedup sees them in one order) through a worker with
``WARTA_HANDOFF=doc`` and one with the default handoff (``streams/kafka/handoff.py``), then
compares the enriched records (``processed_at`` aside), the events and the duplicate notices.
``--real PATH ...``: the articles of those files or directories (``.txt``, ``.html``, ``.jsonl``,
as ``warta process`` reads them) instead of generated ones. ``--process``: also compare the
worker's enriched records with what ``warta process`` writes for the same articles.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.generate import generate_articles
from bench.run import _drain, _prefill
from streams.core.settings import Settings
from streams.kafka.admin import create_topics
from streams.kafka.broker import LocalBroker
from streams.kafka.runner import WorkerProcess, isolated_env

__all__ = ["main"]


def _outputs(
    bootstrap: str, tmp: Path, name: str, arts: list[dict], extra: dict[str, str]
) -> dict[str, list[bytes]]:
    env = isolated_env(bootstrap, name, tmp / name, WARTA_PARTITIONS="1", **extra)
    topics = {k.split("__")[1].lower(): v for k, v in env.items() if k.startswith("WARTA_TOPICS__")}
    settings = Settings(brokers=bootstrap, partitions=1, topics=topics)
    create_topics(settings)
    asyncio.run(_prefill(bootstrap, settings.topics.raw, arts))
    worker = WorkerProcess(env, log_path=tmp / f"{name}.log")
    worker.start()
    try:
        enriched = asyncio.run(_drain(bootstrap, settings.topics.enriched, len(arts), timeout=600))
        time.sleep(3)  # the events and notices of the last articles
        events = asyncio.run(_drain(bootstrap, settings.topics.events, 10**9, timeout=15))
        dups = asyncio.run(_drain(bootstrap, settings.topics.duplicates, 10**9, timeout=8))
    finally:
        worker.stop()
    timeless = [_timeless(v) for _, _, v in enriched]
    return {"enriched": timeless, "events": [v for _, _, v in events], "duplicates": [v for _, _, v in dups]}


def _timeless(value: bytes) -> bytes:
    return orjson.dumps({k: v for k, v in orjson.loads(value).items() if k != "processed_at"})


def _process(arts: list[dict], tmp: Path) -> list[bytes]:
    """The enriched records ``warta process`` writes for ``arts`` (JSONL input), ``processed_at`` aside."""
    path = tmp / "articles.jsonl"
    path.write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in arts))
    out = subprocess.run([sys.executable, "-m", "streams", "process", str(path)], check=True,
                         capture_output=True).stdout  # fmt: skip
    return [_timeless(line) for line in out.splitlines() if line.strip()]


def _articles(args: argparse.Namespace) -> list[dict]:
    """The run's articles, each with a fixed ``ingested_at``: generated, or read from ``--real``."""
    if args.real:
        from streams.ingest.inputs import iter_inputs

        found = [it.raw.model_dump(mode="json", exclude_none=True) for it in iter_inputs(args.real) if it.raw]
    else:
        found = list(generate_articles(args.n, seed=args.seed, dup_share=0.3))
    return [{**a, "ingested_at": 1_765_000_000.0 + i} for i, a in enumerate(found)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.handoff_identity", description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--real", nargs="+", default=None, help="articles from these files or directories")
    ap.add_argument("--process", action="store_true", help="compare with `warta process` as well")
    args = ap.parse_args(argv)
    arts = _articles(args)
    tmp = Path(tempfile.mkdtemp(prefix="warta-handoff-"))
    broker = LocalBroker(Path(os.environ.get("WARTA_KAFKA_CACHE", ".cache/kafka")), tmp / "kafka", heap="1g")
    state = broker.start()
    try:
        doc = _outputs(state.bootstrap, tmp, "doc", arts, {"WARTA_HANDOFF": "doc"})
        packed = _outputs(state.bootstrap, tmp, "packed", arts, {})
    finally:
        broker.stop()
    bad = 0
    for kind, want in doc.items():
        got = packed[kind]
        differ = sum(a != b for a, b in zip(want, got, strict=False)) + abs(len(want) - len(got))
        bad += differ
        print(f"{kind}: {len(want)} whole Doc, {len(got)} handoff, {differ} differ")
    if args.process:
        want = _process(arts, tmp)
        got = packed["enriched"]
        differ = sum(a != b for a, b in zip(want, got, strict=False)) + abs(len(want) - len(got))
        bad += differ
        print(f"enriched: {len(want)} warta process, {len(got)} worker (handoff), {differ} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
