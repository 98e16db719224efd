"""Alert sinks against real HTTP servers: a local webhook receiver and Debian's Alertmanager."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator

import httpx
import pytest
from fixtures_services import Receiver, article, free_port

from streams.alerting.engine import AlertEngine
from streams.alerting.rules import parse_rules
from streams.alerting.sinks import AlertmanagerSink, WebhookSink
from streams.core.errors import WartaError

RULES = """
rules:
  - name: casualties
    severity: warning
    labels: {desk: conflict, team: id-news}
    when: {figure: {kind: killed, gte: 10}}
    message: "{fig_killed} killed: {title}"
    escalate: {figure: killed, thresholds: [100], severity: critical}
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail=2)
    yield r
    r.close()


def _changes(n_killed: list[float]):  # type: ignore[no-untyped-def]
    eng = AlertEngine(parse_rules(RULES))
    out = []
    for i, k in enumerate(n_killed):
        out.extend(
            eng.process(article(f"a{i}", f"body {i}", title=f"t{i}", story="s1", figures=[("killed", k)]))
        )
    return out


async def _send_close(sink: WebhookSink, changes) -> None:  # type: ignore[no-untyped-def]
    try:
        await sink.send(changes)
    finally:
        await sink.close()


def test_webhook_retries_then_delivers_signed_with_idempotency_key(receiver: Receiver, capsys) -> None:  # type: ignore[no-untyped-def]
    secret = "s3cr3t-value-never-logged"
    sink = WebhookSink(receiver.url, secret=secret, attempts=4, base_delay=0.01)
    [change] = _changes([12])
    asyncio.run(_send_close(sink, [change]))
    assert len(receiver.requests) == 3  # two 503s, then accepted
    keys = {h["Idempotency-Key"] for h, _b in receiver.requests}
    assert keys == {f"{change.alert.id}:1"}  # the same key on every retry
    headers, body = receiver.requests[-1]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Warta-Signature"] == expected
    doc = json.loads(body)
    assert doc["kind"] == "fired" and doc["alert"]["id"] == change.alert.id
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err
    assert secret not in repr(sink.__dict__)


def test_webhook_unreachable_raises_w800_after_retries() -> None:
    sink = WebhookSink(f"http://127.0.0.1:{free_port()}/nothing", attempts=3, base_delay=0.01)
    with pytest.raises(WartaError) as ei:
        asyncio.run(_send_close(sink, _changes([12])))
    assert ei.value.code == "W800" and "after 3 attempts" in ei.value.reason


def test_webhook_4xx_is_not_retried() -> None:
    r = Receiver(fail=10, status=400)
    try:
        sink = WebhookSink(r.url, attempts=5, base_delay=0.01)
        with pytest.raises(WartaError, match="rejected"):
            asyncio.run(_send_close(sink, _changes([12])))
        assert len(r.requests) == 1
    finally:
        r.close()


@pytest.mark.prometheus
async def test_alertmanager_receives_alert_with_labels(alertmanager: str) -> None:
    sink = AlertmanagerSink(alertmanager, base_delay=0.05)
    fired, escalated = _changes([12, 150])
    await sink.send([fired])
    alerts = httpx.get(f"{alertmanager}/api/v2/alerts", params={"filter": "alertname=casualties"}).json()
    mine = [a for a in alerts if a["annotations"].get("alert_id") == fired.alert.id]
    assert len(mine) == 1
    labels = mine[0]["labels"]
    assert labels["alertname"] == "casualties" and labels["severity"] == "warning"
    assert labels["desk"] == "conflict" and labels["team"] == "id-news" and labels["story_id"] == "s1"
    assert mine[0]["annotations"]["summary"] == "12 killed: t0"
    assert mine[0]["status"]["state"] == "active"
    # escalation: the critical alert is active, the warning one is resolved (no longer active)
    await sink.send([escalated])
    await sink.close()
    active = httpx.get(
        f"{alertmanager}/api/v2/alerts", params={"active": "true", "filter": "alertname=casualties"}
    ).json()
    sev = {
        a["labels"]["severity"]: a["annotations"]["revision"]
        for a in active
        if a["annotations"].get("alert_id") == fired.alert.id
    }
    assert sev == {"critical": "2"}


@pytest.mark.prometheus
def test_example_alertmanager_config_is_valid() -> None:
    import shutil
    import subprocess
    from pathlib import Path

    amtool = shutil.which("amtool")
    if amtool is None:
        pytest.skip("amtool not installed (Debian prometheus-alertmanager)")
    cfg = Path(__file__).resolve().parents[2] / "deploy" / "alerts" / "alertmanager.yml"
    p = subprocess.run([amtool, "check-config", str(cfg)], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr
