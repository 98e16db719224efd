"""Baseline: a plain aiokafka consume -> produce loop (the physical floor of any Kafka worker)."""

from __future__ import annotations

import asyncio
import os

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

__all__ = ["run"]


async def run(bootstrap: str, src: str, dst: str, group: str) -> None:
    consumer = AIOKafkaConsumer(src, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False)  # fmt: skip
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            futures = []
            for _tp, msgs in batch.items():
                for m in msgs:
                    futures.append(await producer.send(dst, value=m.value, key=m.key))
            if futures:
                await asyncio.gather(*futures)
                await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


if __name__ == "__main__":
    asyncio.run(
        run(
            os.environ["BENCH_BOOTSTRAP"],
            os.environ["BENCH_SRC"],
            os.environ["BENCH_DST"],
            os.environ["BENCH_GROUP"],
        )
    )
