"""Event triggers in a matching sense only; agencies are cited, not actors; speakers are not participants."""

from __future__ import annotations

from streams.core.records import Entity
from streams.nlp.events import detect_events

_CRIME = ["medtop:02000000"]
_CONFLICT = ["medtop:16000000"]


def _codes(text: str, topics: list[str] | None = None, entities: list[Entity] | None = None) -> set[str]:
    return {e.code for e in detect_events(text, topics=topics, entities=entities or []) if not e.negated}


def test_a_goalkeeper_failing_to_stop_a_shot_is_no_arrest() -> None:
    assert "173" not in _codes("Tendangan keras Ramadhan gagal ditahan Andritany dan bola masuk ke gawang.")
    assert "173" not in _codes("Persija menahan imbang Persib di Jakarta.")
    assert "173" in _codes("Polisi menahan tiga tersangka pencurian di Bekasi.", _CRIME)


def test_met_with_protests_is_no_consultation() -> None:
    assert not {"040", "036"} & _codes("The new law was met with peaceful demonstrations across the country.")
    assert "040" in _codes("Biden met with Zelensky in Kyiv on Monday.")


def test_cyber_and_medical_attacks_are_no_military_force() -> None:
    text = "Ransomware LockBit diduga menyerang server Bank Syariah Indonesia pada 2023."
    assert not {c for c in _codes(text, _CRIME) if c.startswith("19")}
    assert "190" in _codes("Pasukan Rusia menyerang kota Kharkiv pada Senin.", _CONFLICT)


def test_a_generic_discussion_needs_a_named_party() -> None:
    assert not {"040", "036"} & _codes("Rapat itu akan membahas kondisi ekonomi dan prospek ke depan.")
    assert "036" in _codes("Kedua menteri berencana bertemu pekan depan.")


def test_a_news_agency_is_never_an_actor() -> None:
    text = "Russian forces attacked Kharkiv overnight, a Ukrainian official told Reuters."
    ents = [
        Entity(
            text="Reuters",
            name="Reuters",
            type="ORG",
            spans=[(text.index("Reuters"), text.index("Reuters") + 7)],
            confidence=0.9,
        ),
    ]
    evs = [e for e in detect_events(text, topics=_CONFLICT, entities=ents) if e.code == "190"]
    assert evs and "Reuters" not in evs[0].actors
    assert evs[0].source_actor != "Reuters" and evs[0].target_actor != "Reuters"


def test_the_speaker_after_a_quote_is_not_the_target() -> None:
    text = '"Kami akan bertemu untuk membahas rencana itu," ujar Direktur Bank Indonesia Agusman.'
    for e in detect_events(text):
        assert e.target_actor != "Bank Indonesia"


def test_agentless_passive_has_no_source() -> None:
    text = "Sambom said nine soldiers were arrested and executed."
    evs = [e for e in detect_events(text, topics=_CONFLICT) if e.code == "173"]
    assert evs and evs[0].source_actor is None


def test_negation_and_modality_stay() -> None:
    got = {
        (e.code, e.negated, e.modality)
        for e in detect_events("Polisi tidak menangkap siapa pun.", topics=_CRIME)
    }
    assert ("173", True, "asserted") in got
    got = {(e.code, e.modality) for e in detect_events("Rusia berencana menyerang Kyiv.", topics=_CONFLICT)}
    assert ("138", "intent") in got


def test_articles_without_a_political_topic_get_no_events() -> None:
    text = "Bagi Sharapova, final itu menjadi pertemuan perdananya dengan Sabalenka di Tianjin."
    assert _codes(text, ["medtop:15000000"]) == set()
    assert _codes("Lapisan garam itu untuk menahan panas di dalam daging.", ["medtop:10000000"]) == set()
    assert "040" in _codes("Biden met with Zelensky in Kyiv on Monday.", ["medtop:11000000"])


def test_sport_keeps_no_meetings_or_arrests() -> None:
    text = "Tendangan Marclei Santos masih bisa ditangkap oleh kiper Madura United, Andritany."
    assert "173" not in _codes(text, ["medtop:15000000", "medtop:11000000"])


def test_an_indonesian_passive_names_its_agent_right_after_the_verb_or_none() -> None:
    got = {
        e.code: e
        for e in detect_events("Kota Donetsk yang diduduki di bagian timur Ukraina.", topics=_CONFLICT)
    }
    assert got["192"].source_actor is None
    got = {e.code: e for e in detect_events("Krimea saat ini diduduki oleh militer Rusia.", topics=_CONFLICT)}
    assert got["192"].source_actor == "Russia"
