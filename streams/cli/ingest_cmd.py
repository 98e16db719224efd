"""``warta ingest``: the feed poller (``feeds``) and the HTTP endpoint (``http``)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from streams.core.errors import WartaError
from streams.core.settings import Settings, get_settings

if TYPE_CHECKING:
    from streams.feeds.poller import Poller, PollStats
    from streams.feeds.sinks import Sink

__all__ = ["ingest_app"]

#: Seconds a stopping poller waits for the producer to flush what it holds.
STOP_FLUSH_SECONDS = 3.0

ingest_app = typer.Typer(no_args_is_help=True, help="Ingest articles from feeds, sitemaps and HTTP.")


def _feeds_path(path: Path | None, settings: Settings) -> Path:
    chosen = path or settings.ingest_feeds
    if chosen is None:
        raise typer.BadParameter("name a feeds file (argument or WARTA_INGEST_FEEDS)")
    return chosen


async def _poll(settings: Settings, feeds_file: Path, *, once: bool, output: str, state_path: Path) -> int:
    from streams.feeds.config import load_feeds
    from streams.feeds.poller import Poller
    from streams.feeds.sinks import JsonlSink, KafkaSink
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
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not await _start(sink, stop, once=once):
        await poller.aclose()
        state.close()
        return 0 if stop.is_set() else 1  # stopped while waiting for the broker: not a failure
    try:
        if once:
            stats = await _once(poller, stop)
            print(
                f"polled {len(feeds.feeds)} feed(s): {stats.feeds_ok} ok, {stats.feeds_failed} failed; "
                f"{stats.new} new, {stats.published} published, {stats.dead} dead-lettered, "
                f"{stats.retried} to retry; errors {stats.errors or '{}'}"
                + ("; stopped by a signal, the rest stays pending" if stop.is_set() else ""),
                file=sys.stderr,
            )
            return 0
        await poller.run(stop)
        return 0
    finally:
        # every acknowledged item is committed already; the producer flushes what it holds
        # (bounded: a broker that is down must not keep a stopping poller alive)
        await poller.aclose()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sink.stop(), STOP_FLUSH_SECONDS)
        state.close()
        if fh is not None:
            fh.close()


async def _start(sink: Sink, stop: asyncio.Event, *, once: bool) -> bool:
    """Start the sink. The broker down at start: ``--once`` says so and fails (exit 1); the
    long-running poller waits for it (back-off up to 30 s), until stopped."""
    from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

    async def pause(seconds: float) -> None:  # a signal ends the wait at once
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)

    def log_wait(retry_state: Any) -> None:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        print(f"the broker is unreachable ({type(exc).__name__}: {exc}); retrying", file=sys.stderr)

    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(Exception), wait=wait_exponential(multiplier=1, max=30),
            stop=lambda _rs: once or stop.is_set(), sleep=pause, before_sleep=log_wait, reraise=True,
        ):  # fmt: skip
            with attempt:
                await sink.start()
    except Exception as exc:
        print(f"the broker is unreachable: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False
    return True


async def _once(poller: Poller, stop: asyncio.Event, grace: float = 2.0) -> PollStats:
    """One forced poll of every feed, cut short ``grace`` seconds after ``stop`` is set."""
    from streams.feeds.poller import PollStats

    task = asyncio.create_task(poller.poll_once(force=True))
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([task, stopper], return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if not task.done():
        await asyncio.wait([task], timeout=grace)
        task.cancel()
    try:
        return await task
    except asyncio.CancelledError:
        return PollStats()


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
    host: str | None = typer.Option(
        None,
        help="bind address (default: WARTA_INGEST_HOST, 127.0.0.1); without WARTA_INGEST_TOKEN only"
        " 127.0.0.1 unless WARTA_INGEST_ALLOW_OPEN=1",
    ),
    port: int | None = typer.Option(None, help="port (default: WARTA_INGEST_PORT, 8090)"),
    feeds_file: Path | None = typer.Option(
        None, "--feeds", help="also poll this feeds YAML in the same process"
    ),
    state: Path | None = typer.Option(None, "--state", help="SQLite state of the poller (with --feeds)"),
) -> None:
    """Serve POST /articles (a RawArticle JSON or a JSONL batch) into the raw topic, plus /metrics
    and /health. Content-Type application/json or application/x-ndjson; at most
    WARTA_INGEST_MAX_BATCH_RECORDS records (10,000) and WARTA_INGEST_MAX_BODY_BYTES (32 MB) per
    request, else 413. WARTA_INGEST_TOKEN requires an Authorization: Bearer header; without one
    the endpoint listens on 127.0.0.1 only (WARTA_INGEST_ALLOW_OPEN=1 to override)."""

    from streams.feeds.http_api import GracefulServer, bind_address, create_ingest_app, uvicorn_config
    from streams.feeds.sinks import KafkaSink
    from streams.observability.logging import configure_logging, get_logger

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    log = get_logger("warta.ingest.http")
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
    bind, why = bind_address(settings, host)
    if why:
        log.warning(why)
    elif not settings.ingest_token:
        log.warning(f"no WARTA_INGEST_TOKEN: listening on {bind} only; anyone who can reach it may publish")
    port = port if port is not None else settings.ingest_port
    log.info(
        "ingest endpoint listening", url=f"http://{bind}:{port}/articles", token=bool(settings.ingest_token)
    )
    GracefulServer(uvicorn_config(app, settings, bind, port)).run()
