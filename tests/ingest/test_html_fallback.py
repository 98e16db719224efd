"""HTML never loses a body a mainstream extractor finds: trafilatura's settings in turn, the page's
blocks last, tables kept as rows; compared with trafilatura's own extraction on the fixture pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_html_pages import NAMES, PAGES, _run, _sentences  # the fixture pages' shared readers

from streams.ingest.extract import _bare, _without_xml_declaration, html_to_article, page_blocks

trafilatura = pytest.importorskip("trafilatura")


def _scores(body: str, ref: list[str]) -> tuple[float, float]:
    sents = _sentences(body)
    recall = sum(1 for s in ref if s in sents) / len(ref)
    precision = sum(1 for s in sents if s in ref) / len(sents) if sents else 0.0
    return recall, precision


def _html(name: str) -> str:
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def _tree_html(name: str) -> str:
    """A fixture page as ``lxml.html.fromstring`` takes it (no XML declaration)."""
    return _without_xml_declaration(_html(name))


def test_precise_setting_finds_nothing_yet_the_body_is_there() -> None:
    html = _html("precise_nothing")
    assert _bare(html, None, "precise", metadata=False) is None  # the case this page stands for
    page = html_to_article(html)
    assert page is not None and page.extractor in {"default", "recall"}
    assert "Petugas gabungan mengevakuasi sedikitnya 420 warga" in _run("precise_nothing").body


def test_precise_title_only_falls_back_to_the_full_text() -> None:
    page = html_to_article(_html("precise_title_only"))
    assert page is not None and page.extractor != "precise"
    assert "pintu air Manggarai" in page.text


def test_a_table_that_is_the_article_stays_as_rows() -> None:
    body = _run("table_article").body
    assert "Sumatera Utara | 31 | 9 | 4200" in body
    assert "---" not in body


def test_a_long_list_announced_by_the_text_is_kept_whole() -> None:
    body = _run("list_article").body
    assert body.count("warga Desa Sukamaju,") == 31


def test_page_blocks_leave_out_navigation_and_link_lists() -> None:
    html = (
        "<html><body><nav><p>Beranda Nasional Olahraga</p></nav><div><p>Paragraf pertama artikel ini cukup "
        "panjang.</p><p><a href='/x'>Tautan ke artikel lain yang populer</a></p><table><tr><td>Aceh</td>"
        "<td>12</td></tr></table></div><script>var a = 1;</script></body></html>"
    )
    assert page_blocks(html) == ["Paragraf pertama artikel ini cukup panjang.", "Aceh | 12"]


def test_body_at_least_as_good_as_trafilatura_and_never_empty_where_it_finds_one() -> None:
    ours_r = ours_p = theirs_r = theirs_p = 0.0
    for name in NAMES:
        ref = _sentences((PAGES / f"{name}.txt").read_text(encoding="utf-8"))
        theirs = trafilatura.extract(_html(name)) or ""
        ours = _run(name).body
        assert ours.strip() or not theirs.strip(), f"{name}: empty body where trafilatura finds one"
        r, p = _scores(ours, ref)
        tr, tp = _scores(theirs, ref)
        ours_r, ours_p, theirs_r, theirs_p = ours_r + r, ours_p + p, theirs_r + tr, theirs_p + tp
    n = len(NAMES)
    f1 = 2 * ours_r * ours_p / (ours_r + ours_p) / n
    tf1 = 2 * theirs_r * theirs_p / (theirs_r + theirs_p) / n
    assert f1 >= tf1, f"body F1 {f1:.3f} below trafilatura's {tf1:.3f}"
    assert ours_p >= theirs_p, "precision below trafilatura's"


def test_fixture_pages_are_here() -> None:
    assert {"precise_nothing", "table_article", "list_article"} <= set(NAMES)
    assert all(Path(PAGES / f"{n}.txt").is_file() for n in NAMES)


_ATTR_PAGE = """<html><body>
<div id="cookie-bar">a</div><div class="x cookie">b</div><div id="main" class="cookie">c</div>
<section id="sidebar-1"><p class="byline">d</p><p>plain</p></section>
<span style="display:none">e</span><span id="hidden-x" style="color:red">f</span>
<span style="visibility: hidden">g</span><div class="hide-me">h</div><div class="menu-top">i</div>
<p class="lead">j</p><div role="Navigation">k</div><div aria-hidden="true">l</div>
<div id="reader-comments">m</div><div class="comments-title">n</div><p>o</p><li class="share-x">p</li>
<div class="" id="">q</div><p style="">r</p><span role="">s</span><div class="post-bottom x">t</div>
<div id="respond-1" class="comment-list">u</div><section class="entry-content">v</section>
</body></html>"""


def test_guarded_xpaths_select_the_same_elements_as_trafilaturas() -> None:
    """The faster prune of the precise setting (``guarded_xpath``) selects exactly what trafilatura's
    own expressions select, in the same order, on the fixture pages and on attribute edge cases."""
    import lxml.html
    from trafilatura import xpaths

    from streams.ingest.extract import guarded_xpath, trafilatura_xpath_lists

    lists = [v for v in vars(xpaths).values() if isinstance(v, list) and v and hasattr(v[0], "path")]
    # the lists the extraction reads (as trafilatura defines them, before any rewrite)
    lists += [getattr(xpaths, name, None) or getattr(m, name) for m, name in trafilatura_xpath_lists()]
    assert len(trafilatura_xpath_lists()) >= 5
    pages = [_tree_html(n) for n in NAMES] + [_ATTR_PAGE]
    rewritten = 0
    for expressions in lists:
        for xp in expressions:
            fast = guarded_xpath(xp)
            rewritten += fast is not xp and fast.path != xp.path
            for html in pages:
                tree = lxml.html.fromstring(html)
                assert fast(tree) == xp(tree), xp.path
    assert rewritten >= 2  # OVERALL_DISCARD_XPATH's two expressions at least


def test_one_parse_serves_the_metadata_pass() -> None:
    """The metadata pass reads trafilatura's tree (no second parse) only where it reads the same as
    its own parse: comments dropped change nothing; an XML declaration or deleted characters keep
    the page's own parse."""
    from streams.ingest.extract import _load, _page_info, _same_metadata_tree

    used = 0
    for name in NAMES:
        html = _html(name)
        for variant in (html, html.replace("<p>", "<!-- ad --><p>"), html.replace("</h1>", "</h1><!--x-->y")):
            tree = _load(variant)
            if _same_metadata_tree(variant, tree):
                used += 1
                assert _page_info(tree) == _page_info(variant), name
    assert used >= len(NAMES)
    html = _html(NAMES[0])
    assert not _same_metadata_tree('<?xml version="1.0" encoding="utf-8"?>\n' + html, _load(html))
    assert not _same_metadata_tree(html.replace("<title>", "<title>\x07"), _load(html))


@pytest.mark.parametrize(
    "path",
    [
        ".//*[not(@class)]",
        ".//*[contains(@class, '')]",
        ".//*[@id or position() = 1]",
        ".//*[re:test(@id, 'a*') or @class='x']",
        ".//*[self::div or contains(@class, 'x')]",
        ".//*[contains('abc', @class)]",
        ".//*[.//p[@class='x']]",
    ],
)
def test_the_attribute_prefilter_leaves_predicates_that_hold_without_attributes(path: str) -> None:
    from streams.ingest.extract import _attribute_prefilter

    assert _attribute_prefilter(path) == path


def test_the_attribute_prefilter_goes_before_the_last_predicate() -> None:
    from streams.ingest.extract import _attribute_prefilter

    path = ".//*[self::div][contains(@class, 'x') or @role='nav']"
    assert (
        _attribute_prefilter(path) == ".//*[self::div][@class or @role][contains(@class, 'x') or @role='nav']"
    )


def test_readability_step_leaves_the_same_tree_as_trafilaturas() -> None:
    """``fast_readability`` is in place for the installed trafilatura and drops the same elements
    as readability's own unlikely-candidates step, on the fixture pages and attribute edge cases."""
    from copy import deepcopy

    import lxml.html
    from trafilatura.readability_lxml import Document

    from streams.ingest.extract import ORIGINALS, _remove_unlikely_candidates, fast_readability

    assert fast_readability()  # else trafilatura changed: check the step and its source hash
    original = ORIGINALS["remove_unlikely_candidates"]
    dropped = 0
    for html in [_tree_html(n) for n in NAMES] + [_ATTR_PAGE]:
        tree = lxml.html.fromstring(html)
        mine, theirs = Document(deepcopy(tree)), Document(deepcopy(tree))
        _remove_unlikely_candidates(mine)
        original(theirs)
        assert lxml.html.tostring(mine.doc) == lxml.html.tostring(theirs.doc)
        dropped += len(list(tree.iter())) - len(list(mine.doc.iter()))
    assert dropped > 0  # the step did drop something to compare


def test_author_and_date_elements_are_found_on_the_root_too() -> None:
    """The metadata pass's element searches include the page's root element (a bare fragment)."""
    import lxml.html

    from streams.ingest.extract import _date_element, _page_author

    assert _page_author(lxml.html.fromstring('<div class="byline">Oleh Ani</div>'), {}) == "Oleh Ani"
    assert _page_author(lxml.html.fromstring("<div>Oleh Ani</div>"), {}) is None
    span = lxml.html.fromstring('<span class="date">14/12/2023, 15:20 WIB</span>')
    assert _date_element(span) == "2023-12-14T15:20:00+07:00"


@pytest.mark.parametrize(
    "declaration", ['<?xml version="1.0" encoding="utf-8"?>\n', ' <?XML version="1.0"?>']
)
def test_xml_declaration_keeps_the_page_metadata_and_blocks(declaration: str) -> None:
    """lxml refuses a decoded page that declares its encoding: the metadata pass and the page's blocks
    read it without the declaration, so the page keeps its title, author and declared time."""
    for name in NAMES:
        html = _tree_html(name)
        plain, declared = html_to_article(html), html_to_article(declaration + html)
        assert plain is not None and declared is not None, name
        assert (declared.title, declared.author, declared.date) == (plain.title, plain.author, plain.date), (
            name
        )
        assert declared.text == plain.text, name
        assert page_blocks(declaration + html) == page_blocks(html), name


def test_a_page_that_is_only_a_table_and_declares_xml_keeps_rows_title_and_author() -> None:
    doc = _run("table_only_xml")
    assert doc.title == "Rekap Kerusakan Banjir Jawa Barat per Kabupaten"
    assert doc.byline == "Sinta Maharani" and doc.published_at == "2024-03-05T10:15:00+07:00"
    assert "Kabupaten Cianjur | 21 | 4 | 515" in doc.body and "Kabupaten Majalengka | 8 | 0 | 183" in doc.body
    assert "Terpopuler" not in doc.body and "Hak cipta" not in doc.body
