"""Archive rows derived from the records in one place: a column takes the record field of the same
name (from the record's JSON dump), a dotted path where the names differ, or a computed value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table

from streams.archive import schema as s
from streams.core.records import Alert, DomainEvent, EnrichedArticle

__all__ = ["RENAMES", "ArticleRows", "alert_row", "article_rows", "domain_event_row", "row", "timestamp"]

#: Table -> column -> dotted path into the record's JSON dump, for the columns not named as a field.
RENAMES: dict[str, dict[str, str]] = {
    "articles": {
        "article_id": "id",
        "source_name": "source.name",
        "source_domain": "source.domain",
        "story_id": "dedup.story_id",
        "duplicate_of": "dedup.duplicate_of",
        "similarity": "dedup.similarity",
        "content_hash": "dedup.content_hash",
    },
    "entities": {"qid": "id"},
    "figures": {"span_start": "span.0", "span_end": "span.1"},
}


def _path(data: Any, path: str) -> Any:
    for part in path.split("."):
        if data is None:
            return None
        data = data[int(part)] if isinstance(data, list) else data.get(part)
    return data


def row(table: Table, data: Mapping[str, Any], **computed: Any) -> dict[str, Any]:
    """One row of ``table`` from a record's JSON dump; a column with no source is an error."""
    renames = RENAMES.get(table.name, {})
    out: dict[str, Any] = {}
    for col in table.columns:
        name = col.name
        if name in computed:
            out[name] = computed[name]
        elif name in renames:
            out[name] = _path(data, renames[name])
        elif name in data:
            out[name] = data[name]
        else:
            raise KeyError(f"archive column {table.name}.{name} has no record field and no computed value")
    return out


def timestamp(value: str | None) -> float | None:
    """Unix time of an ISO 8601 string (None when absent or unparseable)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass
class ArticleRows:
    """The article row and its children (topic, event, entity and figure rows)."""

    article: dict[str, Any]
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def article_rows(a: EnrichedArticle, now: float) -> ArticleRows:
    data = a.model_dump(mode="json")
    eid = a.event_id
    art = row(
        s.articles,
        data,
        published_ts=timestamp(a.published_at) or a.processed_at or a.ingested_at,
        archived_at=now,
        record=data,
    )
    topics = {t["code"]: t for t in data["topics"]}.values()  # one row per code
    children = {
        "topics": [row(s.topics, t, event_id=eid) for t in topics],
        "events": [row(s.events, e, event_id=eid, idx=i) for i, e in enumerate(data["events"])],
        "entities": [row(s.entities, e, event_id=eid, idx=i) for i, e in enumerate(data["entities"])],
        "figures": [row(s.figures, f, event_id=eid, idx=i) for i, f in enumerate(data["figures"])],
    }
    return ArticleRows(art, children)


def domain_event_row(d: DomainEvent) -> dict[str, Any]:
    data = d.model_dump(mode="json")
    return row(s.domain_events, data, record=data)


def alert_row(al: Alert) -> dict[str, Any]:
    data = al.model_dump(mode="json")
    return row(s.alerts, data, record=data)
