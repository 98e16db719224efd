"""split_lead: sentence breaks after abbreviations are skipped, and the lead is a prefix."""

from __future__ import annotations

from streams.ingest.clean import split_lead


def test_abbreviation_is_not_a_sentence_break() -> None:
    para = "Kepala BNPB Dr. Suharyanto meninjau Jl. Sudirman pada Senin. Banjir surut sore harinya. Warga kembali."
    assert (
        split_lead(para)
        == "Kepala BNPB Dr. Suharyanto meninjau Jl. Sudirman pada Senin. Banjir surut sore harinya."
    )


def test_word_ending_like_an_abbreviation_is_a_break() -> None:
    # "Hamas." ends in "mas." but is a whole word, not the abbreviation "Mas."; a long word
    # before the break must not be cut into an abbreviation by the bounded look-back
    para = (
        "Serangan itu diklaim oleh kelompok Hamas. Militer membalas pada malam hari di kota itu. Lalu sepi."
    )
    assert split_lead(para, max_sentences=1) == "Serangan itu diklaim oleh kelompok Hamas."
    long_word = "Pernyataan itu disampaikan oleh " + "x" * 40 + "Abc. Lalu rapat ditutup pada sore hari."
    assert split_lead(long_word, max_sentences=1).endswith("Abc.")


def test_long_one_paragraph_lead_is_short_prefix() -> None:
    para = "Dr. Ani berkata banjir surut di Jl. Melati. " * 5000
    lead = split_lead(para)
    assert para.startswith(lead) and 0 < len(lead) < 200
