"""The document-evidence split: a span closed by a person's name the article writes on its own elsewhere
is split into the name before and the person (made-up news text; the tagger's scores are stubbed)."""

from __future__ import annotations

import streams.nlp.entities as ent
from streams.nlp.entities import Mention, TextView, text_view
from tests.nlp.head_runs_text import text_runs
from tests.nlp.ner_stubs import StubScores, table_scores


def _mention(text: str, surface: str, typ: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), typ, "x:" + surface, surface, 0.8)


def _split(
    view: TextView, mentions: list[Mention], scores: StubScores | None = None
) -> list[tuple[str, str]]:
    hit_at = {(h.start, h.end): h for h in view.kb_hits}
    hits = {h.start: h for h in view.kb_hits}
    got = ent._doc_person_split(view, scores or table_scores({}), mentions, hit_at, hits)  # type: ignore[arg-type]
    return [(view.text[m.start : m.end], m.type) for m in got]


TEXT = (
    "Harga beras naik, kata Kepala Gudang Subdivre III Sumberjo Irsan Nasution di kantornya. "
    "Irsan mengaku belum tahu jumlahnya."
)


def test_a_person_span_with_an_organisation_head_is_split_by_the_articles_own_mention() -> None:
    v = text_view(TEXT)
    whole = _mention(TEXT, "Gudang Subdivre III Sumberjo Irsan Nasution", "PERSON")
    alone = _mention(TEXT, "Irsan", "PERSON", nth=1)
    scores = table_scores({("Gudang Subdivre III Sumberjo", "ORGANIZATION"): -1.0})
    got = _split(v, [whole, alone], scores)
    assert ("Gudang Subdivre III Sumberjo", "ORG") in got
    assert ("Irsan Nasution", "PERSON") in got
    assert ("Gudang Subdivre III Sumberjo Irsan Nasution", "PERSON") not in got


def test_without_the_articles_own_mention_nothing_is_split() -> None:
    v = text_view(TEXT)
    whole = _mention(TEXT, "Gudang Subdivre III Sumberjo Irsan Nasution", "PERSON")
    assert _split(v, [whole]) == [("Gudang Subdivre III Sumberjo Irsan Nasution", "PERSON")]


def test_a_persons_full_name_is_not_split_by_its_own_surname() -> None:
    text = "Hakim Ellen Segal Huvelle menolak gugatan itu. Huvelle lalu menutup sidang."
    v = text_view(text)
    whole = _mention(text, "Ellen Segal Huvelle", "PERSON")
    alone = _mention(text, "Huvelle", "PERSON", nth=1)
    assert _split(v, [whole, alone]) == [("Ellen Segal Huvelle", "PERSON"), ("Huvelle", "PERSON")]


def test_a_place_span_closed_by_a_person_keeps_its_type() -> None:
    text = "Tim dari Kota Sumberjo Ahmad Dahlan meninjau lokasi. Menurut Ahmad Dahlan, jalan itu rusak."
    v = text_view(text)
    whole = _mention(text, "Kota Sumberjo Ahmad Dahlan", "GPE")
    alone = _mention(text, "Ahmad Dahlan", "PERSON", nth=1)
    got = _split(v, [whole, alone])
    assert got[:2] == [("Kota Sumberjo", "GPE"), ("Ahmad Dahlan", "PERSON")]


def test_a_head_word_and_the_person_it_is_named_after_stay_one_name() -> None:
    text = "Macet panjang terjadi di Jalan Sudirman pagi tadi. Patung Sudirman dibersihkan."
    v = text_view(text)
    street = _mention(text, "Jalan Sudirman", "LOC")
    person = _mention(text, "Sudirman", "PERSON", nth=1)
    assert _split(v, [street, person]) == [("Jalan Sudirman", "LOC"), ("Sudirman", "PERSON")]


# --- a head after a word the tagger left out of every name (name_heads.head_runs ``named``) ---


def _head_runs(text: str, named: set[int] | None) -> list[str]:
    return [t for t, _ in text_runs(text, stop_words=frozenset(["Ipda"]), named=named)]


def test_a_head_after_a_word_the_tagger_left_out_starts_a_run() -> None:
    text = "Menurut keterangan, Kanitsamapta Polsek Sumberjo Ipda Budi menyatakan jalan licin."
    k = text_view(text).words.index("Kanitsamapta")
    assert _head_runs(text, None) == []  # any capitalized word before the head: inside another name
    assert _head_runs(text, set()) == ["Polsek Sumberjo"]  # the tagger read no name there
    assert _head_runs(text, {k}) == []  # the tagger read the word as (part of) a name


# --- a common given name before a tagged person (``FIRST_NAME_GIVEN_MARGIN``) ---


class _PersonScores:
    """``CrfModel.support`` stub: the longer span is ``gap`` log-odds less likely than the tagged one."""

    def __init__(self, gap: float) -> None:
        self.gap = gap

    def support(self, words, firsts, kbtags, sentence, span, typ, lang=None) -> float:  # type: ignore[no-untyped-def]
        return -self.gap if span[1] - span[0] == 3 else 0.0


def test_a_given_name_before_a_person_joins_at_a_wider_margin() -> None:
    from streams.nlp.kb import load_given_names

    given = sorted(w for w in load_given_names() if w.isalpha() and w[:1].isupper())[0]
    text = f"Penumpang duduk di belakang sopir bus {given} Cahyo Sucipto, warga Tuban."
    v = text_view(text)
    lo = v.words.index("Cahyo")
    between = (ent.FIRST_NAME_MARGIN + ent.FIRST_NAME_GIVEN_MARGIN) / 2  # type: ignore[operator]
    assert ent._first_name(v, _PersonScores(between), lo, lo + 2, 0) == lo - 1  # type: ignore[arg-type]
    too_far = ent.FIRST_NAME_GIVEN_MARGIN + 1  # type: ignore[operator]
    assert ent._first_name(v, _PersonScores(too_far), lo, lo + 2, 0) == lo  # type: ignore[arg-type]
    plain = text.replace(given, "Cakra")
    v2 = text_view(plain)
    assert "Cakra" not in load_given_names()
    assert ent._first_name(v2, _PersonScores(between), lo, lo + 2, 0) == lo  # type: ignore[arg-type]


# --- a one-word person the article writes alone is not merged (``MERGE_KEEP_REPEATED``) ---


def test_a_person_written_alone_elsewhere_is_not_merged_into_the_organisation() -> None:
    text = "Anggota Fraksi Gerindra Habiburokhman menemui massa. Massa lalu menyambut Habiburokhman."
    v = text_view(text)
    org = _mention(text, "Fraksi Gerindra", "ORG")
    person = _mention(text, "Habiburokhman", "PERSON")
    assert ent._alone_elsewhere(v, org, person)
    again = "Kata Densus 88 Antiteror. Tim Densus 88 Antiteror datang."
    org2 = _mention(again, "Densus 88", "ORG")
    tail = _mention(again, "Antiteror", "PERSON")
    assert not ent._alone_elsewhere(text_view(again), org2, tail)

    class _Whole:  # the scores read the two as one name
        def support(self, words, firsts, kbtags, sentence, span, typ, lang=None) -> float:  # type: ignore[no-untyped-def]
            return 0.0

    hit_at: dict = {}
    got = ent._merge_adjacent(v, _Whole(), [org, person], hit_at, {})  # type: ignore[arg-type]
    assert [(text[m.start : m.end], m.type) for m in got] == [
        ("Fraksi Gerindra", "ORG"),
        ("Habiburokhman", "PERSON"),
    ]
    got2 = ent._merge_adjacent(text_view(again), _Whole(), [org2, tail], hit_at, {})  # type: ignore[arg-type]
    assert [again[m.start : m.end] for m in got2] == ["Densus 88 Antiteror"]


def test_a_tail_written_elsewhere_after_a_speech_verb_is_a_person() -> None:
    text = (
        "Perwira Piket Sudin Jakarta Pusat Unggul Wibowo menjelaskan bangunan itu tua. "
        '"Tiga orang meninggal," kata Unggul saat dikonfirmasi.'
    )
    v = text_view(text)
    whole = _mention(text, "Jakarta Pusat Unggul Wibowo", "GPE")
    got = _split(v, [whole])
    assert ("Unggul Wibowo", "PERSON") in got and ("Jakarta Pusat", "GPE") in got
    quiet = text.replace("kata Unggul", "kata petugas, Unggul")
    assert _split(text_view(quiet), [_mention(quiet, "Jakarta Pusat Unggul Wibowo", "GPE")]) == [
        ("Jakarta Pusat Unggul Wibowo", "GPE")
    ]
