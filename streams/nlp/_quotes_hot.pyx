# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The compiled twins of the quote stage's per-article loops (Cython; the reference is ``streams.nlp.quotes``).

- ``mention_spans`` -> ``quotes._Mentions.__init__``: the entity spans ``(start, end, entity)`` sorted by
  start, longest first (a C sort of the same keys, ties in input order as Python's stable sort leaves them),
  and their starts.
- ``within`` -> ``quotes._Mentions.within``: the mentions inside ``[lo, hi)``.
- ``count_words`` -> ``quotes._count_words`` (with ``_new_word``): the words of a quotation, up to a cap.
- ``may_occur`` -> the search of ``quotes._role_holder``: an exact pre-check that the role phrase is written
  before the quote at all (case-insensitively, as ``re.IGNORECASE`` matches it), so most phrases need no
  regex compiled and run over the 8,000 characters before them.
- ``quote_marks`` -> ``quotes._quote_marks``: the quotation matches, tried only where an opening mark is
  (the same matches, as a list: the reference yields them lazily from the same text).

Each twin does what its reference does, with the same Python operations on anything that is not a plain
``int`` / ``list`` / ``tuple``. The twins run only while every reference they copy is unchanged (``current``:
the code fingerprint recorded in ``_TWINS``); ``tests/nlp/test_quotes_compiled.py`` fails when a fingerprint
is stale and compares the two paths on random and real text.
"""

from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.long cimport PyLong_AsLongAndOverflow, PyLong_CheckExact
from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_FindChar, PyUnicode_KIND, PyUnicode_READ
from libc.stdlib cimport free, malloc, qsort, realloc

from streams.core.hot import Guard as _Guard

__all__ = ["GUARD", "count_words", "current", "fingerprint", "fold", "may_occur", "mention_spans", "quote_marks", "within"]


# ------------------------------------------------------------------------------------------- the guard

#: (fingerprint, the reference functions the twins copy as (module, qualified name)): the twins run only
#: while these functions hash the same (``fingerprint``). After bringing a twin up to date, record
#: ``fingerprint()`` here (``python scripts/fingerprints.py --write``) and rebuild.
_TWINS = (
    "c954dd4725e36fdf",
    (
        ("streams.nlp.quotes", "_Mentions.__init__"),
        ("streams.nlp.quotes", "_Mentions.within"),
        ("streams.nlp.quotes", "_count_words"),
        ("streams.nlp.quotes", "_new_word"),
        ("streams.nlp.quotes", "_quote_marks"),
        ("streams.nlp.quotes", "_role_holder"),
    ),
)


#: the twins' guard (``streams.core.hot.Guard``, the guard of every compiled copy: docs/guards.md)
GUARD = _Guard(_TWINS[0], _TWINS[1], "the quote twins (streams.nlp._quotes_hot)")


def fingerprint():
    """The fingerprint of the reference functions the twins copy, as they are now
    (``streams.core.hot.code_fingerprint``)."""
    return GUARD.fingerprint()


def recorded():
    """The fingerprint the twins were written from (``_TWINS``)."""
    return _TWINS[0]


def current():
    """Whether every reference function the twins copy is unchanged: hashed again (``fingerprint``) only when
    one of the function objects was replaced, e.g. by a monkeypatch; otherwise a few dict reads."""
    return GUARD.fresh()


# ------------------------------------------------------------------------------------------- mentions

ctypedef struct _SpanKey:
    long start
    long end
    Py_ssize_t index


cdef int _span_order(const void* a, const void* b) noexcept nogil:
    """(start, -end, input position): ``sorted(..., key=lambda x: (x[0], -x[1]))``, stable."""
    cdef const _SpanKey* x = <const _SpanKey*>a
    cdef const _SpanKey* y = <const _SpanKey*>b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end != y.end:
        return -1 if x.end > y.end else 1
    return -1 if x.index < y.index else (1 if x.index > y.index else 0)


cdef bint _small_int(object v, long* out) except -1:
    """A plain ``int`` that fits a C long, into ``out`` (a ``bool`` or an int subclass is left to Python's
    sort)."""
    cdef int overflow = 0
    if not PyLong_CheckExact(v):
        return False
    out[0] = PyLong_AsLongAndOverflow(v, &overflow)
    return overflow == 0


def mention_spans(entities):
    """``_Mentions.__init__``: ``(spans, starts)``, the ``(start, end, entity)`` of every span of every entity
    sorted by start then longest first (ties in input order), and their starts."""
    cdef list spans = []
    cdef bint plain = True
    cdef Py_ssize_t n, i, cap = 64, k = 0
    cdef long a, b
    cdef _SpanKey* keys = <_SpanKey*>malloc(cap * sizeof(_SpanKey))
    cdef _SpanKey* grown
    cdef list out, starts
    if keys is NULL:
        raise MemoryError()
    try:
        for e in entities:
            for item in e.spans:
                if type(item) is tuple and PyTuple_GET_SIZE(item) == 2:
                    s = <object>PyTuple_GET_ITEM(item, 0)
                    t = <object>PyTuple_GET_ITEM(item, 1)
                else:
                    s, t = item
                spans.append((s, t, e))
                if plain:
                    if _small_int(s, &a) and _small_int(t, &b):
                        if k == cap:
                            cap *= 2
                            grown = <_SpanKey*>realloc(keys, cap * sizeof(_SpanKey))
                            if grown is NULL:
                                raise MemoryError()
                            keys = grown
                        keys[k].start = a
                        keys[k].end = b
                        keys[k].index = k
                        k += 1
                    else:
                        plain = False
        n = len(spans)
        if not plain:
            out = sorted(spans, key=_start_longest)
            return out, [row[0] for row in out]
        qsort(keys, n, sizeof(_SpanKey), _span_order)
        out = PyList_New(n)
        starts = PyList_New(n)
        for i in range(n):
            row = spans[keys[i].index]
            Py_INCREF(row)
            PyList_SET_ITEM(out, i, row)
            s = (<tuple>row)[0]
            Py_INCREF(s)
            PyList_SET_ITEM(starts, i, s)
        return out, starts
    finally:
        free(keys)


def _start_longest(x):
    return (x[0], -x[1])


cdef Py_ssize_t _bisect_left(list xs, object x) except -1:
    """``bisect.bisect_left(xs, x)`` (the same comparisons: ``xs[mid] < x``)."""
    cdef Py_ssize_t lo = 0, hi = len(xs), mid
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def within(list spans, list starts, lo, hi):
    """``_Mentions.within``: the mentions inside ``[lo, hi)``, in text order."""
    cdef list out = []
    cdef Py_ssize_t i = _bisect_left(starts, lo), n = len(spans)
    while i < n and (<tuple>spans[i])[0] < hi:
        if (<tuple>spans[i])[1] <= hi:
            out.append(spans[i])
        i += 1
    return out


# ------------------------------------------------------------------------------------------- words

def count_words(an, q_start, q_end, cap):
    """``_count_words``: the words (tokens that start a white-space separated word) in ``[q_start, q_end)``,
    counted up to ``cap``."""
    toks = an.span_tokens(q_start, q_end)
    cdef list starts = an.starts, ends = an.ends
    first = toks.start
    n = 0
    for k in toks:
        if k == first or starts[k] > ends[k - 1]:
            n += 1
            if n == cap:
                break
    return n


# ------------------------------------------------------------------------------------------- marks

def quote_marks(str body, quote_rx, dict horizon, str openers, Py_ssize_t longest):
    """``_quote_marks`` as a list: ``quote_rx``'s matches tried only where an opening mark (``openers``) is,
    skipping an opener past which an earlier attempt of its kind failed (``horizon``)."""
    cdef Py_ssize_t n = len(body), p, last = 0, i
    cdef list marks = [], out = []
    cdef dict dead = {}
    cdef Py_UCS4 ch
    for ch in openers:  # str.find per opener (a fast character search), as the reference
        p = PyUnicode_FindChar(body, ch, 0, n, 1)
        while p >= 0:
            marks.append(p)
            p = PyUnicode_FindChar(body, ch, p + 1, n, 1)
    marks.sort()
    for i in range(len(marks)):
        p = <Py_ssize_t>marks[i]
        c = body[p]
        if p < last or p < <Py_ssize_t>dead.get(c, 0):
            continue
        m = quote_rx.match(body, p)
        if m is not None:
            last = m.end()
            out.append(m)
        elif c in horizon:
            pattern, bounded = horizon[c]
            limit = p + longest + 2 if bounded else n
            h = pattern.search(body, p + 1, limit)
            if h is not None or not bounded:
                dead[c] = h.start() if h is not None else n
    return out


# ------------------------------------------------------------------------------------------- role holder

from streams.core._cfold cimport ignorecase_fold as _fold  # (re.IGNORECASE against ASCII letters)


def fold(str ch):
    """:func:`_fold` of one character (for the tests)."""
    return chr(_fold(ch[0]))


def may_occur(str body, str phrase, Py_ssize_t lo, Py_ssize_t hi):
    """Whether ``re.escape(phrase)`` under ``re.IGNORECASE`` may match inside ``body[lo:hi]`` (the exact
    pre-check of ``_role_holder``'s search: False only when no position there holds the phrase, each
    character equal to the phrase's or, for an ASCII letter, one ``re.IGNORECASE`` matches to it). A phrase
    that is not ASCII, or empty, is always a maybe."""
    cdef Py_ssize_t n = len(body), m = len(phrase), i, j
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef Py_UCS4 first
    if m == 0 or not phrase.isascii():
        return True
    if lo < 0:
        lo = 0
    if hi > n:
        hi = n
    first = _fold(phrase[0])
    for i in range(lo, hi - m + 1):
        if _fold(PyUnicode_READ(kind, data, i)) != first:
            continue
        for j in range(1, m):
            if _fold(PyUnicode_READ(kind, data, i + j)) != _fold(phrase[j]):
                break
        else:
            return True
    return False
