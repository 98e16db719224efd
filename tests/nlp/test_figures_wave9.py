"""Figure model, wave 9 (figq5): numbers written as part of a name, a date or a partitive's whole; model
names read through; households; hostages; denied cues; pointer labels that cannot apply; scopes."""

from __future__ import annotations

import pytest

from streams.core.analysis import NumberToken
from streams.core.records import Entity, Figure
from streams.nlp.analysis import analyze
from streams.nlp.figure_model import ArticleView, article_view, load_model, mention_features, number_class
from streams.nlp.figures import _resolved_kind, extract_figures, mark_headlines


def _mention(
    text: str, number: str, lang: str = "en", entities: list[Entity] | None = None
) -> tuple[ArticleView, NumberToken]:
    a = analyze(text, lang)
    view = article_view(a, entities)
    at = text.index(number)
    n = next(n for n in a.numbers if n.start <= at < n.end)
    return view, n


def _feats(text: str, number: str, lang: str = "en", entities: list[Entity] | None = None) -> list[str]:
    view, n = _mention(text, number, lang, entities)
    return mention_features(view, n)[0]


def test_a_number_inside_a_named_entity_is_part_of_a_name() -> None:
    text = "Dedi menyebut Densus 88 masih memburu terduga teroris yang ditangkap kemarin."
    s = text.index("Densus")
    ent = Entity(text="Densus 88", name="Densus 88", type="ORG", spans=[(s, s + 9)], confidence=0.9)
    with_name = _feats(text, "88", "id", [ent])
    assert "cls=name" in with_name and "head=cls.name" in with_name
    assert not any(f.startswith("first>") for f in with_name)  # a class binds no cue
    assert "cls=name" not in _feats(text, "88", "id")  # without the entity it is read as a count
    view, n = _mention(text, "88", "id", [ent])
    assert number_class(view, n) == "cls.name"


@pytest.mark.parametrize(
    ("text", "number", "lang"),
    [
        ("The toll of journalists killed since Oct. 7 rose to 158.", "7", "en"),
        ("Sebanyak 12 orang tewas sejak 7 Oktober lalu.", "7 ", "id"),
        ("At least 130 were killed by floods and landslides between October 6 and 25.", "25", "en"),
    ],
)
def test_a_day_beside_a_month_is_a_date(text: str, number: str, lang: str) -> None:
    assert "cls=date" in _feats(text, number, lang)


def test_a_count_beside_a_month_name_is_not_a_date() -> None:
    feats = _feats("In June, 120 people were killed by the floods.", "120")
    assert "cls=date" not in feats


def test_the_whole_of_a_partitive_is_a_class_unless_a_casualty_cue_names_it() -> None:
    assert "cls=whole" in _feats("The plane crashed, killing five of the six people aboard.", "six")
    assert "cls=whole" in _feats(
        "Data menyebutkan, baru 40 ribu dari 100 ribu warga yang mengungsi.", "100", "id"
    )
    assert "cls=whole" in _feats(
        "Of the around 300 people living in the area, 69 are unaccounted for.", "300"
    )
    # the set named by a casualty cue is the toll itself; a set of weapons is the launched count
    assert "cls=whole" not in _feats(
        "Dari 43 korban meninggal tersebut, 19 di antaranya di Agam.", "43", "id"
    )
    assert "cls=whole" not in _feats("It shot down 35 of 40 Russian drones overnight.", "40")


def test_a_model_name_does_not_stop_the_cue_scan() -> None:
    feats = _feats('"A total of 48 Shahed-136/131 strike UAVs were launched," the air force said.', "48")
    assert "head=H.drones" in feats and "first>W.launched" in feats


def test_households_are_counted_apart_from_people() -> None:
    feats = _feats("Kebakaran itu menyebabkan satu keluarga tewas di Tambora.", "satu", "id")
    assert "head=H.count" in feats


def test_hostage_words_are_features_not_cues() -> None:
    feats = _feats(
        "Hamas membebaskan 13 sandera, sehingga jumlah sandera yang dibebaskan menjadi 24 orang.", "24", "id"
    )
    assert "s:F.hostages" in feats


def test_a_cue_after_a_negation_names_no_kind() -> None:
    view, n = _mention("It was not clear what happened to the two drones that were not downed.", "two")
    assert mention_features(view, n)[2] is None
    view, n = _mention("It said 11 drones were shot down over the region.", "11")
    assert mention_features(view, n)[2] == "weapons_downed"


def test_a_pointer_that_cannot_apply_is_renormalised_out() -> None:
    m = load_model()
    labels = m.kind.labels
    probs = [0.0] * len(labels)
    probs[labels.index("none")], probs[labels.index("@after")], probs[labels.index("@before")] = 0.3, 0.4, 0.3
    kind, p = _resolved_kind(m, probs, None, "weapons_launched")
    assert kind == "weapons_launched" and p == pytest.approx(0.4 / 0.7)
    kind, p = _resolved_kind(m, probs, "weapons_launched", "weapons_launched")
    assert kind == "weapons_launched" and p == pytest.approx(0.7)


def test_an_approximate_restatement_within_a_tenth_goes() -> None:
    text = (
        "A suicide bomber killed six people and wounded 54 at a market. "
        "At least six people were killed and about 50 were injured, police said."
    )
    got = {(f.kind, f.value) for f in extract_figures(text, "en")}
    assert ("wounded", 54) in got and ("wounded", 50) not in got


def test_a_total_beside_a_share_yields_only_to_an_unscoped_one() -> None:
    def fig(value: float) -> Figure:
        return Figure(kind="wounded", value=value, unit=None, text=str(value), span=(0, 1))

    figs = [fig(1037), fig(131138)]
    # beside a share (0.5) beats a running total (1) even when the model is surer of the running total
    heads = [f.value for f in mark_headlines(figs, [0.8, 0.99], [0.5, 1]) if f.headline]
    assert heads == [1037]
    heads = [f.value for f in mark_headlines(figs, [0.8, 0.99], [0.5, 0]) if f.headline]
    assert heads == [131138]
