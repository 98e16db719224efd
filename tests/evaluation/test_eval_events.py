"""``warta eval events``: actor matching, outlet folds, and the held-out figures on the shared gold."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.evaluation.events import actor_matches, fold_of

SHARED = Path(os.environ.get("WARTA_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
GOLD = SHARED / "eval" / "events"


def test_actor_matching_is_tolerant_of_forms_but_not_of_other_actors() -> None:
    assert actor_matches(["Russia", "Rusia"], "Rusia")
    assert actor_matches(["Israel"], "Israeli forces")
    assert actor_matches(["Rapid Support Forces", "RSF"], "Rapid Support Forces (RSF)")
    assert not actor_matches(["Sudanese Armed Forces"], "Rapid Support Forces (RSF)")
    assert not actor_matches(["Ukraine"], None)


def test_folds_hold_out_whole_outlets() -> None:
    class A:
        def __init__(self, outlet: str) -> None:
            self.outlet = outlet

    arts = [A(o) for o in ["b", "a", "c", "a", "d", "b"]]
    folds = fold_of(arts, 2)  # type: ignore[arg-type]
    assert set(folds) == {"a", "b", "c", "d"}
    assert set(folds.values()) == {0, 1}


@pytest.mark.skipif(not GOLD.is_dir(), reason="needs ../shared/eval/events (set WARTA_SHARED)")
def test_held_out_events_beat_the_rule_detector() -> None:
    """2-fold, outlets held out: the learned detector must stay above the old rules' precision and main recall."""
    from streams.evaluation.events import run_event_eval

    rep = run_event_eval(GOLD, cv=2)
    assert rep.emitted_happened > 50
    assert rep.precision >= 0.75
    assert rep.main_recall >= 0.75
    assert rep.not_happened_share <= 0.15


def test_an_acronym_of_the_actor_names_the_gold_actor() -> None:
    assert actor_matches(["Rapid Support Forces", "Pasukan Dukungan Cepat"], "RSF")
    assert actor_matches(["Corruption Eradication Commission", "Komisi Pemberantasan Korupsi"], "KPK")
    assert not actor_matches(["Rapid Support Forces"], "SAF")
    assert not actor_matches(["Support Forces"], "SF")  # two words make no acronym


def test_thresholds_are_chosen_off_the_edge_of_a_target() -> None:
    """A pair meeting every target only at the point itself loses to one whose neighbours meet them too."""
    from streams.evaluation.events import EventReport, _pooled, _robust_key

    def rep(right: int, emitted: int, not_happened: int, main: int) -> EventReport:
        return EventReport(emitted, right, not_happened, 100, main)

    good = rep(90, 100, 1, 90)
    edge = rep(86, 100, 2, 86)
    bad = rep(80, 100, 6, 80)
    grid = {(0, 0): bad, (0, 1): edge, (0, 2): good, (0, 3): good}
    assert _robust_key(_pooled(grid, 0, 1)) < _robust_key(_pooled(grid, 0, 2))
    assert _robust_key([good])[0] > 0 > _robust_key([bad])[0]
