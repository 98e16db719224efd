"""Errors with stable codes: each says what went wrong and what to do about it."""

from __future__ import annotations

__all__ = ["ERROR_CODES", "ERROR_HINTS", "StageError", "WartaError"]

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


#: What to do about each code (shown in docs/contracts.md next to the code's meaning).
ERROR_HINTS: dict[str, str] = {
    "W001": "the message names the setting; see the settings table in docs/operations.md",
    "W002": "run again with `WARTA_DEBUG=1` for the traceback and report it",
    "W003": "see `warta COMMAND --help`",
    "W100": "producers must send UTF-8 JSON",
    "W101": "send one JSON object per message",
    "W102": "follow `schemas/warta.articles.raw.json`",
    "W103": "set `text` or `html`",
    "W104": "raise `WARTA_MAX_ARTICLE_BYTES` or split the input",
    "W105": "tombstones are not articles; check the path",
    "W106": "check the URL in `source_key`; the page bytes are in `payload_b64`",
    "W107": "fix the named `feeds[i].field`",
    "W200": "the input held only page furniture; send the article text",
    "W201": "send UTF-8 article text / the page as UTF-8",
    "W202": "send the article page itself (not an index, login or error page), or its text",
    "W300": "run the `ids` stage before `dedup` (`WARTA_STAGES`)",
    "W301": "run the `ids` stage before `dedup`",
    "W302": "—",
    "W600": "run the `decode` stage first",
    "W601": "reinstall, or run `scripts/train_ner.py`",
    "W800": "check that the receiver is up and its URL; the batch stays uncommitted and is retried",
    "W801": "fix the listed `file:line: field` problems (`warta alerting --check`)",
    "W802": "check that the database is up and writable; nothing was committed, the consumer retries",
    "W803": "use `sqlite:///path.db` or `postgresql://user@host:port/db`",
    "W804": "check the path and permissions (`WARTA_ALERT_STATE_PATH`)",
    "W805": "inspect the dead letter; the rest of the batch is written",
    "W806": "check the query and filter values",
    "W900": "a bug in Warta: the record is kept in the DLQ; report it with the record",
    "W901": "a bug in a stage: report it with the DLQ record",
    "W902": "report the article (every stage must be linear in its length), or raise the budget",
    "W903": "raise both (`warta topics create` sets the topics' limit on new topics), or lower `WARTA_MAX_ARTICLE_BYTES`",
    "W904": "check the broker; the input is whole on the raw topic at `source_offset`",
    "W905": "report the article (DLQ payload); the worker started a new process",
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
