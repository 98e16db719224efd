"""Prometheus evaluates Warta's alerting rules and delivers to an Alertmanager running our config."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from streams.kafka.runner import stop_group

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

pytestmark = [
    pytest.mark.prometheus,
    pytest.mark.skipif(
        PROMETHEUS is None or ALERTMANAGER is None,
        reason="needs Debian's prometheus and prometheus-alertmanager packages",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True)


def _wait(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def test_worker_down_reaches_alertmanager(tmp_path):
    # The shipped rules with their `for:` durations set to zero: promtool's unit tests cover the
    # timing; this test covers evaluation on live data and delivery through alertmanager.yml.
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules" / "alerts.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule["for"] = "0s"
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules))
    am_port, prom_port = free_port(), free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [
            str(tmp_path / "alerts.yml"),
            str(ROOT / "deploy" / "prometheus" / "rules" / "recording.yml"),
        ],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]},
        # nothing listens on this port: the worker is "down"
        "scrape_configs": [
            {"job_name": "warta-worker", "static_configs": [{"targets": [f"127.0.0.1:{free_port()}"]}]}
        ],
    }
    (tmp_path / "prometheus.yml").write_text(json.dumps(config))
    am = _start(
        [
            ALERTMANAGER or "alertmanager",
            f"--config.file={ROOT / 'deploy' / 'alertmanager' / 'alertmanager.yml'}",
            f"--storage.path={tmp_path / 'am'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        tmp_path / "alertmanager.log",
    )
    prom = _start(
        [
            PROMETHEUS or "prometheus",
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            "--log.level=warn",
        ],
        tmp_path / "prometheus.log",
    )
    try:
        _wait(f"http://127.0.0.1:{am_port}/-/ready")
        _wait(f"http://127.0.0.1:{prom_port}/-/ready")
        deadline = time.monotonic() + 45
        alerts: list[dict] = []
        while time.monotonic() < deadline:
            alerts = httpx.get(f"http://127.0.0.1:{am_port}/api/v2/alerts", timeout=5).json()
            if any(a["labels"].get("alertname") == "WartaWorkerDown" for a in alerts):
                break
            time.sleep(0.5)
        down = [a for a in alerts if a["labels"].get("alertname") == "WartaWorkerDown"]
        assert down, f"WartaWorkerDown never reached Alertmanager; got {[a['labels'] for a in alerts]}"
        assert down[0]["labels"]["severity"] == "critical" and down[0]["labels"]["job"] == "warta-worker"
        assert "is down" in down[0]["annotations"]["summary"]
        assert down[0]["receivers"][0]["name"] == "default"
    finally:
        stop_group(prom, 10)
        stop_group(am, 10)
