"""``warta demo``: a local broker, a worker, the sample articles, readable output, clean shutdown."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from streams.cli.render import enriched_table
from streams.core.settings import Settings
from streams.feeds.demo import DemoFeedServer
from streams.ingest.inputs import iter_inputs
from streams.kafka.admin import create_topics
from streams.kafka.broker import LocalBroker, free_port
from streams.kafka.client import collect, publish_items
from streams.kafka.runner import WorkerProcess, isolated_env
from streams.observability.logging import configure_logging

__all__ = ["run_demo", "run_feed_demo", "sample_paths"]

console = Console()


def sample_paths() -> list[str]:
    root = Path(str(resources.files("streams.data") / "samples"))
    return sorted(str(p) for p in root.iterdir() if p.suffix in (".txt", ".jsonl", ".html"))


def _dlq_table(rows: list[dict[str, object]]) -> Table:
    table = Table(title="warta.dlq")
    for col in ("key / offset", "code", "reason"):
        table.add_column(col, overflow="fold")
    for v in rows:
        table.add_row(f"{v.get('source_key')} @{v.get('source_partition')}/{v.get('source_offset')}",
                      str(v.get("error_code")), str(v.get("reason"))[:90])  # fmt: skip
    return table


def run_demo(base: Settings, workdir: Path | None = None) -> int:
    """``base``: the settings the CLI built (Kafka jar cache, ``demo_hold``). The demo's own tables
    are its output: logs below WARNING stay quiet (the worker's go to its log file), and the
    temporary folder it makes (broker data, worker state, archive) is removed at the end."""
    if base.log_level.upper() != "DEBUG":
        configure_logging("WARNING", base.log_format)
    tmp = Path(workdir or tempfile.mkdtemp(prefix="warta-demo-"))
    try:
        return _run_demo(base, tmp)
    finally:
        if workdir is None:
            shutil.rmtree(tmp, ignore_errors=True)


def _run_demo(base: Settings, tmp: Path) -> int:
    cache = base.kafka_cache
    broker = LocalBroker(cache, tmp / "kafka")
    worker: WorkerProcess | None = None
    web: WorkerProcess | None = None
    try:
        console.rule("[bold]1. Kafka")
        console.print("fetching Kafka jars if needed and starting a single-node KRaft broker…")
        state = broker.start()
        console.print(f"Kafka is up at {state.bootstrap}")
        env = isolated_env(state.bootstrap, "demo", tmp / "state", WARTA_PARTITIONS="3")
        # Plain topic names in the demo, as in production.
        for k in list(env):
            if k.startswith("WARTA_TOPICS__"):
                del env[k]
        settings = Settings(
            brokers=state.bootstrap, app_id="demo-warta", data_dir=tmp / "state", partitions=3
        )
        create_topics(settings)

        console.rule("[bold]2. Worker")
        worker = WorkerProcess(env, log_path=tmp / "worker.log").start()
        console.print(f"worker ready; metrics at {worker.url}/metrics, health at {worker.url}/health")
        live_port = free_port()
        web = WorkerProcess(
            env, log_path=tmp / "web.log", web_port=live_port, command=("web", "--port", str(live_port))
        ).start(timeout=60)
        console.print(
            f"live page: open {web.url} in a browser (articles and alerts appear as they arrive; "
            "WARTA_DEMO_HOLD=300 make demo keeps it up for 5 minutes at the end)"
        )

        console.rule("[bold]3. Publish")
        items = list(iter_inputs(sample_paths()))
        t0 = time.time()
        sent = publish_items(settings, items)
        n_bad = sum(1 for i in items if i.raw is None)
        console.print(
            f"published {sent} records ({n_bad} of them malformed on purpose) to {settings.topics.raw}"
        )

        console.rule("[bold]4. What came out")
        enriched = collect(settings, settings.topics.enriched, sent - n_bad, timeout=60)
        took = time.time() - t0
        console.print(enriched_table([r.value for r in enriched]))
        dlq = collect(settings, settings.topics.dlq, n_bad, timeout=20)
        console.print(_dlq_table([r.value for r in dlq]))
        dups = collect(settings, settings.topics.duplicates, 1, timeout=5)
        for d in dups:
            v = d.value
            console.print(f"duplicate: {v['id']} is a copy of {v['duplicate_of']} "
                          f"(similarity {v['similarity']:.2f}, {v['method']})")  # fmt: skip
        events = collect(settings, settings.topics.events, 1000, timeout=3)
        console.print(f"{len(events)} domain events on {settings.topics.events}")
        console.print(
            f"{len(enriched)} enriched and {len(dlq)} dead-lettered in {took:.1f}s (including consumer start)"
        )
        ok = len(enriched) == sent - n_bad and len(dlq) == n_bad

        console.rule("[bold]5. Alerts and archive")
        from streams.cli.downstream import run_downstream_demo

        downstream_ok = run_downstream_demo(settings, tmp)
        if not downstream_ok:
            console.print("[red]expected alerts to fire and the archive to hold articles[/red]")
        ok = ok and downstream_ok

        console.rule("[bold]6. Feed ingest")
        feeds_ok = run_feed_demo(settings, tmp, console)
        if not feeds_ok:
            console.print("[red]expected the 3 sample feed items to be ingested once and enriched[/red]")
        ok = ok and feeds_ok
        if not ok:
            console.print(f"[red]expected {sent - n_bad} enriched and {n_bad} DLQ records[/red]")
            console.print(worker.log_tail())
        return 0 if ok else 1
    finally:
        hold = base.demo_hold
        if hold > 0 and web is not None:
            console.print(f"holding {hold:.0f}s: the live page is at {web.url} (Ctrl-C to stop now)")
            try:
                time.sleep(hold)
            except KeyboardInterrupt:
                pass
        console.rule("[bold]7. Shutdown")
        if web is not None:
            web.stop(timeout=10)
            console.print("live page stopped")
        if worker is not None:
            worker.stop(timeout=20)
            console.print("worker stopped")
        broker.stop()
        console.print("Kafka stopped")


def run_feed_demo(settings: Settings, workdir: Path, console: Any) -> bool:
    """The demo's feed step: serve the sample feed locally, poll it into Kafka (the running worker
    enriches the items), show what came out, then poll again to show nothing is republished."""
    from streams.feeds.config import load_feeds
    from streams.feeds.poller import poll_once_to_kafka

    server = DemoFeedServer().start()
    try:
        feeds_file = server.feeds_file(workdir / "feeds.yaml")
        console.print(f"serving the sample feed at {server.base}/rss.xml; feeds file {feeds_file}")
        feeds = load_feeds(feeds_file)

        async def poll() -> Any:
            return await poll_once_to_kafka(feeds, settings, workdir / "feeds.db")

        t0 = time.time()
        first = asyncio.run(poll())
        console.print(f"poll 1: {first.new} new items, {first.published} published to {settings.topics.raw} "
                      f"in {time.time() - t0:.1f}s (robots.txt checked, one request per second per host)")  # fmt: skip
        want = first.published

        def arrived(recs: list[Any]) -> bool:
            return sum(1 for r in recs if str(r.value.get("url", "")).startswith(server.base)) >= want

        recs = collect(settings, settings.topics.enriched, 0, timeout=60, until=arrived)
        mine = [r.value for r in recs if str(r.value.get("url", "")).startswith(server.base)]
        console.print(enriched_table(mine))
        for v in mine:
            console.print(
                f"  {v['url']}  source={v['source'].get('name')}  published_at={v.get('published_at')}"
            )
        second = asyncio.run(poll())
        console.print(f"poll 2 (same state): {second.new} new, {second.published} published — nothing twice")
        return want == 3 and len(mine) == want and second.published == 0
    finally:
        server.stop()
