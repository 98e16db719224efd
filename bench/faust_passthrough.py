"""Baseline: a Faust agent that forwards raw bytes unchanged (same Faust settings as the worker)."""

from __future__ import annotations

import os
from typing import Any

import faust

__all__ = ["create_app"]


def create_app() -> faust.App:
    app = faust.App(
        os.environ["BENCH_GROUP"],
        broker=f"kafka://{os.environ['BENCH_BOOTSTRAP']}",
        store="memory://",
        web_enabled=False,
        datadir=os.environ.get("BENCH_DATADIR", "/tmp/faust-passthrough"),
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        broker_commit_every=100,
        broker_commit_interval=1.0,
        producer_acks=-1,
        topic_partitions=int(os.environ.get("BENCH_PARTITIONS", "2")),
    )
    src = app.topic(os.environ["BENCH_SRC"], value_serializer="raw", key_serializer="raw")
    dst = app.topic(os.environ["BENCH_DST"], value_serializer="raw", key_serializer="raw")

    @app.agent(src)
    async def forward(stream: Any) -> Any:
        async for event in stream.events():
            await dst.send(key=event.message.key, value=event.message.value)
            yield None

    return app


if __name__ == "__main__":
    from faust.worker import Worker

    Worker(create_app(), loglevel="warning", quiet=True).execute_from_commandline()
