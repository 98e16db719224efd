"""Alert messages never show a placeholder; figure conditions use the headline figure of a kind."""

from __future__ import annotations

import pytest
from fixtures_services import article

from streams.alerting.engine import AlertEngine, figure_text, render_message
from streams.alerting.rules import RulesError, example_rules, load_rules, parse_rules
from streams.core.records import Figure

AERIAL = """
rules:
  - name: aerial
    when: {any: [{event: "195"}, {figure: {kind: [drones_launched, missiles_launched], gte: 50}}]}
    message: "Aerial attack: {title} (drones {fig_drones_launched}, missiles {fig_missiles_launched})"
"""


def test_missing_figures_leave_their_part_of_a_group_out() -> None:
    tpl = "Aerial attack: {title} (drones {fig_drones_launched}, missiles {fig_missiles_launched})"
    assert render_message(tpl, {"title": "T"}) == "Aerial attack: T"
    assert (
        render_message(tpl, {"title": "T", "fig_drones_launched": "653"}) == "Aerial attack: T (drones 653)"
    )
    both = {"title": "T", "fig_drones_launched": "653", "fig_missiles_launched": "51"}
    assert render_message(tpl, both) == "Aerial attack: T (drones 653, missiles 51)"
    tpl = "Release: {title} ({fig_prisoners_released} released; {count} article(s) from {sources})"
    assert render_message(tpl, {"title": "T", "count": "2", "sources": "A, B"}) == (
        "Release: T (2 article(s) from A, B)"
    )
    assert (
        render_message("Flood: {title} [{keywords}]", {"title": "X", "keywords": "banjir"})
        == "Flood: X [banjir]"
    )


def test_an_event_only_alert_shows_no_question_mark() -> None:
    eng = AlertEngine(parse_rules(AERIAL))
    (change,) = eng.process(
        article("a1", "Serangan udara.", title="Serangan udara", story="s", events=["195"])
    )
    assert change.alert.message == "Aerial attack: Serangan udara"
    assert "?" not in change.alert.message


def test_a_figure_outside_a_group_must_be_guaranteed_by_the_condition() -> None:
    bad = """
rules:
  - name: r
    when: {event: "195"}
    message: "{fig_drones_launched} drones: {title}"
"""
    with pytest.raises(RulesError, match="fig_drones_launched"):
        parse_rules(bad)
    ok = """
rules:
  - name: r
    when: {all: [{event: "195"}, {figure: {kind: drones_launched, gte: 1}}]}
    message: "{fig_drones_launched} drones: {title}"
"""
    assert parse_rules(ok)


def test_example_rules_load() -> None:
    assert {r.name for r in load_rules(example_rules()).rules} >= {"mass-casualties", "large-aerial-attack"}


def test_figure_text_keeps_qualifiers_and_vague_words() -> None:
    assert figure_text(19, "at_least") == "at least 19"
    assert figure_text(100, "hundreds") == "hundreds"
    assert figure_text(42, None) == "42"
    assert figure_text(42, "all") == "42"
    assert figure_text(38000, "more_than") == "more than 38,000"


def test_figure_condition_reads_the_headline_of_its_kind() -> None:
    rules = parse_rules(
        """
rules:
  - name: few
    when: {figure: {kind: killed, lte: 5}}
    message: "{title}"
"""
    )
    eng = AlertEngine(rules)
    art = article("a1", "x", title="t", story="s")
    figs = [
        Figure(kind="killed", value=3, text="3", span=(0, 1)),
        Figure(kind="killed", value=40, text="40", span=(0, 1), headline=True),
    ]
    art = art.model_copy(update={"figures": figs})
    assert eng.process(art) == []  # the article's toll is 40, not 3
