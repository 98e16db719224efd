"""One alert per story and incident kind, event names in messages, only events that happened fire."""

from __future__ import annotations

from fixtures_services import article

from streams.alerting.engine import AlertEngine, event_names, one_per_incident
from streams.alerting.rules import parse_rules

RULES = """
rules:
  - name: aerial
    severity: warning
    incident: violence
    when: {all: [{event: "195"}, {figure: {kind: killed, gte: 10}}]}
    message: "Aerial attack: {title} ({fig_killed} killed)"
  - name: casualties
    severity: critical
    incident: violence
    when: {figure: {kind: killed, gte: 10}}
    message: "{fig_killed} killed: {title}"
  - name: release
    when: {event: "0841"}
    message: "Release: {title} ({events})"
"""


def _engine() -> AlertEngine:
    return AlertEngine(parse_rules(RULES, "test.yaml"))


def test_two_rules_on_one_incident_fire_one_alert_with_both_evidence() -> None:
    art = article("a", "x", title="Strike", story="s1", events=["195"], figures=[("killed", 31.0)])
    changes = _engine().process(art)
    assert len(changes) == 1
    alert = changes[0].alert
    assert alert.rule == "casualties"  # the most severe rule of the incident kind
    kinds = {ev["kind"] for ev in alert.evidence}
    assert {"event", "figure"} <= kinds
    assert all(ev["spans"] for ev in alert.evidence)


def test_the_second_rule_of_an_incident_updates_the_same_alert() -> None:
    eng = _engine()
    first = eng.process(article("a", "x", story="s1", figures=[("killed", 12.0)]))
    second = eng.process(article("b", "y", story="s1", events=["195"], figures=[("killed", 40.0)]))
    assert [c.kind for c in first] == ["fired"]
    assert len(second) == 1 and second[0].kind == "updated"
    assert second[0].alert.id == first[0].alert.id


def test_other_incident_kinds_are_other_alerts() -> None:
    art = article("a", "x", story="s1", events=["0841", "195"], figures=[("killed", 31.0)])
    rules = {c.alert.rule for c in _engine().process(art)}
    assert rules == {"casualties", "release"}


def test_only_events_that_happened_fire_and_messages_name_them() -> None:
    eng = _engine()
    assert eng.process(article("a", "x", story="s1", events=[("0841", {"modality": "intended"})])) == []
    art = article("b", "x", title="Swap", story="s2", events=[("0841", {"modality": "happened"})])
    [change] = eng.process(art)
    assert "cameo 0841" in change.alert.message  # the event's label, not its code list
    assert "(0841" not in change.alert.message


def test_event_names_leave_out_what_did_not_happen() -> None:
    art = article(
        "a",
        "x",
        events=[
            ("046", {"modality": "happened"}),
            ("0841", {"modality": "background"}),
            ("107", {"negated": True}),
        ],
    )
    assert event_names(art) == "cameo 046"


def test_one_per_incident_keeps_single_rules_untouched() -> None:
    rs = parse_rules(RULES, "test.yaml")
    art = article("a", "x", events=["0841"])
    out = one_per_incident(rs.matches(art))
    assert [r.name for r, _ in out] == ["release"]
