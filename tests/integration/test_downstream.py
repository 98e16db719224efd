"""The archive and alerting consumers on a real Kafka broker, real PostgreSQL and real Alertmanager."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaProducer
from fixtures_services import Receiver, alertmanager, article, free_port, pg_server, pg_url  # noqa: F401

from streams.archive.store import ArchiveStore
from streams.core.errors import WartaError
from streams.core.records import EnrichedArticle
from streams.ingest.inputs import iter_inputs
from streams.kafka.admin import create_topics
from streams.kafka.batches import consume_batches
from streams.kafka.client import collect, publish_items
from streams.kafka.replay import replay
from streams.sinks.alerting import run_alerting
from streams.sinks.archive import ArchiveService, run_archive

pytestmark = pytest.mark.kafka

SAMPLES = sorted(str(p) for p in (Path(str(resources.files("streams.data"))) / "samples").glob("*.txt"))

RULES = """
rules:
  - name: flood
    severity: warning
    labels: {desk: disaster}
    when: {keyword: [banjir, flood]}
    message: "Flood: {title} ({count} article(s))"
  - name: ceasefire-talks
    severity: info
    when:
      all:
        - keyword: [ceasefire, gencatan senjata]
        - keyword: [talks, negotiators, perundingan]
    message: "Talks: {title}"
"""


async def _send_enriched(settings, arts: Sequence[EnrichedArticle]) -> None:  # type: ignore[no-untyped-def]
    producer = AIOKafkaProducer(bootstrap_servers=settings.broker_list, acks="all")
    await producer.start()
    try:
        for a in arts:
            await producer.send_and_wait(
                settings.topics.enriched, key=a.id.encode(), value=orjson.dumps(a.model_dump(mode="json"))
            )
    finally:
        await producer.stop()


async def _committed(settings, group: str, topic: str) -> int:  # type: ignore[no-untyped-def]
    """Sum of the group's committed offsets on ``topic`` (0 when nothing was committed)."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.broker_list)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sum(o.offset for tp, o in offsets.items() if tp.topic == topic and o.offset >= 0)


async def _until(pred: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(pred):
            return True
        await asyncio.sleep(0.3)
    return False


async def _run_until(
    run: Callable[[asyncio.Event], Awaitable[Any]], pred: Callable[[], bool], timeout: float = 60
):
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop))
    try:
        ok = await _until(lambda: task.done() or pred(), timeout)
    finally:
        stop.set()
        result = await task
    return ok, result


def _articles(n: int, story_every: int = 1) -> list[EnrichedArticle]:
    return [
        article(
            f"k{i}",
            f"Banjir setinggi {i} cm di desa nomor {i}.",
            title=f"Banjir {i}",
            story=f"s{i // story_every}",
        )
        for i in range(n)
    ]


@pytest.mark.postgres
@pytest.mark.prometheus
def test_worker_to_archive_and_alerts_once_then_rerun_adds_nothing(kafka_env, request, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pg: str = request.getfixturevalue("pg_url")
    am: str = request.getfixturevalue("alertmanager")
    s = kafka_env.settings
    create_topics(s)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    hook = Receiver()
    settings = s.model_copy(
        update={
            "webhook_url": hook.url,
            "webhook_secret": "k3y",
            "alertmanager_url": am,
            "alert_state_path": tmp_path / "alert-state.db",
        }
    )
    kafka_env.worker().start()
    items = list(iter_inputs(SAMPLES))
    kafka_env.run(publish_items(s, items))
    store = ArchiveStore(pg)
    try:

        async def both(stop: asyncio.Event) -> Any:
            return await asyncio.gather(
                run_archive(settings, url=pg, stop=stop, batch_size=3),
                run_alerting(settings, rules_path=rules, stop=stop),
            )

        def archived_all() -> bool:
            c = store.counts()
            return c["articles"] == len(items) and c["alerts"] >= 2 and len(hook.requests) >= 2

        ok, _ = kafka_env.run(_run_until(both, archived_all, timeout=90))
        assert ok, (store.counts(), len(hook.requests), kafka_env.workers[0].log_tail())
        time.sleep(1.0)  # let late alert revisions land before reading back
        first = store.counts()
        alerts = kafka_env.run(collect(s, s.topics.alerts, 100, timeout=5))
        keys = [(r.value["id"], r.value["revision"]) for r in alerts]
        assert len(keys) == len(set(keys))  # each revision once on warta.alerts
        by_rule: dict[str, set[str]] = {}
        for r in alerts:
            by_rule.setdefault(r.value["rule"], set()).update(r.value["article_ids"])
        assert by_rule["flood"] >= {"id_banjir_semarang"}
        assert by_rule["ceasefire-talks"] == {"en_ceasefire_talks"}
        assert "id_timnas_menang" not in set().union(*by_rule.values())
        webhook_keys = [h["Idempotency-Key"] for h, _b in hook.requests]
        assert sorted(webhook_keys) == sorted(f"{i}:{rev}" for i, rev in keys)
        am_alerts = httpx.get(f"{am}/api/v2/alerts", params={"filter": "alertname=flood"}).json()
        assert any(a["labels"].get("desk") == "disaster" for a in am_alerts)
        assert first["alerts"] == len({i for i, _r in keys})

        # the same input again: same event ids, so no new rows and no new alerts
        kafka_env.run(publish_items(s, items))
        kafka_env.run(collect(s, s.topics.enriched, 2 * len(items), timeout=60))

        async def again(stop: asyncio.Event) -> Any:
            return await asyncio.gather(
                run_archive(settings, url=pg, stop=stop, idle_timeout=4),
                run_alerting(settings, rules_path=rules, stop=stop, idle_timeout=4),
            )

        kafka_env.run(_run_until(again, lambda: False, timeout=20))
        assert store.counts() == first
        assert len(hook.requests) == len(webhook_keys)
        assert len(kafka_env.run(collect(s, s.topics.alerts, 100, timeout=4))) == len(keys)
    finally:
        store.close()
        hook.close()


class Crash(BaseException):
    """Stands for the process dying: not an error the consumer handles."""


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_archive_crash_mid_batch_restart_archives_each_article_once(kafka_env, tmp_path, request, db) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    arts = _articles(30)
    kafka_env.run(_send_enriched(s, arts))
    url = f"sqlite:///{tmp_path}/a.db" if db == "sqlite" else request.getfixturevalue("pg_url")
    store = ArchiveStore(url)
    svc = ArchiveService(store, s)
    group = f"{s.app_id}-archive"
    done = 0

    async def crash_after_third(records) -> None:  # type: ignore[no-untyped-def]
        nonlocal done
        await svc.handle(records)  # the DB transaction commits ...
        done += 1
        if done == 3:
            raise Crash  # ... and the process dies before the offsets are committed

    with pytest.raises(Crash):
        kafka_env.run(consume_batches(s, [s.topics.enriched], group, crash_after_third, batch_size=5))
    after_crash = store.counts()["articles"]
    committed = kafka_env.run(_committed(s, group, s.topics.enriched))
    assert 0 < after_crash < 30 and committed < after_crash  # the last batch is archived but not acknowledged
    stats = kafka_env.run(
        consume_batches(s, [s.topics.enriched], group, svc.handle, batch_size=5, idle_timeout=3)
    )
    assert stats.records == 30 - committed  # the unacknowledged batch came again
    assert store.counts()["articles"] == 30
    assert {r["article_id"] for r in store.search("banjir", limit=100)} == {a.id for a in arts}
    store.close()


def test_archive_killed_with_sigkill_and_restarted_loses_nothing(kafka_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    n = 300
    kafka_env.run(_send_enriched(s, _articles(n)))
    db = tmp_path / "a.db"
    env = {**os.environ, **kafka_env.env, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streams", "archive", "--url", f"sqlite:///{db}", "--batch", "5"]
    log = (tmp_path / "archive.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    store = ArchiveStore(f"sqlite:///{db}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and store.counts()["articles"] < 20:
        time.sleep(0.02)
    proc.kill()  # SIGKILL: no chance to commit anything gracefully
    proc.wait()
    at_kill = store.counts()["articles"]
    assert at_kill >= 20, (tmp_path / "archive.log").read_text()
    proc2 = subprocess.run([*cmd, "--idle", "3"], env=env, capture_output=True, timeout=120)
    assert proc2.returncode == 0, proc2.stderr.decode()[-2000:]
    assert store.counts()["articles"] == n
    store.close()
    log.close()


class FlakyStore(ArchiveStore):
    """A real SQLite archive whose first ``fail`` writes fail as if the server were down."""

    fail = 2

    def write(self, *a: Any, **kw: Any):  # type: ignore[no-untyped-def]
        if self.fail > 0:
            self.fail -= 1
            raise WartaError("W802", "archive: write failed: connection refused (simulated)")
        return super().write(*a, **kw)


def test_archive_write_failures_commit_nothing_and_retry(kafka_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    kafka_env.run(_send_enriched(s, _articles(12)))
    store = FlakyStore(f"sqlite:///{tmp_path}/a.db")
    svc = ArchiveService(store, s)
    group = f"{s.app_id}-archive"
    stats = kafka_env.run(
        consume_batches(
            s, [s.topics.enriched], group, svc.handle, batch_size=50, idle_timeout=3, max_backoff=0.2
        )
    )
    assert stats.failures == 2 and store.counts()["articles"] == 12
    assert kafka_env.run(_committed(s, group, s.topics.enriched)) == 12
    store.close()


def test_archive_unreachable_database_retries_and_commits_nothing(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    kafka_env.run(_send_enriched(s, _articles(3)))
    url = f"postgresql://warta@127.0.0.1:{free_port()}/archive"

    async def go(stop: asyncio.Event) -> Any:
        return await run_archive(s, url=url, stop=stop)

    _ok, stats = kafka_env.run(_run_until(go, lambda: False, timeout=3))
    assert stats.records == 0
    assert kafka_env.run(_committed(s, f"{s.app_id}-archive", s.topics.enriched)) == 0


def test_alerting_webhook_down_then_up_delivers_each_revision_once(kafka_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    hook = Receiver(fail=3)  # 503 three times: the first batch fails twice (2 attempts each) before it passes
    settings = s.model_copy(
        update={
            "webhook_url": hook.url,
            "alert_state_path": tmp_path / "state.db",
            "alert_delivery_attempts": 2,
            "alert_delivery_backoff": 0.05,
        }
    )
    arts = _articles(4, story_every=2)  # two stories, two articles each
    kafka_env.run(_send_enriched(s, arts))
    try:

        async def go(stop: asyncio.Event) -> Any:
            return await run_alerting(settings, rules_path=rules, stop=stop, idle_timeout=4)

        _ok, stats = kafka_env.run(_run_until(go, lambda: False, timeout=40))
        assert stats.failures >= 1
        accepted = [h["Idempotency-Key"] for h, _b in hook.requests[3:]]
        assert len(accepted) == len(set(accepted)) == 4  # 2 alerts x 2 revisions, each accepted once
        out = kafka_env.run(collect(s, s.topics.alerts, 10, timeout=4))
        # warta.alerts holds exactly the revisions the webhook accepted, each once
        assert sorted(f"{r.value['id']}:{r.value['revision']}" for r in out) == sorted(accepted)
        # a restart does not fire again
        stats2 = kafka_env.run(_run_until(go, lambda: False, timeout=15))[1]
        assert stats2.records == 0 and len(hook.requests) == 3 + 4
    finally:
        hook.close()


def test_replay_same_version_changes_nothing_new_version_adds(kafka_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    items = list(iter_inputs(SAMPLES))
    kafka_env.run(publish_items(s, items))
    url = f"sqlite:///{tmp_path}/a.db"
    st1 = kafka_env.run(replay(s, archive_url=url))
    assert st1.read == len(items) and st1.archived_new == len(items)
    store = ArchiveStore(url)
    first = store.counts()
    st2 = kafka_env.run(replay(s, archive_url=url))
    assert st2.archived_new == 0 and store.counts() == first
    st3 = kafka_env.run(replay(s, archive_url=url, pipeline_version="9999.1.0"))
    assert st3.archived_new == len(items)
    assert store.counts()["articles"] == 2 * len(items)
    assert len(
        store.search(
            "",
            __import__("streams.archive.store", fromlist=["SearchFilters"]).SearchFilters(
                pipeline_version="9999.1.0"
            ),
            limit=100,
        )
    ) == len(items)
    # from a timestamp after everything: nothing to replay
    st4 = kafka_env.run(replay(s, archive_url=url, from_timestamp=time.time() + 3600))
    assert st4.read == 0
    # replay to the enriched topic (no archive): the same event ids as the worker would produce
    st5 = kafka_env.run(replay(s))
    assert st5.articles == len(items)
    recs = kafka_env.run(collect(s, s.topics.enriched, len(items), timeout=20))
    assert {r.value["event_id"] for r in recs} <= {
        r["event_id"] for r in store.search("", limit=100) if r["pipeline_version"] != "9999.1.0"
    }
    store.close()


def test_cli_replay_alerting_archive_search(kafka_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The demo path through the CLI: replay raw -> enriched, then `warta alerting`, `archive`, `search`."""
    s = kafka_env.settings
    create_topics(s)
    kafka_env.run(publish_items(s, list(iter_inputs(SAMPLES))))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    db = f"sqlite:///{tmp_path}/archive.db"
    env = {
        **os.environ,
        **kafka_env.env,
        "WARTA_ALERT_STATE_PATH": str(tmp_path / "state.db"),
        "WARTA_ARCHIVE_URL": db,
    }

    def warta(*args: str) -> subprocess.CompletedProcess[bytes]:
        p = subprocess.run(
            [sys.executable, "-m", "streams", *args], env=env, capture_output=True, timeout=120
        )
        assert p.returncode == 0, p.stderr.decode()[-3000:]
        return p

    assert b"5 article(s)" in warta("replay").stderr
    assert b"5 record(s)" in warta("alerting", "--rules", str(rules), "--idle", "3").stderr
    warta("archive", "--idle", "3")
    hits = [orjson.loads(x) for x in warta("search", "banjir", "--json").stdout.splitlines()]
    assert "id_banjir_semarang" in {h["article_id"] for h in hits}
    alerts = kafka_env.run(collect(s, s.topics.alerts, 10, timeout=5))
    assert {a.value["rule"] for a in alerts} == {"flood", "ceasefire-talks"}
    store = ArchiveStore(db)
    assert store.counts()["alerts"] == len(
        {a.value["id"] for a in alerts}
    )  # the archive keeps the alerts too
    store.close()


@pytest.mark.postgres
def test_archive_poison_records_go_to_dlq_and_the_rest_is_archived(kafka_env, request) -> None:  # type: ignore[no-untyped-def]
    s = kafka_env.settings
    create_topics(s)
    pg = request.getfixturevalue("pg_url")
    good = _articles(4)
    nul = article("nul", "Teks dengan \x00 karakter NUL di tengah.", title="NUL\x00")
    too_long = article("long", "Artikel dengan event id yang terlalu panjang.").model_copy(
        update={"event_id": "e" * 100}
    )
    kafka_env.run(_send_enriched(s, [*good[:2], too_long, nul, *good[2:]]))

    async def junk() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=s.broker_list, acks="all")
        await producer.start()
        await producer.send_and_wait(s.topics.enriched, key=b"junk", value=b"{not json")
        await producer.send_and_wait(s.topics.enriched, key=b"shape", value=orjson.dumps({"id": "x"}))
        await producer.stop()

    kafka_env.run(junk())

    async def go(stop: asyncio.Event) -> Any:
        return await run_archive(s, url=pg, stop=stop, idle_timeout=4, batch_size=50)

    kafka_env.run(_run_until(go, lambda: False, timeout=40))
    store = ArchiveStore(pg)
    assert store.counts()["articles"] == 5  # 4 good + the NUL one (NUL replaced, spans intact)
    got = store.get_article(nul.event_id)
    assert got is not None and "\x00" not in got.body and len(got.body) == len(nul.body)
    store.close()
    dlq = kafka_env.run(collect(s, s.topics.dlq, 3, timeout=10))
    assert sorted(r.value["error_code"] for r in dlq) == ["W101", "W102", "W805"]
    assert all(r.value["source_topic"] == s.topics.enriched for r in dlq)
    assert kafka_env.run(_committed(s, f"{s.app_id}-archive", s.topics.enriched)) == 8


def test_downstream_demo_step(kafka_env, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from streams.alerting.rules import example_rules
    from streams.cli.downstream import run_downstream_demo

    s = kafka_env.settings
    create_topics(s)
    kafka_env.run(publish_items(s, list(iter_inputs(SAMPLES))))
    kafka_env.run(replay(s))  # raw -> enriched, as the worker would
    assert run_downstream_demo(s, tmp_path) is True
    out = capsys.readouterr().out
    # the ceasefire-talks sample "focused on a new exchange of prisoners": no exchange took place, so the
    # alert is the night's 142-drone salvo, one alert for the story
    # (the table may wrap a long rule name: look for the article and the message)
    assert "en_ceasefire_talks" in out and "Aerial attack" in out and "prisoner-exchange" not in out
    assert "warta search 'banjir'" in out and "id_banjir_semarang" in out
    assert (
        example_rules().read_bytes()
        == (Path(__file__).resolve().parents[2] / "deploy/alerts/rules.yaml").read_bytes()
    )


@pytest.mark.parametrize("consumer", ["alerting", "archive"])
def test_bad_records_go_to_the_dlq_with_their_source_in_both_consumers(kafka_env, tmp_path, consumer) -> None:  # type: ignore[no-untyped-def]
    """One policy for alerting and archive: a record that is not JSON (W101) or not an
    EnrichedArticle (W102) is dead-lettered with its code and source topic/partition/offset; the
    good ones are processed and every offset is committed."""
    s = kafka_env.settings.model_copy(update={"alert_state_path": tmp_path / "state.db"})
    create_topics(s)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    good = _articles(3)
    kafka_env.run(_send_enriched(s, good[:1]))

    async def junk() -> dict[bytes, tuple[int, int]]:
        producer = AIOKafkaProducer(bootstrap_servers=s.broker_list, acks="all")
        await producer.start()
        try:
            where = {}
            for key, value in ((b"junk", b"{not json"), (b"shape", orjson.dumps({"id": "x"}))):
                md = await producer.send_and_wait(s.topics.enriched, key=key, value=value)
                where[key] = (md.partition, md.offset)
            return where
        finally:
            await producer.stop()

    where = kafka_env.run(junk())
    kafka_env.run(_send_enriched(s, good[1:]))

    async def go(stop: asyncio.Event) -> Any:
        if consumer == "alerting":
            return await run_alerting(s, rules_path=rules, stop=stop, idle_timeout=4)
        return await run_archive(s, url=f"sqlite:///{tmp_path}/a.db", stop=stop, idle_timeout=4)

    kafka_env.run(_run_until(go, lambda: False, timeout=40))
    dlq = kafka_env.run(collect(s, s.topics.dlq, 2, timeout=10))
    got = {r.value["source_key"]: r.value for r in dlq}
    assert {k: v["error_code"] for k, v in got.items()} == {"junk": "W101", "shape": "W102"}
    for key, (partition, offset) in where.items():
        dl = got[key.decode()]
        assert dl["source_topic"] == s.topics.enriched
        assert (dl["source_partition"], dl["source_offset"]) == (partition, offset)
    assert kafka_env.run(_committed(s, f"{s.app_id}-{consumer}", s.topics.enriched)) == 5
    if consumer == "archive":
        store = ArchiveStore(f"sqlite:///{tmp_path}/a.db")
        assert store.counts()["articles"] == 3
        store.close()
    else:
        alerts = kafka_env.run(collect(s, s.topics.alerts, 1, timeout=10))
        assert {a.value["rule"] for a in alerts} == {"flood"}
