"""Structured logging with structlog: console for people, JSON in production."""

from __future__ import annotations

import logging
import logging.config
import sys
from typing import Any

import structlog

__all__ = ["configure_logging", "get_logger", "stdlib_logging_config"]

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _renderer(fmt: str) -> Any:
    if fmt == "json":
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=False)


def stdlib_logging_config(level: str = "INFO", fmt: str = "console") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` that renders stdlib records (Faust, aiokafka...) like ours.

    With ``fmt="json"`` every line on stderr is one JSON object, whoever logged it.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "warta": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    _renderer(fmt),
                ],
                "foreign_pre_chain": _SHARED,
            }
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "stream": sys.stderr, "formatter": "warta"}
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
    }


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    """Route stdlib and structlog output to stderr in one format (JSON from the first line)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _renderer(fmt),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.config.dictConfig(stdlib_logging_config(level, fmt))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
