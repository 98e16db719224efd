"""The alerting engine: one alert per rule per story, updates, escalation, persisted throttle state."""

from __future__ import annotations

from pathlib import Path

import orjson
from fixtures_services import article

from streams.alerting.engine import AlertEngine, alert_id
from streams.alerting.hooks import alerting_hook
from streams.alerting.rules import parse_rules
from streams.alerting.state import SqliteAlertState
from streams.observability.metrics import ALERTS_FIRED

RULES = """
rules:
  - name: casualties
    severity: warning
    labels: {desk: conflict}
    window: 1h
    when: {figure: {kind: killed, gte: 10}}
    message: "{fig_killed} killed: {title} ({count} articles: {sources})"
    escalate: {figure: killed, thresholds: [50, 100], severity: critical}
  - name: flood
    when: {keyword: [banjir, flood]}
    message: "Flood: {title} [{keywords}]"
"""


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def _engine(state=None, clock=None):  # type: ignore[no-untyped-def]
    return AlertEngine(parse_rules(RULES), state, clock=clock or Clock())


def _fired(rule: str, severity: str) -> float:
    return ALERTS_FIRED.labels(rule=rule, severity=severity)._value.get()


def test_one_alert_per_story_then_updates_with_same_id() -> None:
    eng = _engine()
    before = _fired("casualties", "warning")
    a1 = article(
        "a1", "Serangan menewaskan 12 orang.", title="12 tewas", story="s1", figures=[("killed", 12)]
    )
    a2 = article(
        "a2",
        "Korban tewas menjadi 20 orang.",
        title="20 tewas",
        story="s1",
        source="Tempo",
        figures=[("killed", 20)],
    )
    [c1] = eng.process(a1)
    eng.commit()
    assert c1.kind == "fired" and c1.alert.revision == 1
    assert c1.alert.id == alert_id("casualties", "s1")
    assert c1.alert.message == "12 killed: 12 tewas (1 articles: Kompas)"
    assert c1.alert.labels == {"desk": "conflict"}
    assert c1.alert.evidence[0]["kind"] == "figure" and c1.alert.evidence[0]["article_id"] == "a1"
    [c2] = eng.process(a2)
    eng.commit()
    assert c2.kind == "updated"
    assert c2.alert.id == c1.alert.id and c2.alert.revision == 2
    assert c2.alert.sources == ["Kompas", "Tempo"] and c2.alert.article_ids == ["a1", "a2"]
    assert c2.alert.message == "20 killed: 20 tewas (2 articles: Kompas, Tempo)"
    assert _fired("casualties", "warning") == before + 1  # updates are not new firings


def test_redelivered_article_changes_nothing() -> None:
    eng = _engine()
    a1 = article("a1", "12 tewas", story="s1", figures=[("killed", 12)])
    assert len(eng.process(a1)) == 1
    eng.commit()
    assert eng.process(a1) == []


def test_other_story_or_no_story_is_another_alert() -> None:
    eng = _engine()
    [x] = eng.process(article("a1", "12 tewas", story="s1", figures=[("killed", 12)]))
    [y] = eng.process(article("a2", "30 tewas", story="s2", figures=[("killed", 30)]))
    [z] = eng.process(article("a3", "15 tewas", story=None, figures=[("killed", 15)]))
    assert len({x.alert.id, y.alert.id, z.alert.id}) == 3
    assert z.alert.story_id == article("a3", "15 tewas").event_id  # falls back to the event id


def test_escalation_fires_again_past_each_threshold() -> None:
    eng = _engine()
    before = _fired("casualties", "critical")
    [c1] = eng.process(article("a1", "b1", story="s1", figures=[("killed", 12)]))
    [c2] = eng.process(article("a2", "b2", story="s1", figures=[("killed", 60)]))
    [c3] = eng.process(article("a3", "b3", story="s1", figures=[("killed", 70)]))
    [c4] = eng.process(article("a4", "b4", story="s1", figures=[("killed", 150)]))
    [c5] = eng.process(article("a5", "b5", story="s1", figures=[("killed", 20)]))
    assert [c.kind for c in (c1, c2, c3, c4, c5)] == ["fired", "escalated", "updated", "escalated", "updated"]
    assert c2.alert.severity == "critical" and c2.previous_severity == "warning"
    assert c5.alert.severity == "critical" and "150 killed" in c5.alert.message  # the largest figure stays
    assert len({c.alert.id for c in (c1, c2, c3, c4, c5)}) == 1
    assert [c.alert.revision for c in (c1, c2, c3, c4, c5)] == [1, 2, 3, 4, 5]
    assert _fired("casualties", "critical") == before + 2


def test_a_vague_amount_never_escalates() -> None:
    """ "Hundreds killed" (a rule that asks for vague amounts) is shown in words but crosses no threshold: the
    alert stays a warning until an exact toll does."""
    from streams.core.records import Figure

    rules = RULES.replace(
        "{figure: {kind: killed, gte: 10}}", "{figure: {kind: killed, gte: 10, vague: true}}"
    )
    eng = AlertEngine(parse_rules(rules), None, clock=Clock())
    [c1] = eng.process(article("v1", "b1", story="sv", figures=[("killed", 12)]))
    assert c1.kind == "fired"
    vague = article("v2", "b2", story="sv").model_copy(
        update={
            "figures": [
                Figure(
                    kind="killed", value=100, text="ratusan", span=(0, 7), qualifier="hundreds", headline=True
                )
            ]
        }
    )
    [c2] = eng.process(vague)
    assert c2.kind == "updated" and c2.alert.severity == "warning"
    assert "hundreds killed" in c2.alert.message
    [c3] = eng.process(article("v3", "b3", story="sv", figures=[("killed", 60)]))
    assert c3.kind == "escalated" and c3.alert.severity == "critical"


def test_window_expiry_starts_a_new_alert() -> None:
    clock = Clock()
    eng = _engine(clock=clock)
    [c1] = eng.process(article("a1", "b1", story="s1", figures=[("killed", 12)]))
    clock.t += 1800
    [c2] = eng.process(article("a2", "b2", story="s1", figures=[("killed", 12)]))
    clock.t += 3700  # more than an hour after the first firing
    [c3] = eng.process(article("a3", "b3", story="s1", figures=[("killed", 12)]))
    assert (c1.kind, c2.kind, c3.kind) == ("fired", "updated", "fired")
    assert c3.alert.id != c1.alert.id and c3.alert.id == alert_id("casualties", "s1", 1)
    assert c3.alert.revision == 1


def test_state_survives_a_restart_and_rollback_forgets(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    eng = _engine(SqliteAlertState(path))
    a1 = article("a1", "12 tewas", story="s1", figures=[("killed", 12)])
    assert len(eng.process(a1)) == 1
    eng.commit()
    # delivery failed for this one: rolled back, so it must fire after the restart
    b1 = article("b1", "banjir", title="Banjir Semarang", story="s9")
    assert len(eng.process(b1)) == 1
    eng.rollback()
    eng.state.close()

    eng2 = _engine(SqliteAlertState(path))
    assert eng2.process(a1) == []  # already fired before the restart
    [c] = eng2.process(b1)
    assert c.kind == "fired" and c.alert.message == "Flood: Banjir Semarang [Banjir]"
    [u] = eng2.process(article("a2", "20 tewas", story="s1", figures=[("killed", 20)]))
    assert u.kind == "updated" and u.alert.revision == 2


def test_reloaded_rules_keep_state() -> None:
    eng = _engine()
    a1 = article("a1", "12 tewas", story="s1", figures=[("killed", 12)])
    eng.process(a1)
    eng.commit()
    eng.rules = parse_rules(RULES.replace("gte: 10", "gte: 5"))
    assert eng.process(a1) == []
    [u] = eng.process(article("a2", "7 tewas", story="s1", figures=[("killed", 7)]))
    assert u.kind == "updated"


def test_process_hook_writes_jsonl(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(RULES)
    out = tmp_path / "alerts.jsonl"
    hook, close = alerting_hook(rules, out)
    hook(article("a1", "Banjir di Demak", story="s1"))
    hook(article("a2", "Banjir meluas", story="s1"))
    hook(article("a3", "Harga cabai naik", story="s2"))
    close()
    lines = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert [(x["rule"], x["revision"]) for x in lines] == [("flood", 1), ("flood", 2)]
    assert lines[0]["id"] == lines[1]["id"]


def test_reloader_picks_up_changes_and_keeps_old_rules_on_error(tmp_path: Path) -> None:
    import os

    from streams.sinks.alerting import RuleReloader

    p = tmp_path / "r.yaml"
    p.write_text(RULES)
    eng = _engine()
    eng.process(article("a1", "Banjir di Demak", story="s1"))
    eng.commit()
    rl = RuleReloader(p, eng)
    assert rl.maybe_reload() is False  # unchanged
    p.write_text(RULES + "  - name: drought\n    when: {keyword: kekeringan}\n")
    os.utime(p, ns=(1, 10**18))
    assert rl.maybe_reload() is True
    assert [r.name for r in eng.rules.rules] == ["casualties", "flood", "drought"]
    assert eng.process(article("a1", "Banjir di Demak", story="s1")) == []  # state kept across the reload
    p.write_text("rules: [oops")
    os.utime(p, ns=(2, 2 * 10**18))
    assert rl.maybe_reload() is False
    assert len(eng.rules.rules) == 3  # a bad file keeps the previous rules
    rl.request()  # SIGHUP
    assert rl.maybe_reload() is False and len(eng.rules.rules) == 3
