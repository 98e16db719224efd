"""`warta process --archive/--rules` and `warta search` end to end (in-process, no Kafka)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from streams.archive.store import ArchiveStore
from streams.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(str(p) for p in (Path(str(resources.files("streams.data"))) / "samples").glob("*.txt"))

RULES = """
rules:
  - name: flood
    severity: warning
    when: {keyword: [banjir, flood]}
    message: "Flood: {title}"
  - name: war-news
    when:
      all:
        - keyword: [ceasefire, gencatan senjata]
        - not: {keyword: [banjir]}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _url(tmp_path: Path, request: pytest.FixtureRequest, kind: str) -> str:
    return f"sqlite:///{tmp_path}/archive.db" if kind == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_process_archive_twice_adds_no_rows_and_search_finds(runner, tmp_path, request, kind) -> None:  # type: ignore[no-untyped-def]
    url = _url(tmp_path, request, kind)
    r1 = runner.invoke(app, ["process", "--archive", url, *SAMPLES])
    assert r1.exit_code == 0, r1.output
    store = ArchiveStore(url)
    first = store.counts()
    assert first["articles"] == len(SAMPLES)
    r2 = runner.invoke(app, ["process", "--archive", url, *SAMPLES])
    assert r2.exit_code == 0
    assert store.counts() == first
    store.close()
    res = runner.invoke(app, ["search", "banjir", "--archive", url, "--json"])
    assert res.exit_code == 0, res.output
    hits = [orjson.loads(x) for x in res.stdout.splitlines()]
    assert {h["article_id"] for h in hits} >= {"id_banjir_semarang"}
    assert all("banjir" in ((h["title"] or "") + h["snippet"]).lower() for h in hits)
    res = runner.invoke(app, ["search", "ceasefire", "--archive", url])
    assert res.exit_code == 0 and "1 result(s) for 'ceasefire'" in res.stdout


def test_process_rules_writes_alerts_once_per_story(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    out = tmp_path / "alerts.jsonl"
    r = runner.invoke(app, ["process", "--rules", str(rules), "--alerts-out", str(out), *SAMPLES])
    assert r.exit_code == 0, r.output
    alerts = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    by_rule: dict[str, set[str]] = {}
    for a in alerts:
        by_rule.setdefault(a["rule"], set()).add(a["id"])
    assert "flood" in by_rule and "war-news" in by_rule
    assert "en_ceasefire_talks" in {i for a in alerts if a["rule"] == "war-news" for i in a["article_ids"]}
    assert all(a["id"].startswith("alert-") and a["evidence"] for a in alerts)


def test_example_rules_file_runs_on_samples(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "alerts.jsonl"
    r = runner.invoke(
        app,
        ["process", "--rules", str(ROOT / "deploy/alerts/rules.yaml"), "--alerts-out", str(out), *SAMPLES],
    )
    assert r.exit_code == 0, r.output
    alerts = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    rules = {a["rule"] for a in alerts}
    # talks that "focused on a new exchange of prisoners" are no exchange; the 142-drone salvo is the alert
    assert "prisoner-exchange" not in rules
    assert "large-aerial-attack" in rules
    assert len({a["story_id"] for a in alerts}) == len(alerts)  # one alert per story


def test_bad_rules_file_is_a_clear_error(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: x\n    when: {figure: {kind: kiled, gte: 1}}\n")
    r = runner.invoke(app, ["alerting", "--check", "--rules", str(rules)])
    assert r.exit_code == 2
    assert "rules.yaml:3: rules[0].when.figure.kind: unknown figure kind 'kiled'" in r.output


def test_search_unreachable_database_is_a_clear_error(runner) -> None:  # type: ignore[no-untyped-def]
    from fixtures_services import free_port

    r = runner.invoke(app, ["search", "x", "--archive", f"postgresql://u:pw@127.0.0.1:{free_port()}/db"])
    assert r.exit_code == 2 and "W802" in r.output and ":pw@" not in r.output
