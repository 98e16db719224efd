"""Quotations and their speakers in made-up Indonesian and English news text."""

from __future__ import annotations

import pytest

from streams.core.doc import Doc
from streams.core.records import Quote, RawArticle
from streams.nlp.entities import extract_entities
from streams.nlp.quotes import QuoteStage, extract_quotes


def _q(text: str, lang: str = "id") -> list[tuple[str | None, str]]:
    return [(q.speaker, q.text) for q in extract_quotes(text, extract_entities(text, lang))]


def test_inverted_attribution_resolves_to_the_entity() -> None:
    text = (
        "Presiden Prancis Emmanuel Macron berbicara dengan Zelensky.\n"
        "“Prancis akan terus mendukung Ukraina sampai perdamaian tercapai,” kata Macron di Paris."
    )
    ((speaker, quote),) = _q(text)
    assert speaker == "Emmanuel Macron"
    assert quote.startswith("Prancis akan terus")


def test_follow_on_paragraph_inherits_the_speaker() -> None:
    text = (
        "“Kami membahas jaminan keamanan secara rinci dengan mitra kami,” ujar Zelensky.\n\n"
        "“Pertemuan berikutnya akan digelar di Jenewa pekan depan bersama para penasihat.”\n\n"
        "“Ini bukan kutipan yang berkaitan dengan siapa pun di sini sama sekali.”"
    )
    got = _q(text)
    assert got[0][0] == "Volodymyr Zelensky"
    assert got[1][0] == "Volodymyr Zelensky"


def test_role_speaker_is_kept_and_demonstrative_refers_back() -> None:
    text = (
        "“Para pemimpin militer membahas beberapa masalah keamanan bersama,” kata juru bicara Kepala Staf Gabungan AS.\n"
        "“Detail percakapan mereka akan tetap dirahasiakan,” tambah juru bicara itu."
    )
    got = _q(text)
    assert got[0][0] == "juru bicara Kepala Staf Gabungan AS"
    assert got[1][0] == "juru bicara Kepala Staf Gabungan AS"


def test_english_said_after_and_before_and_colon() -> None:
    text = (
        '"We will not give up a single village to the invaders," said Defence Minister Olena Hrytsenko.\n'
        "“The talks were difficult but useful for both sides,” Hrytsenko told reporters.\n"
        "The governor said: “Power has been restored to most of the city by now.”"
    )
    got = _q(text, "en")
    assert got[0][0] == "Olena Hrytsenko"
    assert got[1][0] == "Olena Hrytsenko"
    assert got[2][0] == "The governor"


def test_pronoun_speaker_and_multi_sentence_quote() -> None:
    text = (
        "Menteri Luar Negeri Sugiono bertemu mitranya.\n"
        "“Kami sepakat. Kerja sama ini penting bagi kawasan dan bagi rakyat kedua negara,” ujar Sugiono.\n"
        "“Indonesia siap menjadi tuan rumah perundingan berikutnya tahun depan,” katanya."
    )
    got = _q(text)
    assert got[0] == (
        "Sugiono",
        "Kami sepakat. Kerja sama ini penting bagi kawasan dan bagi rakyat kedua negara,",
    )
    assert got[1][0] == "Sugiono"


def test_scare_quotes_are_not_quotations() -> None:
    text = "Hotline ‘deconfliction’ itu disebut “sangat konstruktif” oleh para pejabat yang menyebutnya “target sah”."
    assert _q(text) == []


@pytest.mark.parametrize(
    "text",
    ["", "“", "”", "“”", '"', "‘a’", "“" * 50, "“satu dua tiga empat lima",
     "“Kami siap berunding kapan saja dengan mereka,” kata Putin. 😀 “ẞ İ”",
     '"We are ready to talk at any time with them," Zelensky said.\x00 "'],
)  # fmt: skip
def test_never_crashes(text: str) -> None:
    found = extract_quotes(text, extract_entities(text, "id"))
    if "kata Putin" in text:
        assert [q.speaker for q in found][:1] == ["Vladimir Putin"]
    for q in found:
        assert isinstance(q, Quote)
        assert q.speaker is None or (isinstance(q.speaker, str) and q.speaker)
        s, e = q.span
        assert 0 <= s < e <= len(text)
        assert text[s:e] == q.text


def test_stage() -> None:
    doc = Doc(raw=RawArticle(text="x"), body="“Kami siap berunding kapan saja dengan mereka,” kata Putin.")
    from streams.nlp.entities import EntityStage

    EntityStage()(doc)
    QuoteStage()(doc)
    assert doc.quotes[0].speaker == "Vladimir Putin"
    assert doc.quotes[0].speaker_id == "Q7747"


def test_speaker_by_pronoun_is_the_person_named_before_and_never_a_function_word() -> None:
    text = (
        "Kepala SAR Padang, Abdul Malik menyampaikan data korban terbaru.\n"
        "“Dari 48 korban meninggal dunia, 38 sudah teridentifikasi,” ujarnya.\n"
        "“Some suffered from burns because it was very hot,” Rudy Rinaldi, head of the agency, told AFP.\n"
        "“We will rebuild the bridge before the rainy season,” but officials disagreed."
    )
    got = _q(text)
    assert got[0][0] == "Abdul Malik"
    assert got[1][0] == "Rudy Rinaldi"
    assert all((s or "").lower() not in ("but", "mr", "mr.") for s, _ in got)


def test_office_and_rank_before_the_name_the_person_is_the_speaker() -> None:
    text = (
        "Banjir merendam ratusan rumah di pinggir sungai.\n"
        "“Kami sudah mengerahkan tiga perahu karet ke lokasi banjir sejak pagi,” kata Kapolres "
        "Karawang AKBP Rudi Hartanto di Karawang."
    )
    ((speaker, _),) = _q(text)
    assert speaker == "Rudi Hartanto"


def test_bracketed_acronym_inside_the_role_and_an_untagged_name_after_it() -> None:
    text = (
        "“Inflasi bulan ini terutama didorong oleh harga beras dan cabai,” ujar Kepala Biro Humas "
        "Badan Pusat Statistik (BPS) Wiryawan dalam keterangan tertulis."
    )
    ((speaker, _),) = _q(text)
    assert speaker == "Wiryawan"


def test_untagged_name_after_english_role_words_and_numbers() -> None:
    text = (
        "'The water rose so fast that we could only save the children,' said 52-year-old farmer "
        "Tarmiji, who lost his house."
    )
    ((speaker, quote),) = _q(text, "en")
    assert speaker == "Tarmiji"
    assert quote.startswith("The water rose")


def test_role_phrase_without_a_name_stays_a_role() -> None:
    text = (
        "“The bridge will stay closed until engineers have checked it,” said the spokesman for the ministry."
    )
    ((speaker, _),) = _q(text, "en")
    assert speaker == "the spokesman for the ministry"


def test_pronoun_is_the_person_reported_as_speaking_since_the_last_quote() -> None:
    text = (
        "“Rescue teams reached the first village at midnight,” Omar Haddad told reporters.\n\n"
        "Dozens of homes were flattened, district officer Leila Mansour told Reuters by phone. "
        "“We still have no news from the villages higher up the valley,” she said."
    )
    got = _q(text, "en")
    assert got[0][0] == "Omar Haddad"
    assert got[1][0] == "Leila Mansour"


def test_indonesian_pronoun_follows_reported_speech_in_between() -> None:
    text = (
        "“Stok beras di gudang masih cukup untuk tiga bulan,” kata Hendra Gunawan.\n\n"
        "Sementara itu, petani Siti Rahmawati mengatakan harga gabah turun sejak pekan lalu.\n\n"
        "“Kami rugi karena biaya pupuk naik terus setiap musim tanam,” ujarnya."
    )
    got = _q(text)
    assert got[0][0] == "Hendra Gunawan"
    assert got[1][0] == "Siti Rahmawati"


def test_pronoun_does_not_take_a_person_named_inside_a_quote() -> None:
    text = (
        "Party leader Anna Berg spoke to supporters in Malmo.\n"
        "“Erik Lund called me tonight and conceded the race to us,” she said."
    )
    ((speaker, _),) = _q(text, "en")
    assert speaker == "Anna Berg"


def test_pronoun_right_before_the_verb_is_the_speaker_not_the_clause() -> None:
    text = (
        "Guerrilla commander Petrus Wenda said in a video that his men held five hostages, "
        "including two who he said “had been captured near the airstrip.”"
    )
    ((speaker, quote),) = _q(text, "en")
    assert speaker == "Petrus Wenda"
    assert quote.startswith("had been captured")


def test_apposition_between_subject_and_verb() -> None:
    text = (
        'A group of doctors in the city, the Central Hospital Union, said "at least 40 patients were evacuated" '
        "overnight.\n"
        "Marta Silva, recalling the night of the fire, said: “The smoke came through every window at once.”"
    )
    got = _q(text, "en")
    assert got[0][0] == "Central Hospital Union"
    assert got[1][0] == "Marta Silva"


def test_said_before_a_name_with_a_colon_is_not_part_of_the_name() -> None:
    text = (
        "Lee Chong Wei and Koo Kien Keat lost the final.\n"
        "Said Koo: “We tried everything in the third game but they were simply better today.”"
    )
    ((speaker, _),) = _q(text, "en")
    assert speaker == "Koo Kien Keat"


def test_description_with_a_demonstrative_is_the_person_named_before() -> None:
    text = (
        "Pengemudi ojek Dedi Kurniawan melihat api pertama kali dari seberang jalan.\n\n"
        "Ia langsung menelepon pemadam kebakaran.\n\n"
        "“Apinya cepat sekali membesar, dalam lima menit sudah sampai atap,” ungkap pria asal Garut itu."
    )
    ((speaker, _),) = _q(text)
    assert speaker == "Dedi Kurniawan"


def test_more_indonesian_speech_verbs() -> None:
    text = (
        "“Pertama, terima kasih kepada para pemain yang bekerja keras malam ini,” buka pelatih Bambang Nurdiansyah.\n"
        "“Setiap warga negara berhak atas pendidikan dan pengajaran yang layak,” bunyi Pasal 31 Ayat (1) UUD 1945."
    )
    got = _q(text)
    assert got[0][0] == "Bambang Nurdiansyah"
    assert got[1][0] is not None and got[1][0].startswith("Pasal 31 Ayat (1)")


def test_news_agency_is_never_the_speaker() -> None:
    text = '"Talks will resume in Doha early next week," AFP said.\n"The port will reopen on Monday," said Reuters.'
    assert all(speaker is None for speaker, _ in _q(text, "en"))


def test_curly_quote_closed_by_an_opening_mark() -> None:
    text = "“We heard the explosion and ran outside with the children,“ said Samir Haddad."
    ((speaker, quote),) = _q(text, "en")
    assert speaker == "Samir Haddad"
    assert quote.startswith("We heard the explosion")


def test_quote_left_open_runs_to_the_paragraph_end_and_continues() -> None:
    text = (
        "Coach Tom Wright said: “We were not good enough in the first half. We lost too many balls.\n\n"
        "“In the second half the players showed the character I wanted to see from them.”"
    )
    got = _q(text, "en")
    assert got[0] == ("Tom Wright", "We were not good enough in the first half. We lost too many balls.")
    assert got[1][0] == "Tom Wright"


def test_apostrophes_do_not_make_single_quotations() -> None:
    text = (
        "The players' union said it would appeal the ban, and the coaches' group agreed. "
        "Rock 'n' roll fans didn't mind the delay at all, organisers said."
    )
    assert _q(text, "en") == []


def test_single_quotes_keep_inner_apostrophes() -> None:
    text = "'We saw our neighbours' roofs go under, and there's nothing left,' said Agus Salim."
    ((speaker, quote),) = _q(text, "en")
    assert speaker == "Agus Salim"
    assert quote == "We saw our neighbours' roofs go under, and there's nothing left,"


def test_curly_single_quotes_keep_inner_apostrophes() -> None:
    text = "‘We don’t know where they’ve taken my brother,’ said Yusuf Amiri."
    ((speaker, quote),) = _q(text, "en")
    assert speaker == "Yusuf Amiri"
    assert quote == "We don’t know where they’ve taken my brother,"


@pytest.mark.parametrize("unit", ["‘abcdefghijklmnop ", "«abcdefghijklmnop ", "'We rock 'n' roll ", "“abc "])
def test_many_opening_marks_without_closers_are_not_quotations(unit: str) -> None:
    text = unit * 300
    assert all(q.speaker is None for q in extract_quotes(text, []))


def test_the_person_spoken_to_before_a_colon_is_not_the_speaker() -> None:
    text = "Governor Ana Reyes told Mayor Carlos Dumlao: “The evacuation centres must stay open all week.”"
    ((speaker, _),) = _q(text, "en")
    assert speaker == "Ana Reyes"


@pytest.mark.parametrize(
    "tail", ["the port authority chief, Daniel Osei, said.", "the port authority chief, Daniel Osei said."]
)
def test_apposition_after_the_quote_names_the_role(tail: str) -> None:
    text = "“Ships will be allowed back into the harbour from Thursday,” " + tail
    ((speaker, _),) = _q(text, "en")
    assert speaker == "Daniel Osei"


def test_name_before_an_apposition_after_the_quote_stays_the_speaker() -> None:
    text = "“Prices will keep rising through the summer,” Hana Kovac, an analyst at Meridian Research, said."
    ((speaker, _),) = _q(text, "en")
    assert speaker == "Hana Kovac"


def test_partial_quote_in_reported_speech_takes_the_subject() -> None:
    text = (
        "Health minister Lina Farouk said on Sunday that the strike on the clinic was "
        "“a crime against people who came for help” and demanded an inquiry."
    )
    ((speaker, quote),) = _q(text, "en")
    assert speaker == "Lina Farouk"
    assert quote == "a crime against people who came for help"


def test_titles_and_unattributed_phrases_in_a_sentence_are_not_quotations() -> None:
    text = (
        "Director Maya Lind said her film “The Long Road Back Home” opens in March.\n"
        "Warga menyebut jalan itu “jalur tengkorak yang sangat berbahaya” sejak lama."
    )
    assert _q(text, "en") == []


def test_common_nouns_and_place_words_are_not_untagged_names() -> None:
    text = (
        "Polisi mengatakan pelaku sudah ditangkap.\n“Kami masih mencari dua orang lain yang kabur,” katanya."
    )
    assert [s for s, _ in _q(text)] == [None]
    text = "“Kami masih mencari dua orang lain yang kabur,” kata Kapolres Metro Jakarta Selatan."
    assert [s for s, _ in _q(text)] == ["Kapolres Metro Jakarta Selatan"]


def test_span_of_a_quote_left_open_excludes_trailing_spaces() -> None:
    text = "Kepala desa Wartono berkata: “Kami butuh air bersih dan selimut untuk pengungsi   \n\nBantuan belum datang."
    ((speaker, _),) = _q(text)
    (q,) = extract_quotes(text, extract_entities(text, "id"))
    assert speaker == "Wartono"
    assert text[q.span[0] : q.span[1]] == q.text == "Kami butuh air bersih dan selimut untuk pengungsi"


@pytest.mark.parametrize(
    "reported",
    [
        "Diungkapkan kuasa hukum Agus Salimin, kliennya sudah dipanggil dua kali oleh pengadilan.",
        "Menurut Agus Salimin, kliennya sudah dipanggil dua kali oleh pengadilan.",
    ],
)
def test_pronoun_follows_a_passive_or_menurut_report(reported: str) -> None:
    text = (
        "“Sidang ditunda sampai pekan depan karena saksi tidak hadir,” kata hakim Ratna Dewi.\n"
        + reported
        + "\n“Kami sudah mengirim surat resmi ke pengadilan sejak bulan lalu,” jelasnya."
    )
    assert [s for s, _ in _q(text)] == ["Ratna Dewi", "Agus Salimin"]


def test_a_name_that_is_the_whole_phrase_wins_over_a_person_named_after_it() -> None:
    text = "“Air sudah surut sejak subuh tadi di kampung kami,” kata Wartini, sementara Budi Santoso membersihkan rumah."
    ((speaker, _),) = _q(text)
    assert speaker == "Wartini"


# ----------------------------------------------------------------- general causes found on realtrain


def test_role_alone_after_the_quote_is_the_person_named_with_it_earlier() -> None:
    text = (
        "Kapolres Bogor AKBP Asep Syafrudin menjelaskan pihaknya menemukan tanda kerusakan pada bus.\n\n"
        "“Dari hasil olah tempat kejadian, kami menemukan rem bus tidak berfungsi,” kata Kapolres."
    )
    ((speaker, _),) = _q(text)
    assert speaker is not None and "Asep Syafrudin" in speaker


def test_a_day_between_subject_and_verb_is_not_the_subject() -> None:
    text = (
        "Kepala BPBD Jombang Agus Gunadi, Selasa mengatakan tim terus mencari korban longsor.\n\n"
        "“Lima warga bisa diselamatkan, enam lainnya ditemukan meninggal dunia,” katanya."
    )
    ((speaker, _),) = _q(text)
    assert speaker is not None and "Gunadi" in speaker


def test_told_someone_colon_is_said_by_the_subject() -> None:
    text = (
        "Rescuers worked through the night near the river.\n\n"
        "Berty Kowas, the head of the rescue team, told Metro TV: “Currently the evacuation is ongoing "
        "and some divers are searching the river.”"
    )
    ((speaker, _),) = _q(text, "en")
    assert speaker is not None and "Berty Kowas" in speaker


def test_saying_colon_hands_the_quote_to_the_sentence_subject() -> None:
    text = (
        "Business Secretary Kwasi Kwarteng congratulated the company on the launch, saying: “The same "
        "technology will be used to launch small satellites from Cornwall.”"
    )
    ((speaker, _),) = _q(text, "en")
    assert speaker is not None and "Kwarteng" in speaker


def test_he_said_after_a_paragraph_about_someone_new_is_that_person() -> None:
    text = (
        "“The fire is moving fast toward the valley,” Sheriff Donny Youngblood said.\n\n"
        "Everett Evans, 45, fled Thursday as the fire came down a mountain toward his home.\n\n"
        "“When you hear a freight train, it's time to leave,” he said."
    )
    got = _q(text, "en")
    assert got[-1][0] is not None and "Everett Evans" in got[-1][0]


def test_an_institution_of_words_that_are_never_names_is_still_a_speaker() -> None:
    text = (
        "Relatives mourned the dead in Khan Younis.\n\n"
        "The Israeli military, in a statement giving an operational update, claimed “a number of "
        "fighters were eliminated from the air and ground” in southern Gaza."
    )
    ((speaker, _),) = _q(text, "en")
    assert speaker is not None and "Israeli military" in speaker


def test_a_plural_role_alone_is_a_speaker() -> None:
    text = (
        "Scanlon was sentenced on Friday.\n\n"
        'Prosecutors give Scanlon credit for being the first to cooperate. "His cooperation was critical '
        'in cracking open the case," prosecutors said in a sentencing report.'
    )
    assert [s for s, _ in _q(text, "en")] == ["prosecutors"]


def test_was_quoted_as_saying_after_the_quote() -> None:
    text = (
        "Firefighters freed the body from the car late on Monday.\n\n"
        "“The operation to bring up the car took several hours,” Assistant Fire Superintendent "
        "Abdul Muiz Mukhtar was quoted as saying by Malay Mail."
    )
    ((speaker, _),) = _q(text, "en")
    assert speaker is not None and "Abdul Muiz Mukhtar" in speaker


def test_a_shortened_first_name_is_the_person_named_in_full_earlier() -> None:
    text = (
        "Wakil Ketua KPK Alexander Marwata mengatakan lembaganya kini fokus pada kerugian negara.\n\n"
        '"Kami sekarang lebih banyak fokus pada penanganan perkara kerugian negara," kata Alex kepada wartawan.'
    )
    got = _q(text)
    assert got[-1][0] == "Alexander Marwata"


def test_a_role_acting_on_a_person_is_not_held_by_that_person() -> None:
    from streams.nlp.quotes import _verb_between

    body = "Prosecutors give Scanlon credit. Kapolres Muaraenim, AKBP Donni Eka Syaputra, hadir."
    assert _verb_between(body, len("Prosecutors"), body.index("Scanlon"))
    k = body.index("Kapolres") + len("Kapolres")
    assert not _verb_between(body, k, body.index("Donni"))
