"""Name spans shaped by head words: institution heads, place type words, place tails (``name_heads.yaml``)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from typing import Any

from streams.core.hot import read_yaml
from streams.nlp.kb import KB_DIR

__all__ = ["Heads", "head_runs", "is_head", "load_heads", "place_tail_end", "tail_head_start"]

_JOINERS = frozenset(["dan", "and", "of", "for", "the", "&", "de", "untuk"])
#: Words that coordinate two names: a place run stops there ("Desa Wonorejo | dan Desa Kebonagung").
_COORDINATORS = frozenset(["dan", "and"])
_ATTACHED = frozenset(["/", "-", ".", "&"])


@dataclass(frozen=True)
class Heads:
    """The word lists of ``name_heads.yaml``, as token tuples for multi-word heads."""

    org: dict[str, tuple[tuple[str, ...], ...]]
    weak: frozenset[str]
    tail_org: frozenset[str]
    org_lead: frozenset[str]
    place: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    place_tails: dict[str, tuple[tuple[str, ...], ...]]
    place_leads: frozenset[str]
    facility: frozenset[str]
    hyphen_suffixes: frozenset[str]
    hyphen_prefixes: frozenset[str]
    not_entities: frozenset[str]
    place_after: dict[str, str]
    place_before: dict[str, str]
    person_cues: dict[str, frozenset[str]]
    extra_titles: frozenset[str]
    hyphen_name_prefixes: frozenset[str]
    firsts: frozenset[str] = frozenset()
    free_before: frozenset[str] = frozenset()
    #: academic degrees after a person's name (the stop-less form of each word: "S.H." -> "S.H")
    degrees: frozenset[str] = frozenset()
    #: lower-case place nouns after a place that belong to its mention: first word -> word tuples
    place_in_name: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)


def _by_first(phrases: Sequence[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:
        toks = tuple(str(p).rstrip(".").split())
        out.setdefault(toks[0], []).append(toks)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@lru_cache(maxsize=1)
def load_heads() -> Heads:
    """The head-word lists (``streams/data/kb/name_heads.yaml``)."""
    d: dict[str, Any] = read_yaml((KB_DIR / "name_heads.yaml").read_text(encoding="utf-8"))
    place: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for typ, words in d["place_heads"].items():
        for p in words:
            toks = tuple(str(p).rstrip(".").split())
            place.setdefault(toks[0], []).append((toks, str(typ)))
    org = _by_first([*d["org_heads"], *d["org_weak_heads"]])
    return Heads(
        firsts=frozenset(org) | frozenset(place),
        free_before=frozenset(str(w) for w in d["head_free_before"]),
        org=org,
        weak=frozenset(str(w) for w in d["org_weak_heads"]),
        tail_org=frozenset(str(w) for w in d["org_tail_heads"]),
        org_lead=frozenset(str(w) for w in d["org_lead_words"]),
        place={k: tuple(sorted(v, key=lambda x: len(x[0]), reverse=True)) for k, v in place.items()},
        place_tails=_by_first(d["place_tails"]),
        place_leads=frozenset(str(w) for w in d["place_leads"]),
        facility=frozenset(str(w) for w in d["facility_heads"]),
        hyphen_suffixes=frozenset(str(w) for w in d["hyphen_suffixes"]),
        hyphen_prefixes=frozenset(str(w) for w in d["hyphen_prefixes"]),
        not_entities=frozenset(str(w) for w in d["not_entities"]),
        place_after={str(w): str(t) for t, ws in d["place_nouns_after"].items() for w in ws},
        place_before={str(w): str(t) for t, ws in d["place_nouns_before"].items() for w in ws},
        person_cues={
            str(k): frozenset(str(w).split()[-1] for w in v) for k, v in d["person_cues_before"].items()
        },
        extra_titles=frozenset(x for w in d["extra_titles"] for x in (str(w), str(w).rstrip("."))),
        hyphen_name_prefixes=frozenset(str(w) for w in d["hyphen_name_prefixes"]),
        degrees=frozenset(str(w).rstrip(".") for w in d.get("person_degrees", [])),
        place_in_name=_by_first(d.get("place_nouns_in_name", [])),
    )


def is_head(words: Sequence[str]) -> bool:
    """Whether ``words`` are exactly an institution head or a place type word ("PT", "Rumah Sakit")."""
    h = load_heads()
    if not words:
        return False
    t = tuple(words)
    return t in h.org.get(words[0], ()) or any(toks == t for toks, _ in h.place.get(words[0], ()))


def _joins(
    words: Sequence[str],
    k: int,
    heads: Container[str],
    stops: Container[int],
    kb_starts: Container[int],
    spanned: bool = False,
) -> bool:
    """Whether the word after a connector goes on with the same name (not a new head, person, known
    name or acronym). An acronym goes on only when the tagger read one name across the connector
    (``spanned``: "Kementerian Hukum dan HAM"); else it is a name of its own ("Kementerian Sosial | dan
    BNPB", "Polda | dan KKB")."""
    w = words[k]
    return w not in heads and k not in stops and k not in kb_starts and (spanned or not w.isupper())


def _match(words: Sequence[str], i: int, hi: int, cands: Sequence[tuple[str, ...]]) -> int:
    """Tokens of the longest candidate phrase at ``words[i]`` (0 when none)."""
    for toks in cands:
        n = len(toks)
        if i + n <= hi and tuple(words[i : i + n]) == toks:
            return n
    return 0


class _RunReader:
    """Reads the name run after each head of one ``head_runs`` call: the article's tokens and stop
    sets, and the state of the run being read (``j`` the next token, ``end`` the run's end so far,
    ``names`` its capitalized words)."""

    def __init__(
        self,
        text: str,
        words: Sequence[str],
        starts: Sequence[int],
        ends: Sequence[int],
        caps: Sequence[bool],
        strong_stops: Container[int],
        org_stops: Container[int],
        stop_words: Container[str],
        kb_starts: Container[int],
        org_ends: Container[int],
        region_starts: Container[int],
        given_names: Container[str],
    ):
        self.h = load_heads()
        self.text, self.words, self.starts, self.ends, self.caps = text, words, starts, ends, caps
        self.strong_stops, self.org_stops, self.stop_words = strong_stops, org_stops, stop_words
        self.kb_starts, self.org_ends, self.region_starts = kb_starts, org_ends, region_starts
        self.given_names = given_names
        #: the tokens the tagger read as names (``head_runs``' ``named``; None: unknown)
        self.named: Container[int] | None = None
        # the run being read
        self.typ = ""
        self.hi = 0
        self.body_start = 0
        self.weak: Container[int] = strong_stops
        self.j = 0
        self.end = 0
        self.names = 0

    def gap(self, j: int) -> str:
        return self.text[self.ends[j - 1] : self.starts[j]]

    def inside_name(
        self, i: int, sent_start: int, free_before: Container[str], named: Container[int] | None = None
    ) -> bool:
        """ "Angkasa Pura I": the head word at ``i`` is inside another capitalized name (with ``named``,
        the tokens the tagger read as names, only when the word before the head is one of them:
        "Kanitlaka | Polres Situbondo")."""
        prev = self.words[i - 1]
        return (
            i - 1 > sent_start
            and self.caps[i - 1]
            and self.gap(i) == " "
            and prev not in free_before
            and not prev.isupper()
            and (named is None or i - 1 in named)
        )

    def head(self, i: int, hi: int) -> int:
        """Tokens of the institution head or place type word at ``i`` (0 when none); sets ``typ``."""
        words, h = self.words, self.h
        w = words[i]
        self.typ = ""
        n = 0
        cands = h.org.get(w)
        if cands and self.caps[i]:
            n = _match(words, i, hi, cands)
            self.typ = "ORGANIZATION" if n else ""
        if not n:
            pcands = h.place.get(w)
            if pcands and self.caps[i]:
                for toks, t in pcands:
                    if i + len(toks) <= hi and tuple(words[i : i + len(toks)]) == toks:
                        n, self.typ = len(toks), t
                        break
        return n

    def run(self, i: int, hi: int) -> int:
        """End token of the name run that starts with a head at ``i`` inside a sentence ending at
        ``hi``, or -1 when there is none (no head, no name word, a weak head with one word)."""
        n = self.head(i, hi)
        if not n:
            return -1
        j = i + n  # first token after the head
        if j < hi and self.words[j] == "." and self.gap(j) == "":
            j += 1  # "PT. POS Indonesia", "Jl. Sudirman"
        self.hi, self.body_start, self.j, self.end, self.names = hi, j, j, j, 0
        self.weak = self.org_stops if self.typ == "ORGANIZATION" else self.strong_stops
        while self.j < hi and self._step():
            pass
        if self.names == 0 or (
            self.typ == "ORGANIZATION" and self.words[i] in self.h.weak and self.names < 2
        ):
            return -1
        return self.end

    def _step(self) -> bool:
        """Read token ``j`` into the run; False when the run stops before it."""
        j = self.j
        if self._stops(j):
            return False
        g = self.gap(j)
        moved = self._punctuation(j, g)
        if moved is not None:
            return moved
        if g != " " and not (g == "" and j > self.body_start and (self.caps[j] or self.words[j].isdigit())):
            return False
        if j in self.org_ends and j in self.region_starts and self.names:
            return False  # "Partai Golkar | Jakarta": a known party's branch region
        return self._word(j)

    def _stops(self, j: int) -> bool:
        """A person's name, a known name inside an organisation, or a title starts at ``j``."""
        wj = self.words[j]
        if j in self.strong_stops or (self.names and j in self.weak):
            return True
        if wj in self.stop_words:
            # a title or role word starts a person's title only before a name: one closing the run after a
            # name word is the name's own ("Desa Lubuk Besar,", "Desa Bandar Ratu ,"); a rank's initials
            # are not ("Polda Sulawesi Tenggara | AKBP, Harry …")
            return not (CLOSING_ROLE_WORDS and self.names and not wj.isupper() and self._closes(j))
        # "Dewan Pembina | Andi Mallarangeng": a given name starts a person's name
        return bool(
            self.names
            and wj in self.given_names
            and j + 1 < self.hi
            and self.caps[j + 1]
            and self.gap(j + 1) == " "
        )

    def _closes(self, j: int) -> bool:
        """Whether the capitalized run ends with the word at ``j`` (no capitalized word right after it)."""
        k = j + 1
        return k >= self.hi or not self.caps[k] or self.gap(k) != " " or not self.words[k][:1].isalnum()

    def _punctuation(self, j: int, g: str) -> bool | None:
        """A bracketed acronym, ``, dan`` or an attached ``/``/``-`` at ``j``: True when the run goes
        on past it, False when it stops there, None when there is none."""
        words, caps, hi, body_start = self.words, self.caps, self.hi, self.body_start
        wj = words[j]
        if (
            wj == "("
            and j == body_start
            and j + 3 < hi
            and words[j + 2] == ")"
            and words[j + 1].isupper()
            and caps[j + 3]
            and self.gap(j + 3) == " "
        ):
            self.j = j + 3  # "Rumah Sakit (RS) Kanker Dharmais": the acronym inside the name
            return True
        if (
            wj == ","
            and j > body_start
            and j + 2 < hi
            and words[j + 1].lower() in _COORDINATORS
            and self.typ == "ORGANIZATION"
        ):
            k = j + 2  # "Badan Meteorologi Klimatologi, dan Geofisika"
            if (
                caps[k]
                and self.gap(k) == " "
                and _joins(words, k, self.h.org, self.weak, self.kb_starts, self._spanned(j - 1, k))
            ):
                self.j = k
                return True
            return False
        if (
            g == ""
            and wj in _ATTACHED
            and j + 1 < hi
            and self.gap(j + 1) == ""
            and j > body_start
            and words[j + 1][:1].isalnum()
        ):
            self.j = self.end = j + 2  # "321/GT", "Al-Aqsa"
            return True
        return None

    def _word(self, j: int) -> bool:
        """A capitalized word, a short number or a connector followed by a name word at ``j``."""
        words, caps = self.words, self.caps
        wj = words[j]
        if caps[j] and any(c.isalpha() for c in wj):
            if (
                j > self.body_start
                and self.typ == "ORGANIZATION"
                and wj in self.h.org
                and words[j - 1].isupper()
            ):
                return False  # "Komisi I DPR | Fraksi Golkar"
            self.names += 1
            self.j = self.end = j + 1
            return True
        if wj.isdigit() and len(wj) <= 3:
            nxt = words[j + 1] if j + 1 < self.hi else ""
            if nxt[:1].islower() and (self.typ != "ORGANIZATION" or j > self.body_start):
                # "Gunung Muria | 9 km", "Polda Metro Jaya | 50 orang": a count follows the name; a
                # number right after an institution head is its unit's ("Yonif 411", "Brigif 20")
                return False
            self.j = self.end = j + 1
            return True
        if wj.lower() in _COORDINATORS and self.typ != "ORGANIZATION":
            return False  # "Desa Wonorejo | dan Desa Kebonagung": two places, not one
        if wj.lower() in _JOINERS and j > self.body_start:
            k = j + 1
            if (
                k < self.hi
                and caps[k]
                and self.gap(k) == " "
                and _joins(words, k, self.h.org, self.weak, self.kb_starts, self._spanned(j - 1, k))
            ):
                self.j = k
                return True
        return False

    def _spanned(self, a: int, b: int) -> bool:
        """Whether the tagger read the tokens ``a`` to ``b`` (a connector between them) as names: one name
        across the connector (a tagged name seldom starts or ends with a lower-case connector)."""
        named = self.named
        return named is not None and all(k in named for k in range(a, b + 1))


#: Whether an acronym after a connector goes on with an institution's name where the tagger read one name
#: across the connector ("Kementerian Hukum dan HAM", docs/ner13.md); False: an acronym never joins.
SPANNED_JOINS = True

#: Whether a title or role word that closes a place or institution run after a name word stays in it ("Desa
#: Lubuk Besar", "Desa Bandar Ratu"): a role word starts a title only before a name; False: it always stops.
CLOSING_ROLE_WORDS = True


def head_runs(
    text: str,
    words: Sequence[str],
    starts: Sequence[int],
    ends: Sequence[int],
    caps: Sequence[bool],
    sentences: Sequence[tuple[int, int]],
    strong_stops: Container[int],
    org_stops: Container[int],
    stop_words: Container[str],
    *,
    free_before: Container[str] = frozenset(),
    kb_starts: Container[int] = frozenset(),
    org_ends: Container[int] = frozenset(),
    region_starts: Container[int] = frozenset(),
    given_names: Container[str] = frozenset(),
    named: Container[int] | None = None,
) -> list[tuple[int, int, str]]:
    """Token spans ``(lo, hi, type)`` of capitalized runs that start with an institution head (type
    ``ORGANIZATION``) or a place type word (``GPE``/``LOC``). A run goes on over capitalized words,
    connectors between them, short numbers and attached ``/``/``-``; it stops at a line break or other
    punctuation, where a person's name starts (``strong_stops``; for an organisation also ``org_stops``
    once the run holds a name word), at a word in ``stop_words``
    (titles), and before another head after a connector or an acronym ("Komisi I DPR | Fraksi Golkar").
    A connector does not join a known name or an acronym (``kb_starts``: "Partai Golkar | dan PKS"), a
    known organisation's region is not part of it (``org_ends``, ``region_starts``: "Partai Golkar |
    Jakarta"), and a head inside a capitalized name starts nothing ("Angkasa Pura I"; a capitalized word
    before the head must be in ``free_before`` (titles, roles, sentence starters), be an acronym or the
    first word of the sentence; with ``named``, the word must also be one the tagger read as a name). One
    pass over the
    tokens."""
    out: list[tuple[int, int, str]] = []
    firsts = load_heads().firsts
    cand = [i for i in compress(range(len(words)), map(firsts.__contains__, words)) if caps[i]]
    if not cand:
        return out
    sent_starts = [lo for lo, _ in sentences]
    reader = _RunReader(
        text,
        words,
        starts,
        ends,
        caps,
        strong_stops,
        org_stops,
        stop_words,
        kb_starts,
        org_ends,
        region_starts,
        given_names,
    )
    reader.named = named if SPANNED_JOINS else None
    last = 0
    for i in cand:
        if i < last:
            continue
        s = bisect_right(sent_starts, i) - 1
        if s < 0:
            continue
        hi = sentences[s][1]
        if i >= hi or reader.inside_name(i, sent_starts[s], free_before, named):
            continue
        end = reader.run(i, hi)
        if end < 0:
            continue
        out.append((i, end, reader.typ))
        last = end
    return out


def place_tail_end(
    text: str, words: Sequence[str], starts: Sequence[int], ends: Sequence[int], hi: int, n: int
) -> int:
    """End (token index, at most ``n``) of a place name followed by its tail words ("Papua | Pegunungan",
    "Jawa | Timur", "Papua | Province")."""
    tails = load_heads().place_tails
    while 0 < hi < n and text[ends[hi - 1] : starts[hi]] == " ":
        cands = tails.get(words[hi])
        k = _match(words, hi, n, cands) if cands else 0
        if not k:
            break
        hi += k
    return hi


def tail_head_start(
    text: str,
    words: Sequence[str],
    starts: Sequence[int],
    ends: Sequence[int],
    caps: Sequence[bool],
    lo: int,
    stop: int,
    blocked: Container[str],
) -> int:
    """Start of an English organisation name that ends in a tail head ("Agency", "Centre"): the
    capitalized words right before ``lo`` (down to ``stop``, none in ``blocked``) belong to it."""
    h = load_heads()
    while (
        lo > stop
        and text[ends[lo - 1] : starts[lo]] == " "
        and caps[lo - 1]
        and any(c.isalpha() for c in words[lo - 1])
        and words[lo - 1] not in h.not_entities
        and words[lo - 1] not in blocked
    ):
        lo -= 1
    return lo
