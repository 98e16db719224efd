# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The compiled hot path of the page-line classifier (Cython): label probabilities and neighbour windows.

``probs`` computes exactly what its pure-Python reference ``LineModel._probs_ref`` computes: per label the
weights of the line's known features added in the features' order starting from zero (as Python 3.11's
``sum`` of floats adds them), the softmax through libm's ``exp`` (``math.exp``'s), the same float list.
``window`` is ``linemodel._window_ref``: the shown features of the two lines before and after a line, each
prefixed with its offset (``-2:``, ``-1:``, ``1:``, ``2:``), ``d:edge`` past the page. The reference is the
definition; ``tests/ingest/test_pages_hot.py`` checks the two agree on generated and real pages.
``linemodel`` calls this module when it is built and the analysis runs compiled (``WARTA_COMPILED``).
"""

from cpython.dict cimport PyDict_GetItem
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject
from libc.math cimport exp
from libc.stdlib cimport free, malloc

__all__ = ["probs", "score", "shape_base", "stack_features", "window", "words"]

cdef tuple _EDGES = ("-2:edge", "-1:edge", "1:edge", "2:edge")
cdef tuple _OFFSETS = (-2, -1, 1, 2)
#: (offset, shown feature) -> the prefixed string, built once per feature (lines repeat their features)
cdef dict _PREFIXED = {}


cdef int _add(double *z, list fl, dict weights, Py_ssize_t n_labels) except -1:
    """Adds to ``z`` the weight vector of each feature of ``fl`` found in ``weights``, in order."""
    cdef PyObject *w
    cdef Py_ssize_t k, j
    cdef list vec
    for j in range(PyList_GET_SIZE(fl)):
        w = PyDict_GetItem(weights, <object>PyList_GET_ITEM(fl, j))
        if w is NULL:
            continue
        vec = <list?>(<object>w)  # a checked cast: a model file's vectors are lists
        if PyList_GET_SIZE(vec) != n_labels:
            raise ValueError("a weight vector's length is not the number of labels")
        for k in range(n_labels):
            z[k] += <double>(<object>PyList_GET_ITEM(vec, k))
    return 0


cdef list _softmax(double *z, Py_ssize_t n_labels):
    cdef Py_ssize_t k
    cdef double m = z[0], s = 0.0
    for k in range(1, n_labels):
        if z[k] > m:
            m = z[k]
    for k in range(n_labels):
        z[k] = exp(z[k] - m)
        s += z[k]
    return [z[k] / s for k in range(n_labels)]


cdef list _probs2(list a, list b, dict weights, Py_ssize_t n_labels):
    """The softmax of the summed weights of ``a`` then ``b`` (``b`` may be None)."""
    cdef double *z
    cdef Py_ssize_t k
    z = <double *>malloc(n_labels * sizeof(double))
    if z is NULL:
        raise MemoryError()
    try:
        for k in range(n_labels):
            z[k] = 0.0
        _add(z, a, weights, n_labels)
        if b is not None:
            _add(z, b, weights, n_labels)
        return _softmax(z, n_labels)
    finally:
        free(z)


def probs(feats, dict weights, Py_ssize_t n_labels):
    """``LineModel.probs``: the softmax of the summed weight vectors of ``feats`` (a list or tuple of
    strings) in ``weights`` (feature -> list of ``n_labels`` floats)."""
    if n_labels <= 0:
        return []
    return _probs2(feats if type(feats) is list else list(feats), None, weights, n_labels)


cdef tuple _P_EDGES = (0.1, 0.3, 0.5, 0.7, 0.9)
cdef tuple _TAIL_EDGES = (0.0, 0.34, 0.67, 0.99)
cdef dict _STRINGS = {}


cdef inline Py_ssize_t _bucket(double x, tuple edges):
    """``linemodel._bucket``: the index of the first edge ``x`` does not exceed (NaN: past the last)."""
    cdef Py_ssize_t k, n = len(edges)
    if x != x:
        return n
    for k in range(n):
        if x <= <double>edges[k]:
            return k
    return n


cdef inline Py_ssize_t _top(object v):
    """The index of the first largest value of ``v`` (``max(range(len(v)), key=v.__getitem__)``)."""
    cdef Py_ssize_t k, best = 0
    cdef double m = v[0]
    for k in range(1, len(v)):
        if <double>v[k] > m:
            m = v[k]
            best = k
    return best


cdef str _fmt(str pattern, object a, object b=None):
    """``pattern.format(a, b)``, built once per distinct value (the second pass's strings repeat)."""
    key = (pattern, a, b)
    cdef PyObject *got = PyDict_GetItem(_STRINGS, key)
    if got is not NULL:
        return <str>got
    s = pattern.format(a, b)
    if len(_STRINGS) < 65536:
        _STRINGS[key] = s
    return s


def stack_features(list vecs, Py_ssize_t i, tuple labels):
    """``linemodel.stack_features``: the first pass's verdicts on line ``i`` and its neighbours."""
    cdef Py_ssize_t n = len(vecs), j, d, t, run = 0, step, count = 0, m
    cdef double own = vecs[i][0], total = 0.0, p
    cdef Py_ssize_t ob = _bucket(own, _P_EDGES)
    cdef list out = [_fmt("s0:b={0}", ob), _fmt("s0:t={0}", labels[_top(vecs[i])])]
    cdef list near = []
    for t in range(4):
        d = _OFFSETS[t]
        j = i + d
        if 0 <= j < n:
            p = vecs[j][0]
            near.append(p)
            out.append(_fmt("s{0}:b={1}", d, _bucket(p, _P_EDGES)))
            if d == -1 or d == 1:
                out.append(_fmt("s{0}:t={1}", d, labels[_top(vecs[j])]))
        else:
            out.append(_fmt("s{0}:edge", d))
    if near:
        for p in near:
            total += p
        out.append(_fmt("s:win={0}", _bucket(total / len(near), _P_EDGES)))
    for step in (-1, 1):
        j = i + step
        while 0 <= j < n and vecs[j][0] < 0.5:
            run += 1
            j += step
    out.append(_fmt("s:run={0}", min(run, 4)))
    m = n - i - 1
    if m > 0:
        for j in range(i + 1, n):
            if vecs[j][0] < 0.5:
                count += 1
        out.append(_fmt("s:tail={0}", _bucket(<double>count / <double>m, _TAIL_EDGES)))
    else:
        out.append("s:tail=last")
    for t in range(2, len(out)):
        x = out[t]
        if x.startswith(("s-1:b", "s1:b")):
            out.append(_fmt("s0:b={0}&{1}", ob, x))
    return out


def score(dict feats, list scored, Py_ssize_t n, dict weights, dict stack, double below, bint own,
          tuple labels):
    """``LineModel._score_ref``: the label probabilities of every line (a body one-hot for the lines
    ``scored`` does not name), the second pass (``stack``, may be empty) on the scored lines the first
    gives p(body) below ``below``."""
    cdef Py_ssize_t n_labels = len(labels)
    cdef list one = [1.0 if lab == "body" else 0.0 for lab in labels]
    cdef list first = [one] * n
    cdef list vecs
    cdef list bias = ["bias"]
    for i in scored:
        first[i] = _probs2(feats[i], None, weights, n_labels)
    if not stack or not scored:
        return first
    vecs = list(first)
    for i in scored:
        if first[i][0] >= below:
            continue
        vecs[i] = _probs2(feats[i] if own else bias, stack_features(first, i, labels), stack, n_labels)
    return vecs


cdef inline str _prefixed(Py_ssize_t d, str x):
    key = (d, x)
    cdef PyObject *got = PyDict_GetItem(_PREFIXED, key)
    if got is not NULL:
        return <str>got
    s = f"{d}:{x}"
    if len(_PREFIXED) < 65536:
        _PREFIXED[key] = s
    return s


def window(dict shown, Py_ssize_t i, Py_ssize_t n):
    """``linemodel._window``: the shown features of lines ``i - 2 … i + 2`` (not ``i``), prefixed."""
    cdef list out = []
    cdef Py_ssize_t t, j, d
    cdef list sh
    for t in range(4):
        d = _OFFSETS[t]
        j = i + d
        if 0 <= j < n:
            sh = shown[j]
            for x in sh:
                out.append(_prefixed(d, x))
        else:
            out.append(_EDGES[t])
    return out


cdef extern from "Python.h":
    bint Py_UNICODE_ISALNUM(Py_UCS4 ch)
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch)


def words(str line):
    """``linemodel._words_ref``: the maximal runs of alphanumeric characters (``[^\\W_]+``, the regex's
    ``\\w`` without ``_``: ``str.isalnum``), as written and lower-cased."""
    cdef Py_ssize_t n = len(line), i = 0, start
    cdef list out = []
    cdef list low = []
    cdef str w
    cdef str lowered = line.lower()
    # lowering the line once gives each word's lowering when every character lowers to one character
    # (the lengths agree) and none depends on its neighbours (only the capital sigma does, word-finally)
    cdef bint whole = len(lowered) == n and "\u03a3" not in line
    while i < n:
        if Py_UNICODE_ISALNUM(line[i]):
            start = i
            i += 1
            while i < n and Py_UNICODE_ISALNUM(line[i]):
                i += 1
            w = line[start:i]
            out.append(w)
            low.append(lowered[start:i] if whole else w.lower())
        else:
            i += 1
    return out, low


cdef extern from "Python.h":
    bint Py_UNICODE_ISUPPER(Py_UCS4 ch)
    bint Py_UNICODE_ISDIGIT(Py_UCS4 ch)
    bint Py_UNICODE_ISALPHA(Py_UCS4 ch)
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)

cdef tuple _LEN_EDGES = (3, 8, 15, 30, 50, 80, 120, 200, 400)
cdef tuple _WORD_EDGES = (0, 1, 2, 3, 5, 8, 12, 20, 35, 60)
cdef tuple _CAPS_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 0.99)
cdef tuple _DIGIT_EDGES = (0.0, 0.05, 0.15, 0.3)
cdef tuple _LEN_F = tuple(f"len={k}" for k in range(len(_LEN_EDGES) + 1))
cdef tuple _WORDS_F = tuple(f"words={k}" for k in range(len(_WORD_EDGES) + 1))
cdef tuple _CAPS_F = tuple(f"caps={k}" for k in range(len(_CAPS_EDGES) + 1))
cdef tuple _DIGITS_F = tuple(f"digits={k}" for k in range(len(_DIGIT_EDGES) + 1))
cdef str _END_MARKS = '.!?:,;"”’)]|'
cdef dict _EDGE_WORDS = {}  # (prefix, word) -> "first=word" ... built once per word


cdef inline Py_ssize_t _ibucket(Py_ssize_t x, tuple edges):
    cdef Py_ssize_t k, n = len(edges)
    for k in range(n):
        if x <= <Py_ssize_t>edges[k]:
            return k
    return n


cdef str _edge(str prefix, str word):
    key = (prefix, word)
    cdef PyObject *got = PyDict_GetItem(_EDGE_WORDS, key)
    if got is not NULL:
        return <str>got
    s = prefix + word
    if len(_EDGE_WORDS) < 65536:
        _EDGE_WORDS[key] = s
    return s


cdef str _end_kind(str line):
    """``"end=" + linemodel._end_kind(line.rstrip()[-1:])``."""
    cdef Py_ssize_t k = len(line) - 1
    cdef Py_UCS4 c
    while k >= 0 and Py_UNICODE_ISSPACE(line[k]):
        k -= 1
    if k < 0:
        return "end=o"
    c = line[k]
    if c in _END_MARKS:
        return _edge("end=", line[k])
    if Py_UNICODE_ISDIGIT(c):
        return "end=d"
    if Py_UNICODE_ISALPHA(c):
        return "end=a"
    return "end=o"


def shape_base(str line, list words, list lowered):
    """The first part of ``linemodel._shape_ref`` (length, words, case, digits, last character and edge
    words, ``allcaps``) and the number of capitalised words, from the line's tokens (``words``)."""
    cdef Py_ssize_t n = len(line), nw = len(words), caps = 0, k, dec = 0
    cdef str w
    for k in range(nw):
        w = words[k]
        if Py_UNICODE_ISUPPER(w[0]):
            caps += 1
    for k in range(n):
        if Py_UNICODE_ISDECIMAL(line[k]):
            dec += 1
    cdef list feats = [
        _LEN_F[_ibucket(n, _LEN_EDGES)],
        _WORDS_F[_ibucket(nw, _WORD_EDGES)],
        _CAPS_F[_bucket(<double>caps / <double>nw if nw else 0.0, _CAPS_EDGES)],
        _DIGITS_F[_bucket(<double>dec / <double>n if n else 0.0, _DIGIT_EDGES)],
        _end_kind(line),
        _edge("first=", lowered[0] if nw else "-"),
        _edge("first2=", (lowered[0] + " " + lowered[1]) if nw >= 2 else "-"),
        _edge("last=", lowered[nw - 1] if nw else "-"),
    ]
    if line.isupper():
        feats.append("allcaps")
    return feats, caps


# ---------------------------------------------------------------------------------------------
# clean's furniture-rule verdict (hot11): ``rules_verdict`` is the compiled twin of ``clean._rules_verdict``
# (with ``_rules_with_needs_met``, ``_words`` and ``FurnitureRule.find``), used only while their source is
# the one it mirrors (``streams.ingest.verdict_twin``). The rules are read once per rules tuple into plain
# tuples; a rule's ``needs`` pre-filter ("its id is among the ids the needs automaton found in the lower-case
# line") is tested as the containment of any need of that id's rules: the automaton reports every
# occurrence of every need, so the two agree (a rule set with an empty need is not twinned: None).

cdef object _rv_key = None  # (all rules, unanchored rules) the specs were read from
cdef tuple _rv_all = ()
cdef tuple _rv_unanchored = ()
cdef bint _rv_ok = False


cdef Py_ssize_t _split_count(str s):
    """``len(s.split())``: the maximal runs of characters that are not ``str.split``'s whitespace."""
    cdef Py_ssize_t n = len(s), i, count = 0
    cdef bint inside = False
    for i in range(n):
        if Py_UNICODE_ISSPACE(s[i]):
            inside = False
        elif not inside:
            inside = True
            count += 1
    return count


cdef tuple _rule_spec(object r, dict needs_of):
    """``(max words or -1, anchored, the needs of the rule's id, its own needs or None when the same,
    regex.match or regex.search, end chars or -1, scope (0 line, 1 inline, 2 tail, 3 caption), kind,
    credit, opens_list)`` of one ``FurnitureRule``."""
    mw = r.max_words
    ec = r.end_chars
    scope = r.scope
    code = 1 if scope == "inline" else 2 if scope == "tail" else 3 if scope == "caption" else 0
    own = tuple(r.needs)
    id_needs = needs_of[r.id] if own else ()  # the automaton test runs only for a rule with needs
    return (
        -1 if mw is None else <Py_ssize_t> mw,
        bool(r.anchored),
        id_needs,
        own if own and own != id_needs else None,
        r.regex.match if r.anchored else r.regex.search,
        -1 if ec is None else <Py_ssize_t> ec,
        code,
        r.kind,
        r.kind in ("credit", "editor"),
        bool(r.opens_list),
    )


cdef bint _rv_specs(tuple rules, tuple unanchored) except -1:
    """Read the rules into ``_rv_all`` / ``_rv_unanchored`` when they are other objects than last time."""
    global _rv_key, _rv_all, _rv_unanchored, _rv_ok
    cdef dict needs_of = {}
    if _rv_key is not None and (<tuple> _rv_key)[0] is rules and (<tuple> _rv_key)[1] is unanchored:
        return _rv_ok
    ok = True
    for r in rules:
        for n in r.needs:
            if not isinstance(n, str) or not n:
                ok = False
        for x in (r.max_words, r.end_chars):
            if x is not None and type(x) is not int:
                ok = False
        got = needs_of.get(r.id)
        needs_of[r.id] = tuple(r.needs) if got is None else (<tuple> got) + tuple(r.needs)
    if ok:
        for r in unanchored:
            if r.id not in needs_of:
                ok = False
    if ok:
        _rv_all = tuple([_rule_spec(r, needs_of) for r in rules])
        _rv_unanchored = tuple([_rule_spec(r, needs_of) for r in unanchored])
    _rv_ok = ok
    _rv_key = (rules, unanchored)
    return ok


cdef inline bint _any_in(tuple needs, str lower):
    cdef str n
    for n in needs:
        if n in lower:
            return True
    return False


def rules_verdict(str line, tuple rules, tuple unanchored, alnum_search, anchored_for, limit, Verdict):
    """``clean._rules_verdict(line)``: ``rules`` is ``furniture_rules()``, ``unanchored`` ``_unanchored_rules()``,
    ``alnum_search`` ``_ALNUM.search``, ``anchored_for`` ``rules.anchored_prefilter_for``, ``limit``
    ``anchored_max_words()``, ``Verdict`` the ``_Verdict`` class. None when the rules cannot be twinned.

    The reference first matches the anchored rules' alternation (``anchored_for``): only when it matches are
    the anchored rules tried. An anchored rule's own pattern matching implies that the alternation matches
    (it is one of its alternatives; a longer line's alternation holds every rule that allows that many words),
    so trying each anchored rule that passes its word limit and needs gives the same matches without the
    alternation, which costs about half of the verdict. The one place where the alternation's answer itself
    matters: after an inline cut the reference goes on over the rules it chose for the uncut line (the
    unanchored ones only when the alternation did not match it), so the alternation runs on the uncut line
    then."""
    cdef list cuts = []
    cdef Py_ssize_t nw, k, nspec, mw, ec, lim = -1, code
    cdef tuple specs, spec
    cdef bint unanchored_only = False, decided = False
    cdef str lower
    cdef object m, tail_kind = None, own
    if not _rv_specs(rules, unanchored):
        return None
    if alnum_search(line) is None:
        return Verdict(line, "separator")
    if limit is not None:
        lim = limit
    nw = _split_count(line)
    lower = line.lower()
    specs = _rv_all
    nspec = len(specs)
    for k in range(nspec):
        spec = <tuple> specs[k]
        mw = spec[0]
        if mw >= 0 and nw > mw:
            continue
        if spec[1] and (unanchored_only or (lim >= 0 and nw > lim)):
            continue
        if spec[2] and not _any_in(<tuple> spec[2], lower):
            continue
        # FurnitureRule.find
        own = spec[3]
        if own is not None and not _any_in(<tuple> own, lower):
            continue
        ec = spec[5]
        if spec[1]:
            m = spec[4](line)
        elif ec >= 0 and len(line) > ec:
            m = spec[4](line, len(line) - ec)
        else:
            m = spec[4](line)
        if m is None:
            continue
        code = spec[6]
        if code == 1:
            if not decided:  # the rules the reference goes on with: chosen by the alternation on the uncut line
                decided = True
                unanchored_only = not ((lim < 0 or nw <= lim) and anchored_for(nw).match(line) is not None)
            cuts.append((spec[7], m.group(0).strip()))
            line = (line[: m.start()] + line[m.end() :]).strip()
            if not line:
                return Verdict(line, spec[7], cuts=tuple(cuts))
            nw = _split_count(line)
            lower = line.lower()
            continue
        if code == 2:
            tail_kind = tail_kind or spec[7]
            continue
        if code == 3:
            return Verdict(line, "caption", cuts=tuple(cuts))
        return Verdict(
            line,
            spec[7],
            cuts=tuple(cuts),
            credit=spec[8],
            opens_links=spec[9] or (spec[7] == "related" and nw <= 3),
        )
    if tail_kind is not None:
        return Verdict(line, tail_kind, tail=True, cuts=tuple(cuts))
    return Verdict(line, cuts=tuple(cuts))
