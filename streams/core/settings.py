"""Frozen settings from ``WARTA_*`` environment variables and an optional ``warta.toml``."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from streams import __version__

__all__ = ["KafkaSecurity", "Settings", "TopicNames", "get_settings"]

LogFormat = Literal["console", "json"]


class TopicNames(BaseModel):
    model_config = ConfigDict(frozen=True)

    raw: str = "warta.articles.raw"
    enriched: str = "warta.articles.enriched"
    duplicates: str = "warta.articles.duplicates"
    events: str = "warta.events"
    alerts: str = "warta.alerts"
    dlq: str = "warta.dlq"

    def all(self) -> list[str]:
        return [self.raw, self.enriched, self.duplicates, self.events, self.alerts, self.dlq]


class KafkaSecurity(BaseModel):
    """Passed through to the Kafka clients (aiokafka / Faust)."""

    model_config = ConfigDict(frozen=True)

    protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = Field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None


def _toml_path() -> Path:
    return Path(os.environ.get("WARTA_CONFIG", "warta.toml"))


class Settings(BaseSettings):
    """Every knob of Warta. Environment: ``WARTA_<NAME>``, nested with ``__``."""

    model_config = SettingsConfigDict(
        env_prefix="WARTA_",
        env_nested_delimiter="__",
        frozen=True,
        extra="ignore",
    )

    app_id: str = "warta"
    brokers: str = "kafka://127.0.0.1:9092"
    topics: TopicNames = TopicNames()
    partitions: int = 3
    replication: int = 1
    security: KafkaSecurity = KafkaSecurity()
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    data_dir: Path = Path("var/warta")
    log_level: str = "INFO"
    log_format: LogFormat = "console"
    max_article_bytes: int = 2_000_000
    stages: tuple[str, ...] = ()
    language_candidates: tuple[str, ...] = ("id", "en", "ms")
    dedup_window_days: float = 7.0
    #: Seconds without a heartbeat before the group gives a dead worker's partitions to another.
    #: Faust's default (60 s) stalls a crashed worker's partitions for a minute.
    session_timeout: float = Field(default=10.0, ge=6.0, le=300.0)
    kafka_cache: Path = Path(".cache/kafka")
    #: The shared evaluation data (``seeds/``, ``eval/``) that ``warta eval`` reads by default.
    shared: Path = Path("../shared")
    #: Seconds ``warta demo`` keeps the broker, worker and live page up at the end.
    demo_hold: float = 0.0
    archive_url: str = "sqlite:///var/warta/archive.db"
    alert_rules: Path | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, repr=False)
    alertmanager_url: str | None = None
    #: Throttle state of the alerting consumer (SQLite; committed before the Kafka offsets).
    alert_state_path: Path = Path("var/warta/alert-state.db")
    #: Delivery attempts per alert and sink (webhook, Alertmanager), exponential backoff from this delay.
    alert_delivery_attempts: int = 5
    alert_delivery_backoff: float = 0.5
    #: Records per archive / alerting transaction (offsets are committed after each one).
    archive_batch_size: int = 200
    web_token: str | None = Field(default=None, repr=False)
    #: ``warta web`` (the live page): bind address, port and records replayed per partition on start.
    live_host: str = "127.0.0.1"
    live_port: int = 8080
    live_backlog: int = 50
    #: ``warta ingest``: feed poller and HTTP endpoint (streams/feeds/). See README "Ingest".
    ingest_feeds: Path | None = None
    ingest_state_path: Path = Path("var/warta/feeds.db")
    ingest_user_agent: str = f"Warta/{__version__} (news stream processor; honours robots.txt)"
    #: Total deadline of one fetch (connect, headers and the whole body), seconds: a server that
    #: trickles bytes is cut off after this, whatever the per-read timeouts.
    ingest_timeout: float = Field(default=20.0, gt=0.0)
    #: Largest page (bytes on the wire, decompressed) the poller downloads.
    ingest_max_page_bytes: int = Field(default=5_000_000, ge=1024)
    #: Largest raw record (the RawArticle JSON) the poller or the endpoint publishes; ``None``:
    #: what the worker accepts (``max_article_bytes`` plus the JSON framing), at most
    #: ``max_message_bytes``. Scripts, styles and comments are stripped before this check.
    ingest_max_record_bytes: int | None = Field(default=None, ge=1024)
    #: Compression of the ingest producer's batches (aiokafka; zstd needs cramjam).
    ingest_compression: Literal["zstd", "gzip", "lz4", "snappy", "none"] = "zstd"
    #: Records handed to the producer and not yet acknowledged, at most (the poller): the state
    #: is committed after each acknowledgement, so a crash republishes at most this many items.
    ingest_max_unacked: int = Field(default=4, ge=1, le=1000)
    #: Bytes of a failed page a dead letter keeps (``payload_truncated`` says when it is cut).
    ingest_dlq_payload_bytes: int = Field(default=256_000, ge=0)
    ingest_max_redirects: int = 5
    ingest_host_concurrency: int = Field(default=2, ge=1)
    ingest_host_interval: float = Field(default=1.0, ge=0.0)
    ingest_backoff_base: float = Field(default=2.0, ge=0.0)
    ingest_backoff_max: float = 3600.0
    ingest_max_attempts: int = Field(default=8, ge=1)
    ingest_seen_days: float = 30.0
    ingest_token: str | None = Field(default=None, repr=False)
    ingest_host: str = "127.0.0.1"
    ingest_port: int = 8090
    #: Without ``ingest_token`` the endpoint binds 127.0.0.1 whatever ``ingest_host`` says,
    #: unless this is set (the operator puts its own gate in front).
    ingest_allow_open: bool = False
    #: Largest POST /articles body (bytes) and batch (records): over either, 413 and nothing published.
    ingest_max_body_bytes: int = Field(default=32_000_000, ge=1024)
    ingest_max_batch_records: int = Field(default=10_000, ge=1)
    #: Records of other requests in flight to the producer beyond which a request is answered 503
    #: (back-pressure; nothing of it is handed to the producer). A batch alone is never refused by it.
    ingest_max_inflight: int = Field(default=20_000, ge=1)
    #: Seconds a client has to send its request headers, and its whole body (slowloris).
    ingest_header_timeout: float = Field(default=10.0, gt=0.0)
    ingest_body_timeout: float = Field(default=30.0, gt=0.0)
    #: Seconds POST /articles waits for the broker's acknowledgements before answering 504.
    ingest_ack_timeout: float = Field(default=30.0, gt=0.0)
    #: Origins (``scheme://host:port``) allowed to POST from a browser; any other Origin is refused.
    ingest_allowed_origins: tuple[str, ...] = ()
    #: Per-article time budget of the worker (seconds, ``WARTA_STAGE_TIMEOUT``): an article still
    #: in the pipeline after it is dead-lettered (W902, the stage named); the pipeline runs in a
    #: child process, so the event loop, heartbeats and ``/health`` never wait for it.
    stage_timeout: float = Field(default=30.0, gt=0.0, le=3600.0)
    #: Child processes that run the stateless stages for the worker (the stateful ones, dedup,
    #: run on the event loop next to their Faust tables).
    pipeline_processes: int = Field(default=1, ge=1, le=64)
    #: The worker takes up to ``batch_size`` messages, or what arrived within ``batch_within``
    #: seconds, runs them, sends every output and commits only after all are acknowledged.
    batch_size: int = Field(default=64, ge=1, le=10_000)
    batch_within: float = Field(default=0.05, gt=0.0, le=60.0)
    #: Largest record Warta's topics take (``max.message.bytes`` set by ``warta topics create``)
    #: and its producer sends (``max_request_size``). An output larger than the limit read from
    #: the topic at start-up is dead-lettered (W903), and a dead letter is truncated to fit.
    max_message_bytes: int = Field(default=8_388_608, ge=65_536, le=1_073_741_824)

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
