"""Settings from environment and warta.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from streams.core.pipeline import DEFAULT_STAGES
from streams.core.settings import Settings
from streams.kafka.security import client_kwargs, faust_credentials


def test_env_prefix_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARTA_BROKERS", "kafka://a:1;b:2")
    monkeypatch.setenv("WARTA_TOPICS__RAW", "x.raw")
    monkeypatch.setenv("WARTA_SECURITY__PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("WARTA_SECURITY__SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("WARTA_SECURITY__SASL_USERNAME", "u")
    s = Settings()
    assert s.broker_list == ["a:1", "b:2"]
    assert s.topics.raw == "x.raw"
    assert s.topics.enriched == "warta.articles.enriched"
    sec = client_kwargs(s)
    assert sec["security_protocol"] == "SASL_PLAINTEXT" and sec["sasl_plain_username"] == "u"
    creds = faust_credentials(s)  # the worker gets the same translation
    assert (creds.username, creds.mechanism.value) == ("u", "PLAIN")


def test_plaintext_has_no_credentials() -> None:
    s = Settings.model_validate({"security": {"protocol": "PLAINTEXT"}})
    assert client_kwargs(s) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(s) is None


def test_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "warta.toml"
    cfg.write_text('partitions = 7\nweb_port = 7000\n[topics]\ndlq = "my.dlq"\n')
    monkeypatch.setenv("WARTA_CONFIG", str(cfg))
    monkeypatch.setenv("WARTA_WEB_PORT", "7100")  # env wins over the file
    s = Settings()
    assert s.partitions == 7 and s.web_port == 7100 and s.topics.dlq == "my.dlq"


def test_frozen_and_default_stages() -> None:
    s = Settings()
    assert s.stages == DEFAULT_STAGES
    with pytest.raises(ValidationError):
        s.partitions = 3  # type: ignore[misc]


def test_secrets_are_not_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARTA_SECURITY__SASL_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("WARTA_WEBHOOK_SECRET", "hmac-secret")
    s = Settings()
    assert s.security.sasl_password == "hunter2-secret"
    assert "hunter2" not in repr(s) and "hmac-secret" not in repr(s)
