"""CLI commands of the downstream consumers: ``warta alerting``, ``archive``, ``search``, ``replay``."""

from __future__ import annotations

import asyncio
import math
import sys
from datetime import datetime
from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.table import Table

from streams.archive.limits import MAX_SEARCH_LIMIT
from streams.core.errors import WartaError
from streams.core.settings import Settings, get_settings

__all__ = ["alerting", "archive", "register", "replay_cmd", "run_downstream_demo", "search"]

err = Console(stderr=True)

#: Bounds of numeric options: typer turns a value outside them into a usage error (exit 2).
MAX_BATCH = 100_000
MAX_IDLE_SECONDS = 86_400.0
#: Unix seconds accepted by --since/--until/--from-timestamp: 1970-01-01 .. 9999-12-31.
MAX_UNIX_SECONDS = 253_402_300_799.0


def _fail(exc: WartaError) -> typer.Exit:
    err.print(f"[red]error {exc.code}:[/red] {exc.reason}", soft_wrap=True)
    if exc.hint:
        err.print(f"[dim]hint: {exc.hint}[/dim]")
    return typer.Exit(2)


def _serve_metrics(port: int | None, settings: Settings) -> None:
    if port is not None:
        from prometheus_client import start_http_server

        start_http_server(port, addr=settings.web_host)


def _existing_archive(url: str, *, given: bool) -> str:
    """``url`` when it names an archive that exists; a search never creates an empty SQLite file."""
    from streams.archive.store import normalize_url

    full = normalize_url(url)
    if not full.startswith("sqlite:///") or full == "sqlite:///:memory:":
        return url
    path = Path(full[len("sqlite:///") :])
    if path.is_file():
        return url
    where = f"--archive {url}" if given else f"the archive of setting WARTA_ARCHIVE_URL ({url})"
    raise WartaError(
        "W802",
        f"no archive at {path}: {where} does not exist",
        hint="pass --archive URL of an existing archive; `warta archive` (the consumer) or "
        "`warta process FILES --archive sqlite:///PATH.db` writes one, and `make demo` shows both",
    )


def _when(value: str | None) -> float | None:
    """ISO 8601 date/time (``2026-02-05``, ``2026-02-05T10:00+07:00``) or Unix seconds."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_UNIX_SECONDS:
            raise typer.BadParameter(
                f"{value!r} is outside Unix seconds 0..{MAX_UNIX_SECONDS:.0f} (year 9999); "
                "give an ISO 8601 time such as 2026-02-05T10:00+07:00"
            )
        return seconds
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.astimezone()
        return dt.timestamp()
    except (ValueError, OverflowError, OSError) as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time or Unix seconds") from exc


def alerting(
    rules: Path | None = typer.Option(
        None, "--rules", help="alert rules YAML (default: setting alert_rules)"
    ),
    idle: float | None = typer.Option(
        None, min=0, max=MAX_IDLE_SECONDS, help="stop after N seconds without records"
    ),
    check: bool = typer.Option(False, "--check", help="only validate the rules file and exit"),
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", min=1, max=65535, help="serve Prometheus /metrics on this port"
    ),
) -> None:
    """Run the alerting consumer: warta.articles.enriched -> rules -> warta.alerts, webhook, Alertmanager."""
    from streams.alerting.rules import example_rules, load_rules
    from streams.sinks.alerting import run_alerting

    settings = get_settings()
    path = rules or settings.alert_rules
    try:
        if check:
            rs = load_rules(path or example_rules())
            err.print(f"{rs.path}: {len(rs.rules)} rule(s) OK: {', '.join(r.name for r in rs.rules)}")
            return
        _serve_metrics(metrics_port, settings)
        stats = asyncio.run(run_alerting(settings, rules_path=path, idle_timeout=idle))
    except WartaError as exc:
        raise _fail(exc) from exc
    err.print(
        f"alerting stopped: {stats.records} record(s) in {stats.batches} batch(es), {stats.failures} retried"
    )


def archive(
    url: str | None = typer.Option(None, "--url", help="archive URL (default: setting archive_url)"),
    idle: float | None = typer.Option(
        None, min=0, max=MAX_IDLE_SECONDS, help="stop after N seconds without records"
    ),
    batch: int | None = typer.Option(None, min=1, max=MAX_BATCH, help="records per transaction"),
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", min=1, max=65535, help="serve Prometheus /metrics on this port"
    ),
) -> None:
    """Run the archive consumer: enriched articles, domain events and alerts into SQLite/PostgreSQL."""
    from streams.sinks.archive import run_archive

    settings = get_settings()
    _serve_metrics(metrics_port, settings)
    try:
        stats = asyncio.run(run_archive(settings, url=url, idle_timeout=idle, batch_size=batch))
    except WartaError as exc:
        raise _fail(exc) from exc
    err.print(
        f"archive stopped: {stats.records} record(s) in {stats.batches} batch(es), {stats.failures} retried"
    )


def search(
    query: str = typer.Argument("", help='full-text query (words, "phrases"; empty: latest articles)'),
    url: str | None = typer.Option(
        None, "--archive", "--url", help="archive URL (default: setting archive_url)"
    ),
    topic: str | None = typer.Option(None, help="IPTC code, e.g. 16000000 or medtop:20000056"),
    event: str | None = typer.Option(None, help="CAMEO code prefix, e.g. 19 or 0841"),
    entity: str | None = typer.Option(None, help="entity name, Wikidata QID or ISO country code"),
    language: str | None = typer.Option(None, "--lang", "--language", help="ISO 639-1 code"),
    since: str | None = typer.Option(None, help="published at or after (ISO 8601 or Unix seconds)"),
    until: str | None = typer.Option(None, help="published before (ISO 8601 or Unix seconds)"),
    version: str | None = typer.Option(None, "--pipeline-version", help="only this pipeline version"),
    source: list[str] = typer.Option([], "--source", help="outlet name or domain (repeatable)"),
    story: str | None = typer.Option(None, "--story", help="only this story id"),
    limit: int = typer.Option(20, min=1, max=MAX_SEARCH_LIMIT, help="at most N results"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table"),
) -> None:
    """Search the archive (SQLite FTS5 / PostgreSQL tsvector) with filters."""
    from streams.archive.store import ArchiveStore, SearchFilters

    filters = SearchFilters(
        topic=topic,
        event=event,
        entity=entity,
        language=language,
        since=_when(since),
        until=_when(until),
        pipeline_version=version,
        sources=tuple(source),
        story_id=story,
    )
    try:
        store = ArchiveStore(_existing_archive(url or get_settings().archive_url, given=url is not None))
        try:
            rows = store.search(query, filters, limit=limit)
        finally:
            store.close()
    except WartaError as exc:
        raise _fail(exc) from exc
    if as_json:
        for r in rows:
            sys.stdout.write(orjson.dumps(r).decode() + "\n")
        return
    table = Table(title=f"{len(rows)} result(s)" + (f" for {query!r}" if query else ""))
    for col in ("published", "lang", "source", "title", "topics", "events", "snippet"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            (r["published_at"] or "")[:16],
            r["language"] or "",
            r["source_name"] or "",
            r["title"] or r["article_id"],
            " ".join(r["topics"][:3]),
            " ".join(r["events"][:4]),
            (r["snippet"] or "").replace("\n", " ")[:160],
        )
    Console().print(table)


def replay_cmd(
    from_timestamp: str | None = typer.Option(None, "--from-timestamp", help="ISO 8601 or Unix seconds"),
    archive_url: str | None = typer.Option(None, "--archive", help="write straight into this archive"),
    version: str | None = typer.Option(None, "--pipeline-version", help="run as this pipeline version"),
) -> None:
    """Re-read warta.articles.raw from the start (or a timestamp) through the pipeline."""
    from streams.kafka.replay import replay

    try:
        stats = asyncio.run(
            replay(
                get_settings(),
                from_timestamp=_when(from_timestamp),
                archive_url=archive_url,
                pipeline_version=version,
            )
        )
    except WartaError as exc:
        raise _fail(exc) from exc
    target = (
        f"archived {stats.archived_new} new, {stats.archived_existing} already there"
        if archive_url
        else (f"produced {stats.produced} record(s)")
    )
    err.print(
        f"replayed {stats.read} message(s): {stats.articles} article(s), {stats.dead_letters} to the DLQ; {target}"
    )


def register(app: typer.Typer) -> None:
    """Add the downstream commands to the ``warta`` app."""
    app.command()(alerting)
    app.command()(archive)
    app.command()(search)
    app.command("replay")(replay_cmd)


def run_downstream_demo(
    settings: Settings, workdir: Path, *, query: str = "banjir", idle: float = 4.0
) -> bool:
    """Demo step: archive and alert on what the worker produced, then show the alerts and a search.

    Runs ``warta archive`` and ``warta alerting`` in-process until both are idle, with a SQLite
    archive and alert state under ``workdir``. Returns True when alerts fired and the archive
    holds articles.
    """
    from streams.archive.store import ArchiveStore
    from streams.kafka.client import collect
    from streams.sinks.alerting import run_alerting
    from streams.sinks.archive import run_archive

    out = Console()
    s = settings.model_copy(update={"alert_state_path": workdir / "alert-state.db"})
    url = f"sqlite:///{workdir / 'archive.db'}"
    from streams.alerting.rules import example_rules

    rules = settings.alert_rules or example_rules()

    async def _both() -> None:
        await asyncio.gather(
            run_alerting(s, rules_path=rules, idle_timeout=idle), run_archive(s, url=url, idle_timeout=idle)
        )

    asyncio.run(_both())
    alerts = collect(s, s.topics.alerts, 1000, timeout=3)
    latest: dict[str, dict[str, object]] = {}
    for r in alerts:
        if r.value and int(r.value["revision"]) >= int(latest.get(r.value["id"], {}).get("revision", 0)):  # type: ignore[call-overload]
            latest[r.value["id"]] = r.value
    table = Table(title=f"warta.alerts ({len(alerts)} record(s), {len(latest)} alert(s); rules: {rules})")
    for col in ("rule", "severity", "rev", "articles", "message"):
        table.add_column(col, overflow="fold")
    for v in latest.values():
        table.add_row(
            str(v["rule"]),
            str(v["severity"]),
            str(v["revision"]),
            ", ".join(v["article_ids"]),  # type: ignore[arg-type]
            str(v["message"])[:100],
        )
    out.print(table)
    store = ArchiveStore(url)
    try:
        counts = store.counts()
        out.print("archive " + url + ": " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        hits = store.search(query, limit=5)
    finally:
        store.close()
    out.print(f"$ warta search {query!r} --archive {url}")
    for h in hits:
        snippet = (h["snippet"] or "").replace("\n", " ")[:100]
        out.print(f"  {h['article_id']}: {h['title'] or ''} — {snippet}")
    return bool(latest) and counts["articles"] > 0
