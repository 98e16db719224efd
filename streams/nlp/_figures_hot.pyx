# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The compiled hot path of the figures stage (Cython): the cue scan on each side of a number.

``scan`` computes exactly what its pure-Python reference ``streams.nlp.figure_model._scan`` (with its
``_Scan`` state) computes: the same feature strings appended to ``f`` in the same order, and the same
nearest casualty cue returned. ``scores_many`` is ``LinearHead.scores_many`` (numpy's gather and sum, which
adds the rows of each id list one after the other, and a padding zero row once when the list is shorter
than the batch's longest) in one C loop; ``best_many`` is ``LinearHead._best`` of each; ``ids`` is ``FigureModel.ids``; ``anaphora`` is
``figure_model._anaphora`` (an ASCII word keeps its length when lowered, so one whose length no anaphora
word has is skipped without lowering it); ``cue_hits`` is the cue-hit loop of
``figure_model.article_view``. The reference is the definition; ``tests/nlp/test_figures_hot.py`` checks
the two agree on random and real text. ``figure_model`` calls it when the module is built and the
analysis runs compiled (``WARTA_COMPILED``), else the reference.
"""

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from libc.math cimport exp
from libc.stdlib cimport free, malloc

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)

__all__ = ["anaphora", "best_many", "cue_hits", "ids", "scan", "scores_many"]

cdef int _WINDOW = 10
cdef frozenset _CONJ = frozenset({"and", "dan", "serta", "or", "atau", ",", "&"})
cdef frozenset _READ_THROUGH = _CONJ | {"menjadi", "jadi", "to"}
cdef frozenset _OF = frozenset({"of", "dari"})
cdef frozenset _GENERIC = frozenset({"K.", "T.", "W."})
cdef tuple _CASUALTY_CUE = ("K.", "T.", "W.", "H.cases", "F.mixed_or")
cdef str _NEG = "F.negations"
cdef tuple _BUCKETS = ("0", "1", "2", "3", "3", "5", "5", "5")


cdef inline str _bucket(long d):
    if d < 0:
        return str(d)
    if d <= 7:
        return <str>_BUCKETS[d]
    return "8"


cdef object _nearest(list names, bint weapon):
    cdef list cues = [nm for nm, _ in names if nm.startswith(_CASUALTY_CUE)]
    if not cues:
        return None
    for nm in cues:
        if nm.startswith("W.") == weapon:
            return nm
    return cues[0]


def scan(view, n, long q_i, long head_end, list f, bint after, bint weapon):
    """``figure_model._scan``: cue hits on one side of the number ``n``, appended to ``f``; returns the
    nearest casualty cue on that side ("" when none)."""
    a = view.a
    cdef list sent_ids = a.sent_ids
    cdef list low = a.lowers
    cdef long length = len(a.words)
    cdef long tok_start = n.tok_start, tok_end = n.tok_end
    cdef long sent, origin, k, t, stop, step, skip_to = 0
    cdef dict hits
    cdef bint coord = False, link = False
    cdef str mark, blocked = "", found = "", key, d, name
    cdef set seen = set()
    cdef set num_tok = view.num_tok
    cdef set breaks = view.breaks
    cdef object names, pick, y
    if after:
        sent = <long>sent_ids[tok_start]
        hits = view.starts
        origin = tok_end
        mark = ">"
        k = tok_end
        stop = min(length, tok_end + _WINDOW + 4)
        step = 1
    else:
        if q_i >= length:
            return ""
        sent = <long>sent_ids[q_i]
        hits = view.ends
        origin = q_i
        mark = "<"
        coord = q_i > 0 and low[q_i - 1] in _READ_THROUGH
        k = q_i
        stop = max(0, q_i - _WINDOW - 4)
        step = -1
    while (k < stop) if after else (k > stop):
        t = k if after else k - 1
        if <long>sent_ids[t] != sent:
            break
        if t in num_tok and t >= skip_to:
            # _Scan.at_number
            if after and k == origin + 1 and low[origin] in _OF:
                y = a.number_at(k)
                skip_to = <long>y.tok_end if y is not None else k + 1
            elif (k == origin or low[k - 1] not in _CONJ) if after else not coord:
                f.append("num" + mark + _bucket(k - origin if k >= origin else origin - k))
                break
            else:
                blocked = "c" if blocked == "" or blocked == "j" else blocked
        names = hits.get(k)
        if names:
            # _Scan.read
            pick = None if found else _nearest(names, weapon)
            for name, _ in names:
                if name == "LINK" and k == origin and not after:
                    link = True
                key = name + mark
                if key in seen:
                    continue
                seen.add(key)
                if after:
                    d = _bucket(k - head_end) if k >= head_end else "h"
                else:
                    d = _bucket(origin - k)
                f.append(key + d + blocked)
                f.append(key + blocked)
                if name[:2] in _GENERIC:
                    f.append(name[0] + mark + d + blocked)
                if not found and name == pick:
                    found = name if blocked == "c" else name + blocked
                    f.append("first" + mark + name + blocked)
                    if blocked == "c":
                        f.append("first" + mark + name)
                    if link:
                        f.append("link<" + name)
        if t in breaks:
            blocked = "x"
        elif after and low[k] in _CONJ and (k + 1) not in num_tok and blocked != "x":
            blocked = "j"
        elif after and not blocked and names and any(nm == _NEG for nm, _ in names):
            blocked = "n"
        elif not after and low[t] in _CONJ and not blocked:
            blocked = "j"
        k += step
    return found


def ids(dict index, list feats):
    """``FigureModel.ids``: the ids of the features ``index`` knows, in order."""
    cdef list out = []
    cdef PyObject *got
    for name in feats:
        got = PyDict_GetItem(index, name)
        if got is not NULL:
            out.append(<object>got)
    return out


def scores_many(const double[:, ::1] rows, list batch):
    """``LinearHead.scores_many``: per id list, per label, the sum of the weight rows of its ids, added in
    order starting from the first row (the zero padding row added once when the list is shorter than the
    longest of the batch, as numpy's padded sum adds it: ``-0.0 + 0.0`` is ``0.0``)."""
    cdef Py_ssize_t n_labels = rows.shape[1], n_rows = rows.shape[0] - 1
    cdef Py_ssize_t width = 0, n, j, l, r
    cdef list out = []
    cdef list one
    cdef double *acc
    if not batch:
        return out
    for ids_ in batch:
        n = len(ids_)
        if n > width:
            width = n
    acc = <double *>malloc(max(1, n_labels) * sizeof(double))
    if acc is NULL:
        raise MemoryError()
    try:
        for ids_ in batch:
            n = len(ids_)
            if n == 0:
                for l in range(n_labels):
                    acc[l] = 0.0
            else:
                for j in range(n):
                    r = ids_[j]
                    if r < 0 or r >= n_rows:
                        raise IndexError(r)
                    if j == 0:
                        for l in range(n_labels):
                            acc[l] = rows[r, l]
                    else:
                        for l in range(n_labels):
                            acc[l] = acc[l] + rows[r, l]
                if n < width:
                    for l in range(n_labels):
                        acc[l] = acc[l] + 0.0
            one = [acc[l] for l in range(n_labels)]
            out.append(one)
    finally:
        free(acc)
    return out


def anaphora(a, dict starts, dict ends, dict sent_cues, set frame, frozenset words):
    """``figure_model._anaphora`` after its guard (``words`` not empty, two sentences or more): an
    anaphoric total word becomes a toll hit of the last casualty cue of the sentence before it."""
    cdef unsigned long long lengths = 0
    cdef bint long_word = False
    cdef Py_ssize_t k, t, s, n_sent, n_words, wl
    cdef list sent_ids = a.sent_ids
    cdef list toks = a.words
    cdef list sentences = a.sentences
    cdef object got, kind, prev
    cdef str w, name, hit
    for w in words:
        if len(w) < 64:
            lengths |= 1ULL << len(w)
        else:
            long_word = True
    n_sent = len(sent_ids)
    n_words = len(toks)
    for k in range(n_words):
        s = <Py_ssize_t>sent_ids[k] if k < n_sent else 0
        if s == 0:
            continue
        w = toks[k]
        if not long_word and PyUnicode_IS_ASCII(w):
            wl = len(w)
            if wl >= 64 or not (lengths >> wl) & 1:
                continue
        if w.lower() not in words:
            continue
        prev = sentences[s - 1]
        kind = None
        for t in range(<Py_ssize_t>prev.tok_start, <Py_ssize_t>prev.tok_end):
            got = starts.get(t)
            if got:
                for name, _ in got:
                    if name.startswith(("K.", "T.")):
                        kind = name[2:]
        if kind is None:
            continue
        hit = "T." + kind
        starts.setdefault(k, []).append((hit, k + 1))
        ends.setdefault(k + 1, []).append((hit, k))
        sent_cues.setdefault(s, set()).add(hit)
        frame.add(s)


def cue_hits(list hits, list sent_ids, key_role, dict roles, dict starts, dict ends, dict sent_cues,
             set breaks, set frame, dict mark_before, dict mark_after):
    """The cue-hit loop of ``figure_model.article_view``: each hit key's feature name by its token start and
    end, its sentence's cues, frame sentences, clause breaks and currency / percent markers (``roles``
    keeps ``key_role`` of each key seen, as its ``lru_cache`` does)."""
    cdef object name, ts, te, got
    cdef long role
    for h in hits:
        ts = h.tok_start
        te = h.tok_end
        for key in h.keys:
            got = roles.get(key)
            if got is None:
                got = roles[key] = key_role(key)
            name = got[0]
            role = got[1]
            if name is None:
                if role & 8:
                    mark_before[te] = min(h.start, mark_before.get(te, h.start))
                elif role & 16:
                    mark_after[ts] = max(h.end, mark_after.get(ts, h.end))
                continue
            starts.setdefault(ts, []).append((name, te))
            ends.setdefault(te, []).append((name, ts))
            if role & 1:
                sent_cues.setdefault(sent_ids[ts], set()).add(name)
            if role & 2:
                frame.add(sent_ids[ts])
            if role & 4:
                breaks.add(ts)


def best_many(tuple labels, list scores):
    """``LinearHead._best`` of each score list: the first label of the largest score, its probability and
    every label's (``exp`` is the C library's, which ``math.exp`` calls; the probabilities are summed by
    Python's own ``sum``, as the reference sums them)."""
    cdef list out = []
    cdef list e, probs
    cdef Py_ssize_t k, j, n
    cdef double m, v
    cdef object z
    for s in scores:
        n = len(s)
        k = 0
        m = s[0]
        for j in range(1, n):
            v = s[j]
            if v > m:
                m = v
                k = j
        e = [exp(<double>s[j] - m) for j in range(n)]
        z = sum(e)
        probs = [x / z for x in e]
        out.append((labels[k], probs[k], probs))
    return out
