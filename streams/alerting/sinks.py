"""Where alerts go: warta.alerts (Kafka), a webhook, Prometheus Alertmanager, a JSONL file."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

import httpx
import orjson
import structlog
from pydantic import SecretStr
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from streams.alerting.engine import AlertChange
from streams.core.errors import WartaError

__all__ = [
    "AlertSink",
    "AlertmanagerSink",
    "JsonlSink",
    "KafkaSink",
    "WebhookSink",
    "alertmanager_payload",
    "post_with_retries",
    "sign",
    "webhook_body",
]

log = structlog.get_logger("warta.alerting")

SIGNATURE_HEADER = "X-Warta-Signature"


class AlertSink(Protocol):
    name: str

    async def send(self, changes: Sequence[AlertChange]) -> None: ...

    async def close(self) -> None: ...


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body>``, as the receiver recomputes it."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class _Transient(Exception):
    """A delivery failure worth retrying: connection error, 429 or 5xx."""


async def _post_once(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], what: str
) -> httpx.Response:
    try:
        resp = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise _Transient(f"{type(exc).__name__}: {exc}") from exc
    if resp.status_code < 300:
        return resp
    last = f"HTTP {resp.status_code}: {resp.text[:200]}"
    if resp.status_code < 500 and resp.status_code != 429:
        raise WartaError(
            "W800", f"{what} rejected the alert: {last}", hint="check the receiver's URL and what it expects"
        )
    raise _Transient(last)


async def post_with_retries(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    what: str,
    attempts: int = 5,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
) -> httpx.Response:
    """POST with exponential backoff (and jitter) on connection errors, 429 and 5xx (tenacity).

    Other 4xx are permanent: retrying would not help. Raises W800 when it gives up.
    """

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        log.warning("alert delivery failed; retrying", sink=what, attempt=state.attempt_number,
                    error=str(exc), delay=round(delay, 2))  # fmt: skip

    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(max(1, attempts)),
            wait=wait_exponential_jitter(initial=base_delay, max=max_delay, jitter=base_delay * 0.4),
            retry=retry_if_exception_type(_Transient),
            before_sleep=before_sleep,
            reraise=True,
        ):
            with attempt:
                return await _post_once(client, url, body, headers, what)
    except _Transient as exc:
        raise WartaError(
            "W800",
            f"{what} unreachable after {attempts} attempts: {exc}",
            hint="the alerts stay unacknowledged and are retried; check that the receiver is up",
        ) from exc
    raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover


def webhook_body(change: AlertChange) -> bytes:
    return orjson.dumps({"kind": change.kind, "alert": change.alert.model_dump(mode="json")})


class WebhookSink:
    """POST one JSON document per alert change; ``Idempotency-Key`` = ``<alert id>:<revision>``."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        *,
        secret: str | None = None,
        attempts: int = 5,
        base_delay: float = 0.5,
        timeout: float = 10.0,
    ):
        self.url = url
        self._secret = SecretStr(secret) if secret else None  # never in reprs or logs
        self.attempts = attempts
        self.base_delay = base_delay
        self.client = httpx.AsyncClient(timeout=timeout)

    def __repr__(self) -> str:
        return f"WebhookSink(url={self.url!r}, signed={self._secret is not None})"

    def headers(self, change: AlertChange, body: bytes) -> dict[str, str]:
        h = {
            "Content-Type": "application/json",
            "Idempotency-Key": f"{change.alert.id}:{change.alert.revision}",
            "User-Agent": "warta-alerting",
        }
        if self._secret:
            h[SIGNATURE_HEADER] = sign(self._secret.get_secret_value(), body)
        return h

    async def send(self, changes: Sequence[AlertChange]) -> None:
        for change in changes:
            body = webhook_body(change)
            await post_with_retries(
                self.client,
                self.url,
                body,
                self.headers(change, body),
                what="webhook",
                attempts=self.attempts,
                base_delay=self.base_delay,
            )

    async def close(self) -> None:
        await self.client.aclose()


def _am_time(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def alertmanager_payload(change: AlertChange, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Alertmanager v2 postable alerts: the alert (ending after the rule's window) and, when the
    severity escalated, the previous severity's alert resolved."""
    a = change.alert
    now = now or datetime.now(UTC)
    labels = {"alertname": a.rule, "severity": a.severity, "story_id": a.story_id or "", **a.labels}
    annotations = {
        "summary": a.message,
        "alert_id": a.id,
        "revision": str(a.revision),
        "sources": ", ".join(a.sources),
        "articles": ", ".join(a.article_ids[:20]),
    }
    starts = datetime.fromisoformat(a.fired_at) if a.fired_at else now
    out = [
        {
            "labels": labels,
            "annotations": annotations,
            "startsAt": _am_time(starts),
            "endsAt": _am_time(now + timedelta(seconds=change.window)),
        }
    ]
    if change.previous_severity and change.previous_severity != a.severity:
        out.append(
            {
                "labels": {**labels, "severity": change.previous_severity},
                "annotations": annotations,
                "startsAt": _am_time(starts),
                "endsAt": _am_time(now),
            }
        )
    return out


class AlertmanagerSink:
    """``POST /api/v2/alerts`` to Prometheus Alertmanager (re-posting the same labels updates it)."""

    name = "alertmanager"

    def __init__(self, url: str, *, attempts: int = 5, base_delay: float = 0.5, timeout: float = 10.0):
        self.url = url.rstrip("/") + "/api/v2/alerts"
        self.attempts = attempts
        self.base_delay = base_delay
        self.client = httpx.AsyncClient(timeout=timeout)

    async def send(self, changes: Sequence[AlertChange]) -> None:
        if not changes:
            return
        payload = [p for c in changes for p in alertmanager_payload(c)]
        await post_with_retries(
            self.client,
            self.url,
            orjson.dumps(payload),
            {"Content-Type": "application/json"},
            what="alertmanager",
            attempts=self.attempts,
            base_delay=self.base_delay,
        )

    async def close(self) -> None:
        await self.client.aclose()


class KafkaSink:
    """Produce each alert revision to ``warta.alerts`` (key: alert id), waiting for acks=all."""

    name = "kafka"

    def __init__(self, producer: Any, topic: str):
        self.producer = producer
        self.topic = topic

    async def send(self, changes: Sequence[AlertChange]) -> None:
        futures = [
            await self.producer.send(self.topic, key=c.alert.id.encode(), value=c.alert.to_json())
            for c in changes
        ]
        if futures:
            try:
                await asyncio.gather(*futures)
            except Exception as exc:
                raise WartaError("W800", f"could not produce alerts to {self.topic}: {exc}") from exc

    async def close(self) -> None:
        return None


class JsonlSink:
    """Append each alert revision as one JSON line (``warta process --alerts-out``)."""

    name = "jsonl"

    def __init__(self, path: str | Path | IO[bytes]):
        if isinstance(path, str | Path):
            p = Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            self.fh: IO[bytes] = p.open("wb")
            self._own = True
        else:
            self.fh = path
            self._own = False

    def write(self, changes: Sequence[AlertChange]) -> None:
        for c in changes:
            self.fh.write(c.alert.to_json() + b"\n")
        self.fh.flush()

    async def send(self, changes: Sequence[AlertChange]) -> None:
        self.write(changes)

    async def close(self) -> None:
        self.close_sync()

    def close_sync(self) -> None:
        if self._own:
            self.fh.close()
