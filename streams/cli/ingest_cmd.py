"""``warta ingest``: the feed poller (``feeds``) and the HTTP endpoint (``http``)."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import typer

from streams.core.errors import WartaError
from streams.core.settings import Settings, get_settings

__all__ = ["ingest_app"]

ingest_app = typer.Typer(no_args_is_help=True, help="Ingest articles from feeds, sitemaps and HTTP.")


def _feeds_path(path: Path | None, settings: Settings) -> Path:
    chosen = path or settings.ingest_feeds
    if chosen is None:
        raise typer.BadParameter("name a feeds file (argument or WARTA_INGEST_FEEDS)")
    return chosen


async def _poll(settings: Settings, feeds_file: Path, *, once: bool, output: str, state_path: Path) -> int:
    from streams.feeds.config import load_feeds
    from streams.feeds.poller import Poller
    from streams.feeds.sinks import JsonlSink, KafkaSink, Sink
    from streams.feeds.state import FeedState

    feeds = load_feeds(feeds_file)
    sink: Sink
    fh = None
    if output == "kafka":
        sink = KafkaSink(settings)
    elif output == "-":
        sink = JsonlSink(sys.stdout.buffer)
    else:
        fh = Path(output).open("ab")  # noqa: SIM115
        sink = JsonlSink(fh)
    state = FeedState(state_path)
    poller = Poller(feeds, settings, sink, state)
    await sink.start()
    try:
        if once:
            stats = await poller.poll_once(force=True)
            print(
                f"polled {len(feeds.feeds)} feed(s): {stats.feeds_ok} ok, {stats.feeds_failed} failed; "
                f"{stats.new} new, {stats.published} published, {stats.dead} dead-lettered, "
                f"{stats.retried} to retry; errors {stats.errors or '{}'}",
                file=sys.stderr,
            )
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await poller.run(stop)
        return 0
    finally:
        await poller.aclose()
        await sink.stop()
        state.close()
        if fh is not None:
            fh.close()


@ingest_app.command("feeds")
def feeds_cmd(
    feeds_file: Path | None = typer.Argument(None, help="feeds YAML (default: WARTA_INGEST_FEEDS)"),
    once: bool = typer.Option(False, "--once", help="poll every feed once, then exit"),
    output: str = typer.Option(
        "kafka", "--output", "-o", help="kafka (the raw topic), - (JSONL on stdout) or a file"
    ),
    state: Path | None = typer.Option(
        None, "--state", help="SQLite state file (default: WARTA_INGEST_STATE_PATH)"
    ),
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", help="serve Prometheus /metrics on this port"
    ),
) -> None:
    """Poll RSS 2.0, Atom and news-sitemap feeds; publish each new item's page as a RawArticle."""
    from streams.observability.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=settings.web_host)
    try:
        code = asyncio.run(_poll(settings, _feeds_path(feeds_file, settings), once=once, output=output,
                                 state_path=state or settings.ingest_state_path))  # fmt: skip
    except WartaError as exc:
        typer.echo(f"{exc.code}: {exc.reason}" + (f" ({exc.hint})" if exc.hint else ""), err=True)
        raise typer.Exit(2) from exc
    raise typer.Exit(code)


@ingest_app.command("http")
def http_cmd(
    host: str | None = typer.Option(None, help="bind address (default: WARTA_INGEST_HOST, 127.0.0.1)"),
    port: int | None = typer.Option(None, help="port (default: WARTA_INGEST_PORT, 8090)"),
    feeds_file: Path | None = typer.Option(
        None, "--feeds", help="also poll this feeds YAML in the same process"
    ),
    state: Path | None = typer.Option(None, "--state", help="SQLite state of the poller (with --feeds)"),
) -> None:
    """Serve POST /articles (a RawArticle JSON or a JSONL batch) into the raw topic, plus /metrics
    and /health. WARTA_INGEST_TOKEN requires an Authorization: Bearer header."""
    import uvicorn

    from streams.feeds.http_api import create_ingest_app
    from streams.feeds.sinks import KafkaSink
    from streams.observability.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    sink = KafkaSink(settings)
    background = None
    if feeds_file or settings.ingest_feeds:
        from streams.feeds.config import load_feeds
        from streams.feeds.poller import Poller
        from streams.feeds.state import FeedState

        feeds = load_feeds(_feeds_path(feeds_file, settings))

        async def background(stop: asyncio.Event) -> None:
            st = FeedState(state or settings.ingest_state_path)
            poller = Poller(feeds, settings, sink, st)
            try:
                await poller.run(stop)
            finally:
                await poller.aclose()
                st.close()

    app = create_ingest_app(settings, sink, background=background)
    uvicorn.run(app, host=host or settings.ingest_host, port=port if port is not None else settings.ingest_port,
                log_level="warning", access_log=False, timeout_graceful_shutdown=5)  # fmt: skip
