"""Ingest from where news lives: RSS/Atom/news-sitemap poller and the HTTP endpoint."""

__all__: list[str] = []
