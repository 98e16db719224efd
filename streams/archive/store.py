"""The archive: SQLite (embedded default) or PostgreSQL behind one SQLAlchemy-core interface.

Writes are idempotent: articles are upserted by ``event_id`` (a replay or a redelivery adds no
rows), domain events by id, alerts by id keeping the highest revision. A batch is one
transaction; callers commit their Kafka offsets only after :meth:`ArchiveStore.write` returns.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    create_engine,
    delete,
    event,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import ArgumentError, DataError, IntegrityError, ProgrammingError, SQLAlchemyError

from streams.archive import schema as s
from streams.archive.limits import MAX_SEARCH_LIMIT
from streams.archive.rows import ArticleRows, alert_row, article_rows, domain_event_row
from streams.core.errors import WartaError
from streams.core.records import Alert, DomainEvent, EnrichedArticle, Record

__all__ = ["MAX_SEARCH_LIMIT", "ArchiveStore", "SearchFilters", "WriteResult", "normalize_url", "open_store"]


def normalize_url(url: str) -> str:
    """``postgresql://`` -> psycopg 3 driver; ``sqlite:///rel/path.db`` kept; bare paths -> sqlite."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _redact(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


@dataclass
class WriteResult:
    articles_new: int = 0
    articles_updated: int = 0
    domain_events_new: int = 0
    alerts_written: int = 0


@dataclass(frozen=True)
class SearchFilters:
    topic: str | None = None
    event: str | None = None
    entity: str | None = None
    language: str | None = None
    since: float | None = None
    until: float | None = None
    pipeline_version: str | None = None
    story_id: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)


def _fts5_query(q: str) -> str:
    """User text -> a safe FTS5 expression: quoted phrases and words (AND), ``word*`` prefixes."""
    parts = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', q):
        if phrase:
            toks = re.findall(r"\w+", phrase)
            if toks:
                parts.append('"' + " ".join(toks) + '"')
        else:
            star = word.endswith("*")
            for tok in re.findall(r"\w+", word):
                parts.append(f'"{tok}"' + ("*" if star else ""))
    return " ".join(parts)


class ArchiveStore:
    """One database; :meth:`write` is idempotent and transactional."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = normalize_url(url)
        self.safe_url = _redact(self.url)
        try:
            if self.url.startswith("sqlite"):
                path = self.url.split(":///", 1)[1] if ":///" in self.url else ""
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                self.engine: Engine = create_engine(self.url)
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=2, max_overflow=2)
        except (ArgumentError, ImportError, SQLAlchemyError) as exc:
            raise WartaError(
                "W803",
                f"unsupported archive URL {self.safe_url}: {exc}",
                hint="use sqlite:///path.db or postgresql://user@host:port/db",
            ) from exc
        self.dialect = self.engine.dialect.name
        if self.dialect not in ("sqlite", "postgresql"):
            raise WartaError(
                "W803",
                f"unsupported archive database {self.dialect!r}",
                hint="use sqlite:///path.db or postgresql://user@host:port/db",
            )
        if migrate:
            self.migrate()

    # -- plumbing -------------------------------------------------------------------------
    def _fail(self, what: str, exc: Exception) -> WartaError:
        return WartaError(
            "W802",
            f"archive {self.safe_url}: {what} failed: {type(exc).__name__}: {str(exc)[:300]}",
            hint="check that the database is up and writable; nothing was committed",
        )

    def migrate(self) -> list[int]:
        try:
            with self.engine.begin() as conn:
                return s.migrate(conn)
        except SQLAlchemyError as exc:
            raise self._fail("migration", exc) from exc

    def _insert(self, table: Any) -> Any:
        mod = sqlite_dialect if self.dialect == "sqlite" else pg_dialect
        return mod.insert(table)

    def close(self) -> None:
        self.engine.dispose()

    # -- writes ---------------------------------------------------------------------------
    def write(
        self,
        articles: Sequence[EnrichedArticle] = (),
        domain_events: Sequence[DomainEvent] = (),
        alerts: Sequence[Alert] = (),
    ) -> WriteResult:
        """Write everything in one transaction; raises W802 (and commits nothing) on failure."""
        articles = [_no_nul(a) for a in articles]
        domain_events = [_no_nul(d) for d in domain_events]
        alerts = [_no_nul(x) for x in alerts]
        try:
            with self.engine.begin() as conn:
                return self._write(conn, articles, domain_events, alerts)
        except (DataError, IntegrityError) as exc:
            raise WartaError(
                "W805",
                f"archive {self.safe_url}: a record cannot be stored: {type(exc).__name__}: {str(exc)[:300]}",
                hint="the record goes to the DLQ; the rest of the batch is written one by one",
            ) from exc
        except SQLAlchemyError as exc:
            raise self._fail("write", exc) from exc

    def _write(
        self,
        conn: Connection,
        arts: Sequence[EnrichedArticle],
        devs: Sequence[DomainEvent],
        alerts: Sequence[Alert],
    ) -> WriteResult:
        res = WriteResult()
        now = time.time()
        latest: dict[str, EnrichedArticle] = {a.event_id: a for a in arts}  # last one wins in a batch
        ids = list(latest)
        existing: set[str] = set()
        for chunk in _chunks(ids, 500):
            existing |= set(
                conn.execute(select(s.articles.c.event_id).where(s.articles.c.event_id.in_(chunk))).scalars()
            )
        stories = sorted({a.dedup.story_id for a in latest.values() if a.dedup.story_id})
        fresh: list[EnrichedArticle] = []
        for eid, a in latest.items():
            if eid not in existing:
                fresh.append(a)
            elif (
                a.dedup.duplicate_of != a.id
            ):  # a redelivery flagged as a duplicate of itself keeps the first
                row = article_rows(a, now).article
                mutable = {k: row[k] for k in ("story_id", "duplicate_of", "similarity", "record")}
                conn.execute(update(s.articles).where(s.articles.c.event_id == eid).values(**mutable))
                res.articles_updated += 1
        if fresh:
            rows = [article_rows(a, now) for a in fresh]
            conn.execute(s.articles.insert(), [r.article for r in rows])
            self._children(conn, fresh, rows)
            res.articles_new = len(fresh)
        if stories:
            self._stories(conn, stories)
        unique_devs = {d.id: d for d in devs}
        if unique_devs:
            have: set[str] = set()
            for chunk in _chunks(list(unique_devs), 500):
                have |= set(
                    conn.execute(
                        select(s.domain_events.c.id).where(s.domain_events.c.id.in_(chunk))
                    ).scalars()
                )
            dev_rows = [domain_event_row(d) for d in unique_devs.values() if d.id not in have]
            if dev_rows:
                conn.execute(
                    self._insert(s.domain_events).on_conflict_do_nothing(index_elements=["id"]), dev_rows
                )
            res.domain_events_new = len(dev_rows)
        for al in alerts:
            values = alert_row(al)
            ins = self._insert(s.alerts).values(**values)
            stmt = ins.on_conflict_do_update(
                index_elements=["id"],
                set_={k: ins.excluded[k] for k in values if k != "id"},
                where=ins.excluded.revision > s.alerts.c.revision,
            ).returning(s.alerts.c.id)
            res.alerts_written += len(conn.execute(stmt).all())
        return res

    def _children(
        self, conn: Connection, arts: Sequence[EnrichedArticle], rows: Sequence[ArticleRows]
    ) -> None:
        """Topic, event, entity and figure rows (and the FTS rows) of newly inserted articles."""
        for table in (s.topics, s.events, s.entities, s.figures):
            children = [c for r in rows for c in r.children[table.name]]
            if children:
                conn.execute(table.insert(), children)
        if self.dialect == "sqlite":
            # the FTS row shares the article's rowid: deletes by rowid, never a scan
            by_id = {a.event_id: a for a in arts}
            rowids: list[tuple[int, str]] = []
            for chunk in _chunks(list(by_id), 500):
                q = select(literal_column("rowid"), s.articles.c.event_id).where(
                    s.articles.c.event_id.in_(chunk)
                )
                rowids.extend((int(r), str(e)) for r, e in conn.execute(q).all())
            if rowids:
                conn.execute(
                    text("DELETE FROM articles_fts WHERE rowid = :r"), [{"r": r} for r, _e in rowids]
                )
                conn.execute(
                    text("INSERT INTO articles_fts (rowid, event_id, title, body) VALUES (:r, :e, :t, :b)"),
                    [{"r": r, "e": e, "t": by_id[e].title or "", "b": by_id[e].body} for r, e in rowids],
                )

    def _stories(self, conn: Connection, stories: list[str]) -> None:
        """Recompute each touched story from its articles (idempotent)."""
        a = s.articles
        rows: dict[str, dict[str, Any]] = {}
        srcs: dict[str, set[str]] = {}
        for chunk in _chunks(stories, 500):
            agg = (
                select(
                    a.c.story_id,
                    func.count(),
                    func.min(a.c.published_ts),
                    func.max(a.c.published_ts),
                    func.min(a.c.title),
                )
                .where(a.c.story_id.in_(chunk))
                .group_by(a.c.story_id)
            )
            for sid, n, first, last, title in conn.execute(agg).all():
                rows[sid] = {
                    "story_id": sid,
                    "title": title,
                    "first_seen": first or 0.0,
                    "last_seen": last or 0.0,
                    "article_count": n,
                }
            q = select(a.c.story_id, a.c.source_name).where(a.c.story_id.in_(chunk)).distinct()
            for sid, src in conn.execute(q).all():
                if src:
                    srcs.setdefault(sid, set()).add(src)
        params = [{**r, "sources": sorted(srcs.get(sid, ()))} for sid, r in rows.items()]
        if params:
            ins = self._insert(s.stories)
            cols = ("title", "first_seen", "last_seen", "article_count", "sources")
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["story_id"], set_={c: ins.excluded[c] for c in cols}
                ),
                params,
            )

    def delete_version(self, pipeline_version: str) -> int:
        """Drop one pipeline version's articles (and their rows) from the archive."""
        with self.engine.begin() as conn:
            ids = list(
                conn.execute(
                    select(s.articles.c.event_id).where(s.articles.c.pipeline_version == pipeline_version)
                ).scalars()
            )
            for chunk in _chunks(ids, 500):
                for t in (s.topics, s.events, s.entities, s.figures):
                    conn.execute(delete(t).where(t.c.event_id.in_(chunk)))
                conn.execute(delete(s.articles).where(s.articles.c.event_id.in_(chunk)))
                if self.dialect == "sqlite":
                    for e in chunk:
                        conn.execute(text("DELETE FROM articles_fts WHERE event_id = :e"), {"e": e})
        return len(ids)

    # -- reads ----------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        tables = [s.articles, s.topics, s.events, s.entities, s.figures, s.stories, s.alerts, s.domain_events]
        try:
            with self.engine.connect() as conn:
                return {
                    t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                    for t in tables
                }
        except SQLAlchemyError as exc:
            raise self._fail("count", exc) from exc

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(s.schema_migrations.c.version))).scalar_one() or 0)

    def search(
        self, query: str = "", filters: SearchFilters | None = None, *, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Full-text search (FTS5 / tsvector 'simple') with filters; best matches first.

        A limit outside ``1..MAX_SEARCH_LIMIT`` or a query/filter the database rejects is W806
        (the request is wrong); W802 stays for a database that cannot be reached.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise WartaError(
                "W806",
                f"search limit {limit!r} is outside 1..{MAX_SEARCH_LIMIT}",
                hint=f"ask for between 1 and {MAX_SEARCH_LIMIT} results",
            )
        f = filters or SearchFilters()
        a = s.articles
        cols = [
            a.c.event_id,
            a.c.article_id,
            a.c.title,
            a.c.language,
            a.c.source_name,
            a.c.published_at,
            a.c.story_id,
            a.c.pipeline_version,
            a.c.url,
        ]
        stmt = select(*cols)
        params: dict[str, Any] = {}
        q = query.strip()
        if q and self.dialect == "sqlite":
            expr = _fts5_query(q)
            if not expr:
                return []
            stmt = (
                stmt.add_columns(
                    literal_column("bm25(articles_fts, 0.0, 4.0, 1.0)").label("rank"),
                    literal_column("snippet(articles_fts, 2, '[', ']', '…', 16)").label("snippet"),
                )
                .join(
                    text("articles_fts"),
                    literal_column("articles_fts.rowid") == literal_column("articles.rowid"),
                )
                .where(text("articles_fts MATCH :q"))
                .order_by(literal_column("rank"))
            )
            params["q"] = expr
        elif q:
            tsq = func.websearch_to_tsquery("simple", q)
            tsv: Any = literal_column("articles.tsv")
            stmt = (
                stmt.add_columns(
                    func.ts_rank(tsv, tsq).label("rank"),
                    func.ts_headline(
                        "simple", a.c.body, tsq, "MaxWords=24, MinWords=10, StartSel=[, StopSel=]"
                    ).label("snippet"),
                )
                .where(tsv.op("@@")(tsq))
                .order_by(literal_column("rank").desc())
            )
        else:
            stmt = stmt.add_columns(
                literal_column("0.0").label("rank"), func.substr(a.c.body, 1, 160).label("snippet")
            )
            stmt = stmt.order_by(a.c.published_ts.desc().nulls_last(), a.c.event_id)
        stmt = stmt.where(*self._filters(f)).limit(limit)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(stmt, params).mappings().all()
                out = [{str(k): v for k, v in r.items()} for r in rows]
                if out:
                    self._attach(conn, out)
        except (DataError, ProgrammingError, OverflowError, ValueError) as exc:
            raise WartaError(
                "W806",
                f"archive {self.safe_url}: the search was rejected: {type(exc).__name__}: {str(exc)[:300]}",
                hint="check the query and filter values (dates, codes, limit)",
            ) from exc
        except SQLAlchemyError as exc:
            raise self._fail("search", exc) from exc
        return out

    def _filters(self, f: SearchFilters) -> list[Any]:
        a = s.articles
        conds: list[Any] = []
        if f.topic:
            code = f.topic if f.topic.startswith("medtop:") else f"medtop:{f.topic}"
            t = s.topics
            conds.append(
                exists().where(t.c.event_id == a.c.event_id, or_(t.c.code == code, t.c.parent == code))
            )
        if f.event:
            e = s.events
            conds.append(
                exists().where(
                    e.c.event_id == a.c.event_id, e.c.code.like(f"{f.event}%"), e.c.negated.is_(False)
                )
            )
        if f.entity:
            n = s.entities
            if re.fullmatch(r"Q\d+", f.entity):
                match = n.c.qid == f.entity
            elif re.fullmatch(r"[A-Za-z]{2}", f.entity):
                match = or_(n.c.country == f.entity.upper(), func.lower(n.c.name) == f.entity.lower())
            else:
                match = or_(
                    func.lower(n.c.name) == f.entity.lower(), func.lower(n.c.text) == f.entity.lower()
                )
            conds.append(exists().where(n.c.event_id == a.c.event_id, match))
        if f.language:
            conds.append(a.c.language == f.language)
        if f.since is not None:
            conds.append(a.c.published_ts >= f.since)
        if f.until is not None:
            conds.append(a.c.published_ts < f.until)
        if f.pipeline_version:
            conds.append(a.c.pipeline_version == f.pipeline_version)
        if f.story_id:
            conds.append(a.c.story_id == f.story_id)
        if f.sources:
            conds.append(or_(a.c.source_name.in_(f.sources), a.c.source_domain.in_(f.sources)))
        return conds

    def _attach(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        ids = [r["event_id"] for r in rows]
        tops: dict[str, list[str]] = {}
        for eid, code in conn.execute(
            select(s.topics.c.event_id, s.topics.c.code).where(s.topics.c.event_id.in_(ids))
        ):
            tops.setdefault(eid, []).append(code)
        evs: dict[str, list[str]] = {}
        for eid, code in conn.execute(
            select(s.events.c.event_id, s.events.c.code).where(
                and_(s.events.c.event_id.in_(ids), s.events.c.negated.is_(False))
            )
        ):
            evs.setdefault(eid, []).append(code)
        for r in rows:
            r["topics"] = sorted(tops.get(r["event_id"], []))
            r["events"] = sorted(set(evs.get(r["event_id"], [])))
            r["rank"] = float(r["rank"]) if r["rank"] is not None else None

    def get_article(self, event_id: str) -> EnrichedArticle | None:
        with self.engine.connect() as conn:
            rec = conn.execute(
                select(s.articles.c.record).where(s.articles.c.event_id == event_id)
            ).scalar_one_or_none()
        return EnrichedArticle.model_validate(rec) if rec is not None else None


_R = TypeVar("_R", bound=Record)


def _no_nul(rec: _R) -> _R:
    """NUL characters (which PostgreSQL text cannot hold) become U+FFFD: same length, spans intact."""
    raw = rec.to_json()
    if b"\\u0000" not in raw:
        return rec
    return type(rec).model_validate_json(raw.replace(b"\\u0000", b"\\ufffd"))


def _chunks(items: list[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def open_store(url: str) -> ArchiveStore:
    return ArchiveStore(url)
