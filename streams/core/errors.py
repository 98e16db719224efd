"""Errors with stable codes: each says what went wrong and what to do about it."""

from __future__ import annotations

__all__ = ["ERROR_CODES", "StageError", "WartaError"]

#: Stable error codes. Never renumber; add new ones at the end of their block.
ERROR_CODES: dict[str, str] = {
    # command line and settings (W0xx)
    "W001": "a WARTA_* setting is invalid",
    "W002": "a command failed unexpectedly",
    "W003": "a command-line argument or option is invalid",
    # decoding (W1xx)
    "W100": "message is not valid UTF-8",
    "W101": "message is not valid JSON",
    "W102": "JSON does not have the shape of a RawArticle",
    "W103": "article has no text and no html",
    "W104": "article is larger than the configured maximum size",
    "W105": "message has no value",
    "W106": "a feed item's page could not be fetched as an article (HTTP error, redirects, not a page)",
    "W107": "the feeds file of `warta ingest feeds` is invalid",
    # cleaning (W2xx)
    "W200": "article text is empty after cleaning",
    "W201": "article looks like binary data, not text",
    "W202": "HTML page holds no article text",
    # dedup and stories (W3xx)
    "W300": "article has no id when it reaches the dedup stage",
    "W301": "article has no content hash when it reaches the dedup stage",
    "W302": "record on the dedup hand-off topic is malformed (retired: the hand-off topic is gone)",
    # entities, figures, quotes (W6xx)
    "W600": "article body is not text when entities, figures or quotes run",
    "W601": "the NER model file is missing or unreadable",
    # downstream: alerting and archive (W8xx)
    "W800": "an alert could not be delivered to a sink (webhook, Alertmanager, Kafka) after retries",
    "W801": "the alert rules file is invalid",
    "W802": "the archive database could not be reached or written",
    "W803": "the archive URL is not a supported database URL",
    "W804": "the alert state file could not be read or written",
    "W805": "a record cannot be stored in the archive (rejected by the database); it goes to the DLQ",
    "W806": "the archive rejected the search query or its filters (not a connection problem)",
    # pipeline (W9xx)
    "W900": "a pipeline stage raised an unexpected error",
    "W901": "pipeline output failed validation",
    "W902": "the article exceeded the per-article time budget (WARTA_STAGE_TIMEOUT); the stage is named",
    "W903": "an output record is larger than its topic or the producer accepts",
    "W904": "an output record could not be produced (serialisation or broker error after retries)",
    "W905": "the pipeline process died while processing the article",
}


class WartaError(Exception):
    """Base error: ``code`` is stable, ``reason`` is for humans, ``hint`` says what to do."""

    def __init__(self, code: str, reason: str, *, hint: str | None = None, stage: str | None = None):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.hint = hint
        self.stage = stage


class StageError(WartaError):
    """Raised by a pipeline stage for input it cannot handle (the input goes to the DLQ)."""
