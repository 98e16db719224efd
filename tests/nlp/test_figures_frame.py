"""The casualty frame: a casualty figure counts people (or drones/missiles) hit by a casualty predicate."""

from __future__ import annotations

import pytest

from streams.nlp.figures import CASUALTY_KINDS, extract_figures
from streams.nlp.numbers import parse_numeral


def _cas(text: str, lang: str = "en") -> list[tuple[str, float]]:
    return [(f.kind, f.value) for f in extract_figures(text, lang) if f.kind in CASUALTY_KINDS]


#: Rule-era cases the learned model gets wrong today, with the number it gets wrong (cross-validated
#: scores in docs/figures.md): agents ("oleh tiga petugas", "dianiaya empat pria"), "one of the dead",
#: an ordinal, a year and a disease's patients. Cases it gets right are plain tests again.
_MODEL_MISSES = {
    ("Seorang pria ditangkap oleh tiga petugas lalu lintas.", 3),
    ("Seorang pemuda luka dianiaya empat pria di halte.", 4),
    ("Salah satu korban tewas adalah seorang wartawan.", 1),
    ("Kanker prostat penyebab utama kedua kematian pria.", 2),
    ("Pengidap hepatitis mencapai 325 juta dengan angka kematian yang terus naik.", 325_000_000),
    ("The index lost 3% as five soldiers were killed in 2024.", 2024),
}


def _known_miss(text: str, value: float) -> None:
    if (text, value) in _MODEL_MISSES:
        pytest.xfail("the learned figure model (issue 30) misses this rule-era case")


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("Serangan itu menewaskan sedikitnya 300 warga Israel.", "id", ("killed", 300)),
        ("Officials said 214 people died in the floods.", "en", ("killed", 214)),
        ("Gunmen opened fire on the market, killing at least 19.", "en", ("killed", 19)),
        ("Jumlah korban tewas bertambah menjadi 84 orang pada Senin.", "id", ("killed", 84)),
        ("The death toll from the storm rose to 57 on Tuesday.", "en", ("killed", 57)),
        ("Korban luka-luka yang tercatat hingga Selasa sore sebanyak 1.083 orang.", "id", ("wounded", 1083)),
        ("Sebanyak 84 orang yang dilaporkan hilang masih dicari tim SAR.", "id", ("missing", 84)),
        ("Police arrested 12 suspects after the riot.", "en", ("detained", 12)),
        ("Five wounded soldiers were taken to hospital.", "en", ("wounded", 5)),
        ("Lebih dari 13.000 mengalami luka-luka.", "id", ("wounded", 13000)),
        ("Polisi menyebut dua puluh tiga tentara ditangkap di perbatasan.", "id", ("detained", 23)),
        ("At least 815 people left their homes to take refuge in schools.", "en", ("displaced", 815)),
    ],
)
def test_casualty_predicates_in_either_order(text: str, lang: str, want: tuple[str, float]) -> None:
    assert want in _cas(text, lang)


@pytest.mark.xfail(
    reason="the learned figure model (issue 30) misses this rule-era case; see docs/figures.md", strict=False
)
def test_drones_part_of_total_and_missiles() -> None:
    got = _cas("Air defences said 35 of 40 Russian attack drones were shot down overnight.")
    assert ("drones_downed", 35) in got and ("drones_launched", 40) in got
    got = _cas("Russia also fired two ballistic missiles at the city.")
    assert got == [("missiles_launched", 2)]


def test_all_downed_states_the_launched_count_too() -> None:
    got = _cas("The air force shot down all 42 drones and one of four missiles used by Russia.")
    assert {
        ("drones_downed", 42),
        ("drones_launched", 42),
        ("missiles_downed", 1),
        ("missiles_launched", 4),
    } <= set(got)
    # without "all" a downed count says nothing of how many were launched
    got = _cas("The air force said it shot down 42 drones overnight.")
    assert ("drones_launched", 42) not in got


@pytest.mark.parametrize(
    ("text", "lang", "not_a_casualty"),
    [
        ("An 8.8-magnitude quake struck the coast, and 214 people died.", "en", 8.8),
        ("Gempa magnitudo 7,7 mengguncang wilayah itu dan 12 orang tewas.", "id", 7.7),
        ("A 61-year-old man was wounded in the attack.", "en", 61),
        ("Korban yang berusia 61 tahun itu tewas di tempat.", "id", 61),
        ("Tercatat 43.200 kasus demam berdarah dan 12 orang meninggal.", "id", 43200),
        ("Laporan dari 34 provinsi menunjukkan 12 orang meninggal.", "id", 34),
        ("The shelling destroyed two villages where residents were killed.", "en", 2),
        ("Sejak 15 hingga 27 April, banjir menewaskan 9 warga.", "id", 15),
        ("Sejak 15 hingga 27 April, banjir menewaskan 9 warga.", "id", 27),
        ("The match ended 2-1 after a player was injured.", "en", 1),
        ("Pada pukul 13.21 WIB gempa menewaskan 3 orang.", "id", 13.21),
        ("The index lost 3% as five soldiers were killed in 2024.", "en", 2024),
        ("The index lost 3% as five soldiers were killed in 2024.", "en", 3),
        ("Dana Rp 30,880 juta untuk korban tewas disalurkan.", "id", 30_880_000),
        ("Lihat halaman 4: korban tewas bertambah.", "id", 4),
        ("Ayman (45) tewas di lokasi.", "id", 45),
    ],
)
def test_numbers_that_are_never_casualties(text: str, lang: str, not_a_casualty: float) -> None:
    _known_miss(text, not_a_casualty)
    assert not_a_casualty not in [v for _, v in _cas(text, lang)]


def test_the_real_toll_is_kept_next_to_a_magnitude() -> None:
    assert _cas("An 8.8-magnitude quake struck the coast, and 214 people died.") == [("killed", 214)]
    assert _cas("Gempa magnitudo 7,7 mengguncang wilayah itu dan 12 orang tewas.", "id") == [("killed", 12)]


def test_health_stories_get_cases_apart_from_deaths() -> None:
    figs = extract_figures("Tahun ini tercatat 15.132 kasus DBD dan 145 meninggal dunia.", "id")
    got = {(f.kind, f.value) for f in figs}
    assert ("cases", 15132) in got and ("killed", 145) in got
    assert ("killed", 15132) not in got
    figs = extract_figures("This takes the total number of dengue cases this year to 20,878.", "en")
    assert [(f.kind, f.value) for f in figs] == [("cases", 20878)]


def test_breakdown_of_a_toll_takes_its_kind() -> None:
    text = (
        "Dari 43 korban meninggal tersebut, 19 di antaranya di Agam, 14 orang di Tanah Datar dan 2 di Solok."
    )
    got = _cas(text, "id")
    assert [v for k, v in got if k == "killed"][:3] == [43, 19, 14]


@pytest.mark.xfail(
    reason="the list's last share without its noun ('dan 2 di Solok') scores P 0.58, under killed's 0.6",
    strict=False,
)
def test_last_share_of_a_breakdown_without_its_noun() -> None:
    text = (
        "Dari 43 korban meninggal tersebut, 19 di antaranya di Agam, 14 orang di Tanah Datar dan 2 di Solok."
    )
    assert [v for k, v in _cas(text, "id") if k == "killed"] == [43, 19, 14, 2]


def test_survivors_and_identified_are_not_casualties() -> None:
    assert _cas("Basarnas menemukan 22 korban; delapan belas di antaranya selamat.", "id") == []
    assert _cas("Only 18 people were rescued and 40 were saved.") == []


@pytest.mark.xfail(
    reason="the learned figure model (issue 30) misses this rule-era case; see docs/figures.md", strict=False
)
def test_headline_is_the_largest_of_its_kind_and_restatements_go() -> None:
    text = (
        "Nearly 70 killed in the quake. The death toll climbed to at least 69 on Saturday, "
        "officials said, after 37 people died in one district."
    )
    figs = [f for f in extract_figures(text, "en") if f.kind == "killed"]
    assert sorted(f.value for f in figs) == [37, 69]
    assert [f.value for f in figs if f.headline] == [69]


def test_qualifiers_are_kept() -> None:
    figs = extract_figures("Hampir 100 orang tewas dan lebih dari 20 orang terluka.", "id")
    assert [(f.kind, f.value, f.qualifier) for f in figs] == [
        ("killed", 100, "nearly"),
        ("wounded", 20, "more_than"),
    ]
    figs = extract_figures("Hundreds of people were injured.", "en")
    assert [(f.kind, f.value, f.qualifier) for f in figs] == [("wounded", 100, "hundreds")]


@pytest.mark.parametrize(
    ("s", "lang", "scaled", "want"),
    [
        ("30,880", "id", True, 30.88),
        ("1.5", "en", True, 1.5),
        ("3,2", "id", False, 3.2),
        ("55.000", "id", False, 55000),
    ],
)
def test_decimal_comma_before_a_scale_word(s: str, lang: str, scaled: bool, want: float) -> None:
    assert parse_numeral(s, lang, before_multiplier=scaled) == pytest.approx(want)


def test_money_with_decimal_comma_and_scale() -> None:
    (f,) = extract_figures("Anggaran mencapai Rp 30,880 juta tahun ini.", "id")
    assert (f.kind, f.value, f.unit) == ("money", 30_880_000, "IDR")
    (f,) = extract_figures("The bank raised $1.5 million last week.", "en")
    assert (f.kind, f.value) == ("money", 1_500_000)


def test_one_paragraph_of_200k_characters_finishes() -> None:
    unit = "Sedikitnya 12 orang tewas dan 30 luka-luka pada 5 Mei 2024 di 3 desa, kata polisi "
    text = unit * (200_000 // len(unit))
    figs = extract_figures(text, "id")
    n = 200_000 // len(unit)
    assert sum(f.kind == "killed" for f in figs) == n
    assert sum(f.kind == "wounded" for f in figs) == n


@pytest.mark.parametrize(
    ("text", "not_a_casualty"),
    [
        ("Seorang pria ditangkap oleh tiga petugas lalu lintas.", 3),
        ("Seorang pemuda luka dianiaya empat pria di halte.", 4),
        ("Salah satu korban tewas adalah seorang wartawan.", 1),
        ("Kanker prostat penyebab utama kedua kematian pria.", 2),
        ("Papa meninggal jam setengah 3 subuh.", 3),
        ("Pengidap hepatitis mencapai 325 juta dengan angka kematian yang terus naik.", 325_000_000),
        ("Tersangka ditangkap polisi setelah puluhan ribu jemaah gagal berangkat.", 10_000),
    ],
)
def test_agents_ordinals_times_and_other_phrases_are_not_victims(text: str, not_a_casualty: float) -> None:
    _known_miss(text, not_a_casualty)
    assert not_a_casualty not in [v for _, v in _cas(text, "id")]


def test_kasus_is_a_health_count_only_in_a_health_story() -> None:
    got = [
        (f.kind, f.value)
        for f in extract_figures("Hakim menanyakan perbedaan pada dua kasus tersebut.", "id")
    ]
    assert ("cases", 2) not in got
    got = [(f.kind, f.value) for f in extract_figures("Dinkes mencatat 120 kasus DBD pekan ini.", "id")]
    assert got == [("cases", 120)]
    got = [
        (f.kind, f.value) for f in extract_figures("Angkanya naik dari 58 kasus per 100 ribu penduduk.", "id")
    ]
    assert ("cases", 58) not in got and ("cases", 100_000) not in got


def test_its_number_in_the_next_sentence_is_read_as_the_toll_it_refers_to() -> None:
    # "jumlahnya" (its number) refers to the previous sentence's count: a toll of that sentence's kind
    prev = "Badan Penanggulangan Bencana memperbarui data jumlah korban meninggal akibat banjir bandang."
    text = prev + " Hingga Senin sore, jumlahnya mencapai 212 orang."
    assert ("killed", 212.0) in _cas(text, "id")
    # the same sentence after one that counts no casualties gives no casualty figure
    other = "Pemerintah memperbarui data jumlah sekolah yang dibangun di kabupaten itu."
    assert _cas(other + " Hingga Senin sore, jumlahnya mencapai 212 unit.", "id") == []
    # without the anaphor, a sentence with no cue of its own stays unread
    assert _cas(prev + " Hingga Senin sore, datanya mencapai 212 orang.", "id") == []
