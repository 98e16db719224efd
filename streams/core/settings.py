"""Frozen settings from ``WARTA_*`` environment variables and an optional ``warta.toml``."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from streams import __version__
from streams.core.records import LANGUAGES, Language

__all__ = [
    "OUTPUT_ROLES",
    "TOPIC_ROLES",
    "KafkaSecurity",
    "Settings",
    "TopicNames",
    "TopicRole",
    "get_settings",
]

LogFormat = Literal["console", "json"]


#: The roles of Warta's topics: the one list every module reads (settings, routing, metrics, schemas,
#: topic creation, test isolation). Adding an output topic starts here (see docs/development.md).
TopicRole = Literal["raw", "enriched", "duplicates", "events", "alerts", "dlq"]
TOPIC_ROLES: tuple[TopicRole, ...] = get_args(TopicRole)
#: The roles the worker (and the downstream consumers) write to: every role but the input.
OUTPUT_ROLES: tuple[TopicRole, ...] = tuple(r for r in TOPIC_ROLES if r != "raw")


class TopicNames(BaseModel):
    """The topic name of each role (``WARTA_TOPICS__<ROLE>``)."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    raw: str = "warta.articles.raw"
    """Input topic: RawArticles from producers."""
    enriched: str = "warta.articles.enriched"
    """Enriched articles."""
    duplicates: str = "warta.articles.duplicates"
    """Duplicate notices."""
    events: str = "warta.events"
    """Domain events."""
    alerts: str = "warta.alerts"
    """Alerts."""
    dlq: str = "warta.dlq"
    """Dead letters."""

    def name(self, role: TopicRole) -> str:
        """The topic name of ``role``."""
        return str(getattr(self, role))

    def all(self) -> list[str]:
        return [self.name(r) for r in TOPIC_ROLES]


class KafkaSecurity(BaseModel):
    """Passed through to the Kafka clients (aiokafka / Faust)."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`."""
    sasl_mechanism: str | None = None
    """e.g. `PLAIN`, `SCRAM-SHA-512`."""
    sasl_username: str | None = None
    """SASL user."""
    sasl_password: str | None = Field(default=None, repr=False)
    """SASL password (not logged)."""
    ssl_cafile: str | None = None
    """CA bundle."""
    ssl_certfile: str | None = None
    """Client certificate."""
    ssl_keyfile: str | None = None
    """Client key."""


def _toml_path() -> Path:
    return Path(os.environ.get("WARTA_CONFIG", "warta.toml"))


class Settings(BaseSettings):
    """Every knob of Warta. Environment: ``WARTA_<NAME>``, nested with ``__``."""

    model_config = SettingsConfigDict(
        env_prefix="WARTA_",
        env_nested_delimiter="__",
        frozen=True,
        extra="ignore",
        use_attribute_docstrings=True,
    )

    app_id: str = "warta"
    """Faust app id = the worker's consumer group; the downstream groups are `<app_id>-alerting` and
    `<app_id>-archive`."""
    brokers: str = "kafka://127.0.0.1:9092"
    """Bootstrap servers (`a:9092,b:9092`)."""
    topics: TopicNames = TopicNames()
    """Topic names, one per role (see the topics table)."""
    partitions: int = 3
    """Partitions of the topics Warta creates."""
    replication: int = 1
    """Replication factor of the topics Warta creates."""
    security: KafkaSecurity = KafkaSecurity()
    """Kafka security options, translated for every client in `streams/kafka/security.py`."""
    web_host: str = "127.0.0.1"
    """Worker web server (`/metrics`, `/health`); also the bind address of `--metrics-port`."""
    web_port: int = 6066
    """Worker web server port."""
    data_dir: Path = Path("var/warta")
    """RocksDB state of the worker; `warta kafka start` keeps its broker data in `<data_dir>/kafka`."""
    page_model: Literal["off", "meta", "full"] = "meta"
    """The learned page-line classifier (the rules are its features; docs/pages.md has the figures):
    `meta` picks the title and byline, `full` also which lines of a text page are body (more
    furniture removed, but held-out events and figure headlines are worse: docs/pages.md), `off`
    the rules alone."""
    log_level: str = "INFO"
    """Log level."""
    log_format: LogFormat = "console"
    """`console` or `json` (structlog; `json` in production)."""
    max_article_bytes: int = 2_000_000
    """Larger articles go to the DLQ (W104)."""
    stages: tuple[str, ...] = ()
    """The pipeline's stages, in order (JSON list); empty means every stage of the registry, in its order."""
    compiled: bool = True
    """Run the shared analysis (tokens, sentences, numbers, lexicon hits) on the compiled hot path
    (Cython, built by `pip install -e .`; docs/hot.md) when it is built; `false` runs the pure-Python
    reference, which gives identical outputs, slower."""
    language_candidates: tuple[Language, ...] = LANGUAGES
    """Languages the detector may answer."""
    dedup_window_days: float = 7.0
    """How long the dedup index remembers an article (arrival time)."""
    session_timeout: float = Field(default=10.0, ge=6.0, le=300.0)
    """Seconds without a heartbeat before a worker's partitions go to another worker (Faust's own default,
    60 s, stalls a crashed worker's partitions for a minute)."""
    kafka_cache: Path = Path(".cache/kafka")
    """Where `warta kafka start` and `warta demo` keep the Kafka jars."""
    shared: Path = Path("../shared")
    """Where `warta eval` looks for `seeds/` and `eval/`."""
    demo_hold: float = 0.0
    """Seconds `warta demo` keeps the broker, worker and live page up at the end."""
    archive_url: str = "sqlite:///var/warta/archive.db"
    """Archive database (`sqlite:///…` or `postgresql://…`)."""
    alert_rules: Path | None = None
    """Alert rules file (none: the example `streams/data/alerting/rules.yaml`)."""
    webhook_url: str | None = None
    """Webhook that receives alert changes."""
    webhook_secret: str | None = Field(default=None, repr=False)
    """HMAC-SHA256 key of `X-Warta-Signature` (not logged)."""
    alertmanager_url: str | None = None
    """Alertmanager base URL."""
    alert_state_path: Path = Path("var/warta/alert-state.db")
    """Throttle state of `warta alerting` (SQLite; committed before the Kafka offsets)."""
    alert_delivery_attempts: int = 5
    """Delivery attempts per alert and sink (webhook, Alertmanager)."""
    alert_delivery_backoff: float = 0.5
    """First retry delay of an alert delivery in seconds (exponential, with jitter)."""
    archive_batch_size: int = 200
    """Records per archive / alerting transaction (`warta archive --batch` overrides); offsets are
    committed after each one."""
    web_token: str | None = Field(default=None, repr=False)
    """Token required by the live page (`?token=` or `Authorization: Bearer`)."""
    live_host: str = "127.0.0.1"
    """`warta web` (the live page) bind address."""
    live_port: int = 8080
    """`warta web` port."""
    live_backlog: int = 50
    """Records per partition the live page replays at start."""
    ingest_feeds: Path | None = None
    """Feeds file of `warta ingest` when none is given on the command line."""
    ingest_state_path: Path = Path("var/warta/feeds.db")
    """The feed poller's SQLite state."""
    ingest_user_agent: str = f"Warta/{__version__} (news stream processor; honours robots.txt)"
    """User-Agent of the poller; its first word is the robots.txt agent."""
    ingest_timeout: float = Field(default=20.0, gt=0.0)
    """Total deadline of one fetch in seconds (connect, headers and the whole body): a server that
    trickles bytes is cut off after this, whatever the per-read timeouts."""
    ingest_max_page_bytes: int = Field(default=5_000_000, ge=1024)
    """Largest feed/page downloaded (decompressed bytes); larger pages: W104 dead letter."""
    ingest_max_record_bytes: int | None = Field(default=None, ge=1024)
    """Largest raw record (RawArticle JSON) the poller or the endpoint publishes; unset: what the
    worker accepts (`max_article_bytes` plus the JSON framing), at most `max_message_bytes`.
    Scripts, styles, inline SVG and comments are stripped from pages before this check."""
    ingest_compression: Literal["gzip", "zstd", "lz4", "snappy", "none"] = "gzip"
    """Compression of the ingest producer's batches. gzip: every Kafka client reads it without an
    extra library; zstd needs cramjam here and in aiokafka consumers, zstandard in kafka-python ones."""
    ingest_max_unacked: int = Field(default=4, ge=1, le=1000)
    """Records the poller has handed to the producer and not yet seen acknowledged, at most: state
    is committed after each acknowledgement, so a crash republishes at most this many items."""
    ingest_dlq_payload_bytes: int = Field(default=256_000, ge=0)
    """Bytes of a failed page its dead letter keeps (`payload_truncated` says when it is cut)."""
    ingest_max_redirects: int = 5
    """Redirects followed."""
    ingest_host_concurrency: int = Field(default=2, ge=1)
    """Requests in flight per host."""
    ingest_host_interval: float = Field(default=1.0, ge=0.0)
    """Minimum seconds between request starts per host."""
    ingest_backoff_base: float = Field(default=2.0, ge=0.0)
    """First back-off (seconds) of a host on 429/5xx and of an item's retries (exponential, with jitter)."""
    ingest_backoff_max: float = 3600.0
    """Longest back-off in seconds."""
    ingest_max_attempts: int = Field(default=8, ge=1)
    """Attempts of an item's page before its dead letter."""
    ingest_seen_days: float = 30.0
    """How long finished items are remembered."""
    ingest_token: str | None = Field(default=None, repr=False)
    """Bearer token of `POST /articles` (not logged)."""
    ingest_host: str = "127.0.0.1"
    """`warta ingest http` bind address."""
    ingest_port: int = 8090
    """`warta ingest http` port."""
    ingest_allow_open: bool = False
    """Without `ingest_token` the endpoint binds 127.0.0.1 whatever `ingest_host` says, unless this
    is set (the operator guards the port otherwise)."""
    ingest_max_body_bytes: int = Field(default=32_000_000, ge=1024)
    """Request body limit of `POST /articles` (over it: 413, nothing published)."""
    ingest_max_batch_records: int = Field(default=10_000, ge=1)
    """Records per `POST /articles` (over it: 413, nothing published)."""
    ingest_max_inflight: int = Field(default=20_000, ge=1)
    """Records of other requests awaiting acknowledgement beyond which `POST /articles` answers 503
    (nothing of it handed to the producer); a batch alone is never refused by it."""
    ingest_header_timeout: float = Field(default=10.0, gt=0.0)
    """Seconds a client has to send its request line and headers (slowloris)."""
    ingest_body_timeout: float = Field(default=30.0, gt=0.0)
    """Seconds a client has to send its whole body (408 after)."""
    ingest_ack_timeout: float = Field(default=30.0, gt=0.0)
    """Seconds `POST /articles` waits for the broker's acknowledgements before answering 504."""
    ingest_allowed_origins: tuple[str, ...] = ()
    """Origins (`scheme://host:port`) allowed to POST from a browser; any other Origin: 403."""
    stage_timeout: float = Field(default=30.0, gt=0.0, le=3600.0)
    """Per-article time budget of the worker in seconds: an article still in the pipeline after it is dead-
    lettered (W902, the stage named); the pipeline runs in a child process, so the event loop,
    heartbeats and `/health` never wait for it."""
    pipeline_processes: int = Field(default=0, ge=0, le=64)
    """Child processes that run the stateless stages for one worker (the stateful ones, dedup, run on the
    event loop next to their Faust tables); 0: one per CPU core the worker may use, at most 4."""
    batch_size: int = Field(default=64, ge=1, le=10_000)
    """Inputs in flight at most (the worker's adaptive batch, streams/kafka/flow.py): each input is dispatched
    as it arrives and its outputs sent as soon as it is done; one input when caught up, up to this many under
    backlog."""
    batch_bytes: int = Field(default=16_777_216, ge=1, le=1_073_741_824)
    """Payload bytes in flight at most (one input is always taken, however large)."""
    batch_within: float = Field(default=5.0, gt=0.0, le=600.0)
    """Seconds: no new input is taken while the oldest unacknowledged one has been in flight this long (bounds
    the span a crash makes the next worker redo)."""
    max_message_bytes: int = Field(default=8_388_608, ge=65_536, le=1_073_741_824)
    """Largest record: `max.message.bytes` of the topics `warta topics create` makes, and the producer's
    `max_request_size`; a larger output is dead-lettered (W903) and a dead letter is truncated to fit."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=_toml_path()),
        )

    def model_post_init(self, __context: object) -> None:
        if not self.stages:
            from streams.core.registry import DEFAULT_STAGES

            object.__setattr__(self, "stages", DEFAULT_STAGES)

    @property
    def broker_list(self) -> list[str]:
        """``kafka://a:9092;b:9092`` or ``a:9092,b:9092`` -> ``["a:9092", "b:9092"]``."""
        out = []
        for part in self.brokers.replace(";", ",").split(","):
            part = part.strip()
            if part.startswith("kafka://"):
                part = part[len("kafka://") :]
            if part:
                out.append(part)
        return out


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
