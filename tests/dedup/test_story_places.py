"""One incident told in two languages is one story: place-type words ("Danau Toba", "Lake Toba") give one
key and close headline figures of one kind (192 and 180 missing) are weak evidence; different lakes stay apart."""

from __future__ import annotations

import math

import pytest

from streams.alerting.engine import AlertEngine
from streams.alerting.rules import example_rules, load_rules
from streams.core.pipeline import build_pipeline
from streams.core.records import EnrichedArticle, RawArticle
from streams.dedup.config import load_config
from streams.dedup.story import close_keys, place_key

WHEN = "2018-06-20T07:42:00+00:00"

ID_TOBA = (
    "Basarnas: 192 Orang Hilang dalam Tenggelamnya KM Sinar Bangun di Danau Toba\n\n"
    "Badan Nasional Pencarian dan Pertolongan (Basarnas) menyebut 192 orang dilaporkan hilang setelah kapal "
    "motor Sinar Bangun tenggelam di Danau Toba, Sumatera Utara, pada Senin sore. Kepala Basarnas Muhammad "
    "Syaugi mengatakan tim gabungan masih menyisir perairan dari Pelabuhan Tigaras hingga Dermaga Simanindo.\n\n"
    "Kapal itu berangkat dari Simanindo, Kabupaten Samosir, menuju Tigaras, Kabupaten Simalungun, ketika cuaca "
    "buruk melanda Danau Toba. Syaugi mengatakan pencarian akan diperluas dengan bantuan penyelam."
)
EN_TOBA = (
    "Indonesia says 180 missing after ferry sinks on Lake Toba\n\n"
    "About 180 people are missing after the ferry Sinar Bangun sank on Lake Toba in North Sumatra on Monday "
    "evening, Indonesia's National Search and Rescue Agency (Basarnas) said. Basarnas chief Muhammad Syaugi "
    "said divers were searching the waters between Tigaras and Simanindo.\n\n"
    "The wooden ferry was travelling from Simanindo on Samosir island to Tigaras when bad weather hit Lake "
    "Toba. Syaugi said the search would be widened with help from navy divers."
)
# Another lake, the same agency, its chief, the province and a close toll on the same day: another incident.
EN_SIAIS = (
    "Tourist boat capsizes on Lake Siais, 185 missing\n\n"
    "About 185 people are missing after an overloaded tourist boat overturned on Lake Siais in "
    "North Sumatra late on Monday, said Muhammad Syaugi, who heads the National Search and Rescue Agency "
    "(Basarnas).\n\n"
    "Villagers from Rianiate told local television the boat had left a jetty on the eastern shore of Lake "
    "Siais in strong wind. Syaugi said teams from Padang Sidempuan had joined the search on Tuesday."
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("danau toba", "lake toba"),
        ("toba lake", "lake toba"),
        ("gunung semeru", "mount semeru"),
        ("mt. semeru", "gunung semeru"),
        ("pulau komodo", "komodo island"),
        ("selat sunda", "sunda strait"),
        ("sungai musi", "musi river"),
        ("kabupaten cianjur", "cianjur regency"),
        ("provinsi aceh", "aceh province"),
        ("kota palu", "palu city"),
    ],
)
def test_place_type_words_in_either_language_give_one_key(a: str, b: str) -> None:
    assert place_key(a) == place_key(b) != a


def test_different_places_and_plain_names_keep_their_keys() -> None:
    assert place_key("danau toba") != place_key("danau maninjau")
    assert place_key("danau toba") != place_key("gunung toba")  # the type stays in the key
    assert place_key("kota bandung") != place_key("bandung")
    for name in ("toba", "lake", "jakarta", "muhammad syaugi"):
        assert place_key(name) == name


def test_close_figure_keys_meet_within_the_ratio_and_never_beyond() -> None:
    ratio = load_config().close_ratio
    assert set(close_keys("missing", 192, ratio)) & set(close_keys("missing", 180, ratio))
    assert not set(close_keys("missing", 180, ratio)) & set(close_keys("killed", 180, ratio))
    for v in range(10, 3000, 7):
        near = v * math.sqrt(ratio) * 0.999
        far = v * ratio * 1.001
        assert set(close_keys("killed", v, ratio)) & set(close_keys("killed", near, ratio)), v
        assert not set(close_keys("killed", v, ratio)) & set(close_keys("killed", far, ratio)), v


def _run(items: list[tuple[str, str, str]]) -> tuple[list[EnrichedArticle], list[tuple[str, str]]]:
    """The default pipeline (one state) and the example rules over (id, text, published) in order."""
    pipe = build_pipeline()
    clock = [1_700_000_000.0]
    engine = AlertEngine(load_rules(example_rules()), clock=lambda: clock[0])
    out, alerts = [], []
    for i, (aid, text, when) in enumerate(items):
        clock[0] = 1_700_000_000.0 + 60.0 * i
        art = pipe.run(RawArticle(id=aid, text=text, published_at=when, ingested_at=clock[0]))
        out.append(art)
        alerts += [(c.kind, c.alert.id) for c in engine.process(art)]
    return out, alerts


def test_one_sinking_in_indonesian_and_english_is_one_story_and_one_alert() -> None:
    arts, alerts = _run([("cnn", ID_TOBA, WHEN), ("abc", EN_TOBA, WHEN)])
    assert arts[0].dedup.duplicate_of is None and arts[1].dedup.duplicate_of is None
    assert arts[0].dedup.story_id == arts[1].dedup.story_id
    assert alerts, "a sinking with 180 missing fires the casualty rule"
    assert alerts[0][0] == "fired" and all(kind == "updated" for kind, _ in alerts[1:])
    assert len({aid for _, aid in alerts}) == 1


def test_two_lakes_on_one_day_are_two_stories_and_two_alerts() -> None:
    arts, alerts = _run([("cnn", ID_TOBA, WHEN), ("siais", EN_SIAIS, WHEN)])
    assert arts[0].dedup.story_id != arts[1].dedup.story_id
    assert [kind for kind, _ in alerts] == ["fired", "fired"]


def test_close_figures_do_not_join_articles_published_days_apart() -> None:
    later = "2018-07-10T07:42:00+00:00"  # three weeks on: another sinking, for all the text says
    arts, _ = _run([("cnn", ID_TOBA, WHEN), ("abc", EN_TOBA, later)])
    assert arts[0].dedup.story_id != arts[1].dedup.story_id
