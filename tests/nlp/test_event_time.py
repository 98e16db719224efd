"""Dates in the text against the article's date, and the decision rule of the event passes that reads them."""

from __future__ import annotations

from dataclasses import replace

from streams.nlp.analysis import analyze
from streams.nlp.event_time import date_class, find_dates, time_line
from streams.nlp.events import Candidate, EventModels, Trigger, choose_events, load_event_models

TEXT = (
    "Hamas pada Jumat (24/11/2023) membebaskan 13 sandera. Israel melancarkan serangan ke Gaza setelah militan "
    "Hamas melintasi perbatasan pada 7 Oktober. The siege began in March 2022, and talks resume on 30 November."
)


def test_dates_are_found_in_both_languages_with_what_they_give() -> None:
    got = {TEXT[d.start : d.end]: (d.year, d.month, d.day) for d in find_dates(TEXT)}
    assert got["(24/11/2023)"] == (2023, 11, 24)
    assert got["7 Oktober"] == (None, 10, 7)
    assert got["in March 2022"] == (2022, 3, None)
    assert got["30 November"] == (None, 11, 30)


def test_the_token_scan_finds_what_the_text_scan_finds() -> None:
    an = analyze(TEXT, "id")
    assert find_dates(TEXT, an.starts, an.lowers) == find_dates(TEXT)


def test_dates_are_classed_against_the_latest_full_date_without_a_publication_date() -> None:
    line = time_line(TEXT, None)
    classes = dict(zip((TEXT[s : s + 9] for s in line.starts), line.classes, strict=True))
    assert classes["(24/11/20"] == "recent"
    assert classes["7 Oktober"] == "old"  # seven weeks before the release
    assert classes["in March "] == "old"
    assert classes["30 Novemb"] == "future"
    assert line.has_reference


def test_a_publication_date_wins_over_the_dates_written() -> None:
    line = time_line(TEXT, "2023-10-08T09:00:00+07:00")
    classes = dict(zip(line.starts, line.classes, strict=True))
    assert classes[TEXT.index("7 Oktober")] == "recent"
    (d,) = [x for x in find_dates("in November") if x.month == 11]
    assert date_class(d, None, None) == "unknown"


def _cand(start: int, code: str, happened: float, score: float = 0.5) -> Candidate:
    cand = Candidate(start, start + 5, code, Trigger(code=code, score=score), 0, {})
    cand.probs = {"none": 1.0 - happened, "happened": happened, "background": 0.0, "other": 0.0}
    return cand


def _models() -> EventModels:
    models = load_event_models()
    assert models is not None
    return replace(models, emit_top=0.3, emit_happened=0.63, top_events=1)


def test_the_top_root_passes_a_lower_bar_than_a_further_root() -> None:
    models = _models()
    cands = [_cand(0, "0841", 0.5), _cand(500, "190", 0.55), _cand(900, "046", 0.7)]
    codes = {c.code: mod for c, mod, _ in choose_events(cands, models)}
    assert codes.get("046") == "happened"  # the article's top root
    assert codes.get("0841") != "happened" and codes.get("190") != "happened"  # further roots under 0.63
    # alone, the same 0.5 exchange is the article's top event
    assert {c.code: m for c, m, _ in choose_events([_cand(0, "0841", 0.5)], models)}["0841"] == "happened"


def test_a_specific_trigger_of_the_same_mention_wins_over_a_generic_one() -> None:
    models = _models()
    bombing = _cand(10, "183", 0.7, score=0.8)  # "bom bunuh diri"
    killed = _cand(30, "190", 0.75, score=0.5)  # "menewaskan", right after it
    chosen = {c.code: m for c, m, _ in choose_events([bombing, killed], models)}
    assert chosen.get("183") == "happened"
    assert chosen.get("190") != "happened"


def test_an_entity_written_as_an_actor_alias_takes_the_actors_name() -> None:
    from streams.core.records import Entity
    from streams.nlp.events import find_actor_mentions, load_event_rules

    text = (
        "Moscow launched 40 drones at Kharkiv overnight. The Kremlin said the strikes hit military targets."
    )
    ents = [
        Entity(text="Moscow", name="Moscow", type="GPE", country="RU", spans=[(0, 6)], confidence=0.9),
        Entity(text="Kharkiv", name="Kharkiv", type="GPE", country="UA", spans=[(29, 36)], confidence=0.9),
    ]
    low = text.lower()
    names = {text[m.start : m.end]: m.name for m in find_actor_mentions(text, low, ents)}
    assert names["Moscow"] == "Russia"  # metonymy: the capital acts for the state
    assert names["Kharkiv"] == "Kharkiv"  # a place of the gazetteer, no actor alias: the entity's own name
    assert names["Kremlin"] == "Russia"
    assert "Russia" in load_event_rules().actor_names


def _rule_of(text: str, surface: str) -> str:
    from streams.nlp.events import ArticleRoots, build_context, candidate_features, find_candidates

    ctx = build_context(text, analyze(text))
    cands = find_candidates(ctx)
    roots = ArticleRoots.of(cands, ctx.time)
    (cand,) = [c for c in cands if text[c.start : c.end].lower() == surface]
    feats = candidate_features(ctx, cand, roots)
    (rule,) = [k for k in feats if k.startswith("rule=")]
    return rule


def test_a_time_cue_right_after_the_trigger_is_the_rules_reading() -> None:
    planned = "Gallant mengatakan operasi militer akan dilanjutkan pekan depan."
    assert _rule_of(planned, "operasi militer") == "rule=future_after"
    recalled = "They swapped prisoners for the first time since the invasion started three years ago."
    assert _rule_of(recalled, "invasion") == "rule=past_after"
    assert _rule_of("Gallant said the invasion started on Friday.", "invasion") == "rule=asserted"


def _quote_feature(text: str, surface: str) -> list[str]:
    from streams.nlp.events import ArticleRoots, build_context, candidate_features, find_candidates

    ctx = build_context(text, analyze(text))
    cands = find_candidates(ctx)
    roots = ArticleRoots.of(cands, ctx.time)
    (cand,) = [c for c in cands if text[c.start : c.end].lower() == surface]
    return [k for k in candidate_features(ctx, cand, roots) if k.startswith("in_quote&")]


def test_a_quoted_trigger_knows_whether_its_clause_names_an_actor() -> None:
    abstract = "“Dalam diplomasi, semuanya dibangun di sekitar lokus perang sehingga mustahil,” katanya."
    assert _quote_feature(abstract, "perang") == ["in_quote&clause_actor=none"]
    reported = "“Rusia menyerang Ukraina pada Kamis,” kata pejabat itu."
    assert _quote_feature(reported, "menyerang") == ["in_quote&clause_actor=yes"]
    assert _quote_feature("Rusia menyerang Ukraina pada Kamis.", "menyerang") == []
