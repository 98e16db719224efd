"""Scale-out on a real broker: three workers on six partitions, one killed and one added mid-stream.

Every article is enriched, and the duplicate verdicts are those of a single in-process run over
the same input: the dedup state each worker reads is the whole index, whoever wrote it.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import orjson
import pytest

from bench.generate import _near_copy, generate_articles
from streams.core.pipeline import MemoryState, build_pipeline
from streams.core.records import RawArticle
from streams.kafka.admin import create_topics
from streams.kafka.client import collect
from tests.faults.paced import publish_paced

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture
def six_partitions(make_kafka_env: Any) -> Any:
    return make_kafka_env(WARTA_PARTITIONS="6")


def _publish(bootstrap: str, topic: str, items: list[dict[str, Any]], rate: float) -> None:
    publish_paced(bootstrap, topic, ((i["id"].encode(), orjson.dumps(i)) for i in items), rate)


def _expected(items: list[dict[str, Any]]) -> dict[str, str | None]:
    pipeline = build_pipeline(state=MemoryState())
    return {a["id"]: pipeline.run(RawArticle(**a)).dedup.duplicate_of for a in items}


def _verdicts(env: Any, ids: set[str], timeout: float) -> dict[str, set[str | None]]:
    def seen_all(recs: list[Any]) -> bool:
        return ids <= {r.value["id"] for r in recs}

    recs = env.run(collect(env.settings, env.settings.topics.enriched, 0, timeout=timeout, until=seen_all))
    out: dict[str, set[str | None]] = {}
    for r in recs:
        out.setdefault(r.value["id"], set()).add(r.value["dedup"]["duplicate_of"])
    return out


def test_three_workers_kill_one_add_one_same_verdicts_as_one_worker(six_partitions: Any) -> None:
    env = six_partitions
    s = env.settings
    create_topics(s)
    originals = list(generate_articles(90, seed=11, dup_share=0.0, min_kb=1.0, max_kb=2.0))
    rng = random.Random(5)
    picked = rng.sample(originals, 30)
    copies = [
        {
            "id": f"copy-{i}",
            "title": a["title"],
            "text": _near_copy(rng, a["text"]),
            "source": "copycat.example",
        }
        for i, a in enumerate(picked)
    ]
    expected = _expected(originals + copies)
    assert sum(v is not None for k, v in expected.items() if k.startswith("copy-")) >= 25
    assert all(expected[a["id"]] is None for a in originals)

    workers = [env.worker(WARTA_DATA_DIR=str(env.tmp / f"w{i}")).start() for i in range(3)]
    publisher = threading.Thread(target=lambda: _publish(s.broker_list[0], s.topics.raw, originals, rate=15))
    publisher.start()
    time.sleep(2.0)
    workers[0].kill()  # kill -9 mid-stream: its partitions move to the others
    workers.append(env.worker(WARTA_DATA_DIR=str(env.tmp / "w3")).start())  # and a new one joins
    publisher.join()
    first = _verdicts(env, {a["id"] for a in originals}, timeout=180)
    assert set(first) == {a["id"] for a in originals}, "every original is enriched"

    _publish(s.broker_list[0], s.topics.raw, copies, rate=50)
    every = _verdicts(env, set(expected), timeout=180)
    assert set(every) == set(expected), "every article is enriched"
    # a redelivered article (killed before its commit) carries the same verdict every time
    wrong = {k: (sorted(map(str, every[k])), want) for k, want in expected.items() if every[k] != {want}}
    assert not wrong, f"verdicts differ from the single-worker run: {wrong}"
