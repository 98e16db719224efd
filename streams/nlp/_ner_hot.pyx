# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The compiled hot path of the name tagger (Cython): feature rows of the decoding windows, Viterbi.

Each function computes exactly what its pure-Python reference in ``streams.nlp.ner_crf`` computes
(the reference is the definition; ``tests/nlp/test_ner_hot.py`` checks the two agree on random and
real text):

- ``windows``      -> ``ner_crf.py_windows`` (the decoding windows: capitalized runs of every sentence)
- ``window_rows``  -> ``ner_crf.py_window_rows`` (the windows' tokens' eight group rows, cached per slot)
- ``emissions``    -> ``ner_crf.py_emissions`` (each token's label scores: its eight rows summed in order)
- ``decode``       -> ``ner_crf.py_decode`` (Viterbi over every window; numpy's first-maximum ties)
- ``free_caps``    -> ``entities.py_free_caps`` (capitalized tokens outside every mention, not first)
- ``view_tags``    -> ``entities.py_view_tags`` (knowledge-base tags and cover, sentences' first words)
- ``strip_bounds`` -> ``entities.py_strip_bounds`` (a tagged span's bounds without its leading and
  trailing non-name words)
- ``name_word``    -> ``entities.py_name_word`` (some word of a span is a name's)
- ``keep_span``    -> ``entities.py_keep_span`` (a span may be a name)
- ``tag_spans``    -> ``entities.py_tag_spans`` (the tagger's BIO tags as spans)
- ``kb_select``    -> ``kb.py_kb_select`` (the knowledge-base matches among the lexicon hits)
- ``view_caps``    -> ``entities.py_view_caps`` (the tokens written other than lower-case)
- ``headlines``    -> ``entities.py_headlines`` (sentences in capitals marked in ``firsts``)
- ``span_mentions`` -> ``entities.py_span_mentions`` (the per-span loop, with ``_extend_span`` and ``_link``)

Whole passes of the entities stage (entfast2), each used only while its reference's source is the one it
mirrors (``streams.nlp.ner_twins.MIRRORS``; ``tests/nlp/test_entities_twins.py``):

- ``text_view`` -> ``entities.text_view`` / ``_view``; ``head_runs_of`` -> ``_head_runs`` (and, under its own
  guard ``ner_twins.HEAD_RUNS``, ``name_heads.head_runs`` with ``_RunReader``: ``_head_runs_direct`` and ``_run_all``, hot13);
  ``shape_spans`` -> ``_shape_spans``
- ``kb_additions``, ``list_items``, ``capital_runs``, ``edge_words``, ``connector_joins``,
  ``doc_person_split`` -> the span passes of the same names (``_kb_additions`` ...)
- ``bracket_join``, ``retype``, ``washington``, ``coref`` -> ``_bracket_join``, ``_retype``,
  ``_washington``, ``_coref`` (with ``_bracket_acronyms`` and ``_spelled_acronyms``, hot13)
- ``group_mentions`` -> ``entities.group_mentions`` (``entity``: an ``Entity`` built without the
  validation call when pydantic would keep every value)
"""

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from libc.stdlib cimport free, malloc

from operator import itemgetter

import numpy as np

_FIRST = itemgetter(0)

__all__ = [
    "bracket_join",
    "capital_runs",
    "connector_joins",
    "coref",
    "decode",
    "doc_person_split",
    "edge_words",
    "emissions",
    "entity",
    "free_caps",
    "group_mentions",
    "head_runs_of",
    "headlines",
    "kb_additions",
    "kb_select",
    "keep_span",
    "list_items",
    "name_word",
    "new_slots",
    "retype",
    "shape_spans",
    "span_mentions",
    "spelled_initials",
    "strip_bounds",
    "tag_spans",
    "text_view",
    "view_caps",
    "view_tags",
    "washington",
    "window_positions",
    "window_rows",
    "windows",
]


cdef inline object _cached(dict cache, object key, object row, object group):
    """``cache[key]``, else ``cache[key] = row(group)`` (the row of a feature group's summed weights)."""
    cdef PyObject* got = PyDict_GetItem(cache, key)
    if got is not NULL:
        return <object>got
    r = row(group)
    cache[key] = r
    return r


def windows(list flags, list sentences, Py_ssize_t gap, Py_ssize_t pad):
    """``(sentence start, sentence end, window start, window end)`` of every run of flagged
    (capitalized) tokens of each sentence, flagged tokens at most ``gap`` tokens apart sharing a run,
    widened by ``pad`` tokens inside the sentence."""
    cdef list out = []
    cdef Py_ssize_t n = len(flags), ns = len(sentences), si = 0, i = 0, j, k, lo = 0, hi = 0, a, b
    cdef Py_ssize_t reach = gap + 1
    while i < n:
        if not flags[i]:
            i += 1
            continue
        while si < ns and (<tuple>sentences[si])[1] <= i:
            si += 1
        if si == ns:
            break
        lo, hi = sentences[si]
        if i < lo:
            i += 1
            continue
        j = i
        k = i + 1
        while k < n and k < hi and k - j <= reach:
            if flags[k]:
                j = k
            k += 1
        a = i - pad
        b = j + 1 + pad
        out.append((lo, hi, a if a > lo else lo, b if b < hi else hi))
        i = j + 1
    return out


cdef inline dict _inner(dict outer, object key):
    """``outer.setdefault(key, {})``."""
    cdef PyObject* got = PyDict_GetItem(outer, key)
    if got is not NULL:
        return <dict>got
    d = {}
    outer[key] = d
    return d


cdef inline object _cached2(dict inner, object key, object row, object group):
    """``inner[key]``, else ``inner[key] = row(group)``."""
    cdef PyObject* got = PyDict_GetItem(inner, key)
    if got is not NULL:
        return <object>got
    r = row(group)
    inner[key] = r
    return r


def window_rows(
    list words,
    list firsts,
    list kbtags,
    list windows,
    tuple wc,
    dict cm2,
    dict cm1,
    dict cp1,
    dict cp2,
    dict gc,
    dict kc,
    object row,
    str lang,
):
    """``(wins, rows)`` of ``windows`` (``(sentence start, sentence end, window start, window end)``):
    each window as ``(start, end, token before, token after)`` and, for each of its tokens in order,
    the rows of its eight feature groups (flat), read from the per-slot caches or made by ``row``.

    hot12: the bigram and knowledge-base caches are nested dicts keyed by the strings themselves
    (``gc[previous][word]``, ``kc[tag before][tag][tag after][capitalized]``), not by tuples: no tuple is
    built, hashed and compared per token. They hold the rows the reference's tuple-keyed caches hold (the
    same ``row`` of the same group), so the caller gives this function caches of its own."""
    cdef list wins = []
    cdef list rows = []
    cdef Py_ssize_t lo, hi, a, b, g
    cdef object r5, r6, cap
    cdef str w, p1, p2, n1, n2, kp, kn, kb
    cdef object first
    cdef dict wcf, inner
    cdef PyObject* got
    for win in windows:
        lo, hi, a, b = win
        wins.append((a, b, a > lo, b < hi))
        r6 = None
        for g in range(a, b):
            w = words[g]
            first = firsts[g]
            p1 = words[g - 1] if g > lo else "<s>"
            p2 = words[g - 2] if g - 2 >= lo else "<s>"
            n1 = words[g + 1] if g + 1 < hi else "</s>"
            n2 = words[g + 2] if g + 2 < hi else "</s>"
            kp = kbtags[g - 1] if g > lo else "<s>"
            kb = kbtags[g]
            kn = kbtags[g + 1] if g + 1 < hi else "</s>"
            cap = True if _first_upper(w) else False  # (``w[:1].isupper()``)
            wcf = <dict>wc[first]
            # (each group's tuple is built only when its row is not cached yet)
            got = PyDict_GetItem(wcf, w)
            rows.append(<object>got if got is not NULL else _cached(wcf, w, row, ("w", w, first, lang)))
            got = PyDict_GetItem(cm2, p2)
            rows.append(<object>got if got is not NULL else _cached(cm2, p2, row, ("c", p2, -2)))
            got = PyDict_GetItem(cm1, p1)
            rows.append(<object>got if got is not NULL else _cached(cm1, p1, row, ("c", p1, -1)))
            got = PyDict_GetItem(cp1, n1)
            rows.append(<object>got if got is not NULL else _cached(cp1, n1, row, ("c", n1, 1)))
            got = PyDict_GetItem(cp2, n2)
            rows.append(<object>got if got is not NULL else _cached(cp2, n2, row, ("c", n2, 2)))
            if r6 is not None:
                r5 = r6  # the bigram (previous, this) was the previous token's (this, next)
            else:
                inner = _inner(gc, p1)
                got = PyDict_GetItem(inner, w)
                r5 = <object>got if got is not NULL else _cached2(inner, w, row, ("g", p1, w))
            rows.append(r5)
            inner = _inner(gc, w)
            got = PyDict_GetItem(inner, n1)
            r6 = <object>got if got is not NULL else _cached2(inner, n1, row, ("g", w, n1))
            rows.append(r6)
            inner = _inner(_inner(_inner(kc, kp), kb), kn)
            got = PyDict_GetItem(inner, cap)
            rows.append(<object>got if got is not NULL else _cached2(inner, cap, row, ("k", kp, kb, kn, cap)))
    return wins, rows


def emissions(const double[:, ::1] mat, list rows, const double[::1] bias):
    """Label scores of every token: the eight rows of ``mat`` its group rows name (``rows``, eight per
    token), added in order, plus ``bias``: what numpy's ``mat[rows].sum(axis=1) + bias`` gives."""
    cdef Py_ssize_t L = mat.shape[1], n = len(rows) // 8, t, k, j, r
    out = np.empty((n, L), dtype=np.float64)
    cdef double[:, ::1] o = out
    cdef double acc
    cdef Py_ssize_t* rr = <Py_ssize_t*>malloc(8 * sizeof(Py_ssize_t))
    try:
        for t in range(n):
            for k in range(8):
                rr[k] = rows[t * 8 + k]
            for j in range(L):
                acc = mat[rr[0], j]
                for k in range(1, 8):
                    acc = acc + mat[rr[k], j]
                o[t, j] = acc + bias[j]
    finally:
        free(rr)
    return out


def window_positions(list wins):
    """``CrfModel.tag_sentences``' token -> row of the emissions: the tokens of each window ``(start, end, ...)``
    in order, numbered from 0, as ``dict(zip(chain.from_iterable(map(range, starts, ends)), count()))`` builds it
    (a token in two windows keeps its first place in the dict and its last number; hot13)."""
    cdef dict pos = {}
    cdef Py_ssize_t a, b, g, r = 0
    cdef object w
    for w in wins:
        a = w[0]
        b = w[1]
        for g in range(a, b):
            pos[g] = r
            r += 1
    return pos


def decode(const double[:, ::1] emit, list wins, const double[:, ::1] trans):
    """Viterbi over every window (``emit``: the tokens' label scores, window after window; ``wins``:
    ``(start, end, token before, token after)``; ``trans``: label transitions): ``(token, label)`` of
    every token whose best label is not O (label 0). Ties go to the lowest label, as numpy's argmax."""
    cdef Py_ssize_t L = trans.shape[0]
    cdef Py_ssize_t nw = len(wins), w, t, i, j, a, b, n, off = 0, best, longest = 1
    cdef double v, m
    cdef bint before, after
    for win in wins:
        n = win[1] - win[0]
        if n > longest:
            longest = n
    cdef double* score = <double*>malloc(L * sizeof(double))
    cdef double* nxt = <double*>malloc(L * sizeof(double))
    cdef Py_ssize_t* back = <Py_ssize_t*>malloc(longest * L * sizeof(Py_ssize_t))
    cdef Py_ssize_t* path = <Py_ssize_t*>malloc(longest * sizeof(Py_ssize_t))
    cdef list out = []
    try:
        for w in range(nw):
            win = wins[w]
            a = win[0]
            b = win[1]
            before = win[2]
            after = win[3]
            n = b - a
            for j in range(L):
                score[j] = emit[off, j] + (trans[0, j] if before else 0.0)
            for t in range(1, n):
                for j in range(L):
                    best = 0
                    m = score[0] + trans[0, j]
                    for i in range(1, L):
                        v = score[i] + trans[i, j]
                        if v > m:
                            m = v
                            best = i
                    back[t * L + j] = best
                    nxt[j] = m + emit[off + t, j]
                for j in range(L):
                    score[j] = nxt[j]
            best = 0
            m = score[0] + (trans[0, 0] if after else 0.0)
            for j in range(1, L):
                v = score[j] + (trans[j, 0] if after else 0.0)
                if v > m:
                    m = v
                    best = j
            path[n - 1] = best
            for t in range(n - 1, 0, -1):
                best = back[t * L + best]
                path[t - 1] = best
            for t in range(n):
                if path[t] != 0:
                    out.append((a + t, path[t]))
            off += n
    finally:
        free(score)
        free(nxt)
        free(back)
        free(path)
    return out


def free_caps(list caps, list firsts, list starts, list words, frozenset skip, list mstarts, list mends):
    """The capitalized tokens that open no sentence, are no word of ``skip`` and start outside every
    mention (``mstarts`` / ``mends``: the mentions' character spans, sorted by start)."""
    cdef list out = []
    cdef Py_ssize_t n = len(caps), nm = len(mstarts), p = 0, j, s, reach = -1, e
    if len(firsts) != n or len(starts) != n or len(words) != n or len(mends) != nm:
        raise ValueError("caps, firsts, starts and words (and mstarts, mends) differ in length")
    for j in range(n):
        if not caps[j] or firsts[j] or words[j] in skip:
            continue
        s = starts[j]
        while p < nm and <Py_ssize_t>mstarts[p] <= s:
            e = mends[p]
            if e > reach:
                reach = e
            p += 1
        if s < reach:
            continue
        out.append(j)
    return out


cdef inline Py_ssize_t _bisect_left(list xs, Py_ssize_t x, Py_ssize_t lo, Py_ssize_t hi):
    """``bisect.bisect_left(xs, x, lo, hi)`` on a sorted list of ints."""
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) // 2
        if <Py_ssize_t>xs[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def view_tags(
    list words,
    list starts,
    list ends,
    list sentences,
    list hstarts,
    list hends,
    list hbio,
    frozenset openers,
):
    """``(kbtags, hit_toks, cover, firsts)`` of a text view: each knowledge-base hit's token span, its
    BIO tags (``hbio``: the (B, I) tags of its type, or None) and the tokens it covers (a token it
    starts inside too); each sentence's first word after openers, and the word after an opener inside
    a sentence."""
    cdef Py_ssize_t n = len(words), nh = len(hstarts), k, lo, i, j, hs, a, b
    if len(starts) != n or len(ends) != n or len(hends) != nh or len(hbio) != nh:
        raise ValueError("words, starts, ends (and the hits' lists) differ in length")
    cdef list kbtags = ["O"] * n
    cdef list hit_toks = []
    cdef list firsts = [False] * n
    cover = bytearray(n + 1)
    sent_end = bytearray(n + 1)
    cdef unsigned char[:] cv = cover
    cdef unsigned char[:] se = sent_end
    for k in range(nh):
        hs = hstarts[k]
        lo = _bisect_left(starts, hs, 0, n)
        if lo and <Py_ssize_t>ends[lo - 1] > hs:
            cv[lo - 1] = 1  # the hit starts inside the token before
        i = _bisect_left(starts, hends[k], lo, n)
        bio = hbio[k]
        if bio is not None and i > lo:
            kbtags[lo] = bio[0]
            for j in range(lo + 1, i):
                kbtags[j] = bio[1]
        hit_toks.append((lo, i))
        for j in range(lo, i):
            cv[j] = 1
    # openers of one character (as they are): a longer word is none, without the set look-up
    cdef bint single = all(len(o) == 1 for o in openers)
    cdef bytearray opener = bytearray(n + 1)
    cdef unsigned char[:] op = opener
    for j in range(n):
        w = words[j]
        if (not single or len(w) == 1) and w in openers:
            op[j] = 1
    for a, b in sentences:
        i = a
        while i < b and op[i]:
            i += 1
        if i < b:
            firsts[i] = True
        se[b] = 1
    for j in range(n - 1):
        if op[j] and not se[j + 1]:
            firsts[j + 1] = True
    return kbtags, hit_toks, cover, firsts


cdef inline bint _no_alnum(str w):
    """Whether ``w`` holds no letter or digit (``str.isalnum`` per character; the empty word too)."""
    cdef Py_UCS4 c
    for c in w:
        if c.isalnum():
            return False
    return True


cdef inline bint _first_lower(str w):
    """``w[:1].islower()``."""
    return len(w) > 0 and (<Py_UCS4>w[0]).islower()


cdef inline bint _has_alpha(str w):
    """``any(c.isalpha() for c in w)``."""
    cdef Py_UCS4 c
    for c in w:
        if c.isalpha():
            return True
    return False


cdef Py_ssize_t _strip_degrees(list words, Py_ssize_t lo, Py_ssize_t hi, frozenset degrees):
    """``entities._strip_degrees``: the end of a person's name without the degrees after it."""
    cdef Py_ssize_t k = hi, cut = hi
    cdef str w
    while k - lo > 1:
        w = words[k - 1]
        if w.rstrip(".") in degrees:
            cut = k - 1
        elif w != "," and w != ".":
            break
        k -= 1
    while cut - lo > 1:
        w = words[cut - 1]
        if w != "," and w != ".":
            break
        cut -= 1
    return cut


def strip_bounds(
    list words,
    list caps,
    list starts,
    list ends,
    Py_ssize_t lo,
    Py_ssize_t hi,
    bint person,
    bint org,
    tuple sets,
):
    """``(lo, hi)`` of a tagged span without its leading and trailing non-name words (see
    ``entities.py_strip_bounds``; ``sets``: titles, roles, honorifics, connectors, final abbreviations,
    degrees, organisations' leading titles)."""
    cdef frozenset titles = sets[0], roles = sets[1], honorifics = sets[2], connectors = sets[3]
    cdef frozenset final_abbrevs = sets[4], degrees = sets[5], org_lead = sets[6]
    cdef Py_ssize_t n = len(words), k
    cdef str w
    if len(caps) != n or len(starts) != n or len(ends) != n:
        raise ValueError("words, caps, starts and ends differ in length")
    if lo < 0 or hi > n:
        raise IndexError("span outside the words")
    while hi - lo > 1:
        w = words[lo]
        if (person and (w in titles or w in roles or w in honorifics)) or (
            _no_alnum(w) or (_first_lower(w) and (not org or w in connectors))
        ):
            lo += 1
        else:
            break
    if person:
        for k in range(hi - 2, lo - 1, -1):
            if words[k] in titles:
                lo = k + 1
                break
    while hi > lo:
        w = words[hi - 1]
        if w == "'s" or w == "’s" or w == "'S" or _no_alnum(w):
            hi -= 1
        else:
            break
    if not person and hi < n and caps[hi]:
        while hi - lo > 1:
            w = words[hi - 1]
            if w in titles and w not in org_lead:
                hi -= 1
            else:
                break
    if person:
        hi = _strip_degrees(words, lo, hi, degrees)
    while hi > lo and (<str>words[hi - 1]).islower():
        hi -= 1
    if (
        lo < hi < n
        and words[hi] == "."
        and words[hi - 1] in final_abbrevs
        and <Py_ssize_t>ends[hi - 1] == <Py_ssize_t>starts[hi]
    ):
        hi += 1
    return lo, hi


cdef bint _name_word(list words, Py_ssize_t lo, Py_ssize_t hi, frozenset unnamed):
    cdef Py_ssize_t k
    cdef str w
    if lo < 0 or hi > len(words):
        raise IndexError("span outside the words")
    for k in range(lo, hi):
        w = words[k]
        if w not in unnamed and _has_alpha(w):
            return True
    return False


def name_word(list words, Py_ssize_t lo, Py_ssize_t hi, frozenset unnamed):
    """Whether some word of ``words[lo:hi]`` is not in ``unnamed`` and holds a letter."""
    return _name_word(words, lo, hi, unnamed)


from libc.stdlib cimport qsort
from streams.core._csort cimport SortKey, cmp_sort_key


def kb_select(list found, str text, dict by_key, object case_ok, object make):
    """Of the lexicon hits ``found`` (sorted by start then end), longest first then leftmost, each
    that overlaps no hit taken before and has a known key (``by_key``) whose alias form is the
    surface or ``case_ok(form, surface)``, as ``make(start, end, entry, form)`` sorted by start.

    (hot13) The order is one C sort of (minus length, index) keys, as the reference's stable sort by minus
    length orders them, and the taken hits are put in start order by a second C sort (they do not overlap, so
    their starts differ); each hit's start and end are read once."""
    cdef Py_ssize_t nf = len(found), nt = len(text), i, j, s, e, k, nk, m, ntaken = 0
    cdef tuple keys, forms
    cdef str surface, form
    cdef PyObject* got
    cdef object h
    cdef list made = []
    if nf == 0:
        return []
    cdef SortKey* order = <SortKey*>malloc(nf * sizeof(SortKey))
    cdef SortKey* taken = <SortKey*>malloc(nf * sizeof(SortKey))
    cdef unsigned char* u = <unsigned char*>malloc(nt + 1)
    if order == NULL or taken == NULL or u == NULL:
        free(order)
        free(taken)
        free(u)
        raise MemoryError()
    try:
        memset(u, 0, nt + 1)
        for i in range(nf):
            h = found[i]
            s = h.start
            e = h.end
            order[i].a = s - e  # longest first
            order[i].b = s  # (then the given order: the index below; ``b`` keeps the start)
            order[i].i = i
        qsort(order, nf, sizeof(SortKey), _cmp_length_index)
        for j in range(nf):
            i = order[j].i
            s = order[j].b
            e = s - order[j].a
            if s < 0 or e <= s or e > nt:
                raise ValueError("a hit is empty or outside the text")
            if u[s] or u[e - 1]:
                continue
            h = found[i]
            surface = text[s:e]
            keys = h.keys
            forms = h.forms
            nk = len(keys)
            if len(forms) != nk:
                raise ValueError("a hit's keys and forms differ in length")
            for k in range(nk):
                got = PyDict_GetItem(by_key, keys[k])
                if got is NULL or <object>got is None:
                    continue
                form = forms[k]
                if form == surface or case_ok(form, surface):
                    for m in range(s, e):
                        u[m] = 1
                    taken[ntaken].a = s
                    taken[ntaken].b = 0
                    taken[ntaken].i = len(made)
                    ntaken += 1
                    made.append(_new_slots(make, (s, e, <object>got, form)))
                    break
        qsort(taken, ntaken, sizeof(SortKey), cmp_sort_key)
        return [made[taken[j].i] for j in range(ntaken)]
    finally:
        free(order)
        free(taken)
        free(u)


cdef int _cmp_length_index(const void *x, const void *y) noexcept nogil:
    """``qsort``'s comparison of two hits' keys: minus length (``a``), then index (``i``)."""
    cdef const SortKey *p = <const SortKey *> x
    cdef const SortKey *q = <const SortKey *> y
    if p.a != q.a:
        return -1 if p.a < q.a else 1
    return -1 if p.i < q.i else (1 if p.i > q.i else 0)


def keep_span(
    list words,
    str text,
    list starts,
    list ends,
    Py_ssize_t lo,
    Py_ssize_t hi,
    tuple sets,
    object is_head,
    object roman,
):
    """Whether the span ``words[lo:hi]`` may be a name (see ``entities.py_keep_span``; ``sets``: the
    words no name is made of, the non-entities, the heads' first words, the facility words)."""
    cdef frozenset unnamed = sets[0], not_entities = sets[1], head_firsts = sets[2], facility = sets[3]
    cdef Py_ssize_t n = len(words)
    if len(starts) != n or len(ends) != n:
        raise ValueError("words, starts and ends differ in length")
    if hi <= lo:
        return False
    if lo < 0 or hi > n:
        raise IndexError("span outside the words")
    if not _name_word(words, lo, hi, unnamed):
        return False
    cdef str first = words[lo]
    cdef str surface = text[<Py_ssize_t>starts[lo] : <Py_ssize_t>ends[hi - 1]]
    if len(surface) < 2 or surface in not_entities:
        return False
    if first in head_firsts and is_head(words[lo:hi]):
        return False
    if hi - lo == 1:
        if first in facility:
            return False
        return not roman(surface)
    return True


def tag_spans(list tags, list sentences):
    """The ``(start, end, type)`` spans of BIO ``tags``: a span ends before a "B-", a change of type, a
    gap, and at each sentence's end (``sentences``: ``(start, end)`` token ranges)."""
    cdef Py_ssize_t n = len(tags), k, i, start = -1, last = -1
    cdef list out = []
    cdef str tag, t, typ = ""
    sent_end = bytearray(n)
    cdef unsigned char[:] se = sent_end
    for sent in sentences:
        i = <Py_ssize_t>sent[1] - 1
        if i < 0:
            i += n  # a list's index from its end, as Python's
        if i < 0 or i >= n:
            raise IndexError("a sentence ends outside the tags")
        se[i] = 1
    for k in range(n):
        tag = tags[k]
        if tag == "O":
            continue
        if len(tag) == 0:
            raise IndexError("an empty tag")
        t = tag[2:]
        if typ and (tag[0] == "B" or t != typ or k != last + 1):
            out.append((start, last + 1, typ))
            typ = ""
        if not typ:
            start = k
            typ = t
        last = k
        if se[k]:
            out.append((start, k + 1, typ))
            typ = ""
    if typ:
        out.append((start, last + 1, typ))
    return out


# ---------------------------------------------------------------------------------------------
# The per-span loop of the entity recogniser: ``entities._span_mentions`` with ``_extend_span`` and
# ``_link`` (the references) written out here. The helpers the loop calls for the rarer cases (a
# person's first name, a person's tail, the knowledge base's names winning, a ministry's country, a
# place noun, hyphenated pieces, a place's tail, a head's place, a type the knowledge base disputes, an
# organisation's English name) are the reference's own, read from ``streams.nlp.entities`` at each call.

cdef object _entities = None


cdef object _ent():
    global _entities
    if _entities is None:
        from streams.nlp import entities

        _entities = entities
    return _entities


cdef tuple _extend_span(object E, object lex, object heads, object view, list words, list starts, list ends,
                        Py_ssize_t lo, Py_ssize_t hi, object typ, object kind, dict hit_at, dict hits,
                        dict loc_at):
    """``entities._extend_span``."""
    cdef Py_ssize_t n = len(words)
    cdef object inner
    if typ != "PERSON" and hi - lo >= 2 and words[lo] in heads.facility:
        inner = hit_at.get((starts[lo + 1], ends[hi - 1]))
        if inner is not None and inner.entry.type == "ORG":
            lo, typ, kind = lo + 1, "ORGANIZATION", "crf"
    if (hi + 1 < n and ends[hi - 1] == starts[hi]) or (lo >= 2 and ends[lo - 1] == starts[lo]):
        lo, hi = E._hyphen_join(view, lo, hi)
    if (
        typ == "LOCATION"
        and kind == "crf"
        and lo > 0
        and words[lo - 1] in lex.gpe_heads
        and ends[lo - 1] < starts[lo]
    ):
        lo -= 1
    if typ == "LOCATION" and hi < n and words[hi] in heads.place_tails:
        hi = E.place_tail_end(view.text, words, starts, ends, hi, E._sentence_end(view, hi - 1))
    if typ == "ORGANIZATION" and kind == "crf" and words[lo] in lex.org_heads and hi < n:
        hi = E._head_place_end(view, hi, hits, loc_at)
    return lo, hi, typ, kind


cdef class _LinkData:
    """What ``_link`` reads from the text view, ``entities`` and the lexicons, read once per ``span_mentions``
    call (hot13; nothing in the pass rebinds them)."""

    cdef list vstarts, vends, vwords
    cdef str text
    cdef object conll_to_kb, to_conll, mention, gpe_heads, loc_heads

    def __init__(self, object E, object lex, object view):
        self.vstarts, self.vends, self.vwords, self.text = view.starts, view.ends, view.words, view.text
        self.conll_to_kb, self.to_conll, self.mention = E._CONLL_TO_KB, E.KB_TO_CONLL, E.Mention
        self.gpe_heads, self.loc_heads = lex.gpe_heads, lex.loc_heads


cdef object _link(object E, _LinkData ld, object view, Py_ssize_t lo, Py_ssize_t hi, object typ, dict hit_at,
                  dict hits, object place_type, object model):
    """``entities._link``."""
    cdef list vstarts = ld.vstarts, vends = ld.vends, vwords = ld.vwords
    cdef object start = vstarts[lo], end = vends[hi - 1]
    cdef str surface = ld.text[start:end]
    cdef object kb_type = ld.conll_to_kb[typ]
    cdef object h = hit_at.get((start, end))
    cdef object entry = h.entry if h is not None else None
    cdef object inner, cands, c
    cdef dict to_conll = ld.to_conll
    cdef list same
    if entry is None and vwords[lo] in ld.gpe_heads and hi - lo > 1:
        inner = hit_at.get((vstarts[lo + 1], end))
        if inner is not None and inner.entry.type in ("GPE", "LOC"):
            entry = inner.entry
    if entry is not None and to_conll.get(entry.type) != typ:
        typ = E._link_type(view, lo, hi, typ, entry, model)
    if entry is None or to_conll.get(entry.type) != typ:
        cands = E.load_kb().candidates(surface)
        same = [c for c in cands if to_conll.get(c.type) == typ]
        entry = same[0] if same else None
    Mention = ld.mention
    if entry is not None and not (entry.ambiguous == "person_surname" and typ == "PERSON"):
        return _new_slots(Mention, (start, end, entry.type, entry.key, entry.name, 0.95, entry, "crf+kb"))
    if typ == "LOCATION" and (place_type == "LOC" or (not place_type and vwords[lo] in ld.loc_heads)):
        kb_type = "LOC"
    if typ == "ORGANIZATION":
        name = E._org_name(view, lo, hi, hits)
        return _new_slots(Mention, (start, end, kb_type, "org:" + surface.casefold(), name, 0.8, None, "crf"))
    prefix = "person:" if kb_type == "PERSON" else "place:"
    return _new_slots(Mention, (start, end, kb_type, prefix + surface, surface, 0.8, None, "crf"))  # (the defaults)


def span_mentions(object view, object model, list spans, set people, dict hit_at, dict hits):
    """``entities._span_mentions``: the mention of each shaped span (cleaned, extended, linked), in order."""
    cdef object E = _ent()
    cdef list out = []
    cdef list hit_starts = [h.start for h in view.kb_hits]
    cdef dict loc_at = {}
    cdef Py_ssize_t claimed = 0, lo, hi, cut, end, n
    cdef str text = view.text
    cdef list words = view.words, starts = view.starts, ends = view.ends, caps = view.caps
    cdef list firsts = view.firsts, kbtags = view.kbtags
    cdef object cover = view.hit_cover
    cdef object sp, typ, kind, m, person, lex = E._lex(), heads = E.load_heads()
    cdef object place_in_name = heads.place_in_name
    cdef object strip, keep, strip_sets = E._strip_sets(), keep_sets = E._keep_sets(), roman = E._ROMAN.fullmatch
    cdef object is_head = E.is_head, place_kinds = E._PLACE_KINDS
    strip, keep = E._span_checks()
    cdef _LinkData ld = _LinkData(E, lex, view)
    n = len(words)
    for sp in spans:
        if sp[2] == "LOCATION":
            loc_at[sp[0]] = sp[1]
    for sp in spans:
        lo = sp[0]
        if lo < claimed:
            continue
        hi = sp[1]
        typ = sp[2]
        kind = sp[3]
        if kind == "crf":
            person = typ == "PERSON"
            lo, hi = strip(words, caps, starts, ends, lo, hi, person, typ == "ORGANIZATION", strip_sets)
            # (``_first_name``'s first test: no capitalized word that opens no sentence before the span)
            if person and hi > lo and lo - 1 >= claimed and lo >= 1 and caps[lo - 1] and not firsts[lo - 1]:
                lo = E._first_name(view, model, lo, hi, claimed)
        if hi <= lo or (
            not keep(words, text, starts, ends, lo, hi, keep_sets, is_head, roman)
            and not E._tagger_keeps(view, model, lo, hi, typ, kind)
        ):
            continue
        lo, hi, typ, kind = _extend_span(E, lex, heads, view, words, starts, ends, lo, hi, typ, kind, hit_at,
                                         hits, loc_at)
        claimed = hi
        # (``_person_tail``'s first test: the last word is capitalized, opens no sentence, no known name's)
        if typ != "PERSON" and hi - lo >= 2 and caps[hi - 1] and not firsts[hi - 1] and kbtags[hi - 1] == "O":
            cut = E._person_tail(
                view, model, lo, hi, typ, E.PERSON_TAIL_DOC_MARGIN if words[hi - 1] in people else None
            )
            if cut:
                out.append(_link(E, ld, view, cut, hi, "PERSON", hit_at, hits, "", model))
                hi = cut
        if (
            kind == "crf"
            and _any_marked(cover, lo, hi)  # (``_kb_names_win``'s first test: a hit overlaps the span)
            and (starts[lo], ends[hi - 1]) not in hit_at
            and E._kb_names_win(view, lo, hi, typ, hit_starts)
        ):
            continue
        # (``_ministry_country``'s first tests: a known name right after the organisation)
        if typ == "ORGANIZATION" and hi < n and starts[hi] in hits:
            hi = E._ministry_country(view, lo, hi, typ, hits)
        m = _link(E, ld, view, lo, hi, typ, hit_at, hits, place_kinds.get(kind, ""), model)
        if hi < n and m.type in ("GPE", "LOC") and words[hi] in place_in_name:
            end = E._place_noun_end(view, hi)
            if end > hi:
                m.end = view.ends[end - 1]
                claimed = end
        out.append(m)
    return out


# ---------------------------------------------------------------------------------------------
# The text view's case marks: ``entities.py_view_caps`` and ``entities.py_headlines`` (the references).

from cpython.unicode cimport (
    Py_UNICODE_ISDIGIT,
    Py_UNICODE_ISALPHA as _ISALPHA,
    Py_UNICODE_ISLOWER as _ISLOWER,
    Py_UNICODE_ISTITLE as _ISTITLE,
    Py_UNICODE_ISUPPER as _ISUPPER,
)


def view_caps(list words, list lowers):
    """``[w != l for w, l in zip(words, lowers)]``: the tokens whose lowered form differs."""
    cdef Py_ssize_t n = len(words), i
    if len(lowers) != n:
        raise ValueError("words and lowers differ in length")
    cdef list out = [False] * n
    cdef str w, low
    for i in range(n):
        w = words[i]  # (a checked assignment: a non-str raises TypeError, as str.__ne__ does)
        low = lowers[i]
        if w != low:
            out[i] = True
    return out


cdef bint _isupper(str w):
    """``str.isupper``: some cased character, and none lower-case or title-case."""
    cdef bint cased = False
    cdef Py_UCS4 c
    for c in w:
        if _ISLOWER(c) or _ISTITLE(c):
            return False
        if not cased and _ISUPPER(c):
            cased = True
    return cased


cdef bint _all_caps(list words, Py_ssize_t lo, Py_ssize_t hi):
    """``entities._all_caps``: a headline or dateline in capitals."""
    cdef Py_ssize_t i, upper = 0, alpha = 0, alpha_upper = 0
    cdef str w
    for i in range(lo, hi):
        w = words[i]
        if _isupper(w):
            upper += 1
    if upper < 3:
        return False
    for i in range(lo, hi):
        w = words[i]
        if len(w) > 1 and _ISALPHA(w[0]):
            alpha += 1
            if _isupper(w):
                alpha_upper += 1
    return alpha >= 3 and <double> alpha_upper >= 0.8 * <double> alpha


def headlines(list words, list sentences, list firsts, object headline):
    """Every token of a sentence of three words or more written in capitals marked ``headline`` in
    ``firsts`` (in place): the loop of ``entities._view``."""
    cdef Py_ssize_t lo, hi, i
    for sent in sentences:
        lo, hi = sent
        if hi - lo >= 3 and _all_caps(words, lo, hi):
            for i in range(lo, hi):
                firsts[i] = headline


# ---------------------------------------------------------------------------------------------
# Instances of the recogniser's plain slots dataclasses (``Mention``, ``kb.KBMatch``) built by writing their
# slots: what the generated ``__init__`` does (``self.f = f`` for every field, nothing else), without a
# Python-level call. Any other class (a hand-written ``__init__``, ``__post_init__``, a field left out of
# ``__init__``, a slot that is no plain object slot) is called as before.

from cpython.object cimport PyTypeObject
from cpython.ref cimport Py_DECREF, Py_INCREF


from streams.core._cslots cimport PyMemberDef, PyMemberDescrObject, TypeSlots, alloc_instance
from streams.core._cslots cimport new_slots as _c_new_slots


cdef dict _slot_layouts = {}  # class -> tuple of slot offsets, or None: call the class (_cslots.new_slots)


cdef inline object _new_slots(object cls, tuple values):
    """``cls(*values)`` for a plain slots dataclass with exactly these fields (``_cslots.new_slots``)."""
    return _c_new_slots(cls, values, _slot_layouts)


def new_slots(cls, tuple values):
    """``cls(*values)``, by writing the slots of a plain slots dataclass (see ``_cslots.slot_layout``)."""
    return _new_slots(cls, values)


# ---------------------------------------------------------------------------------------------
# Whole passes of the entity recogniser over its sorted mentions (entfast2): each writes out its reference
# in ``streams.nlp.entities`` (named in ``streams.nlp.ner_twins.MIRRORS`` with the fingerprint of the
# source it mirrors: a changed reference runs in Python until its twin follows). The per-mention loops,
# token ranges and quick tests are here; the rarer steps (the tagger's supports, the units beside a
# name, linking) call the reference's own helpers, read from ``streams.nlp.entities`` at each call, and
# every setting (``EDGE_MARGIN``, ``LIST_SUPPORT``, ...) is read there at each call too.

from cpython.bytearray cimport PyByteArray_AS_STRING


cdef inline Py_ssize_t _tok(list starts, object x):
    """``bisect_left(starts, x)``: the token at or after character ``x``."""
    return _bisect_left(starts, <Py_ssize_t>x, 0, len(starts))


cdef inline void _mark(object used, Py_ssize_t a, Py_ssize_t b):
    """``used[a:b] = b"\\x01" * (b - a)`` for ``0 <= a`` and ``b <= len(used)`` (nothing when ``b <= a``)."""
    cdef char* u = PyByteArray_AS_STRING(used)
    cdef Py_ssize_t k
    for k in range(a, b):
        u[k] = 1


cdef inline bint _any_marked(object used, Py_ssize_t a, Py_ssize_t b):
    """``any(used[a:b])`` for ``0 <= a``, ``b`` clipped to ``len(used)``."""
    cdef char* u = PyByteArray_AS_STRING(used)
    cdef Py_ssize_t k, n = len(used)
    if b > n:
        b = n
    for k in range(a, b):
        if u[k]:
            return True
    return False


cdef inline bint _first_upper(str w):
    """``w[:1].isupper()``."""
    return len(w) > 0 and _ISUPPER(w[0])


cdef inline bint _first_alpha(str w):
    """``w[:1].isalpha()``."""
    return len(w) > 0 and _ISALPHA(w[0])


cdef object _by_start(object E, list ms):
    return sorted(ms, key=E._START)


def group_mentions(str text, list mentions):
    """``entities.group_mentions``: one Entity per referent (mentions grouped by key, in order of first
    mention) with the longest surface, every span and the confidence of the group."""
    cdef object E = _ent()
    cdef object Entity = E.Entity
    cdef dict groups = {}
    cdef list ms, out = [], spans
    cdef object m, first, e, key, conf, c, surface, s
    cdef Py_ssize_t i, nms
    for m in mentions:
        key = m.key
        got = groups.get(key)
        if got is None:
            groups[key] = [m]
        else:
            (<list>got).append(m)
    for ms in groups.values():
        first = ms[0]
        e = first.entry
        nms = len(ms)
        if nms == 1:
            surface = text[first.start : first.end]
        else:
            surface = text[first.start : first.end]
            for i in range(1, nms):
                m = ms[i]
                s = text[m.start : m.end]
                if len(s) > len(surface):
                    surface = s
        conf = first.confidence
        for i in range(1, nms):
            c = (<object>ms[i]).confidence
            if c > conf:
                conf = c
        conf = min(0.99, conf + 0.02 * (nms - 1))
        spans = [(m.start, m.end) for m in ms]
        fields = {
            "text": surface,
            "name": e.name if e is not None else first.name,
            "type": first.type,
            "id": e.id if e is not None else None,
            "country": e.country if e is not None and first.type == "GPE" else None,
            "spans": spans,
            "confidence": round(conf, 3),
        }
        out.append(_entity(Entity, fields))
    return out


# ``Entity(**fields)`` without pydantic's validation call when the fields are what it would return
# unchanged (exact str / None / int / float values of the declared kinds, a listed type, a confidence in
# [0, 1]): the instance gets what ``BaseModel.__init__`` sets (``__dict__`` in field order, every field
# set, no extra, no private). Used only after one check that the class is a plain model of exactly these
# fields (no validators, no post-init hook) and that such an instance equals the validated one;
# anything else is validated as before.

_ENTITY_FIELDS = ("text", "name", "type", "id", "country", "spans", "confidence")
cdef object _entity_class = None
cdef bint _entity_plain = False
cdef frozenset _entity_types = frozenset()


from streams.core._cslots cimport new_model as _new_model  # (an Entity as validation leaves it)


cdef bint _plain_entity(object cls):
    """Whether ``cls`` is a pydantic model of exactly ``_ENTITY_FIELDS`` whose validated instances are what
    ``_new_model`` builds with every field set (checked once per class)."""
    global _entity_types
    import typing

    try:
        if list(cls.model_fields) != list(_ENTITY_FIELDS):
            return False
        dec = cls.__pydantic_decorators__
        if dec.validators or dec.field_validators or dec.root_validators or dec.model_validators:
            return False
        if getattr(cls, "__pydantic_post_init__", None) is not None or getattr(cls, "__pydantic_root_model__", False):
            return False
        if cls.model_config.get("extra") not in (None, "ignore"):
            return False
        types = typing.get_args(cls.model_fields["type"].annotation)
        if not types or not all(type(t) is str for t in types):
            return False
        _entity_types = frozenset(types)
        sample = {
            "text": "Kyiv", "name": "Kyiv", "type": types[0], "id": "Q1899", "country": None,
            "spans": [(0, 4), (10, 14)], "confidence": 0.95,
        }
        want = cls(**sample)
        got = _new_model(cls, dict(sample), set(_ENTITY_FIELDS))
        return (
            want == got
            and list(want.__dict__.items()) == list(got.__dict__.items())
            and want.model_fields_set == got.model_fields_set
            and want.__pydantic_extra__ == got.__pydantic_extra__
            and want.__pydantic_private__ == got.__pydantic_private__
            and want.model_dump_json() == got.model_dump_json()
            and repr(want) == repr(got)
        )
    except Exception:
        return False


cdef inline bint _str_or_none(object x):
    return x is None or type(x) is str


cdef bint _as_validated(dict f):
    """Whether pydantic would keep every field value of ``f`` as it is."""
    cdef object x, c = f["confidence"]
    if type(f["text"]) is not str or type(f["name"]) is not str or type(f["type"]) is not str:
        return False
    if f["type"] not in _entity_types or not _str_or_none(f["id"]) or not _str_or_none(f["country"]):
        return False
    if type(c) is not float or not (0.0 <= <double>c <= 1.0):
        return False
    for x in <list>f["spans"]:
        if type(x) is not tuple or len(<tuple>x) != 2 or type((<tuple>x)[0]) is not int or type((<tuple>x)[1]) is not int:
            return False
    return True


cdef object _entity(object cls, dict fields):
    global _entity_class, _entity_plain
    if cls is not _entity_class:
        _entity_plain = _plain_entity(cls)
        _entity_class = cls
    cdef dict values
    cdef PyObject* got
    if _entity_plain and len(fields) == 7:
        values = {}  # (field order; hot13: one loop, no generator)
        for k in _ENTITY_FIELDS:
            got = PyDict_GetItem(fields, k)
            if got is NULL:
                return cls(**fields)
            values[k] = <object>got
        if _as_validated(fields):
            return _new_model(cls, values, set(_ENTITY_FIELDS))
    return cls(**fields)


def entity(cls, dict fields):
    """``cls(**fields)``, built without the validation call when that gives the same instance (see
    ``_entity``)."""
    return _entity(cls, fields)


def kb_additions(object view, object model, list mentions):
    """``entities._kb_additions``: the knowledge-base names no mention covers that the tagger's scores
    support (groups and events always)."""
    cdef object E = _ent()
    cdef str text = view.text
    cdef object used = bytearray(len(text) + 1)
    cdef object m, h, toks, e, kb_typ, low, floor = model.kb_support
    cdef dict to_conll = E.KB_TO_CONLL
    cdef list out = [], hits = view.kb_hits, htoks = view.hit_toks
    cdef Py_ssize_t i
    for m in mentions:
        _mark(used, m.start, m.end)
    if len(hits) != len(htoks):
        raise ValueError("zip() arguments differ in length")
    Mention = E.Mention
    acr_below = getattr(E, "KB_ACRONYM_BELOW", 0)
    for i in range(len(hits)):
        h = hits[i]
        toks = htoks[i]
        e = h.entry
        if _any_marked(used, h.start, h.end) or e.ambiguous:
            continue
        kb_typ = to_conll.get(e.type)
        if kb_typ is not None:
            sent = E._sentence_of(view, toks[0])
            low = floor - E.KB_ORG_BELOW if kb_typ == "ORGANIZATION" else floor
            if (
                acr_below  # (ner9's floor for acronyms; absent before it)
                and kb_typ == "ORGANIZATION"
                and <Py_ssize_t>h.end - <Py_ssize_t>h.start > 1
                and E._acronym(text[h.start : h.end])
            ):
                low -= acr_below
            if E._support(view, model, sent, toks, kb_typ) < low:
                continue
        out.append(_new_slots(Mention, (h.start, h.end, e.type, e.key, e.name, 0.75, e, "kb")))
    return out


cdef set _list_near(str text, tuple seps):
    """``entities._list_near``."""
    cdef set near = set()
    cdef str sep
    cdef Py_ssize_t k, end
    for sep in seps:
        k = text.find(sep)
        while k >= 0:
            end = k + len(sep)
            near.add(k)
            near.add(end)
            near.add(end + 1)
            k = text.find(sep, end)
    return near


def list_items(object view, object model, list mentions, dict hit_at, dict hits):
    """``entities._list_items``: names in a list beside a name, of its type, where the scores support them."""
    cdef object E = _ent()
    cdef str text = view.text
    cdef set near = _list_near(text, E._LIST_SEPS)
    cdef list todo = [], added = [], starts = view.starts
    cdef object m, typ, new, support
    cdef Py_ssize_t a, b, lo, hi, x, y, k, step, s
    if not near:
        return mentions
    for m in mentions:
        if (m.end in near and E._list_ahead(text[m.end : m.end + 24])) or (
            m.start in near and E._list_behind(text[max(0, <Py_ssize_t>m.start - 16) : m.start])
        ):
            todo.append((m, _tok(starts, m.start), _tok(starts, m.end)))
    if not todo:
        return mentions
    used = bytearray(len(text) + 1)
    for m in mentions:
        _mark(used, m.start, m.end)
    to_conll = E.KB_TO_CONLL
    support = E.LIST_SUPPORT
    while todo:
        m, a, b = todo.pop()
        typ = to_conll.get(m.type)
        if typ is None or b <= a:
            continue
        lo, hi = E._sentence_of(view, a)
        for k, step in ((b, 1), (a - 1, -1)):
            x, y = E._list_next(view, k, step, lo, hi, used)
            if y <= x:
                continue
            sup = E._support(view, model, (lo, hi), (x, y), typ)
            if sup < support:
                continue
            new = E._link(view, x, y, typ, hit_at, hits, "", model)
            used[new.start : new.end] = b"\x01" * (new.end - new.start)
            added.append(new)
            todo.append((new, x, y))
    return _by_start(E, mentions + added) if added else mentions


def capital_runs(object view, object model, list mentions, dict hit_at, dict hits):
    """``entities._capital_runs``: capitalized runs outside every mention the tagger's scores nearly chose."""
    cdef object E = _ent()
    cdef object floor = E.CAPS_SUPPORT
    if floor is None:
        return mentions
    cdef list mstarts = [m.start for m in mentions], mends = [m.end for m in mentions]
    cdef list free = free_caps(view.caps, view.firsts, view.starts, view.words, E._run_skip(), mstarts, mends)
    cdef list words = view.words, starts = view.starts, ends = view.ends, added = [], sups
    cdef str text = view.text, w
    cdef object sent, cover = view.hit_cover, run_types = E._RUN_TYPES, margin = E.CAPS_TYPE_MARGIN
    cdef Py_ssize_t i = 0, nf = len(free), j, b, best, q, fi, shi, lo, hi
    cdef bint cued
    cdef object place_cued = getattr(E, "_place_cued", None), speaker_slot = getattr(E, "_speaker_slot", None)
    while i < nf:
        j = free[i]
        i += 1
        if not _first_alpha(words[j]):
            continue
        sent = E._sentence_of(view, j)
        shi = sent[1]
        while i < nf:
            fi = free[i]
            if not (
                fi == <Py_ssize_t>free[i - 1] + 1
                and fi < shi
                and fi - j < 4
                and len(<str>words[fi]) > 0
                and (<str>words[fi])[:1].isalnum()
                and text[ends[fi - 1] : starts[fi]] == " "
            ):
                break
            i += 1
        b = <Py_ssize_t>free[i - 1] + 1
        if _any_marked(cover, j, b):
            continue  # (``_run_candidate``'s first test: a knowledge-base name inside)
        if E._run_inside_name(view, j) or not E._run_candidate(view, j, b):
            continue
        sups = E._supports(view, model, sent, (j, b), run_types)
        best = 0
        for q in (1, 2):
            if sups[q] > sups[best]:
                best = q
        # (ner9's place cue and speaker slot; absent before it)
        cued = place_cued is not None and sups[best] - sorted(sups)[1] < margin and place_cued(view, j, b, sups)
        if cued:
            best = 2
        if (
            sups[best] >= (floor if best or speaker_slot is None or not speaker_slot(view, j) else min(floor, E.SPEAKER_SUPPORT))
            and (cued or sups[best] - sorted(sups)[1] >= margin)
            and (b - j > 1 or not _isupper(words[j]) or E._repeated(view, j, b))
        ):
            lo, hi = E._hyphen_join(view, j, b)
            added.append(E._link(view, lo, hi, run_types[best], hit_at, hits, "", model))
    return _by_start(E, mentions + added) if added else mentions


cdef bint _edge_possible(list words, list caps, Py_ssize_t n, Py_ssize_t a, Py_ssize_t b, object skip,
                         object heads):
    """``entities._edge_possible``."""
    cdef str w
    if b < n:
        w = words[b]
        if w == "-" or w == "." or (caps[b] and len(w) > 1 and w not in skip):
            return True
    if a == 0:
        return False
    w = words[a - 1]
    if w == "-" or (a > 1 and words[a - 2] == "-"):
        return True
    return bool(caps[a - 1]) and ((len(w) > 1 and _isupper(w)) or w in heads)


def edge_words(object view, object model, list mentions, dict hit_at, dict hits):
    """``entities._edge_words``: mentions grown over the free capitalized words beside them."""
    cdef object E = _ent()
    cdef object skip = E._edge_skip(), heads = E.load_heads().firsts, run = E._KB_TO_RUN
    cdef list words = view.words, caps = view.caps, starts = view.starts, ends = view.ends
    cdef Py_ssize_t n = len(words), nm = len(mentions), i, a, b, x, y, k, q
    cdef Py_ssize_t* ra = <Py_ssize_t*>malloc((nm + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* rb = <Py_ssize_t*>malloc((nm + 1) * sizeof(Py_ssize_t))
    cdef char* ok = <char*>malloc(nm + 1)
    cdef bint some = False
    cdef object m, typ, sent, lefts, rights, floor, best, sups, used, firsts, run_types
    cdef list out
    if ra == NULL or rb == NULL or ok == NULL:
        free(ra)
        free(rb)
        free(ok)
        raise MemoryError()
    try:
        for i in range(nm):
            m = mentions[i]
            a = _tok(starts, m.start)
            b = _tok(starts, m.end)
            ra[i] = a
            rb[i] = b
            ok[i] = m.type in run and _edge_possible(words, caps, n, a, b, skip, heads)
            if ok[i]:
                some = True
        if not some:
            return mentions
        used = bytearray(n + 1)
        for i in range(nm):
            _mark(used, ra[i], rb[i])
        out = []
        to_conll = E.KB_TO_CONLL
        run_types = E._RUN_TYPES
        for i in range(nm):
            m = mentions[i]
            a = ra[i]
            b = rb[i]
            typ = to_conll.get(m.type)
            if not ok[i] or typ is None or b <= a or starts[a] != m.start or ends[b - 1] != m.end:
                out.append(m)
                continue
            sent = E._sentence_of(view, a)
            lefts = E._left_units(view, a, sent[0], used, typ)
            rights = E._right_units(view, b, sent[1], used, typ)
            if not lefts and not rights:
                out.append(m)
                continue
            floor = E._support(view, model, sent, (a, b), typ) - E.EDGE_MARGIN
            best = None
            firsts = E.load_heads().firsts
            for x in [a, *lefts]:
                for y in [b, *rights]:
                    if (x == a and y == b) or E._cuts_hit(view, x, y):
                        continue
                    sups = E._supports(view, model, sent, (x, y), run_types)
                    if x < a and words[x] in firsts:
                        sups[0] = float("-inf")
                    k = 0
                    for q in (1, 2):
                        if sups[q] > sups[k]:
                            k = q
                    if sups[k] >= floor and (best is None or sups[k] > best[0]):
                        best = (sups[k], x, y, run_types[k])
            if best is None:
                out.append(m)
                continue
            x = best[1]
            y = best[2]
            used[x:y] = b"\x01" * (y - x)
            out.append(E._link(view, x, y, best[3], hit_at, hits, "", model))
        return out
    finally:
        free(ra)
        free(rb)
        free(ok)


def connector_joins(object view, object model, list mentions, dict hit_at, dict hits):
    """``entities._connector_joins``: organisations joined through a connector when the scores allow."""
    cdef object E = _ent()
    cdef list words = view.words, starts = view.starts, ends = view.ends, out
    cdef str text = view.text
    cdef object jt = E._JOIN_TEXTS, m, typ, sent, own, nxt, whole, used, gap, pairs, jtypes, to_conll
    cdef Py_ssize_t i, n = len(mentions), a, b, k, j, shi
    cdef bint joined, right, some = False
    for m in mentions:
        if m.type == "ORG" and text.startswith(jt, m.end):
            some = True
            break
    if not some:
        return mentions
    used = bytearray(len(words) + 1)
    for m in mentions:
        _mark(used, _tok(starts, m.start), _tok(starts, m.end))
    out = []
    to_conll = E.KB_TO_CONLL
    gap, pairs, jtypes = E._JOIN_GAP, E._JOIN_PAIRS, E._JOIN_TYPES
    spelled_alone = getattr(E, "_spelled_alone", None)  # (ner9's; absent before it)
    i = 0
    while i < n:
        m = mentions[i]
        i += 1
        typ = to_conll.get(m.type, "")
        if typ not in jtypes or not text.startswith(jt, m.end):
            out.append(m)
            continue
        a = _tok(starts, m.start)
        b = _tok(starts, m.end)
        if not (b > a and starts[a] == m.start and ends[b - 1] == m.end):
            out.append(m)
            continue
        sent = E._sentence_of(view, a)
        shi = sent[1]
        own = None
        joined = False
        while b < shi and words[b] in gap:
            k = b + 2 if b + 1 < shi and (words[b], words[b + 1]) in pairs else b + 1
            nxt = mentions[i] if i < n else None
            if nxt is not None and k > b + 1 and nxt.start == starts[k - 1]:
                k -= 1
            j = E._join_right(view, k, shi, m, nxt, used) if k < shi else k
            if j <= k or (spelled_alone is not None and spelled_alone(view, k, j)):
                break
            right = nxt is not None and nxt.start == starts[k]
            if own is None:
                own = E._support(view, model, sent, (a, b), typ)
            whole = E._join_whole(view, model, sent, (a, k, j), own, nxt if right else None)
            if whole is None:
                break
            own, b, joined = whole, j, True
            i += right
        out.append(E._link(view, a, b, typ, hit_at, hits, "", model) if joined else m)
    return out


def doc_person_split(object view, object model, list mentions, dict hit_at, dict hits):
    """``entities._doc_person_split``: spans closed by a person's name the article writes on its own
    elsewhere, split into the name before and the person."""
    cdef object E = _ent()
    cdef str text = view.text, last
    cdef list starts = view.starts, ends = view.ends, out = []
    cdef set people = set()
    cdef dict said = {}, split_types = E._SPLIT_TYPES
    cdef object skip = E._run_skip(), m, spoken_by = E._spoken_by, sups, typ
    cdef Py_ssize_t gap, lo, hi, cut, mend
    cdef bint changed = False
    for m in mentions:
        if m.type == "PERSON":
            people.add(text[m.start : m.end])

    def spoken(str t, str w):  # _spoken_by, once a word
        got = said.get(w)
        if got is None:
            got = said[w] = spoken_by(t, w)
        return got

    for m in mentions:
        if m.type not in split_types:
            out.append(m)
            continue
        mend = m.end
        gap = text.rfind(" ", m.start, mend)
        if gap < 0:
            out.append(m)
            continue
        last = text[gap + 1 : mend]
        if not _first_upper(last) or _isupper(last) or last in skip:
            out.append(m)
            continue
        lo = _tok(starts, m.start)
        hi = _tok(starts, mend)
        if hi - lo > 1 and hi <= len(ends) and starts[lo] == m.start and ends[hi - 1] == mend:
            cut = _doc_person_cut(E, view, lo, hi, m.type, people, spoken)
        else:
            cut = 0
        if not cut:
            out.append(m)
            continue
        if m.type == "PERSON":
            sups = E._supports(view, model, E._sentence_of(view, lo), (lo, cut), ("ORGANIZATION", "LOCATION"))
            typ = "ORGANIZATION" if sups[0] >= sups[1] else "LOCATION"
        else:
            typ = split_types[m.type]
        out.append(E._link(view, lo, cut, typ, hit_at, hits, m.type if m.type in ("GPE", "LOC") else "", model))
        out.append(E._link(view, cut, hi, "PERSON", hit_at, hits, "", model))
        changed = True
    return _by_start(E, out) if changed else mentions


def washington(object view, list mentions):
    """``entities._washington``: a capital used as its government names the country."""
    cdef object E = _ent()
    cdef list out = []
    cdef object m, e, kb = None, preps = None, prev, target
    for m in mentions:
        e = m.entry
        if e is not None and e.name.startswith("Washington") and e.type == "GPE":
            if kb is None:
                kb = E.load_kb()
                preps = frozenset(E.load_rules()["place_preps"])
            prev = view.text[max(0, <Py_ssize_t>m.start - 12) : m.start].split()
            target = (
                kb.by_key.get("place:Washington, D.C.")
                if prev and (<object>prev[len(prev) - 1]).lower() in preps
                else kb.by_key.get("country:US")
            )
            if target is not None:
                m = _new_slots(
                    E.Mention, (m.start, m.end, target.type, target.key, target.name, m.confidence, target, m.source)
                )
        out.append(m)
    return out


cdef dict _person_names(object E, list mentions):
    """``entities._person_names``."""
    cdef object lex = E._lex(), hon, m, key
    cdef dict persons = {}, given = {}
    cdef list words, ms
    cdef str w
    hon = lex.honorifics
    for m in mentions:
        if m.type == "PERSON":
            words = [w for w in m.name.split() if w not in hon]
            if len(words) >= 2:
                persons.setdefault(words[len(words) - 1], m)
                persons.setdefault(" ".join(words[len(words) - 2 :]), m)
    for m in mentions:
        if m.type == "PERSON":
            words = [w for w in m.name.split() if w not in hon]
            if len(words) >= 2 and _first_upper(words[0]):
                key = m.key
                ms = given.get(words[0], [])
                if all(x.key != key for x in ms):
                    given.setdefault(words[0], []).append(m)
    stop = lex.stop
    for w, ms in given.items():
        if len(ms) == 1 and w not in stop:
            persons.setdefault(w, ms[0])
    return persons


def coref(object view, list mentions):
    """``entities._coref``: later surnames join the full name; acronyms in brackets join their expansion."""
    cdef object E = _ent()
    cdef dict persons = _person_names(E, mentions), acronyms
    cdef str text = view.text, surface, w
    cdef list out = [], added = [], words, vstarts, vends, caps
    cdef object m, full, ab, Mention = E.Mention, used
    cdef Py_ssize_t i, s, e
    acronyms, mentions = _bracket_acronyms(E, view, mentions)
    # (ner9's acronyms spelled by an organisation named before; absent before it)
    cdef dict spelled = _spelled_acronyms(view, mentions, acronyms) if getattr(E, "INITIALS_COREF", False) else {}
    if not persons and not acronyms and not spelled:
        return mentions
    cdef dict bare_acr = acronyms | spelled
    for m in mentions:  # _relink
        surface = text[m.start : m.end]
        full = persons.get(surface)
        ab = acronyms.get(surface)
        if (
            full is not None
            and full.key != m.key
            and (m.type == "PERSON" or (m.entry is not None and m.entry.ambiguous))
        ):
            out.append(_new_slots(Mention, (m.start, m.end, "PERSON", full.key, full.name, 0.8, full.entry, "coref")))
        elif ab is not None and ab.key != m.key and m.start != ab.start:
            out.append(_new_slots(Mention, (m.start, m.end, ab.type, ab.key, ab.name, 0.8, ab.entry, "coref")))
        else:
            out.append(m)
    used = bytearray(len(text) + 1)  # _bare_mentions
    for m in out:
        _mark(used, m.start, m.end)
    cdef object named = persons.keys() | bare_acr.keys()
    words, vstarts, vends, caps = view.words, view.starts, view.ends, view.caps
    cdef char* u = PyByteArray_AS_STRING(used)
    for i in range(min(len(caps), len(words))):
        if not caps[i]:  # (the cheaper test first: both only read)
            continue
        w = words[i]
        if w not in named:
            continue
        full = persons.get(w) or bare_acr.get(w)
        s = vstarts[i]
        if full is not None and not u[s] and s > <Py_ssize_t>full.start:
            e = vends[i]
            added.append(_new_slots(Mention, (s, e, full.type, full.key, full.name, 0.75, full.entry, "coref")))
            _mark(used, s, e)
    out += added
    out.sort(key=E._START)
    return out


def text_view(str text, object analysis):
    """``entities.text_view`` with ``entities._view``: what the tagger reads, from the shared analysis."""
    cdef object E = _ent()
    cdef object an = analysis if analysis is not None else E.analyze(text)
    cdef list sentences = [(s.tok_start, s.tok_end) for s in an.sentences]
    cdef list words = an.words, starts = an.starts, ends = an.ends
    cdef list caps = view_caps(words, an.lowers)
    cdef list hits = E.kb_matches(an)
    cdef dict bio = E._KB_BIO
    cdef list hstarts = [h.start for h in hits], hends = [h.end for h in hits]
    cdef list hbio = [bio.get(h.entry.type) for h in hits]
    kbtags, hit_toks, cover, firsts = view_tags(words, starts, ends, sentences, hstarts, hends, hbio, E._OPENERS)
    headlines(words, sentences, firsts, E.HEADLINE)
    return _new_slots(
        E.TextView,
        (text, words, starts, ends, sentences, hits, kbtags, firsts, caps, an.language, hit_toks, cover),
    )


cdef inline bint _place_key(object key) except -1:
    """A knowledge-base key of a place (``entities._head_runs``' region starts)."""
    if type(key) is str:
        return (<str>key).startswith(u"place:")
    return key.startswith("place:")


cdef inline bint _strong_person(object t, Py_ssize_t lo, Py_ssize_t hi, list words, object given) except -1:
    """``entities._head_runs``: a tagged person span that is a strong stop (a given name, or two words or more)."""
    return t == "PERSON" and (words[lo] in given or hi - lo >= 2)


cdef inline bint _org_stop_person(
    object t, Py_ssize_t lo, Py_ssize_t hi, list words, list kbtags, object given
) except -1:
    """``entities._head_runs``: a tagged person span outside the knowledge base that stops an organisation run
    (two words or more, a given name, or after an acronym)."""
    return t == "PERSON" and kbtags[lo] == "O" and (
        hi - lo >= 2
        or words[lo] in given
        or (lo != 0 and len(<str>words[lo - 1]) > 1 and _isupper(words[lo - 1]))
    )


def head_runs_of(object view, list spans):
    """``entities._head_runs``: the stops and names the head runs read, from the knowledge-base hits and
    the tagger's spans, then ``name_heads.head_runs`` (the reference's own)."""
    cdef object E = _ent()
    cdef object lex = E._lex(), given = E.load_given_names(), h, t, sp, named = None
    cdef list words = view.words, kbtags = view.kbtags, hits = view.kb_hits, htoks = view.hit_toks
    cdef set kb_persons = set(), kb_starts = set(), org_ends = set(), region_starts = set(), strong, org_stops
    cdef Py_ssize_t i, lo, hi, k
    cdef object entry, runs
    if len(hits) != len(htoks):
        raise ValueError("zip() arguments differ in length")
    cdef object NH = _nh()
    if E.head_runs is NH.head_runs and _head_runs_guard().fresh():
        runs = _head_runs_direct(E, NH, view, spans, lex, given)
        if runs is not None:
            return runs
    for i in range(len(hits)):
        h = hits[i]
        lo, hi = htoks[i]
        kb_starts.add(lo)
        entry = h.entry
        t = entry.type
        if t == "PERSON":
            kb_persons.add(lo)
        elif t == "ORG":
            org_ends.add(hi)
        else:
            if _place_key(entry.key):
                region_starts.add(lo)
    strong = set(kb_persons)
    for sp in spans:
        lo, hi, t = sp
        if _strong_person(t, lo, hi, words, given):
            strong.add(lo)
    org_stops = set(strong)
    for sp in spans:
        lo, hi, t = sp
        if _org_stop_person(t, lo, hi, words, kbtags, given):
            org_stops.add(lo)
    if E.HEAD_AFTER_UNNAMED:
        named = set()
        for sp in spans:
            lo, hi, t = sp
            for k in range(lo, hi):
                named.add(k)
    return E.head_runs(
        view.text,
        words,
        view.starts,
        view.ends,
        view.caps,
        view.sentences,
        strong,
        org_stops,
        lex.blocked,
        free_before=lex.free_before,
        kb_starts=kb_starts,
        org_ends=org_ends,
        region_starts=region_starts,
        given_names=given,
        named=named,
    )


cdef inline tuple _run_span(tuple run):
    """``entities._run_span``."""
    t = run[2]
    if t == "ORGANIZATION":
        return (run[0], run[1], "ORGANIZATION", "run")
    return (run[0], run[1], "LOCATION", t)


def shape_spans(object view, list spans):
    """``entities._shape_spans`` with ``_run_span`` and ``_tail_head_span``: the tagger's spans reshaped
    by the head runs (``entities._head_runs``, through its twin when fresh)."""
    cdef object E = _ent()
    cdef list runs = E.twin(E._head_runs)(view, spans)
    cdef list merged = [], words = view.words, starts = view.starts, ends = view.ends, kbtags = view.kbtags
    cdef str text = view.text
    cdef object tail_org = E.load_heads().tail_org, typ, sp
    cdef Py_ssize_t r = 0, nr = len(runs), lo, hi
    cdef bint headed
    for sp in spans:
        lo, hi, typ = sp
        while r < nr and <Py_ssize_t>(<tuple>runs[r])[1] <= lo:
            merged.append(_run_span(runs[r]))
            r += 1
        if r < nr and <Py_ssize_t>(<tuple>runs[r])[0] < hi:
            if E._split_by_run(view, lo, hi, typ, runs[r], merged):
                r += 1
            continue
        headed = False
        if (
            lo >= 2
            and words[lo - 1] in ("of", "for")
            and words[lo - 2] in tail_org
            and text[ends[lo - 2] : starts[lo]] == f" {words[lo - 1]} "
            and kbtags[lo] == "O"
        ):
            lo, typ, headed = lo - 2, "ORGANIZATION", True
        if typ != "ORGANIZATION" and hi - lo >= 2 and words[hi - 1] in tail_org and kbtags[hi - 1] == "O":
            typ = "ORGANIZATION"
        if typ == "ORGANIZATION" and (headed or words[hi - 1] in tail_org):
            lo = E._tail_head_back(view, lo, merged)
        merged.append((lo, hi, typ, "crf"))
    while r < nr:
        merged.append(_run_span(runs[r]))
        r += 1
    merged.sort()
    return merged


def bracket_join(object view, list mentions):
    """``entities._bracket_join``: an organisation, its bracketed short name and the place after the
    bracket as one organisation (``_bracket_end``'s quick test written out, the rest its own)."""
    cdef object E = _ent()
    cdef list out = [], starts = view.starts
    cdef str text = view.text, surface
    cdef object m, nxt
    cdef Py_ssize_t i, n = len(mentions), skip = -1, after, end, me, nst = len(starts)
    for i in range(n):
        m = mentions[i]
        if <Py_ssize_t>m.start < skip:
            continue
        me = m.end
        if m.type != "ORG" or text[me : me + 2] != " (":
            out.append(m)  # (``_bracket_end`` is -1: no bracket after an organisation)
            continue
        after = E._bracket_end(view, m)
        nxt = mentions[i + 1] if 0 <= after < nst and i + 1 < n else None
        end = -1
        if (
            nxt is not None
            and nxt.type in ("ORG", "GPE", "LOC")
            and (nxt.start == starts[after] or text[me : nxt.start].strip(" (") == "")
            and nxt.end > starts[after]
        ):
            end = E._bracket_tail(view, after, nxt)
        if nxt is not None and end > 0:
            surface = text[m.start : end]
            out.append(_new_slots(E.Mention, (m.start, end, "ORG", "org:" + surface.casefold(), surface, 0.8, None, "crf")))
            skip = nxt.end
            continue
        out.append(m)
    return out


cdef bint _org_signal(list words, Py_ssize_t lo, Py_ssize_t hi, object firsts, object org_heads, object gpe_heads):
    """``entities._org_signal``: an acronym, a number or a head word among ``words[lo:hi]``."""
    cdef Py_ssize_t k
    cdef str w
    cdef Py_UCS4 c
    for k in range(lo, hi):
        w = words[k]
        if _isupper(w) and len(w) > 1:
            return True
        for c in w:
            if Py_UNICODE_ISDIGIT(c):
                return True
        if w in firsts or w in org_heads or w in gpe_heads:
            return True
    return False


cdef Py_ssize_t _doc_person_cut(object E, object view, Py_ssize_t lo, Py_ssize_t hi, object typ, set people,
                                object spoken) except -1:
    """``entities._doc_person_cut`` (with ``_org_signal`` and ``_tail_word``)."""
    cdef object lex = E._lex(), skip = E._run_skip(), heads = E.load_heads()
    cdef object firsts = heads.firsts, org_heads = lex.org_heads, gpe_heads = lex.gpe_heads
    cdef object unnamed = lex.unnamed, honorifics = lex.honorifics
    cdef str text = view.text, w, before
    cdef list words = view.words, starts = view.starts, ends = view.ends, kbtags = view.kbtags
    cdef Py_ssize_t first = hi, cut, k, floor = lo + 1 if lo + 1 > hi - 3 else hi - 3
    cdef bint person = typ == "PERSON", all_heads, all_o
    if person and not _org_signal(words, lo, hi - 1, firsts, org_heads, gpe_heads):
        return 0
    while first > floor:
        k = first - 1
        w = words[k]
        if not (
            _first_upper(w)
            and w.replace("-", "").isalpha()
            and not _isupper(w)
            and w not in skip
            and text[ends[k - 1] : starts[k]] == " "
        ):
            break
        first -= 1
    for cut in range(first, hi):
        before = words[cut - 1]
        if before in unnamed or before in honorifics or not before[:1].isalnum():
            continue
        all_heads = True
        for k in range(lo, cut):
            w = words[k]
            if not (w in skip or w in gpe_heads or w in org_heads):
                all_heads = False
                break
        if all_heads:
            continue
        if person and not _org_signal(words, lo, cut, firsts, org_heads, gpe_heads):
            continue
        if text[starts[cut] : ends[hi - 1]] in people or (hi - cut > 1 and words[cut] in people):
            return cut
        all_o = True
        for k in range(cut, hi):
            if kbtags[k] != "O":
                all_o = False
                break
        if all_o and spoken(text, words[cut]):
            return cut
    return 0


def retype(object view, list mentions):
    """``entities._retype`` with ``_join_people``, ``_neighbour_type`` and ``_split_pair``'s first test:
    types from the words around a name the knowledge base does not know."""
    cdef object E = _ent(), heads = E.load_heads(), m, p, place, Mention = E.Mention, given = None
    cdef str text = view.text, surface, prev, nxt
    cdef bint english = (view.lang or "").startswith("en")
    cdef object cues = heads.person_cues["en" if english else "id"]
    cdef object place_after = heads.place_after, place_before = heads.place_before, org = heads.org
    cdef list joined = [], out = [], words = view.words, starts = view.starts, ends = view.ends
    cdef Py_ssize_t lo, hi, n = len(words)
    for m in mentions:  # _join_people
        p = joined[len(joined) - 1] if joined else None
        if (
            p is not None
            and p.type == m.type
            and m.type == "PERSON"
            and p.entry is None
            and m.entry is None
            and p.source == m.source
            and m.source == "crf"
            and text[p.end : m.start] == " "
        ):
            surface = text[p.start : m.end]
            joined[len(joined) - 1] = _new_slots(
                Mention, (p.start, m.end, "PERSON", "person:" + surface, surface, p.confidence, None, "crf")
            )
        else:
            joined.append(m)
    for m in joined:
        if m.entry is not None or m.source != "crf":
            out.append(m)
            continue
        lo = _tok(starts, m.start)  # _neighbour_type
        hi = _tok(starts, m.end)
        prev = words[lo - 1] if lo > 0 and text[ends[lo - 1] : starts[lo]] == " " else ""
        nxt = words[hi] if hi < n and text[ends[hi - 1 if hi > 0 else n - 1] : starts[hi]] == " " else ""
        surface = text[m.start : m.end]
        place = place_after.get(nxt) or place_before.get(prev)
        if place and m.type not in ("GPE", "LOC"):
            m = _new_slots(Mention, (m.start, m.end, place, "place:" + surface, surface, m.confidence, None, m.source))
        elif (
            prev in cues
            and (m.type in ("GPE", "LOC") or (english and m.type == "ORG"))
            and words[lo] not in org
            and ((hi - lo >= 2 and " " in surface) or words[lo] in E.load_given_names())
        ):
            m = _new_slots(Mention, (m.start, m.end, "PERSON", "person:" + surface, surface, m.confidence, None, m.source))
        if m.type == "PERSON" and "-" in surface:  # _split_pair
            out += E._split_pair(m, surface)
        else:
            out.append(m)
    return out


# ---------------------------------------------------------------------------------------------
# The tagging path (hot11): a new group row's weights summed in C.


cdef list _weight_rows(list feats, dict weights, Py_ssize_t L):
    """The weight rows of ``feats`` found in ``weights``, in the features' order (None weights and absent
    features left out); None when one is not a list of ``L`` floats (the caller then adds with numpy)."""
    cdef PyObject* got
    cdef list found = []
    cdef list w
    cdef Py_ssize_t j
    for f in feats:
        got = PyDict_GetItem(weights, f)
        if got is NULL or <object>got is None:
            continue
        if type(<object>got) is not list or len(<list>got) != L:
            return None
        w = <list>got
        for j in range(L):
            if type(w[j]) is not float:
                return None
        found.append(w)
    return found


def add_weights(double[::1] acc, list feats, dict weights):
    """``for f in feats: w = weights.get(f); if w is not None: acc += w`` (``CrfModel._row``, the weights of a
    feature group not seen before), the rows added in the features' order, each element as numpy adds it.
    True when done; False, with ``acc`` untouched, when a weight is not a list of as many floats as ``acc``
    holds (the caller then adds them with numpy)."""
    cdef Py_ssize_t L = acc.shape[0], j, k, m = 0
    cdef list w
    cdef list found = _weight_rows(feats, weights, L)
    if found is None:
        return False
    m = len(found)
    for k in range(m):
        w = <list>found[k]
        for j in range(L):
            acc[j] = acc[j] + <double>w[j]
    return True


# ---------------------------------------------------------------------------------------------
# The tagger's feature strings (hot12): ``ner_crf._group_features`` of a group key the row cache has not
# seen, with ``_word_group``, ``_word_group_shared``, ``_ctx_group``, ``_kb_group``, ``_shape`` and
# ``_in_dictionary`` written out. Used only while those functions are the code this mirrors
# (``streams.nlp.ner_features_twin``). What a word brings to its groups (lower case, shape, dictionary test,
# clusters, lexicons) is computed once per word and kept while the data it was read from are the same objects.

cimport cython
from cpython.unicode cimport Py_UNICODE_ISDIGIT, Py_UNICODE_ISLOWER, Py_UNICODE_ISUPPER, PyUnicode_FromOrdinal


cdef class _WordInfo:
    cdef str low, sh, aw
    cdef object cl, case
    cdef bint dic, cap, given, stop, role, title, org, place, prep, verb


cdef dict _word_infos = {}
cdef tuple _word_data = ()
cdef object _ner_crf = None


cdef str _shape12(str w):
    """``ner_crf._shape``: the first eight characters' classes (X, x, d or the character), runs cut to one."""
    cdef Py_ssize_t n = len(w), k, m = 0
    cdef Py_UCS4 ch, c, last = 0
    cdef Py_UCS4 buf[8]
    if n > 8:
        n = 8
    for k in range(n):
        ch = w[k]
        if Py_UNICODE_ISUPPER(ch):
            c = u"X"
        elif Py_UNICODE_ISLOWER(ch):
            c = u"x"
        elif Py_UNICODE_ISDIGIT(ch):
            c = u"d"
        else:
            c = ch
        if m == 0 or last != c:
            buf[m] = c
            m += 1
            last = c
    return u"".join([PyUnicode_FromOrdinal(buf[k]) for k in range(m)])


@cython.wraparound(True)
@cython.boundscheck(True)
cdef bint _in_dict12(str low, object words, tuple suffixes, tuple prefixes) except -1:
    """``ner_crf._in_dictionary``."""
    cdef str suf, pre, rest, s
    if low in words:
        return True
    for suf in suffixes:
        if low.endswith(suf) and low[: -len(suf)] in words:
            return True
    for pre in prefixes:
        if low.startswith(pre) and len(low) - len(pre) > 2:
            rest = low[len(pre) :]
            if rest in words:
                return True
            for s in suffixes:
                if rest.endswith(s) and rest[: -len(s)] in words:
                    return True
    return False


@cython.wraparound(True)
@cython.boundscheck(True)
cdef _WordInfo _info(str w, tuple data):
    """What word ``w`` brings to its feature groups (``data``: the tagger's data objects, see
    :func:`group_features`)."""
    cdef _WordInfo got
    cdef dict lex = data[0]
    cdef str low
    got = _word_infos.get(w)
    if got is not None:
        return got
    got = _WordInfo()
    low = w.lower()
    got.low = low
    got.sh = _shape12(w)
    got.dic = _in_dict12(low, data[1], data[6], data[7])
    got.cap = w[:1].isupper()
    got.aw = data[2].get(w, u"-")
    got.cl = data[3].get(low)
    got.case = data[4].get(low)
    got.given = w in data[5]
    got.stop = w in lex[u"stop"]
    got.role = w in lex[u"role"]
    got.title = w in lex[u"title"]
    got.org = w in lex[u"org"]
    got.place = w in lex[u"place"]
    got.prep = low in lex[u"prep"]
    got.verb = low in lex[u"verb"]
    if len(_word_infos) >= 200_000:
        _word_infos.clear()
    _word_infos[w] = got
    return got


@cython.wraparound(True)
@cython.boundscheck(True)
cdef list _word_group12(_WordInfo i, str w, object first, object lang):
    """``ner_crf._word_group`` (with ``_word_group_shared``)."""
    cdef str low = i.low, sh = i.sh
    cdef object cl = i.cl, case = i.case
    cdef object cap = True if i.cap else False
    cdef object dic = True if i.dic else False
    cdef list f = [
        u"w=" + low,
        u"s2=" + low[-2:],
        u"s3=" + low[-3:],
        u"s4=" + low[-4:],
        u"p2=" + low[:2],
        u"p3=" + low[:3],
        u"sh=" + sh,
        f"cap|dict|first={cap}|{dic}|{first}",
        f"sh|first={sh}|{first}",
        u"aw=" + i.aw,
    ]
    if cl is not None:
        f.append(u"k32=" + cl[0])
        f.append(u"k256=" + cl[1])
        f.append(f"k256|cap={cl[1]}|{cap}")
        if len(cl) > 2:
            f.append(u"kf=" + cl[2])
            f.append(f"kf|cap={cl[2]}|{cap}")
    if case is not None:
        f.append(u"cc=" + case)
        f.append(f"cc|cap|first={case}|{cap}|{first}")
    if i.dic:
        f.append(u"dict")
    if i.given:
        f.append(u"given")
    if i.stop:
        f.append(u"stop")
    if i.role:
        f.append(u"role")
    if i.title:
        f.append(u"tcue")
    if i.org:
        f.append(u"ohead")
    if i.place:
        f.append(u"phead")
    if len(w) == 1:
        f.append(u"len1")
    if lang:
        f += [f"{lang}|{x}" for x in f]
    return f


@cython.wraparound(True)
@cython.boundscheck(True)
cdef list _ctx_group12(_WordInfo i, object d):
    """``ner_crf._ctx_group`` of a word other than ``<s>`` / ``</s>``."""
    cdef object cl = i.cl
    cdef list f = [f"{d}w={i.low}", f"{d}sh={i.sh}"]
    if abs(d) == 1:
        f.append(f"{d}aw=" + i.aw)
        if cl is not None:
            f.append(f"{d}k256=" + cl[1])
            if len(cl) > 2:
                f.append(f"{d}kf=" + cl[2])
        if i.dic:
            f.append(f"{d}dict")
    if d < 0:
        if i.title:
            f.append(f"{d}tcue")
        if i.org:
            f.append(f"{d}ohead")
        if i.place:
            f.append(f"{d}phead")
        if i.prep:
            f.append(f"{d}prep")
        if i.role:
            f.append(f"{d}role")
    elif i.verb:
        f.append(f"{d}verb")
    return f


cdef tuple _data():
    """The data objects the feature functions read, as ``ner_crf`` holds them now; the per-word cache is
    emptied when one of them is another object than when it was filled."""
    global _word_data, _ner_crf
    cdef Py_ssize_t k
    if _ner_crf is None:
        import streams.nlp.ner_crf as N

        _ner_crf = N
    N = _ner_crf
    data = (N._lexicons(), N._dictionary(), N._alias_words(), N._clusters(), N._case_classes(),
            N.load_given_names(), N._SUFFIXES, N._PREFIXES)
    if len(_word_data) != 8:
        _word_data = data
        _word_infos.clear()
    else:
        for k in range(8):
            if data[k] is not _word_data[k]:
                _word_data = data
                _word_infos.clear()
                break
    return data


@cython.wraparound(True)
@cython.boundscheck(True)
def group_features(tuple key):
    """``ner_crf._group_features(key)``: the feature strings of one group key, in the same order."""
    cdef object kind = key[0]
    cdef str w
    cdef tuple data
    if kind == u"w":
        data = _data()
        w = key[1]
        return _word_group12(_info(w, data), w, key[2], key[3])
    if kind == u"c":
        w = key[1]
        if w == u"<s>" or w == u"</s>":
            return [f"{key[2]}w={w}"]
        data = _data()
        return _ctx_group12(_info(w, data), key[2])
    if kind == u"g":
        return [f"bg={key[1].lower()}|{key[2].lower()}"]
    prev, cur, nxt, cap = key[1], key[2], key[3], key[4]
    t = cur[2:] if cur != u"O" else u"O"
    return [
        u"kb=" + cur,
        f"kbt|cap={t}|{cap}",
        u"kb-1=" + prev,
        u"kb+1=" + nxt,
        f"kb3={prev[2:] or prev}|{t}|{nxt[2:] or nxt}",
    ]


def word_info_size():
    """How many words the per-word cache holds (tests)."""
    return len(_word_infos)


def fill_row(double[:, ::1] mat, Py_ssize_t r, tuple key, dict weights, object features):
    """``CrfModel._row``'s new row in one call: row ``r`` of ``mat`` set to 0, then the weights of
    ``features(key)`` added in order, as :func:`add_weights` adds them. True when done; False when a weight is
    not a list of as many floats as the row holds (the row is then left as it was; the caller adds with
    numpy)."""
    cdef Py_ssize_t L = mat.shape[1], j, k, m
    cdef list w
    cdef list found
    if r < 0 or r >= mat.shape[0]:
        raise IndexError(f"row {r} outside a matrix of {mat.shape[0]} rows")
    found = _weight_rows(features(key), weights, L)
    if found is None:
        return False
    for j in range(L):
        mat[r, j] = 0.0
    m = len(found)
    for k in range(m):
        w = <list>found[k]
        for j in range(L):
            mat[r, j] = mat[r, j] + <double>w[j]
    return True


# ---------------------------------------------------------------------------------------------
# The head runs (hot13): ``name_heads.head_runs`` written out with its ``_RunReader`` (``__init__``, ``gap``,
# ``inside_name``, ``head``, ``run``, ``_step``, ``_stops``, ``_closes``, ``_punctuation``, ``_word``), ``_joins``
# and ``_match`` (``streams.nlp.ner_twins.HEAD_RUNS_MIRRORED``; guard ``ner_twins.HEAD_RUNS``). Used by
# ``head_runs_of`` only while that guard is fresh and ``entities.head_runs`` is ``name_heads.head_runs``; else the
# reference runs. The head lists (``load_heads()``) and the settings (``_JOINERS``, ``_COORDINATORS``,
# ``_ATTACHED``, ``CLOSING_ROLE_WORDS``) are read from ``name_heads`` at each call. The integer stop sets become
# byte masks over the tokens (a set holding something other than an int, or an offset out of range, runs the
# reference).

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.string cimport memcpy, memset

cdef str _ORG = u"ORGANIZATION"
cdef object _name_heads = None
cdef object _twins_module = None


cdef object _head_runs_guard():
    """``ner_twins.HEAD_RUNS``, read at each call (a test may replace it)."""
    global _twins_module
    if _twins_module is None:
        from streams.nlp import ner_twins

        _twins_module = ner_twins
    return _twins_module.HEAD_RUNS


cdef object _nh():
    global _name_heads
    if _name_heads is None:
        from streams.nlp import name_heads

        _name_heads = name_heads
    return _name_heads


cdef inline bint _isdigit_word(str w):
    """``str.isdigit``: not empty, every character a digit."""
    cdef Py_UCS4 c
    if len(w) == 0:
        return False
    for c in w:
        if not Py_UNICODE_ISDIGIT(c):
            return False
    return True


cdef inline bint _first_alnum(str w):
    """``w[:1].isalnum()``."""
    return len(w) > 0 and (<Py_UCS4>w[0]).isalnum()


cdef class _HeadRuns:
    """One ``head_runs`` call: the tokens as C arrays and the run being read (``_RunReader``'s state)."""

    cdef str text, typ
    cdef list words
    cdef Py_ssize_t n, L, hi, body_start, j, end, names
    cdef Py_ssize_t* starts
    cdef Py_ssize_t* ends
    cdef char* buf  # caps, then the masks: strong, org stops, kb starts, org ends, region starts, named
    cdef char* caps
    cdef char* strong
    cdef char* org_stops
    cdef char* kb_starts
    cdef char* org_ends
    cdef char* regions
    cdef char* named
    cdef char* weak
    cdef bint is_org, closing, spanned_on
    cdef object stop_words, given, heads_org, heads_place, heads_weak, coordinators, joiners, attached

    def __dealloc__(self):
        PyMem_Free(self.starts)
        PyMem_Free(self.ends)
        PyMem_Free(self.buf)

    cdef bint setup(self, str text, list words, list starts, list ends, list caps) except -1:
        """The arrays; False when an offset is negative or the lists differ in length (the reference runs)."""
        cdef Py_ssize_t n = len(words), i, a
        self.text, self.words, self.n, self.L = text, words, n, len(text)
        if len(starts) != n or len(ends) != n or len(caps) != n:
            return False
        self.starts = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        self.ends = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        self.buf = <char*>PyMem_Malloc(7 * (n + 1))
        if self.starts == NULL or self.ends == NULL or self.buf == NULL:
            raise MemoryError()
        memset(self.buf, 0, 7 * (n + 1))
        self.caps = self.buf
        self.strong = self.buf + (n + 1)
        self.org_stops = self.buf + 2 * (n + 1)
        self.kb_starts = self.buf + 3 * (n + 1)
        self.org_ends = self.buf + 4 * (n + 1)
        self.regions = self.buf + 5 * (n + 1)
        self.named = self.buf + 6 * (n + 1)
        for i in range(n):
            if type(words[i]) is not str:
                return False
            a = starts[i]
            if a < 0:
                return False
            self.starts[i] = a
            a = ends[i]
            if a < 0:
                return False
            self.ends[i] = a
            self.caps[i] = 1 if caps[i] else 0
        return True

    cdef inline int gap(self, Py_ssize_t j):
        """``text[ends[j - 1] : starts[j]]``: 0 when it is empty, 1 when it is one space, 2 otherwise."""
        cdef Py_ssize_t a = self.ends[j - 1 if j > 0 else self.n - 1], b = self.starts[j]
        if a > self.L:
            a = self.L
        if b > self.L:
            b = self.L
        if b <= a:
            return 0
        if b - a == 1 and self.text[a] == u" ":
            return 1
        return 2

    cdef inline str word(self, Py_ssize_t k):
        return <str>self.words[k]

    cdef bint inside_name(self, Py_ssize_t i, Py_ssize_t sent_start, object free_before, bint with_named) except -1:
        """``_RunReader.inside_name``."""
        cdef str prev
        if not (i - 1 > sent_start and self.caps[i - 1] and self.gap(i) == 1):
            return False
        prev = self.word(i - 1)
        return prev not in free_before and not _isupper(prev) and (not with_named or self.named[i - 1])

    cdef bint words_at(self, Py_ssize_t i, Py_ssize_t hi, tuple toks) except -1:
        """``_match``'s test of one candidate: the words from ``i`` (before ``hi``) are ``toks``."""
        cdef Py_ssize_t m = len(toks), k
        if i + m > hi:
            return False
        for k in range(m):
            if not (self.words[i + k] == toks[k]):
                return False
        return True

    cdef Py_ssize_t head(self, Py_ssize_t i, Py_ssize_t hi) except -2:
        """``_RunReader.head`` with ``_match``: tokens of the head at ``i`` (0 when none); sets ``typ``."""
        cdef str w = self.word(i)
        cdef Py_ssize_t n = 0
        cdef tuple toks
        cdef PyObject* got
        cdef object c
        self.typ = u""
        got = PyDict_GetItem(self.heads_org, w)
        if got is not NULL and <object>got and self.caps[i]:
            for c in <object>got:
                toks = <tuple>c
                if self.words_at(i, hi, toks):
                    n = len(toks)
                    break
            self.typ = _ORG if n else u""
        if not n:
            got = PyDict_GetItem(self.heads_place, w)
            if got is not NULL and <object>got and self.caps[i]:
                for c in <object>got:
                    toks = <tuple>(<tuple>c)[0]
                    if self.words_at(i, hi, toks):
                        n = len(toks)
                        self.typ = (<tuple>c)[1]
                        break
        return n

    cdef Py_ssize_t run(self, Py_ssize_t i, Py_ssize_t hi) except -2:
        """``_RunReader.run``: the end token of the run after the head at ``i``, or -1."""
        cdef Py_ssize_t n = self.head(i, hi), j
        if not n:
            return -1
        j = i + n
        if j < hi and self.word(j) == u"." and self.gap(j) == 0:
            j += 1
        self.hi, self.body_start, self.j, self.end, self.names = hi, j, j, j, 0
        self.is_org = self.typ == _ORG
        self.weak = self.org_stops if self.is_org else self.strong
        while self.j < hi and self.step():
            pass
        if self.names == 0 or (self.is_org and self.word(i) in self.heads_weak and self.names < 2):
            return -1
        return self.end

    cdef bint step(self) except -1:
        """``_RunReader._step``."""
        cdef Py_ssize_t j = self.j
        cdef int g, moved
        if self.stops(j):
            return False
        g = self.gap(j)
        moved = self.punctuation(j, g)
        if moved >= 0:
            return moved
        if g != 1 and not (g == 0 and j > self.body_start and (self.caps[j] or _isdigit_word(self.word(j)))):
            return False
        if self.org_ends[j] and self.regions[j] and self.names:
            return False
        return self.word_at(j)

    cdef bint stops(self, Py_ssize_t j) except -1:
        """``_RunReader._stops``."""
        cdef str wj = self.word(j)
        if self.strong[j] or (self.names and self.weak[j]):
            return True
        if wj in self.stop_words:
            return not (self.closing and self.names and not _isupper(wj) and self.closes(j))
        return (
            self.names != 0
            and wj in self.given
            and j + 1 < self.hi
            and self.caps[j + 1]
            and self.gap(j + 1) == 1
        )

    cdef bint closes(self, Py_ssize_t j) except -1:
        """``_RunReader._closes``."""
        cdef Py_ssize_t k = j + 1
        return k >= self.hi or not self.caps[k] or self.gap(k) != 1 or not _first_alnum(self.word(k))

    cdef bint joins(self, Py_ssize_t k, bint spanned) except -1:
        """``name_heads._joins`` with the institution heads, ``weak`` and the knowledge-base starts."""
        cdef str w = self.word(k)
        return (
            w not in self.heads_org
            and not self.weak[k]
            and not self.kb_starts[k]
            and (spanned or not _isupper(w))
        )

    cdef bint spanned(self, Py_ssize_t a, Py_ssize_t b) except -1:
        """``_RunReader._spanned``: the tagger read the tokens ``a`` to ``b`` as names (``0 <= a``, ``b <= n``)."""
        cdef Py_ssize_t k
        if not self.spanned_on:
            return False
        for k in range(a, b + 1):
            if not self.named[k]:
                return False
        return True

    cdef int punctuation(self, Py_ssize_t j, int g) except -2:
        """``_RunReader._punctuation``: 1 when the run goes on past ``j``, 0 when it stops, -1 when none."""
        cdef str wj = self.word(j)
        cdef Py_ssize_t hi = self.hi, body_start = self.body_start, k
        if (
            wj == u"("
            and j == body_start
            and j + 3 < hi
            and self.word(j + 2) == u")"
            and _isupper(self.word(j + 1))
            and self.caps[j + 3]
            and self.gap(j + 3) == 1
        ):
            self.j = j + 3
            return 1
        if (
            wj == u","
            and j > body_start
            and j + 2 < hi
            and self.word(j + 1).lower() in self.coordinators
            and self.is_org
        ):
            k = j + 2
            if self.caps[k] and self.gap(k) == 1 and self.joins(k, self.spanned(j - 1, k)):
                self.j = k
                return 1
            return 0
        if (
            g == 0
            and wj in self.attached
            and j + 1 < hi
            and self.gap(j + 1) == 0
            and j > body_start
            and _first_alnum(self.word(j + 1))
        ):
            self.j = self.end = j + 2
            return 1
        return -1

    cdef bint word_at(self, Py_ssize_t j) except -1:
        """``_RunReader._word``."""
        cdef str wj = self.word(j), nxt
        cdef Py_ssize_t k
        if self.caps[j] and _has_alpha(wj):
            if j > self.body_start and self.is_org and wj in self.heads_org and _isupper(self.word(j - 1)):
                return False
            self.names += 1
            self.j = self.end = j + 1
            return True
        if _isdigit_word(wj) and len(wj) <= 3:
            nxt = self.word(j + 1) if j + 1 < self.hi else u""
            if _first_lower(nxt) and (not self.is_org or j > self.body_start):
                return False
            self.j = self.end = j + 1
            return True
        if wj.lower() in self.coordinators and not self.is_org:
            return False
        if wj.lower() in self.joiners and j > self.body_start:
            k = j + 1
            if k < self.hi and self.caps[k] and self.gap(k) == 1 and self.joins(k, self.spanned(j - 1, k)):
                self.j = k
                return True
        return False


cdef inline Py_ssize_t _bisect_right_c(Py_ssize_t* xs, Py_ssize_t n, Py_ssize_t x):
    """``bisect.bisect_right`` over ``xs[:n]``."""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if x < xs[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


cdef object _head_runs_direct(object E, object NH, object view, list spans, object lex, object given):
    """``entities._head_runs`` with ``name_heads.head_runs`` (see the section's comment): the stops of the
    knowledge-base hits and the tagger's spans written straight into the masks, then the runs; None when the
    inputs need the reference (a non-str word, a negative offset, a token index out of range, lists of unequal
    length)."""
    cdef list words = view.words, kbtags = view.kbtags, hits = view.kb_hits, htoks = view.hit_toks
    cdef Py_ssize_t n = len(words), i, lo, hi, k
    cdef _HeadRuns r = _HeadRuns()
    cdef object h, t, entry, sp
    cdef bint with_named = bool(E.HEAD_AFTER_UNNAMED)
    if len(kbtags) != n or not r.setup(view.text, words, view.starts, view.ends, view.caps):
        return None
    for i in range(len(hits)):  # (the caller checked the lengths)
        h = hits[i]
        lo, hi = htoks[i]
        if lo < 0 or lo > n or hi < 0 or hi > n:
            return None
        r.kb_starts[lo] = 1
        entry = h.entry
        t = entry.type
        if t == "PERSON":
            r.strong[lo] = 1  # (kb_persons: part of the strong stops)
        elif t == "ORG":
            r.org_ends[hi] = 1
        else:
            if _place_key(entry.key):
                r.regions[lo] = 1
    for sp in spans:
        lo, hi, t = sp
        if lo < 0 or lo >= n:
            return None
        if _strong_person(t, lo, hi, words, given):
            r.strong[lo] = 1
    memcpy(r.org_stops, r.strong, n + 1)
    for sp in spans:
        lo, hi, t = sp
        if _org_stop_person(t, lo, hi, words, kbtags, given):
            r.org_stops[lo] = 1
    if with_named:
        for sp in spans:
            lo, hi, t = sp
            for k in range(lo, hi if hi < n else n):  # (indices past the words are never asked)
                r.named[k] = 1
    r.spanned_on = with_named and bool(NH.SPANNED_JOINS)  # (``reader.named``: None without either)
    return _run_all(r, NH, view, lex.blocked, lex.free_before, given, with_named)


cdef object _run_all(_HeadRuns r, object NH, object view, object stop_words, object free_before, object given,
                     bint with_named):
    """``name_heads.head_runs``' loop over the candidate heads, the masks filled; None when a sentence lies outside
    the words (the reference runs)."""
    cdef list words = r.words, sentences = view.sentences, out = [], cand = []
    cdef Py_ssize_t n = r.n, ns = len(sentences), i, s, hi, last = 0, end, lo
    cdef Py_ssize_t* sent_starts = NULL
    cdef Py_ssize_t* sent_ends = NULL
    cdef object heads = NH.load_heads(), firsts = heads.firsts
    for i in range(n):
        if r.caps[i] and words[i] in firsts:
            cand.append(i)
    if not cand:
        return out
    r.stop_words, r.given = stop_words, given
    r.heads_org, r.heads_place, r.heads_weak = heads.org, heads.place, heads.weak
    if type(r.heads_org) is not dict or type(r.heads_place) is not dict:
        return None
    r.coordinators, r.joiners, r.attached = NH._COORDINATORS, NH._JOINERS, NH._ATTACHED
    r.closing = bool(NH.CLOSING_ROLE_WORDS)
    sent_starts = <Py_ssize_t*>PyMem_Malloc((ns + 1) * sizeof(Py_ssize_t))
    sent_ends = <Py_ssize_t*>PyMem_Malloc((ns + 1) * sizeof(Py_ssize_t))
    if sent_starts == NULL or sent_ends == NULL:
        PyMem_Free(sent_starts)
        PyMem_Free(sent_ends)
        raise MemoryError()
    try:
        for s in range(ns):
            lo, hi = sentences[s]
            if lo < 0 or hi > n:
                return None
            sent_starts[s] = lo
            sent_ends[s] = hi
        for i in cand:
            if i < last:
                continue
            s = _bisect_right_c(sent_starts, ns, i) - 1
            if s < 0:
                continue
            hi = sent_ends[s]
            if i >= hi or r.inside_name(i, sent_starts[s], free_before, with_named):
                continue
            end = r.run(i, hi)
            if end < 0:
                continue
            out.append((i, end, r.typ))
            last = end
        return out
    finally:
        PyMem_Free(sent_starts)
        PyMem_Free(sent_ends)


# ---------------------------------------------------------------------------------------------
# The acronyms of ``coref`` (hot13): ``entities._bracket_acronyms`` and ``entities._spelled_acronyms``, written out
# (in ``ner_twins.MIRRORS["_coref"]``, so a change to either runs the whole ``_coref`` reference). The bracket
# pattern is searched (``re``, the reference's own pattern) only in a surface holding " ("; the words of
# ``_spelled_acronyms``' pattern are scanned here with the classes ``re`` gives ``[^\W\d_]`` and ``[\w'’]``.

from cpython.unicode cimport Py_UNICODE_ISDECIMAL

cdef object _BRACKET_RE = None


cdef object _bracket_re(object E):
    """``entities._bracket_acronyms``' pattern, compiled as ``re.search`` compiles it."""
    global _BRACKET_RE
    if _BRACKET_RE is None:
        _BRACKET_RE = E.re.compile(r" \(([A-Z][A-Za-z]{1,7})\) ")
    return _BRACKET_RE


cdef tuple _bracket_acronyms(object E, object view, list mentions):
    """``entities._bracket_acronyms``."""
    cdef str text = view.text, surface, acr
    cdef list words = view.words, starts = view.starts
    cdef dict acronyms = {}, by_start = {}
    cdef object m, inner, Mention = E.Mention, t
    cdef Py_ssize_t k, nw = len(words)
    for m in mentions:
        by_start[m.start] = m
    for m in mentions:
        t = m.type
        if not (t == u"ORG" or t == u"GPE" or t == u"LOC"):
            continue
        surface = text[m.start : m.end]
        if u" " not in surface:
            continue
        k = _tok(starts, m.end)
        if u" (" in surface:
            inner = _bracket_re(E).search(surface)
            if inner is not None and m.source == u"crf":
                acronyms.setdefault(inner.group(1), m)
        if k + 2 < nw and words[k] == u"(" and words[k + 2] == u")":
            acr = words[k + 1]
            if _isupper(acr) and 2 <= len(acr) <= 8 and E._bracket_fit(view, m, k + 1):
                acronyms.setdefault(acr, m)
                if starts[k + 1] not in by_start:
                    by_start[starts[k + 1]] = _new_slots(
                        Mention, (starts[k + 1], view.ends[k + 1], m.type, m.key, m.name, 0.8, m.entry, u"coref")
                    )
    return acronyms, sorted(by_start.values(), key=E._START)


cdef inline bint _word_start(Py_UCS4 c):
    """``re``'s ``[^\\W\\d_]``: a word character that is no decimal digit and no underscore."""
    return c != u"_" and c.isalnum() and not Py_UNICODE_ISDECIMAL(c)


cdef inline bint _word_more(Py_UCS4 c):
    """``re``'s ``[\\w'’]``."""
    return c == u"_" or c == u"'" or c == u"\u2019" or c.isalnum()


cdef str _initials(str surface, Py_ssize_t* count):
    """The first letters of ``re.findall(r"[^\\W\\d_][\\w'’]*", surface)``'s words that begin with a capital, and
    (in ``count``) how many such words."""
    cdef Py_ssize_t i = 0, n = len(surface)
    cdef Py_UCS4 c
    cdef list firsts = []
    while i < n:
        c = surface[i]
        if not _word_start(c):
            i += 1
            continue
        if c.isupper():
            firsts.append(surface[i : i + 1])
        i += 1
        while i < n and _word_more(surface[i]):
            i += 1
    count[0] = len(firsts)
    return u"".join(firsts)


def spelled_initials(str surface):
    """(The initials :func:`_initials` reads, how many words): the tests compare them with ``re.findall``'s."""
    cdef Py_ssize_t n = 0
    acr = _initials(surface, &n)
    return acr, n


cdef dict _spelled_acronyms(object view, list mentions, dict acronyms):
    """``entities._spelled_acronyms``."""
    cdef dict out = {}
    cdef object m, words = None
    cdef str text = view.text, surface, acr
    cdef Py_ssize_t ncaps = 0
    for m in mentions:
        if m.type != u"ORG":
            continue
        surface = text[m.start : m.end]
        if u" " not in surface:
            continue
        acr = _initials(surface, &ncaps)
        if ncaps < 2 or len(acr) != ncaps or acr in acronyms or acr in out:
            continue
        if words is None:
            words = set(view.words)
        if acr in words:
            out[acr] = m
    return out
