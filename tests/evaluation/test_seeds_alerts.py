"""The `warta eval seeds` alert checks: a rule watching a gold event code must fire."""

from __future__ import annotations

from fixtures_services import article

from streams.alerting.rules import parse_rules
from streams.evaluation.seeds_alerts import checks, event_prefixes


def test_event_prefixes_walk_all_and_any_but_not_not() -> None:
    rs = parse_rules(
        "rules:\n  - name: r\n    when:\n      all:\n        - any: [{event: '19'}, {event: ['0841']}]\n"
        "        - not: {event: '1385'}\n"
    )
    assert event_prefixes(rs.rules[0].when) == {"19", "0841"}


def test_checks_pass_when_the_covering_rule_fires() -> None:
    gold = {"events": {"required": ["0841", "195", "999"]}}
    res = checks("x", gold, article("x", "y", events=["0841"]))
    by = {r.check: r.passed for r in res}
    assert by == {"alert for CAMEO 0841": True, "alert for CAMEO 195": False}  # 999: no rule watches it
