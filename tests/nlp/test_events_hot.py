"""The compiled events path (``streams.nlp._events_hot``) gives exactly what the pure-Python reference gives.

Candidate features (the same dict, keys in the same order), class probabilities, role scores (the same
floats) and the events themselves (codes, modalities, actors, scores, evidence) are compared on random
text built from the lexicons' own words (hypothesis) and on real text: generated bench articles, the seeds
and the realdev and realtrain pages under ``../shared`` (run through the whole pipeline first, so the
entities, topics, quotes, figures and byline the stage reads are real). ``make test`` builds the extension
(``pip install -e .``), so a missing extension fails here instead of testing the reference against itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import events as ev
from streams.nlp.analysis import analyze
from streams.nlp.classify_match import lower_same_length
from tests.compiled_paths import compiled_module, on_path, real_texts
from tests.conftest import SHARED

_DATA = Path(ev.__file__).resolve().parent.parent / "data" / "events"


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    mod = compiled_module(ev._load_hot(), "events")
    if ev.load_event_models() is None:
        pytest.skip("the event models are not trained (scripts/train_events.py)")
    return mod


def _dump(events: list[Any]) -> list[dict[str, Any]]:
    return [e.model_dump() for e in events]


def _internals(text: str, topics: list[str]) -> list[Any]:
    """Every candidate's features (items, in order), class probabilities and role scores of one path."""
    models = ev.load_event_models()
    assert models is not None
    ctx = ev.build_context(text, analyze(text), topics=topics)
    cands = ev.find_candidates(ctx)
    ev.score_candidates(ctx, cands, models)
    out: list[Any] = [ctx.trigger_hits, ctx.cues]
    # the compiled path scores feature ids and keeps only the names the modality choice reads in c.feats;
    # each path's full feature dict comes from its own candidate_features
    hot = ev._compiled()
    roots = ev.ArticleRoots.of(cands, ctx.time)
    for c in cands:
        choice = [(k, v) for k, v in c.feats.items() if k.startswith(("rule=", "ca=")) or k == "question"]
        roles = [(ps, pt, m.start, m.end, m.name) for ps, pt, m in ev._role_scores(ctx, c, models)]
        feats = (
            ev.candidate_features(ctx, c, roots)
            if hot is None
            else hot.candidate_features(ctx, c, roots, ev._TIME_CUES, ev._MODAL_CUES)
        )
        out.append((c.start, c.end, c.code, list(feats.items()), choice, c.probs, c.cues_before, roles))
    return out


# --- random text from the lexicons' own words ---------------------------------------------------------


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[str, ...]:
    """Trigger phrases, cue words, actors, titles, actor nouns, role and victim words, months, breaks."""
    pats = yaml.safe_load((_DATA / "patterns.yaml").read_text(encoding="utf-8"))
    actors = yaml.safe_load((_DATA / "actors.yaml").read_text(encoding="utf-8"))
    words: set[str] = set()
    for p in pats["patterns"]:
        for lang in ("id", "en"):
            words.update(str(x).replace("{w?}", "").replace("*", "").strip() for x in (p.get(lang) or [])[:3])
    for kind in pats["cues"].values():
        for forms in (kind or {}).values() if isinstance(kind, dict) else [kind]:
            words.update(str(x) for x in (forms or [])[:6])
    for key in ("role_words", "victim_words", "clause_breaks", "month_prepositions"):
        words.update(str(x) for x in pats.get(key) or [])
    for a in actors["actors"][:40]:
        words.update(str(x) for x in a.get("aliases", [])[:3])
        words.update(str(x) for x in (a.get("places") or [])[:2])
    for lang in ("id", "en"):
        words.update(str(x) for x in (actors["titles"].get(lang) or [])[:10])
        words.update(str(x) for x in ((actors.get("actor_nouns") or {}).get(lang) or [])[:10])
    words.update(["Volodymyr Zelensky", "Rapid Support Forces (RSF)", "RSF", "7 Oktober", "(24/11)", "2022"])
    words.update(
        ["March 2022", "October 7, 2023", "“", "”", '"', ",", ".", "?", "\n", "tewas", "killed", "12"]
    )
    return tuple(sorted(w for w in words if w))


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_vocabulary()), min_size=5, max_size=90))
    return " ".join(words).replace(" .", ".").replace(" ,", ",")


@settings(max_examples=150, deadline=None)
@given(
    _texts(), st.lists(st.sampled_from(["medtop:16000000", "medtop:11000000", "medtop:20000056"]), max_size=2)
)
def test_random_lexicon_text_gives_the_same_features_scores_and_events(
    hot: ModuleType, text: str, topics: list[str]
) -> None:
    assert on_path(True, lambda: _internals(text, topics)) == on_path(False, lambda: _internals(text, topics))
    compiled = on_path(True, lambda: _dump(ev.detect_events(text, topics=topics, published_at="2024-03-02")))
    assert compiled == on_path(
        False, lambda: _dump(ev.detect_events(text, topics=topics, published_at="2024-03-02"))
    )


def test_the_random_text_exercises_triggers_and_roles(hot: ModuleType) -> None:
    """The vocabulary does give candidates with actors, so the property test compares something."""
    text = " ".join(_vocabulary())
    got = on_path(True, lambda: _internals(text, ["medtop:16000000"]))
    assert len(got) > 10 and any(row[6] for row in got[2:])


# --- real text ----------------------------------------------------------------------------------------


def test_real_articles_give_the_same_events_on_both_paths(hot: ModuleType) -> None:
    if not (SHARED / "eval" / "realtrain").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): the real pages are read from it at test time")
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    pipe = build_pipeline(Settings(), MemoryState())
    stage = ev.EventStage()
    n = n_events = 0
    for art_id, text in real_texts():
        doc = pipe.run_doc(RawArticle(id=art_id, text=text))
        compiled = on_path(True, lambda doc=doc: (stage(doc), _dump(doc.events))[1])
        reference = on_path(False, lambda doc=doc: (stage(doc), _dump(doc.events))[1])
        assert compiled == reference, art_id
        n += 1
        n_events += len(compiled)
    assert n >= 190 and n_events > 300


def test_real_articles_give_the_same_features_and_scores(hot: ModuleType) -> None:
    topics = ["medtop:16000000"]
    for _, text in list(real_texts())[:80]:
        compiled = on_path(True, lambda text=text: _internals(text, topics))
        assert compiled == on_path(False, lambda text=text: _internals(text, topics))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["7", "24/11", "(24/11)", "2023", "²", "٣", "1.090", "pada", "in", "Oktober", "March", "(", "x"]
        )
        | st.text(max_size=6),
        max_size=40,
    )
)
def test_date_places_are_the_same_on_both_paths(hot: ModuleType, words: list[str]) -> None:
    """The compiled scan of the tokens a date may start at (a digit by ``str.isdigit``, "(", a month, a
    preposition) gives the reference's places, and so the same dates."""
    from streams.nlp import event_time

    text = " ".join(words)
    an = analyze(text)
    ref = on_path(False, lambda: list(event_time._token_places(an.starts, an.lowers)))
    assert on_path(True, lambda: event_time._token_places(an.starts, an.lowers)) == ref
    assert on_path(True, lambda: event_time.find_dates(text, an.starts, an.lowers)) == on_path(
        False, lambda: event_time.find_dates(text, an.starts, an.lowers)
    )


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from(
            [
                "RSF",
                "Hamas",
                "Pasukan",
                "Dukungan",
                "(RSF)",
                " (AS-1)",
                "AS",
                "ÉLYSÉE",
                "Élysée",
                "İsrail",
                "_",
                "x",
                " ",
                "\n",
                ".",
                "(",
                "é",
                "٣",
                "Hamas_",
                "HamasX",
                "1Hamas",
                "\u2003",
                "\u00a0",
                "\x1c",
                "\t",
            ]
        ),
        max_size=30,
    ),
    spans=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 12), st.booleans()), max_size=5),
)
def test_repeated_mentions_are_the_same_on_both_paths(
    hot: ModuleType, parts: list[str], spans: list[tuple[int, int, bool]]
) -> None:
    """The compiled scan for the other places where a found actor is written (one pass over the body, forms
    tried at word starts by their first character) finds what one ``str.find`` loop per form finds:
    boundaries by ``str.isalnum`` and "_", overlapping forms, non-ASCII first characters, acronyms (after any
    white space ``\\s`` matches, the compiled path runs the acronym regex only where "(" follows)."""
    body = "".join(parts)
    found = [
        ev.ActorMention(s, min(len(body), s + w), body[s : s + w] or "x", place)
        for s, w, place in spans
        if s < len(body)
    ]
    ref = on_path(False, lambda: ev._repeated_mentions(body, found))
    assert on_path(True, lambda: ev._repeated_mentions(body, found)) == ref


@settings(max_examples=150, deadline=None)
@given(_texts(), st.sampled_from(["", " ", "İ", "ẞ", "_", "-"]))
def test_phrase_hits_are_the_same_on_both_paths(hot: ModuleType, text: str, glue: str) -> None:
    """The compiled automaton pass that groups its hits by tag gives each tag's matches as the reference's
    ``PhraseMatcher.find`` and split give them (same spans, keys and order)."""
    low = lower_same_length(text.replace(" ", glue or " ", 3))
    ref = on_path(False, lambda: ev.phrase_hits(low))
    got = on_path(True, lambda: ev.phrase_hits(low))
    assert got == ref
    assert [type(m) for ms in got.values() for m in ms] == [type(m) for ms in ref.values() for m in ms]


def test_events_built_without_model_construct_have_its_state(hot: ModuleType) -> None:
    """``new_model`` builds the instance ``CameoEvent.model_construct`` builds: the same ``__dict__`` (keys in
    order), fields set, extra and private state; a model that is not plain (an alias) keeps the reference."""
    from pydantic import BaseModel, Field

    from streams.core.records import CameoEvent

    values = {
        "code": "190", "label": "use conventional military force", "score": 0.8125, "evidence": [(3, 9)],
        "actors": ["Israel", "Hamas"], "source_actor": "Israel", "target_actor": None, "negated": False,
        "modality": "happened",
    }  # fmt: skip
    assert ev._plain_model(CameoEvent, tuple(values))
    ref = CameoEvent.model_construct(**dict(values))
    got = hot.new_model(CameoEvent, dict(values))
    assert type(got) is CameoEvent and got == ref
    assert list(got.__dict__.items()) == list(ref.__dict__.items())
    assert got.model_fields_set == ref.model_fields_set
    assert (got.__pydantic_extra__, got.__pydantic_private__) == (
        ref.__pydantic_extra__,
        ref.__pydantic_private__,
    )
    assert got.model_dump_json() == ref.model_dump_json()
    assert not ev._plain_model(CameoEvent, tuple(reversed(values)))

    class Aliased(BaseModel):
        code: str = Field(alias="kode")

    assert not ev._plain_model(Aliased, ("code",))  # type: ignore[arg-type]


_OUTLET_WORDS = st.lists(st.sampled_from(["nbc", "NBC", "news", "", " ", "ß", "SS", "cnn"]), max_size=3).map(
    " ".join
)


@settings(max_examples=300, deadline=None)
@given(_OUTLET_WORDS, _OUTLET_WORDS, st.frozensets(_OUTLET_WORDS.map(str.casefold), max_size=4))
def test_outlet_test_is_the_same_on_both_paths(
    hot: ModuleType, name: str, surface: str, outlets: frozenset[str]
) -> None:
    """The compiled outlet test (no ``o + " "`` strings built) agrees with ``_is_outlet``: equal, a prefix
    and a space either way, empty outlets, casefolding ("ß" -> "ss")."""
    assert hot.is_outlet(name, surface, outlets) == ev._is_outlet(name, surface, outlets)


_LOCATIVE_WORDS = (
    "di",
    "DI",
    "İn",
    "ın",
    "at",
    "near",
    "Dekat",
    "kota",
    "ibu",
    "Gaza",
    "x",
    "-",
    "Hamas",
    ",",
)
_LOCATIVE_WORDS += (
    "(",
    "badi",
    "KOTA",
    "Jakarta",
    "NEAR",
    "dekaT",
    "ar",
    "ta",
    "kiTa",
    "dan",
    "İN",
    "Dİ",
    "ıbu",
    "AT",
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([*_LOCATIVE_WORDS, "\n", " ", "\t", "\u2003"]),
        max_size=12,
    ),
    st.integers(0, 6),
)
def test_location_test_is_the_same_on_both_paths(hot: ModuleType, parts: list[str], width: int) -> None:
    """The compiled "after a locative" test, which runs the regex only where the text before the mention ends
    in white space after "di", "in", "at", "ar" or "ta" (case-insensitive: "İ", "ı"), agrees with
    ``_is_location``."""
    body = "".join(parts) + "Gaza -, x"
    ms = len("".join(parts))
    m = ev.ActorMention(ms, ms + min(4, width), "Gaza")
    ref = ev._is_location(body, m)
    assert hot.is_location(body, m.start, m.end, ev._LOCATIVE, ev._DATELINE) == ref


@settings(max_examples=100, deadline=None)
@given(_texts(), st.lists(st.sampled_from(['"', "“", "”", "«", "'", "„", "‘"]), max_size=4))
def test_sentence_facts_are_the_same_on_both_paths(hot: ModuleType, text: str, quotes: list[str]) -> None:
    """Every sentence's facts (quote marks found by a scan for '"', "“", "”" instead of the regex, dates,
    figures, cues, speech verbs) agree with ``_sent_info``."""
    text = " ".join([text, *quotes, text[:40]])
    ctx = on_path(False, lambda: ev.build_context(text, analyze(text), topics=[]))
    for k in range(len(ctx.analysis.sentences)):
        ref = ev._sent_info(ctx, k)
        assert hot.sent_info(ctx, k, ev._QUOTE_RX, ev._SentInfo) == ref


# --- the slot regexes' pre-check ----------------------------------------------------------------------


def _slot_patterns() -> list[str]:
    rules = ev.load_event_rules()
    return sorted(p for p, rx in rules.pattern_rx.items() if rx is not None and ev.slot_checks(p))


_FILLERS = ["x", "Gaza", "3", "ribu", ",", "-", "’s", "İsrail", "ıK", "(RSF)", "ſ"]


@st.composite
def _slot_texts(draw: st.DrawFn) -> tuple[str, str]:
    """A slot pattern and a text written from it: its words (cases and look-alike letters changed), its slots
    filled with up to one word more than they take, odd white space, words before and after; so the regex
    matches in many texts and just fails in others."""
    pattern = draw(st.sampled_from(_slot_patterns()))

    def variant(w: str) -> str:
        how = draw(st.sampled_from(["same", "same", "upper", "title", "odd"]))
        if how == "upper":
            return w.upper()
        if how == "title":
            return w.title()
        if how == "odd":
            return w.replace("i", "İ").replace("k", "K").replace("s", "ſ").replace("I", "ı")
        return w

    fill = st.sampled_from(_FILLERS)
    parts: list[str] = draw(st.lists(fill, max_size=2))
    for tok in pattern.split():
        span = re.fullmatch(r"\{(\d)-(\d)\}", tok)
        if span is not None:
            parts += draw(st.lists(fill, max_size=int(span.group(2)) + 1))
        elif tok in ("{n}", "{w}", "{w?}", "{Cap}"):
            parts += draw(st.lists(fill, max_size=2))
        else:
            parts.append(variant(tok.rstrip("*")) + draw(st.sampled_from(["", "", "nya", ".", "-x"])))
    parts += draw(st.lists(fill, max_size=2))
    seps = draw(
        st.lists(
            st.sampled_from([" ", " ", "  ", "\n", "\u2003", "", " \t "]),
            min_size=len(parts),
            max_size=len(parts),
        )
    )
    return pattern, "".join(p + s for p, s in zip(parts, seps, strict=True))


@settings(max_examples=600, deadline=None)
@given(_slot_texts())
def test_slot_precheck_never_rejects_a_match(hot: ModuleType, case: tuple[str, str]) -> None:
    """Wherever a slot pattern's regex matches, the pre-check lets it run (it is exact: it only skips
    regexes that cannot match)."""
    pattern, text = case
    rx = ev.load_event_rules().pattern_rx[pattern]
    assert rx is not None
    checks = ev.slot_checks(pattern)
    for start in range(len(text)):
        if rx.match(text, start) is not None:
            assert hot.slots_may_match(text, start, checks), (pattern, text, start)


def test_slot_precheck_skips_most_failing_regexes(hot: ModuleType) -> None:
    """On real text most slot regexes that the automaton's anchors start fail, and the pre-check skips them."""
    rules = ev.load_event_rules()
    runs = skipped = 0
    for _, text in list(real_texts())[:40]:
        an = analyze(text)
        for h in an.hits_by_tag("trigger"):
            for key, form in zip(h.keys, h.forms, strict=True):
                rx = rules.pattern_rx.get(form) if key.startswith("patterns.") else None
                if rx is None:
                    continue
                runs += 1
                may = hot.slots_may_match(text, h.start, ev.slot_checks(form))
                assert may or rx.match(text, h.start) is None
                skipped += not may
    assert runs > 50 and skipped > runs // 3


# --- the choice of the events that happened -----------------------------------------------------------


@st.composite
def _scored_candidates(draw: st.DrawFn) -> list[ev.Candidate]:
    """Candidates of a few codes and roots close to each other, with tied probabilities and lexicon scores."""
    out = []
    for _ in range(draw(st.integers(0, 14))):
        code = draw(st.sampled_from(["190", "193", "1951", "180", "0841", "046", "195"]))
        start = draw(st.integers(0, 400))
        trig = ev.Trigger(code=code, score=draw(st.sampled_from([0.5, 0.7, 0.9])))
        p = draw(st.sampled_from([0.0, 0.2, 0.3, 0.5, 0.63, 0.7, 0.9, 0.95]))
        c = ev.Candidate(start, start + draw(st.integers(1, 40)), code, trig, 0, {})
        c.probs = {"none": 1.0 - p, "happened": p, "background": 0.0, "other": 0.0}
        out.append(c)
    return out


@settings(max_examples=400, deadline=None)
@given(
    _scored_candidates(),
    st.sampled_from([0.2, 0.3, 0.63]),
    st.sampled_from([0.3, 0.63, 0.9]),
    st.integers(0, 3),
)
def test_choice_of_happened_events_is_the_same_on_both_paths(
    hot: ModuleType, cands: list[ev.Candidate], emit_top: float, emit_happened: float, top_events: int
) -> None:
    """The compiled choice (typed arrays, the candidates near a trigger found by a scan) takes the same
    candidates in the same order as ``_choose_happened``: ties of probability and start, the article's top
    roots, more specific triggers of another root and accepted mentions nearby."""
    import dataclasses

    models = ev.load_event_models()
    assert models is not None
    models = dataclasses.replace(
        models, emit_top=emit_top, emit_happened=emit_happened, top_events=top_events
    )
    ref_out, ref_taken = ev._choose_happened(cands, models)
    out, taken = hot.choose_happened(cands, emit_top, emit_happened, top_events, ev.SAME_MENTION)
    assert [(id(c), m, p) for c, m, p in out] == [(id(c), m, p) for c, m, p in ref_out]
    assert {k: id(c) for k, c in taken.items()} == {k: id(c) for k, c in ref_taken.items()}
    assert list(taken) == list(ref_taken)


@settings(max_examples=300, deadline=None)
@given(_scored_candidates(), st.sampled_from([0.2, 0.3, 0.63]), st.integers(0, 14), st.integers(0, 9))
def test_other_mentions_of_an_event_are_the_same_on_both_paths(
    hot: ModuleType, cands: list[ev.Candidate], emit_top: float, pick: int, max_pool: int
) -> None:
    """``same_event``'s pool (the other candidates of the root that happened, the first ``MAX_POOL``)."""
    import dataclasses

    if not cands:
        return
    models = ev.load_event_models()
    assert models is not None
    models = dataclasses.replace(models, emit_top=emit_top)
    c = cands[pick % len(cands)]
    ref = on_path(False, lambda: ev.same_event(c, cands, "happened", models))
    assert on_path(True, lambda: ev.same_event(c, cands, "happened", models)) == ref
    got = hot.same_event_pool(c, cands, emit_top, max_pool)
    assert [id(x) for x in got] == [
        id(x) for x in cands if x is not c and x.code[:2] == c.code[:2] and x.probs["happened"] >= emit_top
    ][:max_pool]


def test_mentions_built_without_init_have_its_state(hot: ModuleType) -> None:
    """``new_mention`` sets the slots ``ActorMention(...)`` sets; a class that is not plain is called."""
    from dataclasses import dataclass

    for args in [(3, 9, "Hamas", False, None), (0, 4, "Gaza", True, "PS"), (5, 6, "x", False, "ID")]:
        got = hot.new_mention(ev.ActorMention, *args)
        assert type(got) is ev.ActorMention and got == ev.ActorMention(*args)
        assert [getattr(got, f) for f in ev.ActorMention.__slots__] == list(args)

    @dataclass
    class Other:
        start: int
        end: int
        name: str
        is_place: bool = False
        country: str | None = None

        def __post_init__(self) -> None:
            self.name = self.name.upper()

    assert hot.new_mention(Other, 1, 2, "x").name == "X"


def test_merged_events_built_without_model_copy_have_its_state(hot: ModuleType) -> None:
    """``_with_evidence`` on the compiled path builds what ``model_copy(update=...)`` builds."""
    from streams.core.records import CameoEvent

    values = {
        "code": "190", "label": "use conventional military force", "score": 0.8125, "evidence": [(3, 9)],
        "actors": ["Israel"], "source_actor": "Israel", "target_actor": None, "negated": False,
        "modality": "happened",
    }  # fmt: skip
    for e in (hot.new_model(CameoEvent, dict(values)), CameoEvent.model_construct(**dict(values))):
        ref = e.model_copy(update={"evidence": [(3, 9), (20, 25)]})
        got = on_path(True, lambda e=e: ev._with_evidence(e, [(3, 9), (20, 25)]))
        assert list(got.__dict__.items()) == list(ref.__dict__.items())
        assert got.model_fields_set == ref.model_fields_set
        assert (got.__pydantic_extra__, got.__pydantic_private__) == (
            ref.__pydantic_extra__,
            ref.__pydantic_private__,
        )
        assert got.evidence == [(3, 9), (20, 25)] and e.evidence == [(3, 9)]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "?", " ", "\u2003", "\n", "?\u00a0", "”", "\x1c", "é"]), max_size=12).map(
        "".join
    ),
    st.integers(0, 14),
    st.integers(0, 14),
)
def test_question_test_is_the_sliced_one(hot: ModuleType, body: str, s0: int, s1: int) -> None:
    """The compiled "ends in a question mark" scan is ``body[s0:s1].rstrip().endswith("?")``."""
    assert hot.ends_in_question(body, s0, s1) == body[s0:s1].rstrip().endswith("?")


class _Span:
    def __init__(self, start: int, end: int, tag: int):
        self.start, self.end, self.tag = start, end, tag


@settings(max_examples=200, deadline=None)
@given(
    spans=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40),
    neg_end=st.booleans(),
)
def test_c_sort_is_pythons_stable_sort(hot: ModuleType, spans: list[tuple[int, int]], neg_end: bool) -> None:
    """``sorted_by`` (the trigger, candidate and mention sorts) orders as ``sorted(key=...)``: ties (many here:
    small offsets) keep the input order."""
    tuples = [(s, e, i) for i, (s, e) in enumerate(spans)]
    objs = [_Span(s, e, i) for i, (s, e) in enumerate(spans)]
    sign = -1 if neg_end else 1
    want = sorted(tuples, key=lambda t: (t[0], sign * t[1]))
    assert hot.sorted_by(tuples, True, neg_end) == want
    got = hot.sorted_by(objs, False, neg_end)
    assert [(o.start, o.end, o.tag) for o in got] == want


def test_event_data_files_parse_the_same_through_libyaml() -> None:
    """``load_event_rules`` reads its YAML through ``core.hot.read_yaml`` (libyaml): the same data as
    ``yaml.safe_load``."""
    from streams.core.hot import read_yaml

    for name in ("cameo.yaml", "patterns.yaml", "actors.yaml"):
        text = (ev._DATA / name).read_text(encoding="utf-8")
        assert read_yaml(text) == yaml.safe_load(text), name


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=";:, ab\u00e9\u2014.\n", max_size=60),
    literals=st.lists(st.text(alphabet=";:, a\u00e9\u2014", min_size=1, max_size=3), min_size=1, max_size=5),
)
def test_literal_scan_is_the_alternation_regex(hot: ModuleType, text: str, literals: list[str]) -> None:
    """``literal_ends`` (the clause punctuation) ends where the alternation of the escaped literals' matches
    end: the first literal in order wins at a position, the scan goes on after it (overlapping prefixes
    such as "," and ", " drawn here)."""
    rx = re.compile("|".join(re.escape(x) for x in literals))
    assert hot.literal_ends(text, tuple(literals)) == [m.end() for m in rx.finditer(text)]


def test_clause_breaks_are_the_same_on_both_paths(hot: ModuleType) -> None:
    rules = ev.load_event_rules()
    assert rules.clause_punct_literals  # ";", ":", ", "
    for _, text in real_texts():
        want = [m.end() for m in rules.clause_punct.finditer(text)]
        assert ev._clause_punct_ends(text, rules) == want


# --- wave 8: attribute reads without look-up, titled mentions, namedtuple construction -------------------


class _Slotted:
    __slots__ = ("end", "name", "start")

    def __init__(self, start: int, end: int, name: str):
        self.start, self.end, self.name = start, end, name


class _SlottedProperty(_Slotted):
    """A subclass whose ``name`` is a property: the slot must not be read for it."""

    __slots__ = ()

    def __init__(self, start: int, end: int, name: str):
        self.start, self.end = start, end
        _Slotted.name.__set__(self, name)  # type: ignore[attr-defined]  # the base's slot holds a value

    @property  # type: ignore[override]
    def name(self) -> str:
        return "from the property"


class _Hooked:
    """Attribute access overridden: only ``getattr`` gives its answers."""

    def __init__(self) -> None:
        self.start, self.end, self.name = 1, 2, "plain"

    def __getattribute__(self, key: str) -> Any:
        return "hooked" if key == "name" else object.__getattribute__(self, key)


class _Defaults:
    """A plain class: instance values, a class default, a non-data descriptor shadowed by the instance."""

    name = "class default"

    def __init__(self, start: int) -> None:
        self.start = start
        self.end = start + 1


def test_field_reads_are_getattr(hot: ModuleType) -> None:
    """``_Fields`` reads exactly what ``getattr`` reads: slots of a slotted dataclass (``ActorMention``,
    ``Hit``), instance dicts with class defaults (``Candidate``, the frozen ``Trigger``), a subclass that makes a
    slot a property, a class that overrides attribute access, a namedtuple; an unset slot raises as getattr does,
    and instances of several classes in one list rebind per class."""
    from streams.core.analysis import Hit
    from streams.nlp.classify_match import Match

    names = ("start", "end", "name")
    objs: list[Any] = [
        ev.ActorMention(3, 9, "Hamas", True, "PS"),
        _Slotted(1, 4, "a"),
        _SlottedProperty(2, 5, "b"),
        _Slotted(7, 8, "c"),
        _Defaults(4),
        Match(1, 2, "name-less"),
        ev.ActorMention(0, 1, "Israel"),
    ]
    with_name = [o for o in objs if not isinstance(o, Match)]
    assert hot.field_values(with_name, names) == [tuple(getattr(o, k) for k in names) for o in with_name]
    assert hot.field_values([Match(1, 2, "k")], ("start", "end", "key")) == [(1, 2, "k")]
    hooked = _Hooked.__new__(_Hooked)
    object.__setattr__(hooked, "start", 1)
    object.__setattr__(hooked, "name", "plain")
    assert hot.field_values([hooked], ("name",)) == [("hooked",)]
    trig = ev.Trigger("190", score=0.9, location=True)
    cand = ev.Candidate(1, 5, "190", trig, 0, {})
    cand.probs = {"happened": 0.5}
    cf = ("start", "end", "code", "probs", "trig", "sent", "cues_before")
    assert hot.field_values([cand], cf) == [tuple(getattr(cand, k) for k in cf)]
    tf = ("code", "score", "location", "needs_cue")
    assert hot.field_values([trig], tf) == [tuple(getattr(trig, k) for k in tf)]
    hit = Hit(0, 4, 0, 1, "trigger", ("patterns.1",), ("serang",), False)
    assert hot.field_values([hit], ("start", "end", "keys", "forms")) == [
        (0, 4, ("patterns.1",), ("serang",))
    ]
    unset = ev.ActorMention.__new__(ev.ActorMention)
    with pytest.raises(AttributeError):
        hot.field_values([unset], ("start",))


def test_field_writes_are_setattr(hot: ModuleType) -> None:
    """A slot written through its offset holds what ``setattr`` would set (the old value released); a frozen
    class still refuses the write."""
    import sys

    m = ev.ActorMention(1, 2, "old")
    value = "a name only this test holds" + str(id(m))
    before = sys.getrefcount(value)
    hot.set_field(m, ("start", "end", "name"), 2, value)
    held = sys.getrefcount(value)  # (read before an assert: pytest's rewriting holds what it shows)
    same = m.name is value
    hot.set_field(m, ("start", "end", "name"), 2, "new")
    released = sys.getrefcount(value)
    assert same and held == before + 1
    assert m.name == "new" and released == before
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        hot.set_field(ev.Trigger("190"), ("code",), 0, "191")


def test_namedtuples_built_directly_are_tuple_new(hot: ModuleType) -> None:
    """``new_triple`` gives what ``tuple.__new__`` gives: same class, items, fields, equality and hash."""
    from streams.nlp.classify_match import Match

    key = ("actor", ("Israel", "Israel", False, "IL"))
    got = hot.new_triple(Match, 3, 9, key)
    ref = tuple.__new__(Match, (3, 9, key))
    assert type(got) is Match and got == ref and hash(got) == hash(ref)
    assert (got.start, got.end, got.key) == (3, 9, key)
    assert hot.new_triple(tuple, 1, 2, 3) == (1, 2, 3)


@settings(max_examples=200, deadline=None)
@given(
    _texts(), st.sampled_from(["", "\n", "Presiden ", "Menteri Luar Negeri ", "President Joe Biden said. "])
)
def test_actor_mentions_are_the_same_on_both_paths(hot: ModuleType, text: str, lead: str) -> None:
    """The compiled titled-name pass (and the rest of ``find_actor_mentions``) finds the mentions the reference
    finds: titles, names cut at a gazetteer mention or a word that is no name, surnames, headline lines."""
    body = lead + text
    low = lower_same_length(body)

    def run() -> list[tuple[int, int, str, bool, str | None]]:
        return [(m.start, m.end, m.name, m.is_place, m.country) for m in ev.find_actor_mentions(body, low)]

    assert on_path(True, run) == on_path(False, run)


def test_actor_mentions_of_real_text_are_the_same_on_both_paths(hot: ModuleType) -> None:
    """The same on the generated articles and the real pages, with the entity stage's entities."""
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    pipe = build_pipeline(Settings(), MemoryState())
    n = 0
    for art_id, text in list(real_texts())[:120]:
        doc = pipe.run_doc(RawArticle(id=art_id, text=text))
        body, ents = doc.body, doc.entities
        low = lower_same_length(body)

        def run(b: str = body, lo: str = low, es: Any = ents) -> list[tuple[Any, ...]]:
            return [
                (m.start, m.end, m.name, m.is_place, m.country) for m in ev.find_actor_mentions(b, lo, es)
            ]

        got = on_path(True, run)
        assert got == on_path(False, run), art_id
        n += len(got)
    assert n > 500


def test_named_tuples_built_directly_are_their_constructor(hot: ModuleType) -> None:
    """``new_tuple`` gives what the named tuple's own constructor gives (``_SentInfo`` with every field), and
    calls the class for a tuple subclass with a ``__new__`` of its own."""
    items = (True, ((3, "old"),), ("death_toll",), (4, 9), 2, 5, (7,))
    got = hot.new_tuple(ev._SentInfo, items)
    assert type(got) is ev._SentInfo and got == ev._SentInfo(*items) and got.speech == (7,)

    class Odd(tuple):  # type: ignore[type-arg]
        def __new__(cls, *xs: Any) -> Odd:
            return super().__new__(cls, tuple(reversed(xs)))

    assert hot.new_tuple(Odd, (1, 2)) == (2, 1)


_DATE_BITS = (
    "12", "3", "24", "2023", "1999", "2105", "31", "007", "4/11", "24/11/2023", "(24/11)", "( 5/6/2024 )", "/",
    "March", "Maret", "Okt.", "Sept", "in", "sejak", "tahun", "pada", "October 7, 2023", "7th", "١٢", "²", "12,5",
    "1.000", "3 juta", "\n", "\u00a0", "-", ",", ".", "Jumat",
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_DATE_BITS), min_size=1, max_size=40), st.sampled_from([" ", "", "\u00a0", "\n"])
)
def test_dates_are_the_same_on_both_paths(hot: ModuleType, bits: list[str], glue: str) -> None:
    """The compiled date places (digit places where no date form can start left out) give the dates the
    reference's places give, and never leave out a place where the date regex matches."""
    from streams.nlp import event_time as et

    body = glue.join(bits) if glue else " ".join(bits).replace(" /", "/")
    an = analyze(body)
    kept = hot.date_places_may_match(body, an.starts, an.lowers, et._anchor_words())
    _, rx = et._regex()
    every = list(et._token_places(an.starts, an.lowers))
    assert set(kept) <= set(every) and all(p in kept for p in every if rx.match(body, p))
    assert on_path(True, lambda: et.find_dates(body, an.starts, an.lowers)) == on_path(
        False, lambda: et.find_dates(body, an.starts, an.lowers)
    )


def test_dates_of_real_text_are_the_same_on_both_paths(hot: ModuleType) -> None:
    from streams.nlp import event_time as et

    n = 0
    for _, text in real_texts():
        an = analyze(text)
        got = on_path(True, lambda t=text, a=an: et.find_dates(t, a.starts, a.lowers))
        assert got == on_path(False, lambda t=text, a=an: et.find_dates(t, a.starts, a.lowers))
        n += len(got)
    assert n > 100


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 12), st.integers(1, 6), st.sampled_from(["190", "193", "1823", "042", "04", "2"])
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_longest_match_per_start_and_root_is_the_dict_of_the_reference(
    hot: ModuleType, rows: list[tuple[int, int, str]], keep_order: bool
) -> None:
    """What ``events.find_candidates`` keeps per (start, CAMEO root): the first match of the greatest end, in the
    order of each key's first match; for matches sorted by start (the context's) and for any order."""
    trigs = {code: ev.Trigger(code) for code in ("190", "193", "1823", "042", "04", "2")}
    hits = [(s, s + w, trigs[code]) for s, w, code in rows]
    if not keep_order:
        hits.sort(key=lambda t: (t[0], t[1]))
    best: dict[tuple[int, str], tuple[int, int, ev.Trigger]] = {}
    for start, end, trig in hits:  # the reference's loop
        key = (start, trig.code[:2])
        old = best.get(key)
        if old is None or end > old[1]:
            best[key] = (start, end, trig)
    got = hot.longest_per_start_root(hits)
    assert [(t[0], t[1], id(t[2])) for t in got] == [(t[0], t[1], id(t[2])) for t in best.values()]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["190", "193", "1312", "2041", "1053", "042"]),
            st.integers(0, 40),
            st.sampled_from([0.05, 0.2, 0.35, 0.5, 0.7, 0.9]),
            st.sampled_from([0.1, 0.3, 0.5]),
            st.sampled_from(
                ["", "rule=demand", "rule=intent", "rule=negated", "rule=none", "rule=asserted_threat"]
            ),
            st.sampled_from(["", "ca=negation_after", "question"]),
        ),
        max_size=14,
    ),
    st.sets(st.sampled_from(["190", "193", "042"])),
)
def test_choice_of_other_events_is_the_reference(
    hot: ModuleType, rows: list[tuple[str, int, float, float, str, str]], taken_codes: set[str]
) -> None:
    """``choose_other`` gives what ``events._choose_other`` gives: the same candidates, modalities and scores,
    in the same order (ties of P(event) and start included)."""
    models = ev.load_event_models()
    assert models is not None
    cands = []
    for code, start, p_none, p_bg, rule, extra in rows:
        c = ev.Candidate(start, start + 5, code, ev.Trigger(code), 0, {})
        c.feats = {k: 1.0 for k in ("lex_score", rule, extra) if k}
        c.probs = {"none": p_none, "happened": 0.0, "background": p_bg, "other": round(1 - p_none - p_bg, 6)}
        cands.append(c)
    taken = {code: cands[0] for code in taken_codes} if cands else {}
    ref = ev._choose_other(cands, models, taken)
    got = hot.choose_other(
        cands,
        taken,
        models.emit_modal,
        models.emit_other,
        ev._RULE_MODALITY,
        ev._THREAT_ROOTS,
        ev._other_modality,
    )
    assert [(id(c), m, p) for c, m, p in got] == [(id(c), m, p) for c, m, p in ref]
