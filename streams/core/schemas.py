"""JSON Schema contracts of every topic's value, generated from the records and checked for drift."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
from pydantic import BaseModel

from streams.core.records import (
    Alert,
    DeadLetter,
    DomainEvent,
    DuplicateNotice,
    EnrichedArticle,
    RawArticle,
)
from streams.core.settings import TopicNames, TopicRole

__all__ = [
    "TOPIC_CONTRACTS",
    "TOPIC_MODELS",
    "TopicContract",
    "check_schemas",
    "export_schemas",
    "render_schemas",
]


@dataclass(frozen=True)
class TopicContract:
    """What a topic carries: its value model, its message key and who writes it."""

    role: TopicRole
    model: type[BaseModel]
    key: str
    written_by: str


#: One contract per topic role, in the order of ``TOPIC_ROLES`` (docs/contracts.md is generated from it).
TOPIC_CONTRACTS: tuple[TopicContract, ...] = (
    TopicContract("raw", RawArticle, "article id", "producers: `warta publish`, `warta ingest`"),
    TopicContract("enriched", EnrichedArticle, "article id", "worker"),
    TopicContract("duplicates", DuplicateNotice, "article id", "worker"),
    TopicContract("events", DomainEvent, "event id", "worker"),
    TopicContract("alerts", Alert, "alert id", "`warta alerting`"),
    TopicContract(
        "dlq", DeadLetter, "source key", "worker, `warta alerting`, `warta archive`, `warta ingest`"
    ),
)

_T = TopicNames()
TOPIC_MODELS: dict[str, type[BaseModel]] = {_T.name(c.role): c.model for c in TOPIC_CONTRACTS}


def render_schemas() -> dict[str, bytes]:
    """File name -> JSON Schema bytes (stable formatting, so diffs are meaningful)."""
    out = {}
    for topic, model in TOPIC_MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = f"https://warta.dev/schemas/{topic}.json"
        schema["x-topic"] = topic
        out[f"{topic}.json"] = orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return out


def export_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in render_schemas().items():
        path = directory / name
        path.write_bytes(data)
        written.append(path)
    return written


def check_schemas(directory: Path) -> list[str]:
    """Names of schema files that are missing or differ from the models (empty: no drift)."""
    drift = []
    for name, data in render_schemas().items():
        path = directory / name
        if not path.exists() or path.read_bytes() != data:
            drift.append(name)
    return drift
