"""Stories respect time, end to end: Russia-Ukraine strikes of 2022-2025 arriving together are eight stories,
and the alert of the 2025 strike carries its own toll; two outlets on one strike are one story and one alert."""

from __future__ import annotations

import pytest

from streams.alerting.engine import AlertEngine
from streams.alerting.rules import example_rules, load_rules
from streams.core.pipeline import build_pipeline
from streams.core.records import EnrichedArticle, RawArticle

# (published, killed, drones, city): eight strikes over four years, each told with the same names and the
# same salvo size (150 drones): names and one number in common join articles of the same days, not of years.
STRIKES = [
    ("2022-03-14T09:00:00+00:00", 21, 150, "Kharkiv"),
    ("2022-10-10T09:00:00+00:00", 19, 150, "Dnipro"),
    ("2023-06-01T09:00:00+00:00", 12, 150, "Odesa"),
    ("2023-12-29T09:00:00+00:00", 39, 150, "Lviv"),
    ("2024-07-08T09:00:00+00:00", 41, 150, "Kryvyi Rih"),
    ("2024-11-17T09:00:00+00:00", 27, 150, "Mykolaiv"),
    ("2025-03-07T09:00:00+00:00", 14, 150, "Zaporizhzhia"),
    ("2025-08-28T09:00:00+00:00", 23, 150, "Chernihiv"),
]


def _text(killed: int, drones: int, city: str) -> str:
    return (
        f"Russian strike on {city} kills {killed}\n\n"
        f"At least {killed} people were killed when Russia launched {drones} drones and missiles at Ukraine "
        f"overnight, hitting {city} and the capital Kyiv, Ukrainian officials said on Thursday.\n\n"
        f"President Volodymyr Zelensky said Russian President Vladimir Putin had again chosen to attack "
        f"civilians. Ukraine's air force said its air defences shot down most of the drones over Kyiv and "
        f"{city}.\n\n"
        f"Rescue teams in {city} were still searching the rubble of a residential building on Thursday "
        f"morning. Zelensky called on Ukraine's allies to send more air defence systems to Kyiv."
    )


def _run(items: list[RawArticle]) -> tuple[list[EnrichedArticle], list[tuple[str, str, str]]]:
    """The pipeline (one state: stories span the run) and the example rules over ``items`` in order."""
    pipe = build_pipeline()
    clock = [1_700_000_000.0]
    engine = AlertEngine(load_rules(example_rules()), clock=lambda: clock[0])
    out, alerts = [], []
    for i, raw in enumerate(items):
        clock[0] = 1_700_000_000.0 + 60.0 * i
        art = pipe.run(raw)
        out.append(art)
        alerts += [(c.kind, c.alert.id, c.alert.message) for c in engine.process(art)]
    return out, alerts


@pytest.fixture(scope="module")
def war() -> tuple[list[EnrichedArticle], list[tuple[str, str, str]]]:
    items = [
        RawArticle(
            id=f"ru-ua-{when[:7]}",
            text=_text(k, d, city),
            published_at=when,
            ingested_at=1_700_000_000.0 + 60.0 * i,
        )
        for i, (when, k, d, city) in enumerate(STRIKES)
    ]
    return _run(items)


def test_russia_ukraine_strikes_years_apart_are_separate_stories(war) -> None:  # type: ignore[no-untyped-def]
    arts, _ = war
    assert len({a.dedup.story_id for a in arts}) == len(STRIKES)


def test_the_2025_alert_carries_its_own_toll_not_an_earlier_one(war) -> None:  # type: ignore[no-untyped-def]
    _, alerts = war
    assert len(alerts) == len(STRIKES)  # one alert per strike, each fired (none an update of another)
    assert all(kind == "fired" for kind, _, _ in alerts)
    last = alerts[-1][2]
    assert "23 killed" in last, last
    for _, killed, _, _ in STRIKES[:-1]:
        assert f"{killed} killed" not in last


UNDATED_2022 = (
    "Serangan rudal Rusia di Kharkiv menewaskan 21 orang\n\n"
    "Sedikitnya 21 orang tewas dan 60 lainnya terluka ketika rudal Rusia menghantam sebuah gedung apartemen di "
    "Kharkiv, Ukraina, pada Senin (14/3/2022), kata gubernur setempat. Rusia juga meluncurkan 150 drone.\n\n"
    "Presiden Ukraina Volodymyr Zelensky menyebut serangan itu kejahatan perang dan meminta sekutu Barat "
    "menutup langit Ukraina. Kremlin menyatakan Presiden Vladimir Putin hanya menargetkan sasaran militer."
)
UNDATED_2025 = (
    "Russia pounds Kyiv with 150 drones, 23 dead\n\n"
    "Russia fired 150 drones and 31 missiles at Ukraine overnight into Thursday, August 28, 2025, killing at "
    "least 23 people in Kyiv, where a five-storey building collapsed, city officials said.\n\n"
    "Volodymyr Zelensky said the attack showed that Vladimir Putin chose ballistic missiles over the "
    "negotiating table, and asked Ukraine's partners for more air defence."
)


def test_undated_articles_years_apart_are_separate_stories() -> None:
    """No publication dates: the same names (Russia, Ukraine, Kyiv, Zelensky, Putin) without the same
    incident's figures do not make one story, and each alert keeps its own toll."""
    items = [
        RawArticle(id="undated-2022", text=UNDATED_2022, ingested_at=1_700_000_000.0),
        RawArticle(id="undated-2025", text=UNDATED_2025, ingested_at=1_700_000_060.0),
    ]
    arts, alerts = _run(items)
    assert arts[0].dedup.story_id != arts[1].dedup.story_id
    assert arts[1].dedup.duplicate_of is None
    last = [m for _, _, m in alerts if "23 killed" in m]
    assert last and all("21 killed" not in m for m in last)


def test_two_outlets_on_one_strike_are_one_story_and_one_alert() -> None:
    """The same strike told the same day by two outlets: one story, one alert (updated, not fired twice)."""
    when = "2025-08-28T09:00:00+00:00"
    other = (
        "Rusia serang Chernihiv, 23 orang tewas\n\n"
        "Sedikitnya 23 orang tewas setelah Rusia meluncurkan 598 drone dan rudal ke Ukraina pada malam hari, "
        "menghantam Chernihiv dan ibu kota Kyiv, kata pejabat Ukraina pada Kamis.\n\n"
        "Presiden Volodymyr Zelensky mengatakan Presiden Rusia Vladimir Putin kembali memilih menyerang warga "
        "sipil. Angkatan udara Ukraina menyatakan pertahanan udara menembak jatuh sebagian besar drone di atas "
        "Kyiv dan Chernihiv."
    )
    items = [
        RawArticle(id="en-outlet", text=_text(23, 598, "Chernihiv"), published_at=when, source="Reuters",
                   ingested_at=1_700_000_000.0),
        RawArticle(id="id-outlet", text=other, published_at=when, source="Antara", ingested_at=1_700_000_600.0),
    ]  # fmt: skip
    arts, alerts = _run(items)
    assert arts[0].dedup.story_id == arts[1].dedup.story_id
    assert [kind for kind, _, _ in alerts] == ["fired", "updated"]
    assert len({aid for _, aid, _ in alerts}) == 1


def _daily(date: str, weekday: str, drones: int, down: int) -> str:
    """The air force's daily report: near copies of each other whatever the day, with the date in the text."""
    return (
        f"Russia launched {drones} drones overnight\n\n"
        f"KYIV, {date} - Russia launched {drones} attack drones and decoys at Ukraine overnight into {weekday}, "
        f"{date}, the Ukrainian Air Force said in its morning report. Air defences shot down or suppressed "
        f"{down} of them over the north, south and east of the country, the air force said.\n\n"
        "Drone debris fell on residential areas in several regions, and regional governors reported damage to "
        "houses and power lines. Ukraine's air force publishes the number of drones and missiles it tracks "
        "every morning, and the figures cannot be independently verified."
    )


def test_undated_daily_templates_a_year_apart_are_two_stories() -> None:
    """No publication dates: the dates the two near copies write (a year apart) keep them apart."""
    items = [
        RawArticle(
            id="daily-2022", text=_daily("7 March 2022", "Monday", 150, 120), ingested_at=1_700_000_000.0
        ),
        RawArticle(
            id="daily-2023", text=_daily("7 March 2023", "Tuesday", 150, 121), ingested_at=1_700_000_060.0
        ),
    ]
    arts, _ = _run(items)
    assert arts[1].dedup.duplicate_of == "daily-2022" or arts[1].dedup.similarity  # near copies indeed
    assert arts[0].dedup.story_id != arts[1].dedup.story_id


def test_undated_copies_of_one_day_are_one_story() -> None:
    """The same day's report from two outlets, undated: the dates they write agree, so one story."""
    text = _daily("7 March 2023", "Tuesday", 150, 121)
    items = [
        RawArticle(id="daily-a", text=text, source="a.example", ingested_at=1_700_000_000.0),
        RawArticle(
            id="daily-b",
            text=text.replace("regional governors", "governors"),
            source="b.example",
            ingested_at=1_700_000_060.0,
        ),
    ]
    arts, _ = _run(items)
    assert arts[0].dedup.story_id == arts[1].dedup.story_id


def test_text_date_places_only_undated_articles() -> None:
    """The text's date stands in for a missing publication date, never for a stated one; plans are not read."""
    from streams.dedup.stage import DedupStage, text_time

    body = _daily("7 March 2022", "Monday", 150, 120) + " Elections are due on 14 February 2030."
    lead = text_time(body)
    assert lead is not None and lead == text_time(body, latest=lead)
    assert text_time(body, latest=lead - 86400.0) is None
    plan = "Russia launched drones overnight, the air force said on Monday. Elections are due on 14 February 2030."
    assert text_time(plan, latest=1_700_000_000.0) is None
    assert text_time(plan) is not None
    pipe = build_pipeline()
    undated = pipe.run_doc(RawArticle(id="u", text=body, ingested_at=1_700_000_000.0))
    dated = pipe.run_doc(
        RawArticle(id="d", text=body, published_at="2023-05-01T09:00:00+00:00", ingested_at=1_700_000_060.0)
    )
    stage = DedupStage()
    assert stage.prepare(undated).text_date == lead
    assert stage.prepare(dated).text_date is None
