"""``warta alerting``: consume warta.articles.enriched, fire rules, deliver to every sink."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Sequence
from pathlib import Path

import structlog

from streams.alerting.engine import AlertChange, AlertEngine
from streams.alerting.rules import RulesError, example_rules, load_rules
from streams.alerting.sinks import AlertmanagerSink, AlertSink, KafkaSink, WebhookSink
from streams.alerting.state import AlertState, SqliteAlertState
from streams.core.records import EnrichedArticle
from streams.core.settings import Settings
from streams.kafka.batches import BatchStats, consume_batches, install_stop_signals
from streams.kafka.client import idempotent_producer
from streams.kafka.dlq import BadRecords, Msg, decode_record, dlq_sender

__all__ = ["AlertingService", "RuleReloader", "run_alerting"]

log = structlog.get_logger("warta.alerting")


class RuleReloader:
    """Reloads the rules when the file changes or on SIGHUP; a bad file keeps the old rules."""

    def __init__(self, path: Path, engine: AlertEngine):
        self.path = path
        self.engine = engine
        self._mtime = self._stat()
        self._requested = False

    def _stat(self) -> float | None:
        try:
            st = os.stat(self.path)
            return st.st_mtime_ns + st.st_size
        except OSError:
            return None

    def request(self) -> None:
        self._requested = True

    def maybe_reload(self) -> bool:
        mtime = self._stat()
        if not self._requested and mtime == self._mtime:
            return False
        self._requested = False
        self._mtime = mtime
        try:
            rules = load_rules(self.path)
        except RulesError as exc:
            log.error("rules not reloaded; keeping the previous rules", code=exc.code, error=exc.reason)
            return False
        self.engine.rules = rules
        log.info("rules reloaded", path=str(self.path), rules=len(rules.rules))
        return True


class AlertingService:
    """Engine + sinks: a batch's alerts are delivered everywhere before the state is committed."""

    def __init__(self, engine: AlertEngine, sinks: Sequence[AlertSink], bad: BadRecords | None = None):
        self.engine = engine
        self.sinks = list(sinks)
        #: A record that is not an EnrichedArticle goes to the DLQ (the policy shared with the archive).
        self.bad = bad or BadRecords(consumer="alerting")

    async def decode(self, records: Sequence[Msg]) -> list[EnrichedArticle]:
        pairs = await self.bad.decode(records, lambda m: decode_record(m, EnrichedArticle))
        return [a for _m, a in pairs]

    async def handle_articles(self, articles: Sequence[EnrichedArticle]) -> list[AlertChange]:
        changes: list[AlertChange] = []
        try:
            for a in articles:
                changes.extend(self.engine.process(a))
            for sink in self.sinks:
                await sink.send(changes)
        except BaseException:
            self.engine.rollback()
            raise
        self.engine.commit()
        return changes

    async def handle(self, records: Sequence[Msg]) -> None:
        changes = await self.handle_articles(await self.decode(records))
        for c in changes:
            log.info(
                "alert",
                kind=c.kind,
                rule=c.alert.rule,
                id=c.alert.id,
                revision=c.alert.revision,
                severity=c.alert.severity,
                message=c.alert.message,
            )

    async def close(self) -> None:
        for sink in self.sinks:
            await sink.close()
        self.engine.state.close()


async def run_alerting(
    settings: Settings,
    *,
    rules_path: Path | None = None,
    state: AlertState | None = None,
    stop: asyncio.Event | None = None,
    idle_timeout: float | None = None,
    batch_size: int = 100,
) -> BatchStats:
    """Run the alerting consumer until stopped (or idle for ``idle_timeout`` seconds)."""
    path = rules_path or settings.alert_rules
    if path is None:
        path = example_rules()
        log.warning(
            "no rules file configured (--rules / WARTA_ALERT_RULES): using the example rules", path=str(path)
        )
    engine = AlertEngine(load_rules(path), state or SqliteAlertState(settings.alert_state_path))
    producer = idempotent_producer(settings)
    await producer.start()
    # External receivers first, warta.alerts last: when a receiver fails the batch is retried
    # before anything reached the topic, so the topic holds each (id, revision) once.
    sinks: list[AlertSink] = []
    if settings.webhook_url:
        sinks.append(
            WebhookSink(
                settings.webhook_url,
                secret=settings.webhook_secret,
                attempts=settings.alert_delivery_attempts,
                base_delay=settings.alert_delivery_backoff,
            )
        )
    if settings.alertmanager_url:
        sinks.append(
            AlertmanagerSink(
                settings.alertmanager_url,
                attempts=settings.alert_delivery_attempts,
                base_delay=settings.alert_delivery_backoff,
            )
        )
    sinks.append(KafkaSink(producer, settings.topics.alerts))
    service = AlertingService(engine, sinks, BadRecords(dlq_sender(producer, settings), "alerting"))
    reloader = RuleReloader(Path(path), engine)
    stop = stop or asyncio.Event()
    install_stop_signals(stop)
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not in the main thread
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, reloader.request)
    log.info("alerting started", rules=len(engine.rules.rules), sinks=[s.name for s in sinks])
    try:
        return await consume_batches(
            settings,
            [settings.topics.enriched],
            f"{settings.app_id}-alerting",
            service.handle,
            batch_size=batch_size,
            stop=stop,
            idle_timeout=idle_timeout,
            on_idle=reloader.maybe_reload,
        )
    finally:
        await service.close()
        await producer.stop()
