"""``warta eval real``: the in-process pipeline against hand-annotated real pages (realdev manifest)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from streams.core.pipeline import Pipeline, build_pipeline
from streams.core.records import CASUALTY_KINDS, EnrichedArticle, RawArticle

__all__ = [
    "CASUALTY_KINDS",
    "MEASURES",
    "PRECISE_QUALIFIERS",
    "ArticleReport",
    "Measure",
    "RealReport",
    "evaluate_article",
    "find_normalised",
    "load_manifest",
    "norm_text",
    "run_real_eval",
    "text_kept",
]


#: Figure qualifiers that keep a number exact; any other qualifier names a vague amount ("dozens").
PRECISE_QUALIFIERS: frozenset[str] = frozenset(
    {"at_least", "about", "nearly", "more_than", "less_than", "up_to", "all"}
)

#: Measures in print order: (key, label, kind) where kind is "ratio" (right / checked) or "pr".
MEASURES: tuple[tuple[str, str], ...] = (
    ("title", "title (where the page shows one)"),
    ("title_invented", "no title invented (page shows none)"),
    ("byline", "byline (where the page shows one)"),
    ("byline_invented", "no byline invented (page shows none)"),
    ("date", "date (where the page states it)"),
    ("topic_precision", "top-level topic precision (required + optional acceptable)"),
    ("topic_recall", "top-level topic recall (required)"),
    ("casualty_precision", "casualty-figure precision (distinct kind+value; vague amounts apart)"),
    ("casualty_precision_all", "casualty-figure precision, vague amounts counted"),
    ("casualty_recall", "casualty-figure recall (distinct type+value)"),
    ("not_figures", "numbers kept out of casualty figures"),
    ("entity_recall", "entity recall (people, orgs, places; any type)"),
    ("entity_recall_typed", "entity recall with the right type"),
    ("entity_gold_share", "entities matching a gold name (precision lower bound)"),
    ("quote_speakers", "quote speakers found (with at least one quote)"),
    ("furniture_removed", "furniture strings removed from the body"),
    ("text_kept", "must_keep text kept in the body"),
)

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u200b": "",
        "\u00ad": "",
    }
)
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_TYPE_OF = {"people": {"PERSON"}, "orgs": {"ORG"}, "places": {"GPE", "LOC"}}


def _fold_char(ch: str, *, diacritics: bool) -> str:
    ch = ch.translate(_QUOTES)
    if not ch:
        return ""
    out = unicodedata.normalize("NFKC", ch).casefold()
    if diacritics:
        out = "".join(c for c in unicodedata.normalize("NFKD", out) if not unicodedata.combining(c))
    return out


def _normalise_with_map(text: str, *, diacritics: bool = False) -> tuple[str, list[int]]:
    """Folded text (quotes/dashes unified, case-folded, whitespace collapsed) and, per output
    character, the index of the input character it came from."""
    out: list[str] = []
    idx: list[int] = []
    space = True  # drop leading whitespace
    for i, ch in enumerate(text):
        folded = _fold_char(ch, diacritics=diacritics)
        for c in folded:
            if c.isspace():
                if not space:
                    out.append(" ")
                    idx.append(i)
                space = True
            else:
                out.append(c)
                idx.append(i)
                space = False
    if out and out[-1] == " ":
        out.pop()
        idx.pop()
    return "".join(out), idx


def norm_text(text: str | None, *, diacritics: bool = False) -> str:
    """Whitespace, quote, dash and case folding (and diacritics when asked) for tolerant matching."""
    return _normalise_with_map(text or "", diacritics=diacritics)[0]


def find_normalised(body: str, needle: str) -> list[tuple[int, int]]:
    """Every ``[start, end)`` span of ``body`` whose normalised text equals normalised ``needle``."""
    hay, idx = _normalise_with_map(body)
    want = norm_text(needle)
    spans: list[tuple[int, int]] = []
    if not want:
        return spans
    start = hay.find(want)
    while start >= 0:
        end = start + len(want) - 1
        spans.append((idx[start], idx[end] + 1))
        start = hay.find(want, start + 1)
    return spans


@dataclass
class Measure:
    """Right out of checked for one measure (summed over articles)."""

    right: int = 0
    checked: int = 0

    @property
    def value(self) -> float | None:
        return self.right / self.checked if self.checked else None

    def add(self, right: int, checked: int) -> None:
        self.right += right
        self.checked += checked


@dataclass
class ArticleReport:
    id: str
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    misses: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None

    def record(self, key: str, right: int, checked: int, misses: Iterable[str] = ()) -> None:
        self.counts[key] = (right, checked)
        missed = list(misses)
        if missed:
            self.misses[key] = missed


@dataclass
class RealReport:
    articles: list[ArticleReport]
    measures: dict[str, Measure]

    @property
    def summary(self) -> str:
        def v(key: str) -> str:
            value = self.measures[key].value
            return "-" if value is None else f"{value:.2f}"

        return (
            f"real ({len(self.articles)} articles): title {v('title')}, byline {v('byline')}, "
            f"date {v('date')}, topics P {v('topic_precision')} R {v('topic_recall')}, "
            f"casualties P {v('casualty_precision')} R {v('casualty_recall')}, "
            f"not-figures {v('not_figures')}, entities R {v('entity_recall')}, "
            f"speakers {v('quote_speakers')}, furniture removed {v('furniture_removed')}, "
            f"text kept {v('text_kept')}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": [asdict(a) for a in self.articles],
            "measures": {
                k: {"right": m.right, "checked": m.checked, "value": m.value}
                for k, m in self.measures.items()
            },
            "summary": self.summary,
        }


def load_manifest(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
    return rows


def _top_levels(art: EnrichedArticle) -> set[str]:
    """Top-level codes (8 digits) reported: topics without a parent and the parents of subtopics."""
    from streams.nlp.topics import load_taxonomy

    taxonomy = load_taxonomy()
    codes: set[str] = set()
    for t in art.topics:
        top = t.code if t.parent is None else t.parent
        seen = {top}
        while top in taxonomy and taxonomy[top].parent is not None and taxonomy[top].parent not in seen:
            top = str(taxonomy[top].parent)
            seen.add(top)
        codes.add(top.split(":")[-1])
    return codes


def _iso_parts(value: str | None) -> tuple[str, str | None, str | None] | None:
    """(date, HH:MM or None, offset or None) of an ISO 8601 prefix; None when there is none."""
    m = _ISO.match((value or "").strip())
    if not m:
        return None
    offset = m.group(3)
    if offset == "Z":
        offset = "+00:00"
    elif offset and ":" not in offset:
        offset = offset[:3] + ":" + offset[3:]
    return m.group(1), m.group(2), offset


def _date_right(gold: str, got: str | None) -> bool:
    """Right when the predicted local date (and time, and offset) equal what the page states."""
    g, p = _iso_parts(gold), _iso_parts(got)
    if g is None or p is None:
        return False
    if g[0] != p[0]:
        return False
    if g[1] is not None and g[1] != p[1]:
        return False
    return g[2] is None or g[2] == p[2]


def _number(value: Any) -> float | None:
    """A gold figure's value as a number; None for a word the annotator kept ("puluhan": dozens)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _tokens(name: str) -> list[str]:
    return re.findall(r"\w+", norm_text(name, diacritics=True))


def _speaker_matches(gold: str, speaker: str) -> bool:
    """Same name, the gold name inside the speaker's (titles added), or the speaker's a whole-token
    part of the gold name (a surname)."""
    g, s = _tokens(gold), _tokens(speaker)
    if not g or not s:
        return False
    if g == s:
        return True

    def contains(big: list[str], small: list[str]) -> bool:
        n = len(small)
        return any(big[i : i + n] == small for i in range(len(big) - n + 1))

    return contains(s, g) or (contains(g, s) and max(len(t) for t in s) >= 3)


def _meta_measures(gold: dict[str, Any], art: EnrichedArticle, rep: ArticleReport) -> None:
    """Title, byline (or none invented) and date."""
    for key in ("title", "byline"):
        want = gold.get(key)
        if want:
            got = getattr(art, key)
            ok = norm_text(got) == norm_text(want)
            rep.record(key, int(ok), 1, [] if ok else [f"want {want!r}, got {got!r}"])
        else:
            got = getattr(art, key)
            rep.record(f"{key}_invented", int(not got), 1, [f"page shows none, got {got!r}"] if got else [])
    published = gold.get("published")
    if _iso_parts(published) is not None:
        ok = _date_right(str(published), art.published_at)
        rep.record("date", int(ok), 1, [] if ok else [f"want {published!r}, got {art.published_at!r}"])


def _topic_measures(gold: dict[str, Any], art: EnrichedArticle, rep: ArticleReport) -> None:
    required = {str(c).split(":")[-1] for c in gold.get("topics", [])}
    acceptable = required | {str(c).split(":")[-1] for c in gold.get("topics_optional", [])}
    got_top = _top_levels(art)
    scores = {t.code.split(":")[-1]: t.score for t in art.topics if t.parent is None}
    wrong = sorted(got_top - acceptable)
    rep.record(
        "topic_precision",
        len(got_top & acceptable),
        len(got_top),
        [f"{c} (score {scores.get(c, 0):.2f})" for c in wrong],
    )
    rep.record("topic_recall", len(got_top & required), len(required), sorted(required - got_top))


def _casualty_measures(gold: dict[str, Any], art: EnrichedArticle, rep: ArticleReport) -> None:
    body = art.body
    gold_cas = {
        (f["type"], v)
        for f in gold.get("figures", [])
        if f.get("type") in CASUALTY_KINDS and (v := _number(f.get("value"))) is not None
    }
    pred_cas = {(f.kind, float(f.value)) for f in art.figures if f.kind in CASUALTY_KINDS}
    # "dozens", "ratusan": a lower bound, shown as words in alerts; the measure leaves them
    # out of precision (they are reported with them counted on the next line)
    exact_cas = {
        (f.kind, float(f.value))
        for f in art.figures
        if f.kind in CASUALTY_KINDS and (f.qualifier is None or f.qualifier in PRECISE_QUALIFIERS)
    }
    rep.record(
        "casualty_precision",
        len(exact_cas & gold_cas),
        len(exact_cas),
        [f"false {k}={v:g}" for k, v in sorted(exact_cas - gold_cas)],
    )
    rep.record(
        "casualty_precision_all",
        len(pred_cas & gold_cas),
        len(pred_cas),
        [f"false {k}={v:g}" for k, v in sorted(pred_cas - gold_cas - exact_cas)],
    )
    rep.record(
        "casualty_recall",
        len(pred_cas & gold_cas),
        len(gold_cas),
        [f"missed {k}={v:g}" for k, v in sorted(gold_cas - pred_cas)],
    )

    # Numbers that must not become casualty figures: checked where the text is in the body; a
    # violation is a casualty figure whose span overlaps an occurrence.
    cas_spans = [(f.span, f.kind, f.value) for f in art.figures if f.kind in CASUALTY_KINDS]
    kept, checked, nf_miss = 0, 0, []
    for nf in gold.get("not_figures", []):
        spans = find_normalised(body, nf["text"])
        if not spans:
            continue
        checked += 1
        hits = [(k, v) for (fs, fe), k, v in cas_spans for s, e in spans if fs < e and s < fe]
        if hits:
            nf_miss.append(f"{nf['text']!r} became {hits[0][0]}={hits[0][1]:g} ({nf.get('why', '')})")
        else:
            kept += 1
    rep.record("not_figures", kept, checked, nf_miss)


def _entity_measures(gold: dict[str, Any], art: EnrichedArticle, rep: ArticleReport) -> None:
    body = art.body
    ent_names: list[tuple[str, str]] = []
    for e in art.entities:
        forms = {e.text, e.name} | {body[s:t] for s, t in e.spans}
        ent_names.extend((norm_text(f, diacritics=True), e.type) for f in forms if f)
    known = {n for n, _ in ent_names}
    found = found_typed = total = 0
    ent_miss: list[str] = []
    gold_names: set[str] = set()
    for key, types in _TYPE_OF.items():
        for name in gold.get(key, []):
            n = norm_text(name, diacritics=True)
            gold_names.add(n)
            total += 1
            if n in known:
                found += 1
                if any(nn == n and t in types for nn, t in ent_names):
                    found_typed += 1
                else:
                    ent_miss.append(f"{name} ({key}: found with another type)")
            else:
                ent_miss.append(f"{name} ({key})")
    rep.record("entity_recall", found, total, [m for m in ent_miss if "another type" not in m])
    rep.record("entity_recall_typed", found_typed, total, [m for m in ent_miss if "another type" in m])
    matching = 0
    spurious: list[str] = []
    for e in art.entities:
        forms = {norm_text(f, diacritics=True) for f in {e.text, e.name} | {body[s:t] for s, t in e.spans}}
        if forms & gold_names:
            matching += 1
        else:
            spurious.append(f"{e.text} ({e.type})")
    rep.record("entity_gold_share", matching, len(art.entities), spurious)


def _text_measures(gold: dict[str, Any], art: EnrichedArticle, rep: ArticleReport) -> None:
    nbody = norm_text(art.body)
    speakers = [q.speaker for q in art.quotes if q.speaker]
    sp_found, sp_miss = 0, []
    for q in gold.get("quotes", []):
        if any(_speaker_matches(q["speaker"], s) for s in speakers):
            sp_found += 1
        else:
            sp_miss.append(str(q["speaker"]))
    rep.record("quote_speakers", sp_found, len(gold.get("quotes", [])), sp_miss)

    furniture = [f for f in gold.get("furniture", []) if norm_text(f)]
    leaked = [f for f in furniture if norm_text(f) in nbody]
    rep.record("furniture_removed", len(furniture) - len(leaked), len(furniture), [f[:80] for f in leaked])
    keep = [k for k in gold.get("must_keep", []) if norm_text(k)]
    lost = [k for k in keep if not text_kept(norm_text(k), nbody)]
    rep.record("text_kept", len(keep) - len(lost), len(keep), [k[:80] for k in lost])


#: A sentence's leading dateline or outlet credit, as norm_text writes it ("tempo.co, jakarta - ",
#: "phoenix (ap) - ", "aug 19 (reuters) - "): up to 60 characters before a dash.
_DATELINE_PREFIX = re.compile(r"^(.{2,60}?)\s*-{1,2}\s+")


def text_kept(sentence: str, body: str) -> bool:
    """Whether a ``must_keep`` sentence (normalised) survives in the normalised ``body``: whole, or
    with its leading dateline / outlet credit split off (the clean stage moves "TEMPO.CO, Jakarta -"
    to ``dateline`` and ``source``, "PHOENIX (AP) —" to ``dateline`` and ``cited_sources``)."""
    if sentence in body:
        return True
    m = _DATELINE_PREFIX.match(sentence)
    if m is None:
        return False
    rest = sentence[m.end() :]
    return len(m.group(1).split()) <= 6 and len(rest) >= 20 and rest in body


def evaluate_article(gold: dict[str, Any], art: EnrichedArticle) -> ArticleReport:
    """Compare one EnrichedArticle with its manifest record."""
    rep = ArticleReport(str(gold.get("id")))
    for measure in (_meta_measures, _topic_measures, _casualty_measures, _entity_measures, _text_measures):
        measure(gold, art, rep)
    return rep


def run_real_eval(
    manifest: Path,
    articles_dir: Path | None = None,
    *,
    pipeline: Pipeline | None = None,
    use_url: bool = True,
) -> RealReport:
    """Run the pipeline on every manifest article (``ARTICLES_DIR/<id>.txt``) and sum the measures.

    ``use_url`` hands the manifest URL to the pipeline as a producer would (outlet, time zone).
    """
    from streams.core.errors import WartaError

    articles_dir = articles_dir or manifest.parent / "articles"
    pipeline = pipeline or build_pipeline()
    measures = {key: Measure() for key, _ in MEASURES}
    reports: list[ArticleReport] = []
    for gold in load_manifest(manifest):
        path = articles_dir / f"{gold['id']}.txt"
        if not path.is_file():
            rep = ArticleReport(str(gold["id"]), error=f"article file not found: {path}")
            reports.append(rep)
            continue
        raw = RawArticle(
            id=str(gold["id"]),
            text=path.read_text(encoding="utf-8"),
            url=gold.get("url") if use_url else None,
        )
        try:
            art = pipeline.run(raw)
        except WartaError as exc:
            reports.append(ArticleReport(str(gold["id"]), error=f"{exc.code}: {exc.reason}"))
            continue
        rep = evaluate_article(gold, art)
        for key, (right, checked) in rep.counts.items():
            measures[key].add(right, checked)
        reports.append(rep)
    return RealReport(reports, measures)
