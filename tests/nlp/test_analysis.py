"""The shared analysis: tokens, sentences, blocks, lexicon hits and the analysis stage."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.analysis import Analysis, token_shape
from streams.core.doc import DOC_FIELDS
from streams.core.pipeline import DEFAULT_STAGES, STAGE_REGISTRY, build_pipeline
from streams.core.records import RawArticle
from streams.nlp.analysis import AnalysisStage, analyze, tokenize
from streams.nlp.lexicons import form_key, lexicon_automaton, lexicon_entries

ID_TEXT = (
    "Presiden Joko Widodo mengatakan sedikitnya 55.000 warga mengungsi di Jakarta. "
    "Dr. Retno Marsudi tiba pukul 10.30 WIB.\n\n"
    "“Kami siap bekerja sama,” kata dia. Banjir melanda Semarang!\n"
    "Baris kedua paragraf ini."
)


def test_tokens_have_exact_offsets_and_forms() -> None:
    an = analyze(ID_TEXT, "id")
    assert len(an) == len(an.starts) == len(an.ends) == len(an.lowers) == len(an.sent_ids)
    for i in range(len(an)):
        assert ID_TEXT[an.starts[i] : an.ends[i]] == an.words[i]
        assert an.lowers[i] == an.words[i].casefold()
        assert not any(ch.isspace() for ch in an.words[i])
    assert "55.000" in an.words and "10.30" in an.words


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("luka-luka", ["luka", "-", "luka"]),
        ("Jakarta's envoy", ["Jakarta", "'s", "envoy"]),
        ("didn't", ["did", "n't"]),
        ("U.S. a.m.", ["U.S.", "a.m."]),
        ("Rp30.000,50", ["Rp", "30.000,50"]),
        ("17,5%", ["17,5", "%"]),
        ("G20 COVID-19", ["G20", "COVID", "-", "19"]),
        ("“Siap.”", ["“", "Siap", ".", "”"]),
        ("5km", ["5", "km"]),
    ],
)
def test_tokenisation(text: str, tokens: list[str]) -> None:
    assert tokenize(text)[2] == tokens


def test_shapes_and_case_flags() -> None:
    assert token_shape("Jakarta") == "Xxxxx"
    assert token_shape("55.000") == "dd.ddd"
    assert token_shape("U.S.") == "X.X."
    assert token_shape("2024") == "dddd"
    an = analyze("PBB dan Jakarta , 12", "id")
    assert an.is_upper(0) and an.is_lower(1) and an.is_title(2) and an.is_punct(3) and an.is_digit(4)
    tok = an.token(2)
    assert (tok.text, tok.shape, tok.is_title, tok.is_punct) == ("Jakarta", "Xxxxx", True, False)


def test_sentences_respect_abbreviations_quotes_and_lines() -> None:
    an = analyze(ID_TEXT, "id")
    texts = [an.sentence_text(k) for k in range(len(an.sentences))]
    assert texts == [
        "Presiden Joko Widodo mengatakan sedikitnya 55.000 warga mengungsi di Jakarta.",
        "Dr. Retno Marsudi tiba pukul 10.30 WIB.",
        "“Kami siap bekerja sama,” kata dia.",
        "Banjir melanda Semarang!",
        "Baris kedua paragraf ini.",
    ]
    assert [s.para for s in an.sentences] == [0, 0, 1, 1, 1]
    for s in an.sentences:
        assert all(an.sent_ids[i] == s.i for i in an.sentence_tokens(s.i))


def test_quote_closer_stays_with_its_sentence() -> None:
    an = analyze("“Kami siap.” Dia pergi. (Foto: AP.) Lalu", "id")
    assert [an.sentence_text(k) for k in range(len(an.sentences))] == [
        "“Kami siap.”",
        "Dia pergi.",
        "(Foto: AP.)",
        "Lalu",
    ]


def test_initials_and_lowercase_continuation_do_not_split() -> None:
    an = analyze("J. Smith tiba di kota. dan seterusnya www.kompas.com ditutup.", "id")
    assert len(an.sentences) == 1


def test_lines_and_paragraphs() -> None:
    an = analyze(ID_TEXT, "id")
    assert len(an.paragraphs) == 2 and len(an.lines) == 3
    assert ID_TEXT[an.paragraphs[1].start : an.paragraphs[1].end].startswith("“Kami siap")
    assert ID_TEXT[an.lines[2].start : an.lines[2].end] == "Baris kedua paragraf ini."
    i = an.words.index("Baris")
    assert an.line_ids[i] == 2 and an.para_ids[i] == 1


def test_offset_lookups() -> None:
    an = analyze(ID_TEXT, "id")
    off = ID_TEXT.index("Semarang")
    k = an.sentence_at(off)
    assert an.sentence_text(k) == "Banjir melanda Semarang!"
    i = an.token_at(off + 3)
    assert an.words[i] == "Semarang"
    assert an.words[an.token_at(ID_TEXT.index(" Semarang"))] == "Semarang"  # the gap: next token
    assert [an.words[j] for j in an.span_tokens(off, off + 9)] == ["Semarang", "!"]


def test_kb_hits_align_to_tokens_and_record_case() -> None:
    an = analyze("Jokowi bertemu joko widodo di Jakarta, bukan di Jakartaraya.", "id")
    kb = an.hits_by_tag("kb")
    surfaces = [(an.text[h.start : h.end], h.exact_case) for h in kb]
    assert ("joko widodo", False) in surfaces
    assert ("Jakarta", True) in surfaces
    assert not any(
        s == "Jakarta" and h.end > an.text.index(",") + 5 for h, (s, _) in zip(kb, surfaces, strict=True)
    )
    for h in an.hits:
        assert an.starts[h.tok_start] == h.start
        assert an.ends[h.tok_end - 1] == h.end or h.prefix
        assert h.keys and len(h.keys) == len(h.forms)
    jw = next(h for h in kb if an.text[h.start : h.end] == "joko widodo")
    assert any(k.startswith("person:") for k in jw.keys)


def test_hits_never_inside_words() -> None:
    # "di" (speech terminator, topic words) must not match inside "Indonesia" or "adik"
    an = analyze("Indonesia adik kandidat", "id")
    assert all(an.text[h.start : h.end].lower() != "di" for h in an.hits)


def test_one_surface_several_lexicons() -> None:
    an = analyze("Sebanyak 12 warga tewas.", "id")
    tags = {h.tag for h in an.hits if an.text[h.start : h.end] == "tewas"}
    assert {"cue", "topic"} <= tags
    cue = next(h for h in an.hits_by_tag("cue") if an.text[h.start : h.end] == "tewas")
    assert "casualties.killed.cues" in cue.keys


def test_speech_trigger_and_topic_keys() -> None:
    an = analyze("“Kami siap bekerja sama,” kata juru bicara. He said banjir melanda.", "id")
    assert an.hits_with_key("speech", "verbs_inverted")
    assert an.hits_with_key("speech", "verbs")
    trig = [h for h in an.hits_by_tag("trigger") if an.text[h.start : h.end] == "siap bekerja sama"]
    assert trig and any(k.startswith("patterns.") for k in trig[0].keys)
    assert any("{" not in f for f in trig[0].forms)
    assert an.hits_with_prefix("topic", "medtop:03000000")


def test_captive_words_are_hits_keyed_by_their_class() -> None:
    an = analyze("Israel released 39 prisoners of war after Hamas freed 13 hostages held captive.", "en")
    got = [(an.text[h.start : h.end], h.keys) for h in an.hits_by_tag("captive")]
    assert ("prisoners", ("classes.prisoner",)) in got
    assert ("prisoners of war", ("classes.prisoner",)) in got  # every length at a token: the reader picks
    assert ("hostages", ("classes.hostage",)) in got
    assert ("captive", ("classes.hostage",)) in got
    assert all(k.startswith("classes.") for _, keys in got for k in keys)


def test_multiword_hit_ignores_whitespace_but_not_sentences() -> None:
    an = analyze("Rudal ditembak   jatuh di sana. Ditembak. Jatuh lagi.", "id")
    got = [an.text[h.start : h.end] for h in an.hits_with_key("cue", "weapons_kinds.downed")]
    assert "ditembak   jatuh" in got
    assert not any("Ditembak. Jatuh" in g for g in got)


def test_prefix_forms_match_word_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    from streams.nlp import lexicons

    assert form_key("evakuasi*") == " evakuasi"
    assert form_key("Ditembak  Jatuh") == " ditembak jatuh "
    entries = [
        lexicons.LexiconEntry("topic", "t.id.strong", "evakuasi*"),
        lexicons.LexiconEntry("trigger", "patterns.0", "bertemu {Cap} di", False, "bertemu"),
    ]
    monkeypatch.setattr(lexicons, "lexicon_entries", lambda: entries)
    monkeypatch.setattr(lexicons, "_BUILT", None)
    an = analyze("Tim mengevakuasi warga; evakuasinya lancar. Evakuasi selesai.", "id")
    got = [(an.text[h.start : h.end], an.words[h.tok_end - 1]) for h in an.hits]
    assert got == [("evakuasi", "evakuasinya"), ("Evakuasi", "Evakuasi")]
    assert all(h.prefix for h in an.hits)
    an = analyze("Ia bertemu Retno di Bali.", "id")
    (hit,) = an.hits
    assert (an.text[hit.start : hit.end], hit.forms, hit.exact_case) == (
        "bertemu",
        ("bertemu {Cap} di",),
        True,
    )
    assert lexicons._anchor("bertemu {Cap} di") == ("bertemu", False)
    assert lexicons._anchor("serang* {0-3} kota") == ("serang", True)
    assert lexicons._anchor("{n} orang") is None


def test_hits_by_position_accessors() -> None:
    an = analyze("Presiden Joko Widodo mengatakan sedikitnya 55.000 warga mengungsi.", "id")
    i = an.words.index("Joko")
    starting = an.hits_starting_at(i, "kb")
    assert starting and an.text[starting[0].start : starting[0].end] == "Joko Widodo"
    j = an.words.index("Widodo")
    assert an.hits_ending_at(j, "kb")[0] is starting[0]
    n = an.number_at(an.words.index("55.000"))
    assert n is not None and n.value == 55000 and n.qualifier == "at_least"


def test_automaton_is_built_once_and_thread_safe() -> None:
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(lexicon_automaton())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a is seen[0] for a in seen) and seen[0] is lexicon_automaton()
    assert {e.tag for e in lexicon_entries()} == {"kb", "cue", "trigger", "topic", "speech", "captive"}


def test_stage_is_registered_between_ids_and_entities() -> None:
    assert STAGE_REGISTRY["analysis"] == "streams.nlp.analysis:AnalysisStage"
    order = list(DEFAULT_STAGES)
    assert order.index("ids") < order.index("analysis") < order.index("entities")
    assert AnalysisStage.requires == ("body", "language") and AnalysisStage.assigns == ("analysis",)
    assert "analysis" not in DOC_FIELDS


def test_pipeline_fills_the_analysis_and_keeps_it_out_of_the_output() -> None:
    pipe = build_pipeline(stages=["decode", "clean", "language", "ids", "analysis"])
    raw = RawArticle(id="a1", text="Banjir melanda Semarang. Sedikitnya 12 orang tewas.\n\nWarga mengungsi.")
    doc = pipe.run_doc(raw)
    assert isinstance(doc.analysis, Analysis) and doc.analysis.text == doc.body
    assert [n.value for n in doc.analysis.numbers] == [12]
    assert "analysis" not in doc.to_enriched().model_dump()


def test_stage_rejects_a_body_that_is_not_text() -> None:
    from streams.core.doc import Doc
    from streams.core.errors import StageError

    doc = Doc.from_raw(RawArticle(id="x", text="x"))
    doc.body = None  # type: ignore[assignment]
    with pytest.raises(StageError) as err:
        AnalysisStage()(doc)
    assert err.value.code == "W600"


def test_empty_and_whitespace_text() -> None:
    for text in ("", "   \n\n  "):
        an = analyze(text, None)
        assert len(an) == 0 and an.sentences == [] and an.hits == [] and an.numbers == []
        assert an.sentence_at(0) == 0 and an.token_at(0) == 0


def test_long_single_paragraph_is_linear() -> None:
    text = ("Sedikitnya 1.200 warga di Jakarta mengungsi, kata Joko Widodo " * 3500)[:200_000]
    an = analyze(text, "id")
    assert an.ends[-1] <= len(text) and len(an.sentences) == 1 and an.numbers and an.hits


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ .,!?“”\"'-\n0123456789Jakartdiu%")), max_size=80))
def test_never_crashes_and_invariants_hold(text: str) -> None:
    an = analyze(text, "id")
    covered = 0
    for s in an.sentences:
        assert s.tok_start == covered and s.tok_end > s.tok_start
        assert text[s.start : s.end].strip() == text[s.start : s.end]
        covered = s.tok_end
    assert covered == len(an)
    assert "".join(an.words) == "".join(text.split())
    for h in an.hits:
        assert 0 <= h.start < h.end <= len(text) and h.tok_start < h.tok_end
        assert an.sent_ids[h.tok_start] == an.sent_ids[h.tok_end - 1]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_unicode_text(text: str) -> None:
    an = analyze(text, None)
    assert all(" " not in w and w for w in an.lowers)
    for i in range(len(an)):
        assert text[an.starts[i] : an.ends[i]] == an.words[i]
    for h in an.hits:
        assert an.starts[h.tok_start] == h.start and h.end <= len(text)
    for n in an.numbers:
        assert text[n.start : n.end] == n.raw


def test_compatibility_characters_keep_tokens_whole() -> None:
    an = analyze("Harga \u00a8naik 2\u00bd persen di \ufb01nal", "id")
    assert "".join(an.words).replace("\u00a8", "") == "Harga" + "naik2\u00bdpersendi\ufb01nal"
    assert all(" " not in w for w in an.lowers)


def test_hits_by_tag_are_the_hits_of_each_tag_in_order() -> None:
    from streams.nlp.analysis import analyze

    an = analyze(
        "Presiden Joko Widodo mengatakan 55.000 warga mengungsi setelah serangan drone di Kyiv. "
        "Gencatan senjata disepakati di Abu Dhabi, kata juru bicara.",
        "id",
    )
    tags = sorted({h.tag for h in an.hits})
    assert len(tags) >= 3
    for tag in [*tags, "no-such-tag"]:
        got = an.hits_by_tag(tag)  # type: ignore[arg-type]
        assert got == [h for h in an.hits if h.tag == tag]
        assert an.hits_by_tag(tag) is got  # computed once per analysis
    assert sum(len(an.hits_by_tag(t)) for t in tags) == len(an.hits)
