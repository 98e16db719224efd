"""``warta eval alerts``: manifest dates, gold's verdicts, the held-out stages and a replay of a small manifest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixtures_services import article

from streams.alerting.rules import example_rules
from streams.core.pipeline import build_pipeline
from streams.core.records import Figure, RawArticle
from streams.evaluation.alerts import (
    EvalArticle,
    HeldOutEvents,
    HeldOutFigures,
    alert_verdict,
    gold_view,
    manifest_date,
    run_alert_eval,
    summary,
)


@pytest.mark.parametrize(
    ("note", "want"),
    [
        ("2018-02-03T13:22:00+07:00", datetime(2018, 2, 3, 6, 22, tzinfo=UTC)),
        ("not shown on page; quake Senin 21 November 2022, statements 'Selasa' -> 22 Nov 2022 (inferred)",
         datetime(2022, 11, 22, tzinfo=UTC)),
        ("not shown on page; URL date 2024-06-06", datetime(2024, 6, 6, tzinfo=UTC)),
        ("not shown on page; text 'Senin (27/1/2025)' -> 2025-01-27", datetime(2025, 1, 27, tzinfo=UTC)),
        ("not shown on page (store prefix 'date 2024-07-07'); strike on Saturday 6 July 2024",
         datetime(2024, 7, 7, tzinfo=UTC)),
        ("not shown on page; text says 'Wednesday' only", None),
        (None, None),
    ],
)  # fmt: skip
def test_manifest_dates(note: str | None, want: datetime | None) -> None:
    got = manifest_date(note)
    assert (got.astimezone(UTC) if got else None) == want


def _art(
    figures: list[dict], events: list[dict] | None = None, aid: str = "a", when: str = "2025-01-01"
) -> EvalArticle:
    return EvalArticle(
        aid, "outlet", Path("x"), None, datetime.fromisoformat(when).replace(tzinfo=UTC), figures, events
    )


def test_verdict_wants_the_articles_own_total_and_events_that_happened() -> None:
    gold = _art(
        [{"type": "killed", "value": 26}, {"type": "killed", "value": 4, "part": "subset"},
         {"type": "wounded", "value": "puluhan"}],
        [{"code": "195", "modality": "happened"}, {"code": "0841", "modality": "background"}],
    )  # fmt: skip
    ok = alert_verdict([("killed", 26.0, "a", "")], [{"code": "1952", "modality": "happened"}], gold, {})
    assert ok == ("ok", [])
    verdict, problems = alert_verdict([("killed", 4.0, "a", "")], [], gold, {})
    assert verdict == "wrong" and "subset" in problems[0]
    # a vague amount matches a vague gold total of its kind; an exact one that gold lacks does not
    assert alert_verdict([("wounded", 10.0, "a", "dozens")], [], gold, {})[0] == "ok"
    assert alert_verdict([("wounded", 12.0, "a", "")], [], gold, {})[0] == "wrong"
    verdict, problems = alert_verdict([], [{"code": "0841", "modality": "happened"}], gold, {})
    assert verdict == "wrong" and "background" in problems[0]
    assert alert_verdict([], [], gold, {})[0] == "unchecked"


def test_a_toll_from_an_article_of_another_year_is_wrong() -> None:
    old = _art([{"type": "killed", "value": 51}], aid="old", when="2022-03-01")
    new = _art([{"type": "killed", "value": 23}], aid="new", when="2025-08-28")
    verdict, problems = alert_verdict([("killed", 51.0, "old", "")], [], new, {"old": old})
    assert verdict == "wrong" and "another incident" in problems[0]


def test_gold_view_heads_the_largest_total_and_keeps_main_events() -> None:
    art = article("a", "x", figures=[("killed", 3.0)])
    gold = _art(
        [{"type": "killed", "value": 6}, {"type": "killed", "value": 60}, {"type": "killed", "value": 5, "part": "subset"},
         {"type": "other", "value": 16}],
        [{"code": "195", "modality": "happened", "main": True}, {"code": "0841", "modality": "happened", "main": False}],
    )  # fmt: skip
    view = gold_view(art, gold)
    assert [(f.value, f.headline) for f in view.figures] == [(6.0, False), (60.0, True), (5.0, False)]
    assert [e.code for e in view.events] == ["195"]


def test_summary_counts_changes_and_stories_with_two_alerts() -> None:
    from streams.evaluation.alerts import AlertRow

    def row(n: int, aid: str, story: str, verdict: str) -> AlertRow:
        return AlertRow(
            n, "fired", aid, "r", "warning", story, "a", "o", "-", "", "", [], [], [], verdict, ["a"]
        )

    s = summary([row(1, "x", "s1", "ok"), row(2, "y", "s1", "wrong"), row(3, "z", "s2", "ok")], missed=[1])
    assert s["alerts"] == 3 and s["stories_with_two_alerts"] == 1 and s["verdicts"] == {"ok": 2, "wrong": 1}
    assert s["missed"] == 1


SEED = """Russia launched 142 drones at Ukraine overnight and air defences shot down 120 of them, the air force said.
At least 14 people were killed in Kharkiv and 40 were wounded, regional officials said on Tuesday.
Ukraine and Russia exchanged 157 prisoners of war on Monday after talks mediated by the United Arab Emirates."""


def test_held_out_stages_with_no_fold_model_give_the_shipped_output() -> None:
    """The eval's figure and event stages are ``detect_events``/``figures_from_analysis``: with no held-out
    model for an article they give what the pipeline gives."""
    raw = RawArticle(id="seed", text=SEED)
    shipped = build_pipeline().run(raw)
    stages = build_pipeline().stages
    stages = [HeldOutFigures({}) if s.name == "figures" else HeldOutEvents({}) if s.name == "events" else s
              for s in stages]  # fmt: skip
    from streams.core.pipeline import Pipeline

    held = Pipeline(stages).run(raw)
    assert held.figures == shipped.figures
    assert held.events == shipped.events and shipped.events


def test_replay_of_a_small_manifest(tmp_path: Path) -> None:
    """Two strikes published years apart, one with gold that wants an alert: each its own alert, verdicts
    from gold, and an article whose gold fires a rule but that got no alert is listed."""
    split = tmp_path / "mini"
    (split / "articles").mkdir(parents=True)
    (tmp_path / "events").mkdir()
    texts = {
        "a_2022": ("2022-03-14T09:00:00+00:00", SEED.replace("142", "160")),
        "b_2025": ("2025-08-28T09:00:00+00:00", SEED),
        "c_quiet": ("2025-09-01T09:00:00+00:00", "The central bank kept its rate at 6 percent on Thursday."),
    }
    manifest, events = [], []
    for aid, (when, text) in texts.items():
        (split / "articles" / f"{aid}.txt").write_text(text, encoding="utf-8")
        figs = [] if aid == "c_quiet" else [{"type": "drones_launched", "value": 160 if aid == "a_2022" else 142},
                                            {"type": "killed", "value": 14}]  # fmt: skip
        if aid == "c_quiet":
            figs = [{"type": "killed", "value": 30}]  # gold wants an alert the models cannot give
        manifest.append({"id": aid, "outlet": f"outlet-{aid}", "published": when, "figures": figs})
        events.append({"id": aid, "events": []})
    (split / "manifest.jsonl").write_text("".join(json.dumps(m) + "\n" for m in manifest), encoding="utf-8")
    (tmp_path / "events" / "mini.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in events), encoding="utf-8"
    )
    result = run_alert_eval([split / "manifest.jsonl"], example_rules(), cv=0)
    by_article = {r.article: r for r in result.rows}
    assert set(by_article) == {"a_2022", "b_2025"}
    assert by_article["a_2022"].story != by_article["b_2025"].story
    assert by_article["b_2025"].message.startswith("Aerial attack")
    assert [f[:2] for f in by_article["b_2025"].figures if f[0] == "drones_launched"] == [
        ("drones_launched", 142.0)
    ]
    assert [m[0] for m in result.missed] == ["c_quiet"]
    assert result.stories == [] and result.far_apart() == []


def test_figure_rows_name_where_a_figure_came_from() -> None:
    from streams.evaluation.alerts import shown_figures

    a = article("a", "x").model_copy(
        update={"figures": [Figure(kind="killed", value=12, text="12", span=(0, 2), headline=True)]}
    )
    b = article("b", "y").model_copy(
        update={
            "figures": [
                Figure(kind="killed", value=30, text="30", span=(0, 2), qualifier="at_least", headline=True)
            ]
        }
    )
    assert shown_figures([a, b]) == {"killed": (30.0, "b", "at_least")}
