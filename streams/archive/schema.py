"""The archive's tables (SQLAlchemy 2 core) and its numbered schema migrations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
)

__all__ = [
    "MIGRATIONS",
    "alerts",
    "articles",
    "domain_events",
    "entities",
    "events",
    "figures",
    "metadata",
    "migrate",
    "schema_migrations",
    "stories",
    "topics",
]

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", String(40), nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("article_id", String(512), nullable=False),
    Column("pipeline_version", String(40), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("title", Text),
    Column("body", Text, nullable=False),
    Column("lead", Text),
    Column("url", Text),
    Column("language", String(16)),
    Column("language_confidence", Float),
    Column("source_name", String(512)),
    Column("source_domain", String(512)),
    Column("byline", Text),
    Column("dateline", Text),
    Column("published_at", String(64)),
    #: Unix time of published_at (else processed_at): what time-range filters use.
    Column("published_ts", Float),
    Column("story_id", String(256)),
    Column("duplicate_of", String(512)),
    Column("similarity", Float),
    Column("content_hash", String(64)),
    Column("ingested_at", Float),
    Column("processed_at", Float),
    Column("archived_at", Float, nullable=False),
    Column("record", JSON, nullable=False),
    Index("ix_articles_article_id", "article_id"),
    Index("ix_articles_story", "story_id"),
    Index("ix_articles_published", "published_ts"),
    Index("ix_articles_language", "language"),
)

topics = Table(
    "topics",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("label", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("parent", String(32)),
    Column("evidence", JSON, nullable=False),
    Index("ix_topics_code", "code"),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("code", String(8), nullable=False),
    Column("label", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("negated", Boolean, nullable=False),
    Column("modality", String(16), nullable=False),
    Column("source_actor", Text),
    Column("target_actor", Text),
    Column("actors", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Index("ix_events_code", "code"),
)

entities = Table(
    "entities",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("type", String(16), nullable=False),
    Column("qid", String(32)),
    Column("country", String(8)),
    Column("confidence", Float, nullable=False),
    Column("spans", JSON, nullable=False),
    Index("ix_entities_name", "name"),
    Index("ix_entities_qid", "qid"),
)

figures = Table(
    "figures",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(32)),
    Column("text", Text, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("actor", Text),
    Index("ix_figures_kind", "kind", "value"),
)

stories = Table(
    "stories",
    metadata,
    Column("story_id", String(256), primary_key=True),
    Column("title", Text),
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("article_count", Integer, nullable=False),
    Column("sources", JSON, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("rule", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("story_id", String(256)),
    Column("message", Text, nullable=False),
    Column("fired_at", String(40)),
    Column("updated_at", String(40)),
    Column("record", JSON, nullable=False),
    Index("ix_alerts_rule", "rule"),
    Index("ix_alerts_story", "story_id"),
)

domain_events = Table(
    "domain_events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("article_event_id", String(64)),
    Column("cameo_code", String(8)),
    Column("story_id", String(256)),
    Column("occurred_at", String(64)),
    Column("record", JSON, nullable=False),
    Index("ix_domain_events_article", "article_event_id"),
)

_V1_TABLES = [articles, topics, events, entities, figures, stories, alerts, domain_events]


def _m1_tables(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V1_TABLES)


def _m2_fulltext(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
                "event_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')"
            )
        )
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "ALTER TABLE articles ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS "
                "(setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
                "setweight(to_tsvector('simple', coalesce(body, '')), 'B')) STORED"
            )
        )
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_articles_tsv ON articles USING gin (tsv)"))


#: Numbered, append-only. Never edit a released step: add a new one.
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "tables: articles, topics, events, entities, figures, stories, alerts, domain_events", _m1_tables),
    (2, "full-text search: SQLite FTS5 / PostgreSQL tsvector ('simple')", _m2_fulltext),
]


def migrate(conn: Connection) -> list[int]:
    """Apply the steps not yet recorded in ``schema_migrations``; returns the versions applied."""
    schema_migrations.create(conn, checkfirst=True)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7343727)"))  # one migrator at a time
    done = set(conn.execute(select(schema_migrations.c.version)).scalars())
    applied = []
    for version, name, step in MIGRATIONS:
        if version in done:
            continue
        step(conn)
        conn.execute(
            insert(schema_migrations).values(
                version=version, name=name, applied_at=datetime.now(UTC).isoformat(timespec="seconds")
            )
        )
        applied.append(version)
    return applied
