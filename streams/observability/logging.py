"""Structured logging with structlog: console for people, JSON in production."""

from __future__ import annotations

import logging
import logging.config
import sys
from typing import Any

import structlog

__all__ = ["KAFKA_CLIENT_LOGGERS", "client_level", "configure_logging", "get_logger", "stdlib_logging_config"]

#: Loggers of the Kafka client libraries (aiokafka, kafka-python).
KAFKA_CLIENT_LOGGERS = ("aiokafka", "kafka")

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class _StderrLogger:
    """structlog's output: whatever ``sys.stderr`` is when a line is written (PrintLogger binds
    the stream once, which breaks when a test runner or CLI harness swaps it)."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warn = warning = error = err = critical = fatal = exception = failure = msg


def _stderr_logger(*_args: Any) -> _StderrLogger:
    return _StderrLogger()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler on the current ``sys.stderr`` (see :class:`_StderrLogger`)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


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
        "handlers": {"stderr": {"()": _StderrHandler, "formatter": "warta"}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # The Kafka clients narrate every subscription, join and rebalance at INFO: they speak from
        # WARNING unless Warta itself logs at DEBUG.
        "loggers": {name: {"level": client_level(level)} for name in KAFKA_CLIENT_LOGGERS},
    }


def client_level(level: str) -> str:
    """The level of the Kafka client libraries' loggers when Warta logs at ``level``."""
    return "DEBUG" if level.upper() == "DEBUG" else max(level.upper(), "WARNING", key=logging.getLevelName)


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
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    logging.config.dictConfig(stdlib_logging_config(level, fmt))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
