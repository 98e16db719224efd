"""Grafana dashboards are structurally valid and only query metrics the worker exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY, CollectorRegistry

from streams.observability import metrics  # noqa: F401  (registers the warta_* metrics)

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))

_KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
    "offset", "inf", "nan", "atan2",
}  # fmt: skip


def promql_metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (not functions, labels, keywords, durations or strings)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)  # string literals
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges and subqueries
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for m in re.finditer(r"(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", expr):
        name, call = m.group(1), m.group(2)
        if call or name.lower() in _KEYWORDS:
            continue
        names.add(name)
    return names


def test_promql_metric_name_extraction():
    expr = (
        'histogram_quantile(0.99, sum by (stage, le) (rate(warta_stage_duration_seconds_bucket{job="w", a=~"x|y"}[5m])))'
        ' / ignoring(stage) group_left sum(up{job="by"}) > bool 1e3 and on() warta:x:rate5m offset 5m'
    )
    assert promql_metric_names(expr) == {"warta_stage_duration_seconds_bucket", "up", "warta:x:rate5m"}
    assert promql_metric_names("sum(rate(foo_total[$__rate_interval])) * 3600") == {"foo_total"}


def _sample_names(registry: CollectorRegistry, prefix: str) -> set[str]:
    out: set[str] = set()
    for fam in registry.collect():
        if not fam.name.startswith(prefix):
            continue
        if fam.type == "counter":
            out.add(fam.name + "_total")
        elif fam.type == "histogram":
            out.update(fam.name + s for s in ("_bucket", "_sum", "_count"))
        elif fam.type == "summary":
            out.update(fam.name + s for s in ("", "_sum", "_count"))
        else:
            out.add(fam.name)
    return out


def exported_names() -> set[str]:
    from faust.sensors.prometheus import FaustMetrics

    faust_reg = CollectorRegistry()
    FaustMetrics.create(
        faust_reg, "warta_faust"
    )  # what setup_prometheus_sensors(name_prefix="warta_faust") exports
    names = _sample_names(REGISTRY, "warta_") | _sample_names(faust_reg, "warta_faust")
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules" / "recording.yml").read_text())
    names |= {r["record"] for g in rules["groups"] for r in g["rules"]}
    return names | {"up"}


def test_there_are_two_dashboards():
    uids = {json.loads(p.read_text())["uid"] for p in DASHBOARDS}
    assert {"warta-pipeline", "warta-news"} <= uids


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_structure(path):
    dash = json.loads(path.read_text())
    assert re.fullmatch(r"[a-z0-9-]{1,40}", dash["uid"]) and dash["title"]
    assert dash["panels"], "no panels"
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    occupied: set[tuple[int, int]] = set()
    for p in dash["panels"]:
        assert p["title"] and p["type"] in {"timeseries", "stat", "bargauge", "gauge", "table", "piechart"}
        g = p["gridPos"]
        assert {"x", "y", "w", "h"} <= set(g) and g["x"] >= 0 and g["x"] + g["w"] <= 24 and g["h"] > 0
        cells = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & occupied, f"panel {p['title']!r} overlaps another"
        occupied |= cells
        assert p["targets"], f"panel {p['title']!r} has no targets"
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs))
        for t in p["targets"]:
            assert t["expr"].strip() and t["datasource"]["uid"] == "warta-prometheus"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_queried_metric_is_exported(path):
    known = exported_names()
    dash = json.loads(path.read_text())
    for p in dash["panels"]:
        for t in p["targets"]:
            names = promql_metric_names(t["expr"])
            assert names, f"{p['title']}: no metric in {t['expr']!r}"
            unknown = names - known
            assert not unknown, f"{path.name} / {p['title']!r} queries unknown metrics {unknown}"


def test_the_dashboards_cover_the_brief():
    queried = set()
    for path in DASHBOARDS:
        for p in json.loads(path.read_text())["panels"]:
            for t in p["targets"]:
                queried |= promql_metric_names(t["expr"])
    for needed in (
        "warta_articles_in_total",
        "warta_publish_to_enriched_seconds_bucket",
        "warta_end_to_end_seconds_bucket",
        "warta_consumer_lag_messages",
        "warta_dlq_records_total",
        "warta_topics_total",
        "warta_events_total",
        "warta_stories_open",
        "warta_alerts_fired_total",
        "warta_ingest_items_published_total",
        "warta_ingest_errors_total",
        "warta_ingest_last_success_timestamp_seconds",
    ):
        assert needed in queried, f"no panel shows {needed}"


def test_provisioning_points_at_the_dashboards_and_datasource():
    ds = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    (source,) = ds["datasources"]
    assert source["uid"] == "warta-prometheus" and source["type"] == "prometheus"
    prov = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "warta.yml").read_text())
    assert prov["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


@pytest.mark.prometheus
@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not found: apt-get install prometheus")
def test_every_panel_query_parses_as_promql(tmp_path):
    """Each panel expression, with Grafana's variables substituted, passes promtool's PromQL parser."""
    rules = []
    for path in DASHBOARDS:
        for p in json.loads(path.read_text())["panels"]:
            for t in p["targets"]:
                expr = t["expr"].replace("$__rate_interval", "1m").replace("$__interval", "1m")
                rules.append({"record": f"check:panel_{len(rules)}", "expr": expr})
    (tmp_path / "panels.yml").write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    res = subprocess.run(
        ["promtool", "check", "rules", str(tmp_path / "panels.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"{len(rules)} rules found" in res.stdout + res.stderr
