"""One alert per story and incident kind, event names in messages, only events that happened fire."""

from __future__ import annotations

from fixtures_services import article

from streams.alerting.engine import AlertEngine, event_names, one_per_incident
from streams.alerting.rules import parse_rules
from streams.core.records import EnrichedArticle

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


STRIKE_RULES = """
rules:
  - name: strike
    severity: warning
    incident: main
    when:
      any:
        - figure: {kind: drones_launched, gte: 50}
        - all: [{event: {codes: ["195"], min_score: 0.5}}, {figure: {kind: killed, gte: 10}}]
    message: "Aerial attack: {title} (drones {fig_drones_launched}, {fig_killed} killed)"
  - name: truce
    severity: info
    incident: main
    when:
      any:
        - event: ["0871"]
        - event: {codes: ["107"], modality: [happened, demanded]}
    message: "Ceasefire news: {title} ({events})"
  - name: toll
    severity: info
    incident: main
    when: {figure: {kind: wounded, gte: 10}}
    message: "{title}"
"""


def _scored(art: EnrichedArticle, scores: dict[str, float]) -> EnrichedArticle:
    """``art`` with the event model's scores of some codes set (the fixture scores every event 0.9)."""
    events = [e.model_copy(update={"score": scores.get(e.code, e.score)}) for e in art.events]
    return art.model_copy(update={"events": events})


def test_a_strike_alert_shows_its_own_evidence_and_what_else_happened() -> None:
    """Kyiv: the strike alert shows the strike and its toll, and the truce that happened, but not the ceasefire
    the text says others demand (107, demanded), a low-odds one, nor the figure of another rule."""
    art = article(
        "kyiv",
        "x",
        title="Kyiv strike",
        story="s1",
        events=[
            ("195", {"modality": "happened"}),
            ("107", {"modality": "demanded"}),
            ("0871", {"modality": "happened"}),
        ],
        figures=[("killed", 17.0), ("drones_launched", 598.0), ("wounded", 38.0)],
    )
    art = _scored(art, {"107": 0.52, "0871": 0.4})
    [change] = AlertEngine(parse_rules(STRIKE_RULES, "t.yaml")).process(art)
    alert = change.alert
    assert alert.rule == "strike"
    codes = [ev["code"] for ev in alert.evidence if ev["kind"] == "event"]
    assert codes == ["195"]
    figs = {ev["figure"] for ev in alert.evidence if ev["kind"] == "figure"}
    assert figs == {"drones_launched", "killed"}  # the wounded figure fired only the other rule
    # a truce that happened, at even odds, is part of the incident and stays
    art2 = _scored(
        article("k2", "x", story="s2", events=["195", "0871"], figures=[("killed", 17.0)]), {"0871": 0.6}
    )
    [change2] = AlertEngine(parse_rules(STRIKE_RULES, "t.yaml")).process(art2)
    assert [ev["code"] for ev in change2.alert.evidence if ev["kind"] == "event"] == ["195", "0871"]
    # the demanded ceasefire alone fires the ceasefire rule, with its evidence
    art3 = article("k3", "x", story="s3", events=[("107", {"modality": "demanded"})])
    [change3] = AlertEngine(parse_rules(STRIKE_RULES, "t.yaml")).process(art3)
    assert change3.alert.rule == "truce" and [ev["code"] for ev in change3.alert.evidence] == ["107"]


def test_a_branch_that_failed_is_no_evidence_but_its_event_that_happened_stays() -> None:
    """A salvo of 180 missiles fires the rule's figure branch; the strike branch failed (2 killed), so its
    event is not why the alert fired, but the strike happened and is shown as the incident's event."""
    art = article(
        "iran", "x", story="s1", events=["195"], figures=[("drones_launched", 180.0), ("killed", 2.0)]
    )
    [(rule, match)] = list(parse_rules(STRIKE_RULES, "t.yaml").matches(art))
    assert rule.name == "strike"
    assert [(ev["kind"], ev.get("figure")) for ev in match.evidence] == [("figure", "drones_launched")]
    assert {ev.get("code") or ev.get("figure") for ev in match.seen} == {"195"}
    [change] = AlertEngine(parse_rules(STRIKE_RULES, "t.yaml")).process(art)
    shown = [(ev["kind"], ev.get("code") or ev.get("figure")) for ev in change.alert.evidence]
    assert shown == [("figure", "drones_launched"), ("event", "195")]
    weak = _scored(art, {"195": 0.4})  # below even odds: the event is not shown either
    [change] = AlertEngine(parse_rules(STRIKE_RULES, "t.yaml")).process(weak)
    assert [ev["kind"] for ev in change.alert.evidence] == ["figure"]
