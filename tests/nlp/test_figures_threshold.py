"""The casualty threshold is chosen on outlet folds of the training articles only (issue 30, figq6)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.evaluation import figures as F
from streams.nlp.figure_model import load_model


def _counts(pairs: dict[float, tuple[int, int]]) -> dict[float, F.Count]:
    out = {}
    for t, (right, total) in pairs.items():
        c = F.Count()
        c.add(right, total)
        out[t] = c
    return out


def test_the_lowest_threshold_reaching_the_target_is_picked() -> None:
    prec = _counts({0.5: (90, 100), 0.6: (95, 100), 0.7: (97, 100), 0.8: (50, 50)})
    assert F.pick_threshold(prec, 0.95) == 0.6
    assert F.pick_threshold(prec, 0.96) == 0.7
    # a precision that dips above the first threshold reaching the target does not move it
    assert F.pick_threshold(_counts({0.5: (96, 100), 0.6: (93, 100), 0.7: (99, 100)}), 0.95) == 0.5
    # none reaches it: the highest; no figure kept at all counts as precise
    assert F.pick_threshold(_counts({0.5: (8, 10), 0.6: (9, 11)}), 0.95) == 0.6
    assert F.pick_threshold(_counts({0.5: (8, 10), 0.6: (0, 0)}), 0.95) == 0.6


class _Art:
    def __init__(self, i: int) -> None:
        self.id = f"a{i:02d}"
        self.outlet = f"outlet{i % 6}"


class _Model:
    """What ``held_out_thresholds`` reads of a fitted model: the thresholds it sets before each inner fold."""

    min_probability = 0.0

    def __init__(self) -> None:
        self.thresholds: dict[str, float] = {}


def _fake_fit(monkeypatch: pytest.MonkeyPatch, trained: list[set[str]] | None = None) -> list[_Model]:
    """``F.fit`` replaced by a fit that makes a new :class:`_Model` (the last one is the model an inner fold is
    read with) and notes the article ids it was given in ``trained``; returns the models made."""
    models: list[_Model] = []

    def fake_fit(train: Any, cfg: F.TrainConfig) -> _Model:
        assert cfg.threshold_folds == 0 and cfg.calibration_folds == 0  # the inner models choose nothing
        if trained is not None:
            trained.append({a.id for a in train})
        models.append(_Model())
        return models[-1]

    monkeypatch.setattr(F, "fit", fake_fit)
    return models


def test_the_threshold_is_chosen_on_held_out_folds_of_the_training_articles_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arts: list[Any] = [_Art(i) for i in range(24)]
    trained: list[set[str]] = []
    read: list[set[str]] = []
    models = _fake_fit(monkeypatch, trained)

    def fake_run(test: Any, extract: Any, reps: tuple[F.FigureReport, F.FigureReport]) -> None:
        ids = {a.id for a in test}
        if ids not in read:
            read.append(ids)
        # inner precision of the kinds of people grows with the threshold: 0.5 -> 0.90, 0.6 -> 0.95 ...
        t = round(models[-1].min_probability, 2)
        right = {0.5: 90, 0.55: 93, 0.6: 95, 0.65: 96, 0.7: 97}.get(t, 80 if t < 0.5 else 98)
        reps[0].measures["casualty_precision"].add(right, 100)
        reps[0].measures["total_recall"].add(round(100 - 100 * t), 200)  # fewer totals found as t rises
        # drones and missiles (their own threshold): 0.3 -> 8/10, 0.35 and up -> 10/10
        w = round(models[-1].thresholds["drones_launched"], 2)
        reps[1].measures["casualty_precision"].add(8 if w < 0.35 else 10, 10)
        reps[1].measures["total_recall"].add(round(40 - 100 * w), 200)

    monkeypatch.setattr(F, "run_split", fake_run)
    cfg = F.TrainConfig(threshold_folds=3, excess_cost=None)  # the hard target (figq7's rule)
    # the pair finding the most totals with precision >= 0.95 over both groups: weapons at 0.35 (10/10)
    # let people go down to 0.6 (105/110 = 0.955; 0.55 gives 103/110), weapons at 0.3 (8/10) only to 0.7
    assert F.held_out_thresholds(arts, cfg) == (0.6, 0.35)
    read.clear()
    trained.clear()
    assert F.held_out_threshold(arts, cfg) == 0.6
    # the soft target (the default): people at 0.55 find 3 more totals per fold than at 0.6 for 0.5 false
    # figure beyond the allowance (103/110 keeps 7 false, 5.5 allowed) at a cost of 2 totals each
    read.clear()
    trained.clear()
    assert F.held_out_thresholds(arts, F.TrainConfig(threshold_folds=3)) == (0.55, 0.3)
    everyone = {a.id for a in arts}
    assert len(trained) == 3 and len(read) == 3
    for train, test in zip(trained, read, strict=True):
        assert train | test == everyone and not train & test  # each fold read by a model that never saw it
        outlets = {a.outlet for a in arts if a.id in test}
        assert not outlets & {a.outlet for a in arts if a.id in train}  # whole outlets held out
    assert set().union(*read) == everyone


def test_the_shipped_threshold_was_chosen_on_inner_folds() -> None:
    m = load_model()
    assert F.TrainConfig().threshold_folds > 1
    assert m.meta.get("threshold_folds") == F.TrainConfig().threshold_folds
    assert m.meta.get("target_precision") == F.TrainConfig().target_precision
    assert m.meta.get("excess_cost") == F.TrainConfig().excess_cost
    assert m.min_probability in F._GRID


def test_a_fixed_drone_and_missile_threshold_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    models = _fake_fit(monkeypatch)
    seen: set[float] = set()

    def fake_run(test: Any, extract: Any, reps: tuple[F.FigureReport, F.FigureReport]) -> None:
        seen.add(models[-1].thresholds["missiles_downed"])
        reps[0].measures["casualty_precision"].add(99, 100)
        reps[0].measures["total_recall"].add(round(100 - 100 * models[-1].min_probability), 200)
        reps[1].measures["casualty_precision"].add(1, 1)

    monkeypatch.setattr(F, "run_split", fake_run)
    arts: list[Any] = [_Art(i) for i in range(12)]
    assert F.held_out_thresholds(arts, F.TrainConfig(threshold_folds=2, weapon_probability=0.5)) == (0.3, 0.5)
    assert seen == {0.5}


def _fake_inner(monkeypatch: pytest.MonkeyPatch, people_right: int) -> None:
    """Inner folds whose precision of the kinds of people is ``people_right``/100 at every threshold and
    whose drones/missiles are 10/10; totals fall as either threshold rises."""
    models = _fake_fit(monkeypatch)

    def fake_run(test: Any, extract: Any, reps: tuple[F.FigureReport, F.FigureReport]) -> None:
        t = models[-1].min_probability
        w = models[-1].thresholds["drones_launched"]
        reps[0].measures["casualty_precision"].add(people_right, 100)
        reps[0].measures["total_recall"].add(round(100 - 100 * t), 200)
        reps[1].measures["casualty_precision"].add(10, 10)
        reps[1].measures["total_recall"].add(round(40 - 10 * w), 200)

    monkeypatch.setattr(F, "run_split", fake_run)


def test_the_choice_reports_what_the_inner_folds_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    arts: list[Any] = [_Art(i) for i in range(12)]
    _fake_inner(monkeypatch, 95)
    got = F.held_out_choice(arts, F.TrainConfig(threshold_folds=2))
    # every pair reaches 0.95 (95/100 + 10/10 per fold): the lowest thresholds find the most totals
    assert (got.people, got.weapons, got.reached) == (0.3, 0.3, True)
    assert (got.precision.right, got.precision.total) == (2 * 105, 2 * 110)
    assert got.totals == 2 * (70 + 37)
    assert F.held_out_thresholds(arts, F.TrainConfig(threshold_folds=2)) == (got.people, got.weapons)


def test_no_pair_reaching_the_target_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    arts: list[Any] = [_Art(i) for i in range(12)]
    _fake_inner(monkeypatch, 80)  # (80 + 10) / 110 = 0.82 per fold at every pair
    got = F.held_out_choice(arts, F.TrainConfig(threshold_folds=2, excess_cost=None))
    assert not got.reached
    assert (got.people, got.weapons) == (max(F._GRID), max(F._GRID))
    assert (got.precision.right, got.precision.total) == (2 * 90, 2 * 110)


def test_a_fold_line_names_its_thresholds_and_inner_precision() -> None:
    m = load_model()
    line = F._fold_line(2, 47, m)
    assert line.startswith("fold 2 (47 articles): people ")
    assert f"people {m.min_probability:g}" in line
    right, total = m.meta["inner_precision"]
    assert f"inner precision {right}/{total}" in line
    assert right / total >= F.TrainConfig().target_precision or "under the target" in line


def _curve(points: dict[float, tuple[int, int, int]]) -> dict[float, tuple[F.Count, F.Count]]:
    """threshold -> (right, kept, totals) as the inner folds' pooled measures, for every threshold of the grid
    (a threshold between two listed ones takes the next listed one above it)."""
    out: dict[float, tuple[F.Count, F.Count]] = {}
    listed = sorted(points)
    for t in F._GRID:
        right, kept, totals = points[next((u for u in listed if u >= t), listed[-1])]
        out[t] = (F.Count(right, kept), F.Count(totals, 300))
    return out


# the kinds of people: precision rises and totals fall with the threshold; 0.65 is one figure under 0.95
_PEOPLE = {0.55: (244, 262, 182), 0.6: (240, 254, 181), 0.65: (238, 251, 180), 0.7: (230, 242, 176),
           0.75: (224, 235, 173), 0.8: (215, 225, 168)}  # fmt: skip
_WEAPONS = {0.3: (0, 0, 0), 1.0: (0, 0, 0)}  # no drone or missile figure at any threshold


def test_one_figure_under_the_target_moves_the_hard_rule_a_step_and_the_soft_rule_not() -> None:
    people, weapons = _curve(_PEOPLE), _curve(_WEAPONS)
    hard = F.choose_pair(people, weapons, F.TrainConfig(excess_cost=None))
    soft = F.choose_pair(people, weapons, F.TrainConfig(excess_cost=2.0))
    # 0.65 keeps 238/251 = 0.948 (13 false, 12.55 allowed); 0.7 is the first reaching 0.95 (230/242)
    assert hard.people == 0.7 and hard.reached
    assert soft.people == 0.65 and not soft.reached
    assert (soft.precision.right, soft.precision.total, soft.totals) == (238, 251, 180)
    # the cost sets how far under the target a pair may be: 0.6 (14 false, 12.7 allowed, one more total)
    # at 1 a figure; 0.55 (18 false, 13.1 allowed) at none of these; the hard rule's 0.7 at 10
    got = {c: F.choose_pair(people, weapons, F.TrainConfig(excess_cost=c)).people for c in (1.0, 5.0, 10.0)}
    assert got == {1.0: 0.6, 5.0: 0.65, 10.0: 0.7}


def test_the_soft_rule_is_the_hard_rule_among_pairs_reaching_the_target() -> None:
    people = _curve({0.5: (190, 200, 150), 0.6: (181, 190, 147), 0.7: (172, 180, 140), 0.8: (160, 166, 130)})
    weapons = _curve({0.3: (19, 20, 18), 0.5: (18, 18, 17), 1.0: (10, 10, 10)})
    for cost in (0.5, 2.0, 10.0):
        soft = F.choose_pair(people, weapons, F.TrainConfig(excess_cost=cost))
        hard = F.choose_pair(people, weapons, F.TrainConfig(excess_cost=None))
        # every pair reaches 0.95 here: the most totals, then the most precise, then the lowest
        assert (soft.people, soft.weapons) == (hard.people, hard.weapons) == (0.3, 0.3)
        assert soft.reached and hard.reached


def test_a_large_excess_cost_is_the_hard_rule() -> None:
    people, weapons = _curve(_PEOPLE), _curve(_WEAPONS)
    hard = F.choose_pair(people, weapons, F.TrainConfig(excess_cost=None))
    assert (F.choose_pair(people, weapons, F.TrainConfig(excess_cost=1000.0)).people) == hard.people
    # nothing reaches the target: the hard rule takes the highest thresholds, the soft rule the best trade
    low = _curve({0.3: (80, 100, 62), 0.6: (85, 100, 55), 1.0: (88, 100, 50)})
    assert F.choose_pair(low, weapons, F.TrainConfig(excess_cost=None)).people == max(F._GRID)
    got = F.choose_pair(low, weapons, F.TrainConfig(excess_cost=1.0))
    assert not got.reached and got.people == 0.3  # 62 - 15 beats 55 - 10 and 50 - 7


def _random_curve(draw: Any, total: int) -> dict[float, tuple[F.Count, F.Count]]:
    """Pooled inner measures that fall (kept, right, totals) as the threshold rises, as real ones do."""
    out: dict[float, tuple[F.Count, F.Count]] = {}
    kept, right, totals = draw(st.integers(0, 400)), 0, 0
    right = draw(st.integers(0, kept))
    totals = draw(st.integers(0, min(right, total)))
    for t in F._GRID:
        out[t] = (F.Count(right, kept), F.Count(totals, total))
        drop_false = draw(st.integers(0, kept - right))
        drop_right = draw(st.integers(0, right))
        totals = max(0, totals - draw(st.integers(0, drop_right)))
        kept, right = kept - drop_false - drop_right, right - drop_right
        totals = min(totals, right)
    return out


@settings(max_examples=200, deadline=None)
@given(st.data(), st.floats(0.25, 20.0))
def test_the_soft_target_finds_at_least_the_hard_rules_totals_and_pays_for_its_excess(
    data: Any, cost: float
) -> None:
    people, weapons = _random_curve(data.draw, 300), _random_curve(data.draw, 300)
    hard = F.choose_pair(people, weapons, F.TrainConfig(excess_cost=None))
    soft = F.choose_pair(people, weapons, F.TrainConfig(excess_cost=cost))
    p = soft.precision
    excess = max(0.0, (p.total - p.right) - 0.05 * p.total)
    assert soft.reached == ((p.value if p.value is not None else 1.0) >= 0.95)
    if hard.reached:  # a pair reaching the target exists: the soft rule finds as many totals at least, and
        # any excess it keeps is paid for by the totals it finds beyond the hard rule's
        assert soft.totals >= hard.totals
        assert cost * excess <= soft.totals - hard.totals + 1e-9
