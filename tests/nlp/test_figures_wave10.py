"""Figure model, wave 10 (figq7): a cue word inside a compound modifier, a longer name or a longer cue is no
cue there; words of bodies are cues; a cue with a number of its own; ordinals; drones and missiles pooled."""

from __future__ import annotations

from streams.core.records import Entity
from streams.nlp.analysis import analyze
from streams.nlp.figure_model import article_view, mention_features


def _features(text: str, number: str, lang: str = "en", entities: list[Entity] | None = None) -> list[str]:
    a = analyze(text, lang)
    view = article_view(a, entities)
    at = text.index(number)
    n = next(n for n in a.numbers if n.start <= at < n.end)
    return mention_features(view, n)[0]


def _firsts(feats: list[str]) -> set[str]:
    return {f for f in feats if f.startswith("first")}


def test_a_cue_joined_to_the_word_before_it_by_a_hyphen_is_a_modifier() -> None:
    text = "The Air Force said that 15 of the Russia-launched Shahed drones were shot down."
    feats = _features(text, "15")
    assert "first>W.downed" in _firsts(feats)  # the verb of the clause, not the modifier "-launched"
    plain = _features("The Air Force said that 15 of the Shahed drones launched were shot down.", "15")
    assert "first>W.launched" in _firsts(plain)  # the same word standing alone is the nearest cue


def test_a_cue_inside_a_longer_name_is_no_cue() -> None:
    text = "Shares on the Bombay Stock Exchange fell 9,734.22 points on Monday."
    s = text.index("Bombay")
    ent = Entity(text="Bombay Stock Exchange", name="Bombay Stock Exchange", type="ORG",
                 spans=[(s, s + 21)], confidence=0.9)  # fmt: skip
    with_name = _features(text, "9,734.22", entities=[ent])
    without = _features(text, "9,734.22")
    assert any("K.prisoners_released" in f for f in without)  # "exchange" reads as a release cue
    assert not any("K.prisoners_released" in f for f in with_name)


def test_a_whole_entity_that_is_a_cue_word_keeps_it() -> None:
    text = "Exchange of 150 prisoners was completed on Monday."
    ent = Entity(text="Exchange", name="Exchange", type="EVENT", spans=[(0, 8)], confidence=0.5)
    assert any("K.prisoners_released" in f for f in _features(text, "150", entities=[ent]))


def test_words_of_bodies_and_of_killing_attackers_are_cues() -> None:
    feats = _features("Jenazah enam korban pesawat itu berhasil dievakuasi.", "enam", "id")
    assert "first<K.killed" in _firsts(feats)
    feats = _features("Our troops eliminated all five militants linked to the group.", "five")
    assert "first<K.killed" in _firsts(feats)


def test_a_cue_with_a_number_of_its_own_after_it_binds_that_number() -> None:
    text = "Recovery began after an outbreak of 16 tornadoes killed 6 people in the county."
    assert "cue>obj" in _features(text, "16")
    assert "cue>obj" not in _features(text, "6 people")
    assert "cue>obj" in _features("Two gunmen killed at least 5 worshippers.", "Two")
    assert "cue>obj" not in _features("Sixteen people were killed in 3 provinces.", "Sixteen")
    assert "cue>obj" not in _features("Six people were killed and 3 were wounded.", "Six")


def test_a_kind_cue_inside_a_longer_one_is_read_as_the_longer() -> None:
    text = "The military said approximately 20 projectiles were identified crossing from Lebanon."
    feats = _features(text, "20")
    assert "first>W.launched" in _firsts(feats)
    assert not any(f.startswith("K.none") for f in feats)  # "identified" alone would be a none cue
    assert any(f.startswith("K.none") for f in _features("Police said 20 bodies were identified.", "20"))


def test_drones_and_missiles_share_the_cue_group_beside_them() -> None:
    a = _features("Sekitar 135 proyektil telah memasuki wilayah Israel.", "135", "id")
    b = _features("Sekitar 135 drone telah memasuki wilayah Israel.", "135", "id")
    assert "whead&ga=W" in a and "whead&ga=W" in b
    assert not any(f.startswith("whead") for f in _features("Sekitar 135 orang tewas.", "135", "id"))


def test_a_ke_number_after_its_noun_is_an_ordinal() -> None:
    assert "cls=ordinal" in _features("Ia menjadi korban tewas ketiga dalam serangan itu.", "ketiga", "id")
    assert "cls=ordinal" in _features("Roket ditembakkan ke kota terbesar ketiga di Israel.", "ketiga", "id")
    assert "cls=ordinal" not in _features("Militer menghancurkan kedua peluru kendali tersebut.", "kedua", "id")
    assert "cls=ordinal" not in _features("Ketiga korban dibawa ke rumah sakit.", "Ketiga", "id")


def test_a_count_over_a_period_is_marked() -> None:
    text = "Rusia telah meluncurkan lebih dari 3.700 drone Shahed ke wilayahnya dalam 22 bulan sebelumnya."
    assert "dur>" in _features(text, "3.700", "id")
    assert "dur>" in _features("Russia launched 3,700 drones over the past 22 months.", "3,700")
    assert "dur>" not in _features("Russia launched 37 drones and 22 missiles overnight.", "37")


def test_a_release_in_a_kidnapping_story_is_marked() -> None:
    text = "Gunmen kidnapped 42 people last week. The governor said he received 24 students after they were released."
    assert "hostdoc" in _features(text, "24")
    assert "hostdoc" not in _features("The governor said 24 prisoners were released.", "24")
