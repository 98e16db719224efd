"""deploy/prometheus and deploy/alertmanager pass promtool/amtool checks and the rule unit tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROM = ROOT / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")
AMTOOL = shutil.which("amtool")

pytestmark = pytest.mark.prometheus
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool not found: install Debian's `prometheus` package (apt-get install prometheus)",
)


def _run(*args: str, cwd: Path = PROM) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60)


@needs_promtool
def test_promtool_check_config():
    res = _run(PROMTOOL or "promtool", "check", "config", "prometheus.yml")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 rule files found" in res.stdout + res.stderr


@needs_promtool
def test_promtool_check_rules():
    files = sorted(str(p.relative_to(PROM)) for p in (PROM / "rules").glob("*.yml"))
    assert files, "no rule files"
    res = _run(PROMTOOL or "promtool", "check", "rules", *files)
    assert res.returncode == 0, res.stdout + res.stderr


@needs_promtool
def test_promtool_rule_unit_tests():
    res = _run(PROMTOOL or "promtool", "test", "rules", "tests/rules_test.yml")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS" in res.stdout + res.stderr


def test_every_alert_rule_has_a_unit_test_and_the_brief_alerts_exist():
    alerts = yaml.safe_load((PROM / "rules" / "alerts.yml").read_text())
    names = {r["alert"] for g in alerts["groups"] for r in g["rules"]}
    assert {
        "WartaWorkerDown",
        "WartaNoData",
        "WartaConsumerLagGrowing",
        "WartaDLQRateHigh",
        "WartaLatencyP99High",
        "WartaEndToEndP99High",
        "WartaFeedStale",
    } <= names
    tests = yaml.safe_load((PROM / "tests" / "rules_test.yml").read_text())
    tested = {a["alertname"] for t in tests["tests"] for a in t.get("alert_rule_test", [])}
    assert names <= tested, f"alerts without a unit test: {names - tested}"
    for group in alerts["groups"]:
        for rule in group["rules"]:
            assert rule["labels"]["severity"] in {"info", "warning", "critical"}
            assert rule["annotations"]["summary"] and rule["annotations"]["description"]


@pytest.mark.skipif(AMTOOL is None, reason="amtool not found: install Debian's `prometheus-alertmanager`")
def test_alertmanager_config_is_valid():
    res = _run(AMTOOL or "amtool", "check-config", str(ROOT / "deploy" / "alertmanager" / "alertmanager.yml"))
    assert res.returncode == 0, res.stdout + res.stderr
