"""``warta web``: serve the live monitoring page (enriched articles and alerts as they arrive)."""

from __future__ import annotations

import typer

from streams.core.settings import get_settings

__all__ = ["web"]


def web(
    host: str | None = typer.Option(None, help="bind address (default: WARTA_LIVE_HOST, 127.0.0.1)"),
    port: int | None = typer.Option(None, min=1, max=65535, help="port (default: WARTA_LIVE_PORT, 8080)"),
    backlog: int | None = typer.Option(
        None, min=0, max=100_000, help="records per partition replayed at start (WARTA_LIVE_BACKLOG)"
    ),
) -> None:
    """Serve the live page: articles and alerts from Kafka over Server-Sent Events, with filters.

    Read-only. Set WARTA_WEB_TOKEN to require ?token=... (or an Authorization: Bearer header).
    """
    import uvicorn

    from streams.observability.logging import configure_logging
    from streams.sinks.live.app import EventHub, create_web_app

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    hub = EventHub(backlog=backlog if backlog is not None else settings.live_backlog)
    app = create_web_app(settings, hub=hub)
    uvicorn.run(
        app,
        host=host or settings.live_host,
        port=port if port is not None else settings.live_port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
