"""Kafka security settings translated in one place: aiokafka keyword arguments and Faust credentials."""

from __future__ import annotations

import ssl
from typing import Any

from streams.core.settings import KafkaSecurity, Settings

__all__ = ["client_kwargs", "faust_credentials"]


def _ssl_context(s: KafkaSecurity) -> ssl.SSLContext | None:
    if s.protocol not in ("SSL", "SASL_SSL"):
        return None
    ctx = ssl.create_default_context(cafile=s.ssl_cafile)
    if s.ssl_certfile:
        ctx.load_cert_chain(s.ssl_certfile, s.ssl_keyfile)
    return ctx


def client_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for every aiokafka client (producer, consumer, admin)."""
    s = settings.security
    kw: dict[str, Any] = {"security_protocol": s.protocol}
    if s.sasl_mechanism:
        kw.update(
            sasl_mechanism=s.sasl_mechanism,
            sasl_plain_username=s.sasl_username,
            sasl_plain_password=s.sasl_password,
        )
    ctx = _ssl_context(s)
    if ctx is not None:
        kw["ssl_context"] = ctx
    return kw


def faust_credentials(settings: Settings) -> Any:
    """The same security as Faust ``broker_credentials`` (None: plaintext)."""
    import faust

    s = settings.security
    ctx = _ssl_context(s)
    if s.sasl_mechanism and s.sasl_username:
        return faust.SASLCredentials(
            username=s.sasl_username,
            password=s.sasl_password or "",
            mechanism=s.sasl_mechanism,
            ssl_context=ctx,
        )
    if ctx is not None:
        return faust.SSLCredentials(ctx)
    return None
