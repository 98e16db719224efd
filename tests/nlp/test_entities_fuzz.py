"""No input string crashes entities, figures or quotes, and every span stays inside the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp.entities import extract_entities
from streams.nlp.figures import extract_figures
from streams.nlp.quotes import extract_quotes

_PIECES = st.sampled_from(
    [
        "AS",
        "Rusia",
        "Presiden",
        "kata",
        "“",
        "”",
        '"',
        "‘",
        "’",
        "di",
        "Kyiv",
        "12",
        "1.250",
        "17,5%",
        "juta",
        "ribuan",
        "tewas",
        "drone",
        "Rp",
        "$",
        "-",
        ".",
        ",",
        "\n",
        " ",
        "Kementerian",
        "Jenderal",
        "Dr.",
        "ke-",
    ]
)
_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(_PIECES, max_size=60).map(" ".join),
    st.lists(_PIECES, max_size=60).map("".join),
)


@settings(max_examples=150, deadline=None)
@given(_TEXT, st.sampled_from(["id", "en", None]))
def test_any_text(text: str, lang: str | None) -> None:
    ents = extract_entities(text, lang)
    for e in ents:
        for s, t in e.spans:
            assert 0 <= s < t <= len(text)
    for f in extract_figures(text, lang, ents):
        assert text[f.span[0] : f.span[1]] == f.text
    for q in extract_quotes(text, ents):
        assert text[q.span[0] : q.span[1]] == q.text or q.text in text
