# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The compiled hot path of the shared analysis (Cython): tokens, sentences, lexicon hits, numerals.

Each function here computes exactly what its pure-Python reference computes (the reference is the
definition; ``tests/core/test_hot.py`` checks the two agree on random and real text):

- ``tokenize``          -> ``streams.nlp.analysis.py_tokenize`` (the ``_SPLIT`` regex, then ``_split_nt``)
- ``lowers``            -> ``streams.nlp.analysis._lowers``
- ``split_sentences``   -> ``streams.nlp.analysis.py_split_sentences``
- ``runs``              -> ``streams.nlp.analysis._py_runs``
- ``layout``            -> ``streams.nlp.analysis._py_layout`` (lines, paragraphs, sentences)
- ``lexicon_hits``      -> ``streams.nlp.lexicons.py_match_lexicons`` (``hit_layout``: how it builds a Hit)
- ``lexicon_token_hits`` -> the same, over the automaton's token trie (``streams.nlp.lexicons.token_trie``)
- ``word_lowers``       -> ``streams.core.analysis.py_word_lowers``
- ``shingles``          -> ``streams.dedup.text.py_shingles``
- ``parse_numeral``     -> ``streams.nlp.numbers.py_parse_numeral``
- ``digit_starts``      -> the digit candidates of ``streams.nlp.numbers.py_parse_numbers``
- ``parse_numbers``     -> ``streams.nlp.numbers.py_parse_numbers`` (and its passes)
- ``parse_words``       -> ``streams.nlp.numbers.parse_words``
- ``murmur2``           -> ``aiokafka.partitioner.murmur2`` (Kafka's key hash, for the producers)
- ``longest_hits``      -> ``streams.nlp.topics._py_longest``
- ``topic_lexicon_scores`` -> ``streams.nlp.topics._py_lexicon_scores``
- ``vocab_counts``      -> ``streams.nlp.classify_model.py_vocab_counts``
- ``dedupe_spans``      -> ``streams.nlp.topics._py_dedupe_spans``
- ``collapse_spaces``   -> ``" ".join(text.split())`` (``streams.core.ids.normalize_for_hash``)

Character classes are the ones Python's ``re`` uses for ``str`` patterns: ``\\s`` is
``Py_UNICODE_ISSPACE``, ``\\d`` is ``Py_UNICODE_ISDECIMAL``, ``\\w`` is ``Py_UNICODE_ISALNUM`` or ``_``.
Stages never import this module: they read the :class:`~streams.core.analysis.Analysis`.
"""

from cpython.unicode cimport (
    PyUnicode_FindChar,
    PyUnicode_GET_LENGTH,
    Py_UNICODE_ISALNUM,
    Py_UNICODE_ISDECIMAL,
    Py_UNICODE_ISDIGIT,
    Py_UNICODE_ISSPACE,
    Py_UNICODE_ISUPPER,
)
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_DECREF, Py_INCREF
from libc.stdint cimport uint32_t
from libc.stdlib cimport free, malloc, realloc



from streams.core._cslots cimport PyMemberDef, PyMemberDescrObject, TypeSlots, alloc_instance, new_slots


__all__ = [
    "collapse_spaces",
    "dedupe_spans",
    "digit_starts",
    "hit_layout",
    "layout",
    "lexicon_hits",
    "lexicon_token_hits",
    "longest_hits",
    "lowers",
    "murmur2",
    "padded_words",
    "parse_numbers",
    "parse_numeral",
    "parse_words",
    "phrase_find",
    "runs",
    "shingles",
    "space_groups",
    "split_sentences",
    "tokenize",
    "topic_lexicon_scores",
    "vocab_counts",
    "word_lowers",
]


cdef extern from "Python.h":
    Py_UCS4 _READ "PyUnicode_READ" (int kind, const void *data, Py_ssize_t index) nogil
    int _KIND "PyUnicode_KIND" (object o)
    const void *_DATA "PyUnicode_DATA" (object o)
    bint _IS_ASCII "PyUnicode_IS_ASCII" (object o)


# hot12: the character classes of ASCII characters from a table (what ``Py_UNICODE_IS*`` answer for them; the
# tokenizer reads each character once, and most are ASCII), the Unicode functions for every other character.
cdef enum:
    _C_ALNUM = 1
    _C_DEC = 2
    _C_SPACE = 4

cdef unsigned char _ASCII_CLASS[128]


cdef void _fill_ascii_class():
    cdef int c
    for c in range(128):
        _ASCII_CLASS[c] = ((_C_ALNUM if Py_UNICODE_ISALNUM(c) else 0) | (_C_DEC if Py_UNICODE_ISDECIMAL(c) else 0)
                           | (_C_SPACE if Py_UNICODE_ISSPACE(c) else 0))


_fill_ascii_class()


cdef inline bint _alnum(Py_UCS4 c):
    if c < 128:
        return _ASCII_CLASS[c] & _C_ALNUM
    return Py_UNICODE_ISALNUM(c)


cdef inline bint _decimal(Py_UCS4 c):
    if c < 128:
        return _ASCII_CLASS[c] & _C_DEC
    return Py_UNICODE_ISDECIMAL(c)


cdef inline bint _space(Py_UCS4 c):
    if c < 128:
        return _ASCII_CLASS[c] & _C_SPACE
    return Py_UNICODE_ISSPACE(c)


cdef inline bint _letter(Py_UCS4 c):
    """``[^\\W\\d_]``: a word character that is no decimal digit and no underscore."""
    return _alnum(c) and not _decimal(c)


cdef inline bint _word(Py_UCS4 c):
    """``\\w``."""
    return _alnum(c) or c == u"_"


cdef Py_ssize_t _suffix_end(int kind, const void *data, Py_ssize_t i, Py_ssize_t n):
    """``['’](?:s|re|ll|ve|d|m|t)\\b`` at ``i`` (an apostrophe): the match end, or -1."""
    cdef Py_ssize_t j = i + 1
    cdef Py_UCS4 a, b
    if j >= n:
        return -1
    a = _READ(kind, data, j)
    if a == u"s" or a == u"d" or a == u"m" or a == u"t":
        j += 1
    elif j + 1 < n:
        b = _READ(kind, data, j + 1)
        if (a == u"r" and b == u"e") or (a == u"l" and b == u"l") or (a == u"v" and b == u"e"):
            j += 2
        else:
            return -1
    else:
        return -1
    if j < n and _word(_READ(kind, data, j)):
        return -1
    return j


cdef Py_ssize_t _token_end(int kind, const void *data, Py_ssize_t i, Py_ssize_t n):
    """The end of the ``_SPLIT`` match at ``i`` (a non-space character): its alternatives in order."""
    cdef Py_UCS4 c = _READ(kind, data, i)
    cdef Py_ssize_t j, reps, e
    # Rp(?=\d)
    if c == u"R" and i + 2 < n and _READ(kind, data, i + 1) == u"p" and _decimal(_READ(kind, data, i + 2)):
        return i + 2
    # [^\W\d_](?:(?:\.[^\W\d_])+\.|[^\W_]*)
    if _letter(c):
        j = i + 1
        reps = 0
        while j + 1 < n and _READ(kind, data, j) == u"." and _letter(_READ(kind, data, j + 1)):
            j += 2
            reps += 1
        if reps >= 1:
            if j < n and _READ(kind, data, j) == u".":
                return j + 1
            if reps >= 2:  # the regex backtracks one repetition: its dot ends the match
                return j - 1
        j = i + 1
        while j < n and _alnum(_READ(kind, data, j)):
            j += 1
        return j
    # \d+(?:[.,]\d+)*
    if _decimal(c):
        j = i + 1
        while j < n and _decimal(_READ(kind, data, j)):
            j += 1
        while j + 1 < n and (_READ(kind, data, j) == u"." or _READ(kind, data, j) == u",") and _decimal(_READ(kind, data, j + 1)):
            j += 2
            while j < n and _decimal(_READ(kind, data, j)):
                j += 1
        return j
    # ['’](?:s|re|ll|ve|d|m|t)\b
    if c == u"'" or c == u"’":
        e = _suffix_end(kind, data, i, n)
        if e >= 0:
            return e
    # \S
    return i + 1


def tokenize(str text):
    """``(starts, ends, words, gaps)``, as ``streams.nlp.analysis.py_tokenize``."""
    cdef Py_ssize_t n = len(text)
    cdef Py_ssize_t i = 0, j, gap = 0, k, m
    cdef list starts = [], ends = [], words = [], gaps = []
    cdef str w, p
    cdef Py_UCS4 last
    cdef int kind = _KIND(text)
    cdef const void *data = _DATA(text)
    while True:
        while i < n and _space(_READ(kind, data, i)):
            i += 1
        gaps.append(text[gap:i])
        if i >= n:
            break
        j = _token_end(kind, data, i, n)
        starts.append(i)
        ends.append(j)
        words.append(text[i:j])
        i = gap = j
    # didn 't -> did n't (as _split_nt, in the same order)
    m = len(words)
    for k in range(1, m):
        p = words[k]
        if len(p) == 2 and p[1] == u"t" and (p[0] == u"'" or p[0] == u"’") and not gaps[k]:
            w = words[k - 1]
            if len(w) > 1:
                last = w[len(w) - 1]
                if last == u"n" or last == u"N":
                    words[k - 1] = w[: len(w) - 1]
                    words[k] = w[len(w) - 1 :] + p
                    ends[k - 1] = ends[k - 1] - 1
                    starts[k] = starts[k] - 1
    return starts, ends, words, gaps


def lowers(str text, list words, normalize):
    """``streams.nlp.analysis._lowers`` (``Analysis.lowers``): each word casefolded, and a word whose casefold
    is not ASCII in a text that is not ASCII as ``normalize`` (``normalize_form``) gives it. An ASCII word
    without capitals is its own casefold: the word object itself is kept (equal to the reference's string)."""
    cdef Py_ssize_t n = len(words), k, j, size
    cdef list out = [None] * n
    cdef str w, low
    cdef bint ascii_text = _IS_ASCII(text)
    cdef const unsigned char *chars
    for k in range(n):
        w = words[k]
        if _IS_ASCII(w):
            chars = <const unsigned char *> _DATA(w)
            size = len(w)
            j = 0
            while j < size and not (65 <= chars[j] <= 90):
                j += 1
            low = w if j == size else w.casefold()
        else:
            low = w.casefold()
            if not ascii_text and not _IS_ASCII(low):
                low = normalize(w)
        out[k] = low
    return out


def split_sentences(list words, list starts, list ends, breaks, abbrevs, terminals, closers):
    """Sentences as token ranges, as ``streams.nlp.analysis.py_split_sentences`` (the rule sets are
    passed in)."""
    cdef Py_ssize_t n = len(words)
    cdef Py_ssize_t i, j, a, b
    cdef unsigned char *cut = <unsigned char *> malloc(n + 1)
    cdef str nxt, prev, w
    cdef Py_UCS4 c
    cdef list out = []
    if cut == NULL:
        raise MemoryError()
    try:
        for i in range(n + 1):
            cut[i] = 0
        for b in breaks:
            if 0 <= b < n:
                cut[b] = 1
        for i in range(n):
            w = words[i]
            if w not in terminals:
                continue
            j = i + 1
            while j < n and words[j] in closers and starts[j] == ends[j - 1]:
                j += 1
            if j >= n or cut[j] or starts[j] == ends[j - 1]:
                continue
            nxt = words[j]
            c = nxt[0]
            if not (Py_UNICODE_ISUPPER(c) or Py_UNICODE_ISDIGIT(c) or c in u"\"“‘'(«[-–—•"):
                continue
            if w == u"." and i > 0 and starts[i] == ends[i - 1]:
                prev = words[i - 1]
                if prev in abbrevs or (len(prev) == 1 and Py_UNICODE_ISUPPER(prev[0])):
                    continue
            cut[j] = 1
        a = 0
        for i in range(1, n):
            if cut[i]:
                out.append((a, i))
                a = i
        if a < n:
            out.append((a, n))
    finally:
        free(cut)
    return out


# hot12: ``Sentence``, ``Block`` (~60 an article) and ``NumberToken`` (~25) objects built by writing their slots
# when the class is a plain slots dataclass (``_cslots.new_slots``), else by calling it.
cdef dict _plain_layouts = {}  # class -> tuple of its fields' slot offsets, or None: call the class


cdef inline object _plain(object cls, tuple values):
    """``cls(*values)`` (every field given, in order), by writing the slots of a plain slots dataclass."""
    return new_slots(cls, values, _plain_layouts)


cdef list _blocks(list bounds, Py_ssize_t n, list starts, list ends, Block):
    """``streams.nlp.analysis._blocks``: a Block per pair of consecutive edges ``[0, *bounds, n]``."""
    cdef list out = []
    cdef list edges = [0, *bounds, n]
    cdef Py_ssize_t k, a, b
    for k in range(len(edges) - 1):
        a = edges[k]
        b = edges[k + 1]
        if a < b:
            out.append(_plain(Block, (k, starts[a], ends[b - 1], a, b)))
    return out


def layout(str text, list starts, list ends, list words, list gaps, Sentence, Block, abbrevs, terminals, closers):
    """``(sent_ids, line_ids, para_ids, sentences, lines, paragraphs)``, as
    ``streams.nlp.analysis._py_layout``."""
    cdef Py_ssize_t n = len(words), k, a, b
    cdef list nl = [], para_b = [], sentences = [], spans, line_ids, para_ids, sent_ids
    cdef str g
    if u"\n" in text:
        for k in range(1, n):
            g = gaps[k]
            if u"\n" in g:
                nl.append(k)
                if g.count(u"\n") >= 2:
                    para_b.append(k)
    line_ids = runs(nl, n)
    para_ids = runs(para_b, n)
    lines = _blocks(nl, n, starts, ends, Block)
    paragraphs = _blocks(para_b, n, starts, ends, Block)
    spans = split_sentences(words, starts, ends, nl, abbrevs, terminals, closers)
    for k in range(len(spans)):
        a, b = spans[k]
        sentences.append(_plain(Sentence, (k, starts[a], ends[b - 1], a, b, para_ids[a])))
    sent_ids = runs([sp[0] for sp in spans[1:]], n)
    return sent_ids, line_ids, para_ids, sentences, lines, paragraphs


def runs(list ids_at, Py_ssize_t n):
    """Per-token block numbers from the token numbers where a new block starts (``_runs``)."""
    cdef list out = []
    cdef Py_ssize_t k = 0, prev = 0, b, t
    for b in ids_at:
        for t in range(b - prev):
            out.append(k)
        prev = b
        k += 1
    for t in range(n - prev):
        out.append(k)
    return out


def word_lowers(list lowers):
    """The lowers holding a letter or digit (``Analysis.py_word_lowers``)."""
    cdef list out = []
    cdef str w
    cdef Py_UCS4 c
    for w in lowers:
        for c in w:
            if Py_UNICODE_ISALNUM(c):
                out.append(w)
                break
    return out


def shingles(list tokens, Py_ssize_t k):
    """``streams.dedup.text.py_shingles``: every run of ``k`` tokens joined by one space, cut out of the
    tokens joined once (the same strings: a run's text in the whole join is the run's own join)."""
    cdef Py_ssize_t n = len(tokens)
    cdef Py_ssize_t i, pos
    cdef Py_ssize_t *offs
    cdef str full
    cdef list out
    if k <= 0:
        return []
    if n < k:
        return [u" ".join(tokens)] if n else []
    full = u" ".join(tokens)
    offs = <Py_ssize_t *> malloc((n + 1) * sizeof(Py_ssize_t))
    if offs == NULL:
        raise MemoryError()
    try:
        pos = 0
        for i in range(n):
            offs[i] = pos
            pos += len(<str> tokens[i]) + 1
        offs[n] = pos  # one past the end of the join, as if a space followed
        out = [None] * (n - k + 1)
        for i in range(n - k + 1):
            out[i] = full[offs[i] : offs[i + k] - 1]
    finally:
        free(offs)
    return out


def digit_starts(list words):
    """Token numbers of the words starting with an ASCII digit 0-9."""
    cdef list out = []
    cdef Py_ssize_t i
    cdef str w
    cdef Py_UCS4 c
    for i in range(len(words)):
        w = words[i]
        if len(w):
            c = w[0]
            if u"0" <= c <= u"9":
                out.append(i)
    return out


cdef object _float(str s):
    try:
        return float(s)
    except ValueError:
        return None


cdef inline bint _all_three(list groups, Py_ssize_t first):
    cdef Py_ssize_t k
    for k in range(first, len(groups)):
        if len(<str> groups[k]) != 3:
            return False
    return True


def parse_numeral(str raw, language="id", *, bint before_multiplier=False):
    """The value of a digit token, as ``streams.nlp.numbers.py_parse_numeral``."""
    cdef bint has_dot, has_comma
    cdef str decimal, dec, sep, head, frac
    cdef list groups
    if raw.isdigit():
        return _float(raw)
    decimal = u"." if language == "en" else u","
    has_dot = u"." in raw
    has_comma = u"," in raw
    if not (has_dot or has_comma):
        return _float(raw)
    if has_dot and has_comma:
        dec = u"," if raw.rfind(u",") > raw.rfind(u".") else u"."
        sep = u"." if dec == u"," else u","
        head, _, frac = raw.rpartition(dec)
        groups = head.split(sep)
        if raw.count(dec) != 1 or not _all_three(groups, 1) or not groups[0]:
            return None
        return _float(u"".join(groups) + u"." + frac)
    sep = u"." if has_dot else u","
    groups = raw.split(sep)
    if len(groups) > 2:
        if _all_three(groups, 1) and 0 < len(<str> groups[0]) <= 3:
            return float(u"".join(groups))
        return None
    head = groups[0]
    frac = groups[1]
    if len(frac) == 3 and head != u"0" and head != u"":
        if before_multiplier and sep == decimal:
            return _float(head + u"." + frac)
        if len(head) <= 3:
            return float(head + frac)
        return _float(head + u"." + frac)
    return _float(head + u"." + frac)


cdef Py_ssize_t _bisect_right(Py_ssize_t *a, Py_ssize_t size, Py_ssize_t x):
    cdef Py_ssize_t lo = 0, hi = size, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


# The fields of ``streams.core.analysis.Hit``, in its slot order. A Hit is built by allocating the object and
# writing its nine slots (what the dataclass ``__init__`` does, without a Python-level call: ~40 ns instead of
# ~300 ns, ~450 hits an article) when the class is a slots dataclass with exactly these fields, no
# ``__post_init__`` and object slots; any other class is called as before.
cdef tuple _HIT_FIELDS = ("start", "end", "tok_start", "tok_end", "tag", "keys", "forms", "exact_case", "prefix")
cdef object _hit_cls = None
cdef bint _hit_direct = False
cdef Py_ssize_t _hit_off[9]
cdef int _T_OBJECT_EX = 16  # structmember.h: an object slot (AttributeError when unset)


def hit_layout(cls):
    """Whether :func:`lexicon_hits` writes ``cls``'s slots directly (else it calls ``cls``)."""
    return _hit_layout(cls)


cdef bint _hit_layout(object cls) except -1:
    """Whether ``cls``'s slots can be written directly; the answer and the offsets are cached for the last
    class asked about, and set together with no Python code in between (a thread switch cannot mix the
    offsets of one class with another's). :func:`lexicon_hits` copies them before it builds a hit."""
    global _hit_cls, _hit_direct
    cdef bint ok
    cdef Py_ssize_t k
    if cls is _hit_cls:
        return _hit_direct
    ok = _hit_slots(cls)
    if ok:
        for k in range(9):
            _hit_off[k] = _new_off[k]
    _hit_direct = ok
    _hit_cls = cls
    return ok


cdef Py_ssize_t _new_off[9]


cdef bint _hit_slots(object cls) except -1:
    """Whether ``cls`` is a slots dataclass with exactly ``Hit``'s fields as object slots inside the instance,
    built by ``object.__new__`` with no ``__post_init__``; fills ``_new_off`` with the slots' offsets."""
    cdef PyMemberDef *m
    cdef Py_ssize_t k
    import dataclasses

    if not isinstance(cls, type) or not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return False
    if tuple(f.name for f in dataclasses.fields(cls)) != _HIT_FIELDS or "__slots__" not in cls.__dict__:
        return False
    if type(cls).__new__ is not type.__new__ or cls.__new__ is not object.__new__:
        return False
    offs = []
    for k in range(9):
        d = cls.__dict__.get(_HIT_FIELDS[k])
        if type(d).__name__ != "member_descriptor":
            return False
        m = (<PyMemberDescrObject *> <PyObject *> d).d_member
        if m.type != _T_OBJECT_EX or m.offset <= 0 or m.offset + <Py_ssize_t> sizeof(PyObject *) > (<TypeSlots *> <PyObject *> cls).tp_basicsize:
            return False
        offs.append(m.offset)
    for k in range(9):  # no Python code runs between filling these and their copy in _hit_layout
        _new_off[k] = offs[k]
    return True


cdef inline void _put(PyObject *obj, Py_ssize_t off, object value):
    Py_INCREF(value)
    (<PyObject **> ((<char *> obj) + off))[0] = <PyObject *> value


cdef object _new_hit(object cls, const Py_ssize_t *off, object start, object end, object ts, object te, tuple g,
                     bint exact, bint prefix):
    """``cls(start, end, ts, te, tag, keys, forms, exact, prefix)`` of a group ``(tag, keys, bare, forms)``."""
    cdef PyObject *p
    cdef object obj
    if off == NULL:
        return cls(start, end, ts, te, g[0], g[1], g[3], exact, prefix)
    obj = alloc_instance(cls)
    p = <PyObject *> obj
    _put(p, off[0], start)
    _put(p, off[1], end)
    _put(p, off[2], ts)
    _put(p, off[3], te)
    _put(p, off[4], g[0])
    _put(p, off[5], g[1])
    _put(p, off[6], g[3])
    _put(p, off[7], True if exact else False)
    _put(p, off[8], True if prefix else False)
    return obj


def lexicon_hits(auto, list lowers, list words, list starts, list ends, list sent_ids, str text, Hit):
    """Every lexicon hit, as ``streams.nlp.lexicons.py_match_lexicons`` (``Hit`` is the class)."""
    cdef Py_ssize_t n = len(lowers)
    cdef Py_ssize_t k, pos, total, end_idx, klen, ntok, ts, te, start, end, i, m, cap
    cdef Py_ssize_t *nstarts
    cdef Py_ssize_t *tok_of
    cdef Py_ssize_t *hit_ts = NULL
    cdef Py_ssize_t *grown
    cdef list out = []
    cdef list ordered
    cdef str norm, surface
    cdef tuple groups, g
    cdef bint prefix
    cdef object value, o_start, o_end, o_ts, o_te
    if not n:
        return out
    cdef Py_ssize_t off[9]
    cdef const Py_ssize_t *layout = NULL
    if _hit_layout(Hit):
        for k in range(9):
            off[k] = _hit_off[k]
        layout = off
    norm = u" " + u" ".join(lowers) + u" "
    total = len(norm)
    nstarts = <Py_ssize_t *> malloc((n + 1) * sizeof(Py_ssize_t))
    tok_of = <Py_ssize_t *> malloc((total + 2) * sizeof(Py_ssize_t))
    cap = 2 * n + 16
    hit_ts = <Py_ssize_t *> malloc(cap * sizeof(Py_ssize_t))
    if nstarts == NULL or tok_of == NULL or hit_ts == NULL:
        free(nstarts)
        free(tok_of)
        free(hit_ts)
        raise MemoryError()
    try:
        for i in range(total + 2):
            tok_of[i] = -1
        pos = 1
        for k in range(n):
            nstarts[k] = pos
            tok_of[pos] = k
            pos += len(<str> lowers[k]) + 1
        nstarts[n] = pos
        tok_of[pos] = n
        for end_idx, value in auto.iter(norm):
            klen, prefix, ntok, groups = value
            pos = end_idx - klen + 2
            if pos < 0 or pos > total + 1:
                continue
            ts = tok_of[pos]
            if ts < 0:
                continue
            if prefix:
                te = _bisect_right(nstarts, n + 1, end_idx)
                end = min(<Py_ssize_t> ends[te - 1], <Py_ssize_t> starts[te - 1] + end_idx + 1 - nstarts[te - 1])
                surface = text[<Py_ssize_t> starts[ts] : end].replace(u" ", u"")
            elif ntok == 1:
                surface = words[ts]
                end = ends[ts]
                te = ts + 1
            else:
                te = ts + ntok
                end = ends[te - 1]
                surface = u"".join(words[ts:te])
            if (prefix or ntok != 1) and sent_ids[ts] != sent_ids[te - 1]:
                continue
            o_start, o_end, o_ts, o_te = starts[ts], end, ts, te  # one int object each, for every group
            for g in groups:
                m = len(out)
                if m >= cap:
                    cap *= 2
                    grown = <Py_ssize_t *> realloc(hit_ts, cap * sizeof(Py_ssize_t))
                    if grown == NULL:
                        raise MemoryError()
                    hit_ts = grown
                hit_ts[m] = ts
                out.append(_new_hit(Hit, layout, o_start, o_end, o_ts, o_te, g, surface in <tuple> g[2], prefix))
        ordered = _by_token(out, hit_ts, n)
    finally:
        free(nstarts)
        free(tok_of)
        free(hit_ts)
    return ordered


cdef list _by_token(list hits, Py_ssize_t *hit_ts, Py_ssize_t n):
    """``hits`` stably sorted by their first token (= by start: token starts increase), in linear time: what
    ``sorted(hits, key=attrgetter("start"))`` gives (hits come ordered by end)."""
    cdef Py_ssize_t m = len(hits)
    cdef Py_ssize_t i, acc, c
    cdef Py_ssize_t *slot = <Py_ssize_t *> malloc((n + 1) * sizeof(Py_ssize_t))
    cdef list out
    if slot == NULL:
        raise MemoryError()
    try:
        for i in range(n + 1):
            slot[i] = 0
        for i in range(m):
            slot[hit_ts[i]] += 1
        acc = 0
        for i in range(n + 1):
            c = slot[i]
            slot[i] = acc
            acc += c
        out = [None] * m
        for i in range(m):
            out[slot[hit_ts[i]]] = hits[i]
            slot[hit_ts[i]] += 1
    finally:
        free(slot)
    return out


# hot12: each tag's list of ``by_tag`` found by the tag object's identity among the few tags seen in this call
# (five lexicons), before the dict.
cdef struct _TagLists:
    PyObject *by_tag  # the dict, or NULL: no grouping asked
    Py_ssize_t n
    PyObject *tag[8]
    PyObject *lst[8]


cdef int _group_hit(_TagLists *tl, object tag, object hit) except -1:
    """Appends ``hit`` to ``tag``'s list of ``by_tag`` (made when missing), as ``by_tag.setdefault(tag, [])``."""
    cdef Py_ssize_t k
    cdef PyObject *t = <PyObject *> tag
    for k in range(tl.n):
        if tl.tag[k] == t:
            (<list> tl.lst[k]).append(hit)
            return 0
    by_tag = <dict> tl.by_tag
    same = by_tag.get(tag)
    if same is None:
        same = by_tag[tag] = [hit]
    else:
        (<list> same).append(hit)
    if tl.n < 8:  # the dict holds the list and the trie the tag: borrowed references stay valid in this call
        tl.tag[tl.n] = t
        tl.lst[tl.n] = <PyObject *> same
        tl.n += 1
    return 0


cdef int _emit(list out, _TagLists *tl, object Hit, const Py_ssize_t *layout, object value, Py_ssize_t ts,
               Py_ssize_t j, Py_ssize_t plen, list words, list starts, list ends, list sent_ids,
               str text) except -1:
    """The hits of one match of automaton value ``value`` from token ``ts`` to token ``j`` (its last), as
    :func:`lexicon_hits` builds them, appended to ``out`` and to their tag's list in ``by_tag`` (when
    given); ``plen`` > 0: a prefix key whose last part is ``plen`` characters of token ``j``."""
    cdef tuple groups = (<tuple> value)[3]
    cdef tuple g
    cdef Py_ssize_t te = j + 1, end
    cdef bint prefix = plen > 0
    cdef str surface
    cdef object o_end, hit
    if prefix:
        end = min(<Py_ssize_t> ends[j], <Py_ssize_t> starts[j] + plen)
        surface = text[<Py_ssize_t> starts[ts] : end].replace(u" ", u"")
        o_end = end
    elif te == ts + 1:
        surface = words[ts]
        o_end = ends[ts]
    else:
        surface = u"".join(words[ts:te])
        o_end = ends[j]
    if (prefix or te != ts + 1) and sent_ids[ts] != sent_ids[j]:
        return 0
    o_start, o_ts, o_te = starts[ts], ts, te  # one int object each, for every group
    for g in groups:
        hit = _new_hit(Hit, layout, o_start, o_end, o_ts, o_te, g, surface in <tuple> g[2], prefix)
        out.append(hit)
        if tl.by_tag != NULL:
            _group_hit(tl, g[0], hit)
    return 0


cdef int _prefix_hits(list out, _TagLists *tl, object Hit, const Py_ssize_t *layout, tuple prefixes, object firsts,
                      const unsigned char *ascii_firsts, str tok, Py_ssize_t ts, Py_ssize_t j, list words,
                      list starts, list ends, list sent_ids, str text) except -1:
    """The prefix keys of a trie node (``(part, value)``, shortest part first) that token ``j`` starts with;
    ``ascii_firsts`` (or NULL): which ASCII characters are in ``firsts``."""
    cdef tuple pv
    cdef str part
    cdef Py_UCS4 c
    if not tok:
        return 0
    c = tok[0]
    if ascii_firsts != NULL and c < 128:
        if not ascii_firsts[c]:
            return 0
    elif tok[0] not in firsts:
        return 0
    for pv in prefixes:
        part = pv[0]
        if tok.startswith(part):
            _emit(out, tl, Hit, layout, pv[1], ts, j, len(part), words, starts, ends, sent_ids, text)
    return 0


def lexicon_token_hits(tuple root, list lowers, list words, list starts, list ends, list sent_ids, str text, Hit,
                       dict by_tag=None):
    """:func:`lexicon_hits` over the token trie of the same automaton (``streams.nlp.lexicons``
    ``token_trie``): one dict look-up per token instead of one automaton step per character. A node is
    ``(value, children, prefixes, first characters of the prefixes)``. The hits and their order are
    :func:`lexicon_hits`' (by first token, then by where the key ends); None when a lowered token is
    empty or holds a space (NFKC makes " \u0308" of "\u00a8"), where matching the space-joined tokens
    differs from matching token by token: the caller then runs :func:`lexicon_hits`. ``by_tag``: a dict
    that receives each tag's hits, in the same order (``Analysis.hits_by_tag``'s grouping)."""
    cdef Py_ssize_t n = len(lowers)
    cdef Py_ssize_t i, j, k
    cdef list out = []
    cdef dict root_children = root[1], children
    cdef tuple root_prefixes = root[2], prefixes, node
    cdef object root_firsts = root[3], firsts, child
    cdef str tok, x
    cdef Py_ssize_t off[9]
    cdef const Py_ssize_t *layout = NULL
    cdef _TagLists tl
    cdef unsigned char root_ascii[128]
    if not n:
        return out
    tl.by_tag = <PyObject *> by_tag if by_tag is not None else NULL
    tl.n = 0
    for k in range(128):
        root_ascii[k] = 0
    for x in root_firsts:
        if len(x) == 1 and <Py_UCS4> x[0] < 128:
            root_ascii[<Py_UCS4> x[0]] = 1
    if _hit_layout(Hit):
        for k in range(9):
            off[k] = _hit_off[k]
        layout = off
    for i in range(n):
        tok = lowers[i]
        if PyUnicode_GET_LENGTH(tok) == 0 or PyUnicode_FindChar(tok, 0x20, 0, PyUnicode_GET_LENGTH(tok), 1) >= 0:
            return None
        if root_prefixes:
            _prefix_hits(out, &tl, Hit, layout, root_prefixes, root_firsts, root_ascii, tok, i, i, words, starts,
                         ends, sent_ids, text)
        child = root_children.get(tok)
        j = i
        while child is not None:
            node = <tuple> child
            if node[0] is not None:
                _emit(out, &tl, Hit, layout, node[0], i, j, 0, words, starts, ends, sent_ids, text)
            j += 1
            if j >= n:
                break
            tok = lowers[j]
            prefixes = node[2]
            if prefixes:
                _prefix_hits(out, &tl, Hit, layout, prefixes, node[3], NULL, tok, i, j, words, starts, ends,
                             sent_ids, text)
            if node[1] is None:
                break
            children = node[1]
            child = children.get(tok)
    return out


# ---------------------------------------------------------------------------------------------
# Numbers: ``streams.nlp.numbers.py_parse_numbers`` and its passes, with the same rules object.

cdef Py_ssize_t _phrase_at(ph, list lowers, Py_ssize_t i, Py_ssize_t end):
    """``Phrases.at``: the length of the longest phrase starting at token ``i``, 0 if none."""
    cdef Py_ssize_t m
    cdef dict table
    if i >= end or lowers[i] not in ph.firsts:
        return 0
    table = ph.table
    for m in range(min(<Py_ssize_t> ph.longest, end - i), 0, -1):
        if tuple(lowers[i : i + m]) in table:
            return m
    return 0


cdef Py_ssize_t _phrase_before(ph, list lowers, Py_ssize_t j, Py_ssize_t begin):
    """``Phrases.before``: the length of the longest phrase ending right before token ``j``."""
    cdef Py_ssize_t m
    cdef dict table
    if j <= begin or lowers[j - 1] not in ph.lasts:
        return 0
    table = ph.table
    for m in range(min(<Py_ssize_t> ph.longest, j - begin), 0, -1):
        if tuple(lowers[j - m : j]) in table:
            return m
    return 0


def parse_words(list lowers, Py_ssize_t i, Py_ssize_t end, r):
    """A written-out number at token ``i``: ``(value, tokens used)`` or None, as
    ``streams.nlp.numbers.py_parse_words``."""
    cdef double total = 0.0, current = 0.0, last = 0.0, v
    cdef Py_ssize_t j = i, used = i
    cdef bint seen = False
    cdef dict units = r.units, scales = r.scales
    small_scales = r.small_scales
    short_scales = r.short_scales
    cdef str w
    while j < end:
        w = lowers[j]
        if w in units and (not seen or last == 0 or (last >= 20 and last % 10 == 0 and units[w] < 10)):
            v = units[w]
            if v >= 1000:
                total += (current if current > 1.0 else 1.0) * v if current else v
                current = last = 0.0
            else:
                current += v
                last = v
        elif not seen:
            return None
        elif w == u"belas" and 0 < last < 10:
            current += 10
            last = 0.0
        elif w in small_scales and last:
            current += last * (<double> scales[w] - 1)
            last = 0.0
        elif w in scales and w not in short_scales and scales[w] >= 1000 and (current or total):
            total += (current if current > 1.0 else 1.0) * <double> scales[w]
            current = last = 0.0
        elif (w == u"-" or w == u"and") and j + 1 < end and lowers[j + 1] in units:
            j += 1
            continue
        else:
            break
        seen = True
        j += 1
        used = j
    if not seen:
        return None
    return total + current, used - i


cdef inline bint _plain_digits(str w):
    cdef Py_UCS4 c
    if not w:
        return False
    for c in w:
        if c < u"0" or c > u"9":
            return False
    return True


cdef inline bint _group_gap(Py_UCS4 c):
    return c == u" " or c == 0x00A0 or c == 0x2009 or c == 0x202F


def space_groups(list words, list starts, list ends, str text, Py_ssize_t i, Py_ssize_t s_begin,
                 Py_ssize_t s_end):
    """``streams.nlp.numbers.space_groups``: the token after a number written with spaces between
    its thousands ("173 064"), ``i + 1`` when there is none."""
    cdef str head = words[i], prev, w
    cdef Py_ssize_t k, e, gap
    cdef Py_UCS4 last
    if len(head) > 3 or not _plain_digits(head) or head[0] == u"0":
        return i + 1
    if i > s_begin:
        prev = words[i - 1]
        gap = <Py_ssize_t> starts[i] - <Py_ssize_t> ends[i - 1]
        if prev:
            last = prev[len(prev) - 1]
            if gap == 1 and u"0" <= last <= u"9":
                return i + 1
            if gap == 0 and ((u"0" <= last <= u"9") or last == u"-" or last == u"/" or last == u"."
                             or last == u"," or last == u":"):
                return i + 1
    k = i + 1
    while k < s_end:
        w = words[k]
        e = ends[k - 1]
        if not (len(w) == 3 and _plain_digits(w) and <Py_ssize_t> starts[k] - e == 1 and _group_gap(text[e])):
            break
        k += 1
    if k > i + 1 and k < s_end and <Py_ssize_t> starts[k] - <Py_ssize_t> ends[k - 1] == 1:
        w = words[k]
        if w and u"0" <= w[0] <= u"9":
            return i + 1
    return k


cdef object _measure_scale(an, r, Py_ssize_t i, Py_ssize_t k, Py_ssize_t cur_before, Py_ssize_t s_end):
    """``numbers._measure_scale``: the value of a scale word that is a unit of length too ("m") at token
    ``k``, or None when it is the unit here."""
    cdef list lowers = an.lowers
    cdef str low = lowers[k]
    cdef Py_ssize_t m, j
    if cur_before:
        cur = r.currency_before.table[tuple(lowers[i - cur_before : i])]
    else:
        m = _phrase_at(r.currency_after, lowers, k + 1, s_end)
        cur = r.currency_after.table[tuple(lowers[k + 1 : k + 1 + m])] if m else None
    if cur is not None:
        return r.currency_scales.get((cur, low), r.scales[low])
    if an.language != u"en":
        return None
    j = k + 2 if k + 2 < s_end and lowers[k + 1] in (u"-", u"–") else k + 1
    return None if j < s_end and lowers[j] in r.measure_after[low] else r.scales[low]


cdef object _digit_amount(an, r, Py_ssize_t i, Py_ssize_t s_begin, Py_ssize_t s_end):
    cdef list lowers = an.lowers, starts = an.starts, ends = an.ends, words = an.words
    cdef dict scales = r.scales
    short_scales = r.short_scales
    cdef dict measure_after = r.measure_after
    cdef Py_ssize_t cur_before = _phrase_before(r.currency_before, lowers, i, s_begin)
    cdef Py_ssize_t g = space_groups(words, starts, ends, an.text, i, s_begin, s_end)
    cdef Py_ssize_t k = g
    cdef double scale = 1.0
    cdef str low
    while k < s_end:
        low = lowers[k]
        if not (
            low in scales
            and low != u"belas"
            and (low not in short_scales or starts[k] == ends[k - 1] or cur_before)
        ):
            break
        if low in measure_after:
            got = _measure_scale(an, r, i, k, cur_before, s_end)
            if got is None:
                break
            scale *= <double> got
        else:
            scale *= <double> scales[low]
        k += 1
    multiplier = u" ".join(words[g:k]) if k > g else None
    if g > i + 1:
        base = float(u"".join(words[i:g]))
    else:
        base = parse_numeral(words[i], an.language, before_multiplier=k > i + 1)
    if base is None:
        return None
    return base * scale, k, multiplier, None, False


cdef object _word_amount(an, r, Py_ssize_t i, Py_ssize_t s_end):
    cdef list lowers = an.lowers
    cdef Py_ssize_t mu, j, used
    cdef dict scales = r.scales
    multiplier = None
    mu = _phrase_at(r.multi_units, lowers, i, s_end)
    if mu:
        value = r.multi_units.table[tuple(lowers[i : i + mu])]
        j = i + mu
    else:
        got = parse_words(lowers, i, s_end, r)
        if got is None:
            return None
        value, used = got
        j = i + used
    if j < s_end and lowers[j] in scales and scales[lowers[j]] >= 1000 and lowers[j] not in r.short_scales:
        multiplier = an.words[j]
        value *= scales[lowers[j]]
        j += 1
    return value, j, multiplier, None, True


cdef object _amount_at(an, r, Py_ssize_t i, Py_ssize_t s_begin, Py_ssize_t s_end):
    cdef list lowers = an.lowers
    cdef Py_ssize_t m = _phrase_at(r.vague, lowers, i, s_end)
    if m:
        value, vague = r.vague.table[tuple(lowers[i : i + m])]
        return value, i + m, None, vague, False
    w = an.words[i]
    if u"0" <= w < u":":
        return _digit_amount(an, r, i, s_begin, s_end)
    return _word_amount(an, r, i, s_end)


cdef object _number_token(an, r, Py_ssize_t i, Py_ssize_t s_begin, Py_ssize_t s_end, tuple amount, NumberToken):
    cdef list lowers = an.lowers, starts = an.starts
    cdef Py_ssize_t j, start, end, unit_at, pm, cm, q_end, cb, qm
    value, j, multiplier, vague, is_word = amount
    start = starts[i]
    end = an.ends[j - 1]
    percent = False
    currency = None
    unit_at = j
    pm = _phrase_at(r.percent, lowers, j, s_end)
    if pm:
        percent = True
        unit_at = j + pm
    else:
        cm = _phrase_at(r.currency_after, lowers, j, s_end)
        if cm:
            currency = r.currency_after.table[tuple(lowers[j : j + cm])]
    if vague and unit_at < s_end and lowers[unit_at] == u"of":
        unit_at += 1
    q_end = i
    cb = _phrase_before(r.currency_before, lowers, i, s_begin)
    if cb:
        currency = currency or r.currency_before.table[tuple(lowers[i - cb : i])]
        q_end = i - cb
    qualifier = None
    q_start = None
    qm = _phrase_before(r.qualifiers, lowers, q_end, s_begin)
    if qm:
        qualifier = r.qualifiers.table[tuple(lowers[q_end - qm : q_end])]
        q_start = starts[q_end - qm]
    unit = unit_at if unit_at < s_end and (<str> lowers[unit_at])[:1].isalnum() else None
    if _number_fields(NumberToken):  # hot12: the slots written, as the dataclass __init__ writes them
        return _plain(NumberToken, (start, end, i, j, value, an.text[start:end], is_word, vague, qualifier, q_start,
                                    multiplier, percent, currency, unit))
    return NumberToken(
        start=start,
        end=end,
        tok_start=i,
        tok_end=j,
        value=value,
        raw=an.text[start:end],
        is_word=is_word,
        vague=vague,
        qualifier=qualifier,
        qualifier_start=q_start,
        multiplier=multiplier,
        percent=percent,
        currency=currency,
        unit=unit,
    )


# hot12: ``NumberToken``s written as ``_plain`` writes them, once the class's fields are checked to be these, in
# this order (the tuple is positional; the reference passes them by name).
cdef tuple _NUM_FIELDS = ("start", "end", "tok_start", "tok_end", "value", "raw", "is_word", "vague", "qualifier",
                          "qualifier_start", "multiplier", "percent", "currency", "unit")
cdef object _num_cls = None  # the last class found to have exactly _NUM_FIELDS


cdef bint _number_fields(object cls) except -1:
    """Whether ``cls`` is a dataclass whose fields are :data:`_NUM_FIELDS` in order (cached for the last class)."""
    global _num_cls
    if cls is _num_cls:
        return True
    import dataclasses

    if dataclasses.is_dataclass(cls) and tuple(f.name for f in dataclasses.fields(cls)) == _NUM_FIELDS:
        _num_cls = cls
        return True
    return False


def parse_numbers(an, r, NumberToken):
    """Every number of the analysed text, as ``streams.nlp.numbers.py_parse_numbers`` (``r`` is
    ``number_rules()``, ``NumberToken`` the class)."""
    cdef list lowers = an.lowers, words = an.words, sentences = an.sentences, sent_ids = an.sent_ids
    cdef list out = []
    cdef Py_ssize_t skip = 0, n = len(words), i, s_begin, s_end
    cdef list cands = digit_starts(words)
    present = r.starters.intersection(lowers)
    if present:
        cands += [k for k in range(n) if lowers[k] in present]
        cands.sort()
    for i in cands:
        if i < skip:
            continue
        if sentences:
            s = sentences[<Py_ssize_t> sent_ids[i]]
            s_end = s.tok_end
            s_begin = s.tok_start
        else:
            s_end = len(lowers)
            s_begin = 0
        amount = _amount_at(an, r, i, s_begin, s_end)
        if amount is None:
            continue
        out.append(_number_token(an, r, i, s_begin, s_end, amount, NumberToken))
        skip = amount[1]
    return out


# ---------------------------------------------------------------------------------------------
# Phrase matching: ``streams.nlp.classify_match.PhraseMatcher`` (the events' gazetteer pass).

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    int PyUnicode_4BYTE_KIND
    bint PyUnicode_IS_ASCII(object o)
    void *PyUnicode_DATA(object o)
    int PyUnicode_KIND(object o)
    ctypedef unsigned char Py_UCS1
    ctypedef unsigned short Py_UCS2


#: ASCII code -> itself when it is alphanumeric, else a space (``Py_UNICODE_ISALNUM`` on ASCII).
cdef unsigned char _ASCII_WORD[128]
for _c in range(128):
    _ASCII_WORD[_c] = _c if chr(_c).isalnum() else 32


cdef str _padded_ascii(str low, Py_ssize_t n):
    """:func:`padded_words` of an ASCII ``low``: one table lookup a byte, into an ASCII string."""
    cdef object out = PyUnicode_New(n + 2, 127)
    cdef const unsigned char *src = <const unsigned char *> PyUnicode_DATA(low)
    cdef unsigned char *dst = <unsigned char *> PyUnicode_DATA(out)
    cdef Py_ssize_t i
    dst[0] = 32
    dst[n + 1] = 32
    for i in range(n):
        dst[i + 1] = _ASCII_WORD[src[i]]
    return <str> out


cdef inline Py_UCS4 _word_or_space(Py_UCS4 c):
    if c < 128:
        return _ASCII_WORD[c]
    return c if Py_UNICODE_ISALNUM(c) else 32


def padded_words(str low):
    """``" " + re.sub(r"[\\W_]", " ", low) + " "``: every character that is no ``\\w`` or is ``_``
    becomes a space (the same length), padded by one space at each end."""
    cdef Py_ssize_t n = len(low), i
    cdef int kind = PyUnicode_KIND(low)
    if PyUnicode_IS_ASCII(low):  # most texts: no buffer, no scan for the widest character
        return _padded_ascii(low, n)
    # the text's own width; PyUnicode_FromKindAndData narrows the result when the widest characters
    # were punctuation (made spaces)
    cdef void *buf = malloc((n + 2) * kind)
    cdef const void *src = PyUnicode_DATA(low)
    if buf == NULL:
        raise MemoryError()
    try:
        if kind == 1:
            (<Py_UCS1 *> buf)[0] = 32
            (<Py_UCS1 *> buf)[n + 1] = 32
            for i in range(n):
                (<Py_UCS1 *> buf)[i + 1] = <Py_UCS1> _word_or_space((<const Py_UCS1 *> src)[i])
        elif kind == 2:
            (<Py_UCS2 *> buf)[0] = 32
            (<Py_UCS2 *> buf)[n + 1] = 32
            for i in range(n):
                (<Py_UCS2 *> buf)[i + 1] = <Py_UCS2> _word_or_space((<const Py_UCS2 *> src)[i])
        else:
            (<Py_UCS4 *> buf)[0] = 32
            (<Py_UCS4 *> buf)[n + 1] = 32
            for i in range(n):
                (<Py_UCS4 *> buf)[i + 1] = _word_or_space((<const Py_UCS4 *> src)[i])
        return PyUnicode_FromKindAndData(kind, buf, n + 2)
    finally:
        free(buf)


def phrase_find(auto, str padded, Py_ssize_t n, Match):
    """``PhraseMatcher.find`` over ``padded`` (:func:`padded_words` of a text of length ``n``): the
    matches, in order of their end, as ``Match`` tuples."""
    cdef list out = []
    cdef Py_ssize_t end_idx, length, start, stop
    cdef tuple payload, keys
    new = tuple.__new__
    for end_idx, payload in auto.iter(padded):
        length = payload[0]
        keys = payload[2]
        start = end_idx - length + 1
        if payload[1]:
            stop = end_idx
            while stop < n and padded[stop + 1] != u" ":
                stop += 1
        else:
            stop = end_idx - 1
        for key in keys:
            out.append(new(Match, (start, stop, key)))
    return out


# ---------------------------------------------------------------------------------------------
# Kafka's key hash: ``aiokafka.partitioner.murmur2`` (the Java client's ``Utils.murmur2``), which
# the producers call for every record (about 40 an article with the state records).

def murmur2(data):
    """The unsigned 32-bit MurmurHash2 of ``data`` (bytes-like), as ``aiokafka.partitioner.murmur2``."""
    cdef bytes b = data if type(data) is bytes else bytes(data)
    cdef const unsigned char *p = b
    cdef Py_ssize_t length = len(b)
    cdef Py_ssize_t i, i4, tail = length & ~3
    cdef uint32_t m = 0x5BD1E995
    cdef uint32_t h = (<uint32_t> 0x9747B28C) ^ (<uint32_t> length)
    cdef uint32_t k
    for i in range(length // 4):
        i4 = i * 4
        k = (<uint32_t> p[i4]) | ((<uint32_t> p[i4 + 1]) << 8) | ((<uint32_t> p[i4 + 2]) << 16) | ((<uint32_t> p[i4 + 3]) << 24)
        k *= m
        k ^= k >> 24
        k *= m
        h *= m
        h ^= k
    i = length % 4
    if i >= 3:
        h ^= (<uint32_t> p[tail + 2]) << 16
    if i >= 2:
        h ^= (<uint32_t> p[tail + 1]) << 8
    if i >= 1:
        h ^= <uint32_t> p[tail]
        h *= m
    h ^= h >> 13
    h *= m
    h ^= h >> 15
    return h


# ---------------------------------------------------------------------------------------------
# The topic lexicon's evidence per topic: ``streams.nlp.topics._py_lexicon_scores`` (the reference).

from libc.math cimport exp as c_exp, log as c_log
from libc.stdlib cimport qsort


from streams.core._csort cimport SortKey, cmp_sort_key


cdef inline object _hit_field(object h, const Py_ssize_t *off, Py_ssize_t k):
    """Field ``k`` of a Hit: its slot when the class's layout is known (``off``), else ``getattr``."""
    cdef PyObject *v
    if off != NULL:
        v = (<PyObject **> ((<char *> <PyObject *> h) + off[k]))[0]
        if v != NULL:
            return <object> v
    return getattr(h, _HIT_FIELDS[k])


cdef const Py_ssize_t *_layout_of(object cls, Py_ssize_t *off) except? NULL:
    """``off`` filled with ``cls``'s Hit slot offsets (returned), or NULL when its fields are read by ``getattr``."""
    cdef Py_ssize_t k
    if _hit_layout(cls):
        for k in range(9):
            off[k] = _hit_off[k]
        return off
    return NULL


def longest_hits(list hits):
    """``streams.nlp.topics._longest``: hits inside a longer hit dropped; equal spans all stay (in the
    order of the stable sort by ``(start, -end)``)."""
    cdef Py_ssize_t n = len(hits), i, k
    cdef Py_ssize_t off[9]
    cdef const Py_ssize_t *offp = NULL
    cdef SortKey *keys
    cdef Py_ssize_t reach_start = -1, reach_end = -1, s, e
    cdef list out = []
    cdef object cls = None, h
    if n == 0:
        return out
    keys = <SortKey *> malloc(n * sizeof(SortKey))
    if keys == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            h = hits[i]
            if type(h) is not cls:
                cls = type(h)
                offp = _layout_of(cls, off)
            keys[i].a = _hit_field(h, offp, 0)
            keys[i].b = -<Py_ssize_t> _hit_field(h, offp, 1)
            keys[i].i = i
        qsort(keys, n, sizeof(SortKey), cmp_sort_key)
        for i in range(n):
            s = keys[i].a
            e = -keys[i].b
            if e <= reach_end and (s != reach_start or e != reach_end):
                continue
            out.append(hits[keys[i].i])
            if e > reach_end:
                reach_start = s
                reach_end = e
    finally:
        free(keys)
    return out


def topic_lexicon_scores(an, language, lex, masked_units, resolve, str neutral_prefix, double other_language,
                         Py_ssize_t lead_chars, double lead_bonus, double scale, spans, sents):
    """``streams.nlp.topics._py_lexicon_scores`` of the analysis ``an``: ``(scores, raw, spans, strong,
    sents)``; ``spans`` and ``sents`` are the caller's empty ``defaultdict(list)`` / ``defaultdict(set)``,
    filled in the reference's order. ``masked_units`` and ``resolve`` are the reference's helpers."""
    cdef str own = "en" if language == "en" else "id"
    cdef bint hinted = language == "id" or language == "en" or language == "ms"
    cdef list found = an.hits_by_tag("topic")
    cdef list notices = []
    cdef object h, keys, best, item, code, lang, term, k, rec, sid, anc, start, end, cls = None
    cdef dict hits = {}
    cdef set strong = set()
    cdef set masked_lines = None, masked_sents = None
    cdef list line_ids = an.line_ids, sent_ids = an.sent_ids
    cdef dict resolved = lex.resolved
    cdef object weights = lex.weights
    cdef dict lift = lex.lift
    cdef double weight, contrib, factor
    cdef bint lead
    cdef dict raw = {}
    cdef Py_ssize_t i, ts, n = len(found)
    cdef Py_ssize_t off[9]
    cdef const Py_ssize_t *offp = NULL
    for i in range(n):
        h = found[i]
        if type(h) is not cls:
            cls = type(h)
            offp = _layout_of(cls, off)
        keys = _hit_field(h, offp, 5)
        if (<str> keys[0]).startswith(neutral_prefix):
            notices.append(h)
    if notices:
        masked_lines, masked_sents = masked_units(an, notices)
    for h in longest_hits(found):
        if type(h) is not cls:
            cls = type(h)
            offp = _layout_of(cls, off)
        ts = _hit_field(h, offp, 2)
        if notices and (line_ids[ts] in masked_lines or sent_ids[ts] in masked_sents):
            continue
        term = _hit_field(h, offp, 6)
        keys = _hit_field(h, offp, 5)
        best = resolved.get(keys)
        if best is None:
            best = resolved[keys] = resolve(keys, weights)
        if not best:
            continue
        start = _hit_field(h, offp, 0)
        end = _hit_field(h, offp, 1)
        lead = start < lead_chars
        sid = sent_ids[ts]
        for item in best:
            code, lang, w = item
            weight = w
            if weight >= 1.0:
                strong.add(code)
            if hinted and lang != own:
                weight *= other_language
            k = (code, term)
            rec = hits.get(k)
            if rec is None:
                hits[k] = [weight, 1, lead, [(start, end)], {sid}]
            else:
                if weight > <double> rec[0]:
                    rec[0] = weight
                rec[1] += 1
                rec[2] = rec[2] or lead
                (<list> rec[3]).append((start, end))
                (<set> rec[4]).add(sid)
    for k, rec in hits.items():
        code = k[0]
        contrib = (<double> rec[0]) * (1.0 + 0.5 * c_log(<double> rec[1])) * (lead_bonus if rec[2] else 1.0)
        raw[code] = raw.get(code, 0.0) + contrib
        spans[code].extend(rec[3])
        sents[code] |= rec[4]
        for anc, f in lift[code]:
            factor = f
            raw[anc] = raw.get(anc, 0.0) + contrib * factor
            spans[anc].extend(rec[3])
            sents[anc] |= rec[4]
    scores = {c: 1.0 - c_exp(-(<double> r) / scale) for c, r in raw.items()}
    for code in list(strong):
        strong.update([a for a, _ in lift[code]])
    return scores, raw, spans, strong, sents


# ---------------------------------------------------------------------------------------------
# The topic model's term counts.


def vocab_counts(list lowers, dict index):
    """``{index[t]: n}`` for every term ``t`` of ``index`` among ``lowers``, ``n`` its count, in the
    order of first occurrence: what ``Counter(filter(index.__contains__, lowers))`` mapped through
    ``index`` gives (``streams.nlp.classify_model.py_vocab_counts``)."""
    cdef dict by_term = {}
    cdef dict counts = {}
    cdef object w, c
    for w in lowers:
        if w not in index:
            continue
        c = by_term.get(w)
        by_term[w] = 1 if c is None else c + 1
    for w, c in by_term.items():
        counts[index[w]] = c
    return counts


def dedupe_spans(list spans, Py_ssize_t limit):
    """``streams.nlp.topics._py_dedupe_spans``: the distinct spans in order, an overlapping one replacing
    the kept one when it is longer, at most ``limit`` of them (Python's slice for a negative ``limit``).
    The spans are sorted as C structs ``(start, end, index)`` (equal spans: the first one, as the set
    keeps it). None when a span is not a tuple of two ints that fit a C ``Py_ssize_t``: the caller then
    runs the reference."""
    cdef Py_ssize_t n = len(spans), i, m = 0, ks = 0, ke = 0
    cdef SortKey *keys
    cdef list kept = []
    cdef object sp
    if n == 0:
        return []
    keys = <SortKey *> malloc(n * sizeof(SortKey))
    if keys == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            sp = spans[i]
            if type(sp) is not tuple or len(<tuple> sp) != 2:
                return None
            a, b = (<tuple> sp)[0], (<tuple> sp)[1]
            if type(a) is not int or type(b) is not int:
                return None
            try:
                keys[i].a = a
                keys[i].b = b
            except OverflowError:
                return None
            keys[i].i = i
        qsort(keys, n, sizeof(SortKey), cmp_sort_key)
        for i in range(n):
            if i and keys[i].a == keys[i - 1].a and keys[i].b == keys[i - 1].b:
                continue  # the set's one copy: the first of the equal spans
            if m and keys[i].a < ke:  # overlapping: keep the longer
                if keys[i].b - keys[i].a > ke - ks:
                    kept[m - 1] = spans[keys[i].i]
                    ks, ke = keys[i].a, keys[i].b
                continue
            if 0 <= limit <= m:
                break  # what follows only appends or replaces spans past the limit
            kept.append(spans[keys[i].i])
            ks, ke = keys[i].a, keys[i].b
            m += 1
    finally:
        free(keys)
    return kept[:limit]


def collapse_spaces(str text):
    """``" ".join(text.split())``: the words of ``text`` (runs without ``Py_UNICODE_ISSPACE`` characters,
    what ``str.split()`` splits on) joined by one space, in one pass into a UCS-4 buffer."""
    cdef Py_ssize_t n = len(text), j = 0
    cdef Py_UCS4 c
    cdef bint gap = False
    cdef Py_UCS4 *buf
    if n == 0:
        return ""
    buf = <Py_UCS4 *> malloc(n * sizeof(Py_UCS4))
    if buf == NULL:
        raise MemoryError()
    try:
        for c in text:
            if Py_UNICODE_ISSPACE(c):
                gap = j > 0
                continue
            if gap:
                buf[j] = 32
                j += 1
                gap = False
            buf[j] = c
            j += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, j)
    finally:
        free(buf)
