"""Create Warta's topics with the configured partitions and replication."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.core.settings import Settings

__all__ = ["create_topics"]


def create_topics(settings: Settings) -> list[str]:
    """Create every topic that does not exist yet; returns the names created."""
    admin = KafkaAdminClient(bootstrap_servers=settings.broker_list, **_kp_security(settings))
    try:
        existing = set(admin.list_topics())
        wanted = [t for t in settings.topics.all() if t not in existing]
        new = [
            NewTopic(t, num_partitions=settings.partitions, replication_factor=settings.replication)
            for t in wanted
        ]
        if new:
            try:
                admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
        return wanted
    finally:
        admin.close()


def _kp_security(settings: Settings) -> dict[str, object]:
    s = settings.security
    kw: dict[str, object] = {"security_protocol": s.protocol}
    if s.sasl_mechanism:
        kw.update(sasl_mechanism=s.sasl_mechanism, sasl_plain_username=s.sasl_username,
                  sasl_plain_password=s.sasl_password)  # fmt: skip
    if s.ssl_cafile:
        kw.update(ssl_cafile=s.ssl_cafile, ssl_certfile=s.ssl_certfile, ssl_keyfile=s.ssl_keyfile)
    return kw
