"""Headline scope: a total its words scope to less than the article's incident yields the headline."""

from __future__ import annotations

import pytest

from streams.alerting.rules import _rule_figures, headline_figures
from streams.core.records import Figure
from streams.nlp.analysis import analyze
from streams.nlp.figure_model import article_view, headline_scope, mention_features
from streams.nlp.figures import extract_figures, mark_headlines


def _fig(kind: str, value: float, **kw: object) -> Figure:
    return Figure(kind=kind, value=value, text=str(value), span=(0, 1), **kw)  # type: ignore[arg-type]


def _scope_of(text: str, lang: str, value: float, kind: str = "killed") -> str | None:
    a = analyze(text, lang)
    view = article_view(a, None, None)
    n = next(n for n in a.numbers if n.value == value)
    return headline_scope(view, n, kind)


@pytest.mark.parametrize(
    ("text", "lang", "value", "want"),
    [
        (
            "Rumah sakit menerima 23 jenazah. 14 di antaranya ditemukan di bawah reruntuhan.",
            "id",
            14,
            "partitive",
        ),
        ("About 251 were taken hostage, 39 of whom are held in Gaza.", "en", 39, "partitive"),
        ("The strike killed 15 people, including 9 children.", "en", 9, "partitive"),
        ("Among the fatalities were 53 soldiers, 39 civilians and two police.", "en", 53, "partitive"),
        ("Di antara korban tewas 4 anak-anak.", "id", 4, "partitive"),
        ("Sejak perang dimulai Oktober 2023, 55.908 orang tewas.", "id", 55908, "since"),
        ("In June alone, 78 attacks resulted in at least 100 deaths.", "en", 100, "period"),
        ("In 2011 a tsunami killed nearly 20,000 people.", "en", 20000, "period"),
        ("Thailand menarik utusannya usai lima anggota patroli terluka oleh ranjau.", "id", 5, "background"),
        # the incident's own toll: nothing scopes it
        ("An air strike killed 15 people on Saturday.", "en", 15, None),
        # a dated day is no period ("on June 3"), and the partitive that names its kind is the count
        ("On June 3, a bomb killed 12 people.", "en", 12, None),
        ("Pelaku menikam tiga bocah hingga dua diantaranya meninggal dunia.", "id", 2, None),
    ],
)
def test_headline_scope_reads_partitives_periods_running_totals_and_background(
    text: str, lang: str, value: float, want: str | None
) -> None:
    kind = "wounded" if "terluka" in text else "killed"
    assert _scope_of(text, lang, value, kind) == want


def test_scope_words_are_features_of_the_kind_head() -> None:
    a = analyze("Rumah sakit menerima 23 jenazah. 14 di antaranya ditemukan di bawah reruntuhan.", "id")
    view = article_view(a, None, None)
    feats = mention_features(view, next(n for n in a.numbers if n.value == 14))[0]
    assert "ptv>" in feats
    a = analyze("Since the war began, 55,908 people have been killed.", "en")
    feats = mention_features(article_view(a, None, None), a.numbers[0])[0]
    assert "scope=since" in feats


def test_a_scoped_total_yields_the_headline_and_a_partitive_is_never_one() -> None:
    figs = [
        _fig("killed", 100),
        _fig("killed", 6),
        _fig("wounded", 14),
        _fig("wounded", 10, qualifier="dozens"),
    ]
    sure = [0.9, 0.5, 0.95, 0.6]
    # 100 is June's deaths (scoped 1): the attack's own 6 is the headline though the model is less sure
    heads = {(f.kind, f.value) for f in mark_headlines(figs, sure, [1, 0, 2, 0]) if f.headline}
    assert heads == {("killed", 6), ("wounded", 10)}
    # only scoped totals: the surest of them; a partitive alone: no headline at all
    heads = {
        (f.kind, f.value) for f in mark_headlines(figs[:1] + figs[2:3], [0.9, 0.95], [1, 2]) if f.headline
    }
    assert heads == {("killed", 100)}


def test_a_vague_amount_adds_no_evidence_to_an_exact_value() -> None:
    # "melukai puluhan lainnya" (10, vague) and "termasuk 10 anak-anak" must not outweigh "38 orang terluka"
    figs = [_fig("wounded", 10, qualifier="dozens"), _fig("wounded", 38), _fig("wounded", 10)]
    heads = [(f.value, f.qualifier) for f in mark_headlines(figs, [0.97, 0.9, 0.5]) if f.headline]
    assert heads == [(38, None)]


def test_alerts_read_no_number_for_a_casualty_kind_without_a_headline() -> None:
    # the partitive 14 is no headline; the article marks headlines, so killed has no number for a rule
    figs = [_fig("killed", 14), _fig("wounded", 111483, headline=True), _fig("count", 40)]
    assert {(f.kind, f.value) for f in headline_figures(figs)} == {("wounded", 111483), ("count", 40)}
    assert not any(f.kind == "killed" for f in _rule_figures(figs, vague=False))
    # figures of an older pipeline mark no headline: their totals are read
    old = [_fig("killed", 14), _fig("killed", 3, part="share")]
    assert [(f.kind, f.value) for f in headline_figures(old)] == [("killed", 14)]


def test_a_background_clause_after_the_lead_gives_no_headline_but_in_the_lead_it_may() -> None:
    lead = "Thailand dan Kamboja bertempur di perbatasan. Korban tewas mencapai 14 orang. Pasar tutup."
    late = " Thailand menarik utusannya usai lima anggota patroli mereka terluka oleh ranjau."
    figs = extract_figures(lead + late, "id")
    assert not any(f.headline and f.kind == "wounded" for f in figs)
    # the lead's own background clause tells the incident: its toll stays the headline
    first = "Warga mulai pulih setelah tornado melukai 100 orang di Granbury. Listrik padam."
    figs = extract_figures(first, "id")
    wounded = [f for f in figs if f.kind == "wounded"]
    assert wounded and all(f.headline for f in wounded if f.value == 100)
