"""The downstream consumers' one policy for a record they cannot use: it goes to ``warta.dlq``.

``warta alerting`` and ``warta archive`` share it. A record that is not JSON (W101), does not
match its schema (W102) or that the sink rejects for good (W805) is produced to the DLQ with its
error code, reason, source topic/partition/offset and original bytes, before the batch's offsets
are committed. Nothing is skipped silently.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

import orjson
import structlog
from aiokafka import ConsumerRecord
from pydantic import BaseModel, ValidationError

from streams.core.derived import MessageMeta, fitted_dead_letter, output_limit
from streams.core.errors import WartaError
from streams.core.settings import Settings
from streams.observability.metrics import DLQ_RECORDS

__all__ = ["BadRecords", "Msg", "Send", "decode_record", "dlq_sender"]

log = structlog.get_logger("warta.dlq")

Msg: TypeAlias = "ConsumerRecord[bytes, bytes]"
#: Delivers one bad record with its error (to the DLQ topic in the consumers).
Send = Callable[[Msg, WartaError], Awaitable[None]]
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def decode_record(m: Msg, model: type[M]) -> M:
    """A topic record -> its model; W101 (not JSON) or W102 (wrong shape) naming the topic."""
    try:
        return model.model_validate(orjson.loads(m.value or b""))
    except orjson.JSONDecodeError as exc:
        raise WartaError("W101", f"{m.topic} record is not JSON: {exc}") from exc
    except ValidationError as exc:
        raise WartaError("W102", f"{m.topic} record does not match its schema: {str(exc)[:300]}") from exc


def dlq_sender(producer: Any, settings: Settings) -> Send:
    """A :data:`Send` that produces a DeadLetter to the DLQ topic and waits for acks=all; its payload
    is cut to fit the topic (:func:`streams.core.derived.fitted_dead_letter`)."""

    async def send(m: Msg, err: WartaError) -> None:
        key = m.key.decode("utf-8", "replace") if m.key else None
        meta = MessageMeta(m.topic, m.partition, m.offset, key)
        dlq_key = (key or f"{m.topic}-{m.partition}-{m.offset}").encode()
        limit = output_limit(settings.max_message_bytes, None, settings.topics.dlq, dlq_key)
        value = fitted_dead_letter(m.value, err, meta, limit)
        await producer.send_and_wait(settings.topics.dlq, key=dlq_key, value=value)

    return send


async def _no_dlq(m: Msg, err: WartaError) -> None:
    raise WartaError(
        "W802",
        f"bad record at {m.topic}/{m.partition}/{m.offset} ({err.code}) and no DLQ to send it to",
        hint="give the consumer a BadRecords(dlq_sender(producer, settings))",
    )


@dataclass
class BadRecords:
    """Counts, logs and dead-letters the records a consumer cannot use (see the module docstring)."""

    send: Send = _no_dlq
    consumer: str = "consumer"
    rejected: int = 0
    codes: dict[str, int] = field(default_factory=dict)

    async def reject(self, m: Msg, err: WartaError) -> None:
        self.rejected += 1
        self.codes[err.code] = self.codes.get(err.code, 0) + 1
        log.error(
            "bad record; dead-lettered",
            consumer=self.consumer,
            code=err.code,
            topic=m.topic,
            partition=m.partition,
            offset=m.offset,
            error=err.reason[:300],
        )
        DLQ_RECORDS.labels(code=err.code).inc()
        await self.send(m, err)

    async def decode(self, records: Sequence[Msg], decode_one: Callable[[Msg], T]) -> list[tuple[Msg, T]]:
        """``(record, decoded)`` for every record ``decode_one`` accepts; the others are rejected."""
        out: list[tuple[Msg, T]] = []
        for m in records:
            try:
                out.append((m, decode_one(m)))
            except WartaError as err:
                await self.reject(m, err)
        return out
