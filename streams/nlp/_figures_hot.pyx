# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The compiled hot path of the figures stage (Cython): the per-article view and the features of each number.

``scan`` computes exactly what its pure-Python reference ``streams.nlp.figure_model._scan`` (with its
``_Scan`` state) computes: the same feature strings appended to ``f`` in the same order, and the same
nearest casualty cue returned. ``scores_many`` is ``LinearHead.scores_many`` (numpy's gather and sum, which
adds the rows of each id list one after the other, and a padding zero row once when the list is shorter than
the batch's longest) in one C loop; ``best_many`` is ``LinearHead._best`` of each; ``ids`` is ``FigureModel.ids``; ``anaphora`` is
``figure_model._anaphora`` (an ASCII word keeps its length when lowered, so one whose length no anaphora
word has is skipped without lowering it); ``cue_hits`` is the cue-hit loop of
``figure_model.article_view``. The feature functions of one number mention (``form_features``,
``char_features``, ``word_features``, ``class_features``, ``head_features``, ``context_features``,
``scope_features``, ``conjunctions``, with ``ptv`` and ``first_scope``) and of the article view
(``quoted``, ``number_index``, ``entity_index``) are drop-ins of the ``figure_model`` functions of the same
name with a leading underscore, which ``figure_model._compiled`` selects per call. ``classify_mentions`` and
``figures_from_analysis`` are whole passes of ``streams.nlp.figures`` (see "whole passes" below), which
``figure_model.whole_pass`` hands out while the reference functions they follow are unchanged. The reference is the
definition; ``tests/nlp/test_figures_hot.py`` checks the two agree on random and real text. ``figure_model``
calls it when the module is built and the analysis runs compiled (``WARTA_COMPILED``), else the reference.
"""

from cpython.dict cimport PyDict_GetItem
from cpython.list cimport PyList_GET_ITEM
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from libc.math cimport exp
from libc.stdlib cimport free, malloc

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    int PyObject_GenericSetAttr(object o, object name, object value) except -1

__all__ = [
    "anaphora", "best_many", "captive_features", "char_features", "class_features", "classify_mentions", "conjunctions",
    "context_features", "cue_hits", "entity_index", "figures_from_analysis", "fingerprint", "first_scope",
    "form_features", "head_features", "hit_fields", "ids", "mention_features", "new_mention", "number_index",
    "followed", "guard", "plain_figure",
    "predict_rows", "ptv", "quoted", "recorded_fingerprint", "scan", "scope_features", "scores_many", "whole",
    "word_features",
]

cdef int _WINDOW = 10
cdef frozenset _CONJ = frozenset({"and", "dan", "serta", "or", "atau", ",", "&"})
cdef frozenset _READ_THROUGH = _CONJ | {"menjadi", "jadi", "to"}
cdef frozenset _OF = frozenset({"of", "dari"})
cdef frozenset _GENERIC = frozenset({"K.", "T.", "W."})
cdef tuple _CASUALTY_CUE = ("K.", "T.", "W.", "H.cases", "F.mixed_or")
cdef str _NEG = "F.negations"
cdef tuple _MARKS = (">", "<")
cdef tuple _DISTS = ("0", "1", "2", "3", "5", "8", "h")
cdef tuple _BLOCKS = ("", "c", "j", "x", "n")
cdef tuple _NUM_FEATS = tuple("num" + m + d for m in _MARKS for d in _DISTS)


cdef inline int _dist(long d):
    """The index in ``_DISTS`` of ``figure_model._bucket(d)`` (``d`` >= 0)."""
    if d <= 2:
        return <int>d
    if d <= 4:
        return 3
    return 4 if d <= 7 else 5


cdef class _Cue:
    """The feature strings one cue name gives in a scan, built once: by side (mark), distance and what
    stands between (``blocked``), so the strings the model looks up are the same objects each time."""

    cdef str name
    cdef bint generic, casualty, weapon_w, is_link
    cdef list kdb, kb, gen, first, found
    cdef list first_plain
    cdef str link

    def __init__(self, str name):
        cdef str m, d, b
        self.name = name
        self.generic = name[:2] in _GENERIC
        self.casualty = name.startswith(_CASUALTY_CUE)
        self.weapon_w = name.startswith("W.")
        self.is_link = name == "LINK"
        self.kdb = [_canon(name + m + d + b) for m in _MARKS for d in _DISTS for b in _BLOCKS]
        self.kb = [_canon(name + m + b) for m in _MARKS for b in _BLOCKS]
        self.gen = [_canon(name[0] + m + d + b) for m in _MARKS for d in _DISTS for b in _BLOCKS]
        self.first = [_canon(f"first{m}{name}{b}") for m in _MARKS for b in _BLOCKS]
        self.first_plain = [_canon(f"first{m}{name}") for m in _MARKS]
        self.found = [name if b == "c" else name + b for b in _BLOCKS]
        self.link = _canon("link<" + name)


cdef dict _CUES = {}


cdef inline _Cue _cue_of(object name):
    cdef PyObject *got = PyDict_GetItem(_CUES, name)
    if got is not NULL:
        return <_Cue>got
    cue = _CUES[name] = _Cue(name)  # never cleared, not even by _set_canon: one object per name
    return cue


cdef _Cue _nearest(list names, bint weapon):
    """``_Scan.nearest``: of the casualty cues at a step, the first one the counted noun fits (a weapon
    verb for a count of weapons, else another), else the first casualty cue (None: there is none)."""
    cdef _Cue cue, first = None
    for nm, _ in names:
        cue = _cue_of(nm)
        if not cue.casualty:
            continue
        if cue.weapon_w == weapon:
            return cue
        if first is None:
            first = cue
    return first


cdef enum:
    _NUM = 1
    _BRK = 2
    _CONJ_KNOWN = 4
    _CONJ_YES = 8
    _SEP_KNOWN = 16
    _SEP_YES = 32


cdef class _Tokens:
    """Per-article arrays the compiled scans read instead of the view's sets and dicts (made on the first
    scan of an article, once ``article_view`` has finished the view): each token's sentence, whether it is
    part of a number or a clause break, whether it is a conjunction (looked up when first asked), and the
    view's cue hits starting and ending at each token."""

    cdef Py_ssize_t n, n_sent
    cdef long *sent
    cdef unsigned char *flags
    cdef list starts_at, ends_at, low

    def __cinit__(self, view):
        a = view.a
        cdef list sent_ids = a.sent_ids
        cdef Py_ssize_t i
        self.low = a.lowers
        self.n = len(a.words)
        self.n_sent = len(sent_ids)
        self.sent = <long *>malloc(max(1, self.n_sent) * sizeof(long))
        self.flags = <unsigned char *>malloc(max(1, self.n + 2))
        if self.sent is NULL or self.flags is NULL:
            raise MemoryError()
        for i in range(self.n_sent):
            self.sent[i] = sent_ids[i]
        for i in range(self.n + 2):
            self.flags[i] = 0
        cdef Py_ssize_t kk
        for k in view.num_tok:
            kk = k
            if 0 <= kk < self.n + 2:
                self.flags[kk] |= _NUM
        for k in view.breaks:
            kk = k
            if 0 <= kk < self.n + 2:
                self.flags[kk] |= _BRK
        self.starts_at = self._at(view.starts)
        self.ends_at = self._at(view.ends)

    cdef list _at(self, dict by_tok):
        cdef list out = [None] * (self.n + 2)
        cdef Py_ssize_t kk
        for k, v in by_tok.items():
            kk = k
            if 0 <= kk < self.n + 2:
                out[kk] = v
        return out

    def __dealloc__(self):
        free(self.sent)
        free(self.flags)

    cdef inline long sent_of(self, long t) except? -2:
        if t < 0 or t >= self.n_sent:
            raise IndexError(t)
        return self.sent[t]

    cdef inline bint is_num(self, long t):
        return 0 <= t < self.n + 2 and self.flags[t] & _NUM

    cdef inline bint is_break(self, long t):
        return 0 <= t < self.n + 2 and self.flags[t] & _BRK

    cdef inline bint is_conj(self, long t):
        cdef unsigned char fl = self.flags[t]
        if not fl & _CONJ_KNOWN:
            fl |= _CONJ_KNOWN | (_CONJ_YES if self.low[t] in _CONJ else 0)
            self.flags[t] = fl
        return fl & _CONJ_YES

    cdef inline bint is_sep(self, long t):
        """``figure_model._LIST_SEP`` holds token ``t`` (0 <= t < n)."""
        cdef unsigned char fl = self.flags[t]
        if not fl & _SEP_KNOWN:
            fl |= _SEP_KNOWN | (_SEP_YES if self.low[t] in _LIST_SEP else 0)
            self.flags[t] = fl
        return fl & _SEP_YES

    cdef inline object hits_at(self, list at, long k):
        if 0 <= k < self.n + 2:
            return <object>PyList_GET_ITEM(at, k)
        return None


cdef inline _Tokens _tokens(view):
    """The view's ``_Tokens`` (``ArticleView.hot``), made on first use."""
    st = view.hot
    if st is None:
        st = view.hot = _Tokens(view)
    return <_Tokens>st


cpdef scan(view, n, long q_i, long head_end, list f, bint after, bint weapon):
    """``figure_model._scan``: cue hits on one side of the number ``n``, appended to ``f``; returns the
    nearest casualty cue on that side ("" when none)."""
    a = view.a
    cdef _Tokens st = _tokens(view)
    cdef list low = st.low
    cdef long length = st.n
    cdef long tok_start = n.tok_start, tok_end = n.tok_end
    cdef long sent, origin, k, t, stop, step, skip_to = 0
    cdef int mark, b = 0, di, neg
    cdef list at
    cdef bint coord = False, link = False, any_found = False
    cdef str found = ""
    cdef list seen = []
    cdef object names, y
    cdef _Cue cue, pick
    if after:
        sent = st.sent_of(tok_start)
        at = st.starts_at
        origin = tok_end
        mark = 0
        k = tok_end
        stop = min(length, tok_end + _WINDOW + 4)
        step = 1
    else:
        if q_i >= length:
            return ""
        sent = st.sent_of(q_i)
        at = st.ends_at
        origin = q_i
        mark = 1
        coord = q_i > 0 and low[q_i - 1] in _READ_THROUGH
        k = q_i
        stop = max(0, q_i - _WINDOW - 4)
        step = -1
    while (k < stop) if after else (k > stop):
        t = k if after else k - 1
        if st.sent_of(t) != sent:
            break
        if t >= skip_to and st.is_num(t):
            # _Scan.at_number
            if after and k == origin + 1 and low[origin] in _OF:
                y = a.number_at(k)
                skip_to = <long>y.tok_end if y is not None else k + 1
            elif (k == origin or not st.is_conj(k - 1)) if after else not coord:
                f.append(_NUM_FEATS[mark * 7 + _dist(k - origin if k >= origin else origin - k)])
                break
            elif b == 0 or b == 2:
                b = 1
        names = st.hits_at(at, k)
        neg = 0
        if names:
            # _Scan.read
            pick = None if any_found else _nearest(names, weapon)
            for nm, _ in names:
                cue = _cue_of(nm)
                if not after and not link and cue.is_link and k == origin:
                    link = True
                if not neg and nm == _NEG:
                    neg = 1
                if cue in seen:
                    continue
                seen.append(cue)
                if after:
                    di = _dist(k - head_end) if k >= head_end else 6
                else:
                    di = _dist(origin - k)
                f.append(cue.kdb[(mark * 7 + di) * 5 + b])
                f.append(cue.kb[mark * 5 + b])
                if cue.generic:
                    f.append(cue.gen[(mark * 7 + di) * 5 + b])
                if not any_found and cue is pick:
                    any_found = True
                    found = cue.found[b]
                    f.append(cue.first[mark * 5 + b])
                    if b == 1:
                        f.append(cue.first_plain[mark])
                    if link:
                        f.append(cue.link)
        if st.is_break(t):
            b = 3
        elif after and st.is_conj(k) and not st.is_num(k + 1) and b != 3:
            b = 2
        elif after and b == 0 and neg:
            b = 4
        elif not after and st.is_conj(t) and b == 0:
            b = 2
        k += step
    return found


cdef dict _CANON = {}  # each feature name of the model's index -> that very string object
cdef object _canon_of = None  # the index _CANON was made from


cdef inline str _canon(str s):
    """The model index's own object for the feature name ``s`` (``s`` itself when the index lacks it): a
    dict look-up finds its own key by identity, without comparing the characters."""
    cdef PyObject *got = PyDict_GetItem(_CANON, s)
    return <str>got if got is not NULL else s


cdef void _set_canon(dict index):
    """Make the kept feature strings the index's own objects (on the first ``ids`` of a new index)."""
    global _CANON, _canon_of, _MAG, _SENT_B, _PARA_B, _REL, _NUMS, _NUM_FEATS
    _CANON = {k: k for k in index}
    _canon_of = index
    for cache in (_c_vague, _c_qual, _c_b1, _c_a1, _c_b2b1, _c_a1a2, _c_wb, _c_wa, _c_la, _c_lb, _c_Lb,
                  _c_La, _c_inent, _c_entb, _c_head, _c_headk, _c_scope, _c_conj):
        cache.clear()
    # _CUES is kept: a scan tells cue names apart by their one _Cue object, so it must not change under
    # a scan running in another thread (its strings stay those of the first index: equal, only slower)
    _MAG = tuple(_canon(x) for x in _MAG)
    _SENT_B = tuple(_canon(x) for x in _SENT_B)
    _PARA_B = tuple(_canon(x) for x in _PARA_B)
    _REL = tuple(_canon(x) for x in _REL)
    _NUMS = tuple(_canon(x) for x in _NUMS)
    _NUM_FEATS = tuple(_canon(x) for x in _NUM_FEATS)


cdef enum:
    _SLOTS = 8192  # a power of two


# The ids of the feature strings seen last, by the string object's address: a slot holds its string (a
# reference of its own, so that no other object can take that address while it is there) and the index's
# value for it (NULL: the index lacks it). The same object is the same string, hence the same id.
cdef PyObject *_slot_key[_SLOTS]
cdef PyObject *_slot_val[_SLOTS]


cdef void _clear_slots():
    cdef Py_ssize_t i
    for i in range(_SLOTS):
        Py_XDECREF(_slot_key[i])
        Py_XDECREF(_slot_val[i])
        _slot_key[i] = NULL
        _slot_val[i] = NULL


cpdef ids(dict index, list feats):
    """``FigureModel.ids``: the ids of the features ``index`` knows, in order (each string's id kept by its
    address for the next time the same object comes: no hashing, no probing of the index)."""
    cdef list out = []
    cdef PyObject *got
    cdef PyObject *p
    cdef size_t h
    cdef Py_ssize_t j, n = len(feats)
    if index is not _canon_of:
        _clear_slots()
        _set_canon(index)
    for j in range(n):
        p = PyList_GET_ITEM(feats, j)
        h = ((<size_t>p >> 4) ^ (<size_t>p >> 17)) & (_SLOTS - 1)
        if _slot_key[h] == p:
            got = _slot_val[h]
        else:
            got = PyDict_GetItem(index, <object>p)
            Py_INCREF(<object>p)
            Py_XDECREF(_slot_key[h])
            _slot_key[h] = p
            if got is not NULL:
                Py_INCREF(<object>got)
            Py_XDECREF(_slot_val[h])
            _slot_val[h] = got
        if got is not NULL:
            out.append(<object>got)
    return out


cdef extern from *:
    void __builtin_prefetch(const void *addr) nogil

cdef enum:
    _AHEAD = 6  # rows asked from memory ahead of the one being added (the sums stay in the same order)


def scores_many(const double[:, ::1] rows, list batch):
    """``LinearHead.scores_many``: per id list, per label, the sum of the weight rows of its ids, added in
    order starting from the first row (the zero padding row added once when the list is shorter than the
    longest of the batch, as numpy's padded sum adds it: ``-0.0 + 0.0`` is ``0.0``). The rows a few ids
    ahead are prefetched while one is added: the weights are scattered and mostly out of the cache."""
    return _scores(rows, batch, None)


cdef bint _SUM_IN_ORDER = __import__("sys").version_info < (3, 12)  # Python's float sum adds in order


cdef list _scores(const double[:, ::1] rows, list batch, tuple labels):
    """``scores_many``; with ``labels``, ``best_many(labels, scores_many(rows, batch))`` without the
    score lists (the same floats: each label's score, its ``exp`` less the largest, their sum in order as
    Python's ``sum`` adds them, each divided by it)."""
    cdef Py_ssize_t n_labels = rows.shape[1], n_rows = rows.shape[0] - 1
    cdef Py_ssize_t width = 0, n, j, l, r
    cdef list out = []
    cdef list one
    cdef double *acc
    cdef Py_ssize_t *idx
    cdef const double *row
    if not batch:
        return out
    if n_labels == 0:
        return [[] for _ in batch] if labels is None else best_many(labels, [[] for _ in batch])
    for ids_ in batch:
        n = len(ids_)
        if n > width:
            width = n
    acc = <double *>malloc(n_labels * sizeof(double))
    idx = <Py_ssize_t *>malloc(max(1, width) * sizeof(Py_ssize_t))
    if acc is NULL or idx is NULL:
        free(acc)
        free(idx)
        raise MemoryError()
    try:
        for ids_ in batch:
            n = len(ids_)
            for j in range(n):
                r = <Py_ssize_t>(<object>PyList_GET_ITEM(ids_, j)) if type(ids_) is list else ids_[j]
                if r < 0 or r >= n_rows:
                    raise IndexError(r)
                idx[j] = r
                if j < _AHEAD:
                    __builtin_prefetch(&rows[r, 0])
                    __builtin_prefetch(&rows[r, n_labels - 1])
            if n == 0:
                for l in range(n_labels):
                    acc[l] = 0.0
            else:
                for j in range(n):
                    if j + _AHEAD < n:
                        __builtin_prefetch(&rows[idx[j + _AHEAD], 0])
                        __builtin_prefetch(&rows[idx[j + _AHEAD], n_labels - 1])
                    row = &rows[idx[j], 0]
                    if j == 0:
                        for l in range(n_labels):
                            acc[l] = row[l]
                    else:
                        for l in range(n_labels):
                            acc[l] = acc[l] + row[l]
                if n < width:
                    for l in range(n_labels):
                        acc[l] = acc[l] + 0.0
            if labels is None:
                one = [acc[l] for l in range(n_labels)]
                out.append(one)
            else:
                out.append(_best_of(labels, acc, n_labels))
    finally:
        free(acc)
        free(idx)
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


from streams.core._cslots cimport PyMemberDescrObject

cdef enum:
    _T_OBJECT_EX = 16  # ``PyMemberDef.type`` of a ``__slots__`` slot (``structmember.h``)

#: the class whose slots ``_hit_off`` holds the offsets of (``start``, ``end``, ``tok_start``, ``tok_end``,
#: ``keys``), or None; ``_hit_plain`` whether it is a plain slotted class (else attributes are read by getattr)
cdef object _hit_cls = None
cdef bint _hit_plain = False
cdef Py_ssize_t _hit_off[5]
cdef tuple _HIT_NAMES = ("start", "end", "tok_start", "tok_end", "keys")


cdef void _bind_hit(object cls) except *:
    """Whether ``cls`` keeps the five fields in ``__slots__`` slots read as they are (no attribute hook),
    with their offsets."""
    global _hit_cls, _hit_plain
    import types
    cdef PyMemberDescrObject* md
    cdef Py_ssize_t i
    plain = cls.__getattribute__ is object.__getattribute__
    for i in range(5):
        d = None
        for k in cls.__mro__:
            if _HIT_NAMES[i] in k.__dict__:
                d = k.__dict__[_HIT_NAMES[i]]
                break
        if type(d) is not types.MemberDescriptorType:
            plain = False
            break
        md = <PyMemberDescrObject*><PyObject*>d
        if md.d_member.type != _T_OBJECT_EX:
            plain = False
            break
        _hit_off[i] = md.d_member.offset
    _hit_plain = plain
    _hit_cls = cls


cdef inline object _hit_get(object h, Py_ssize_t i):
    """``getattr(h, _HIT_NAMES[i])``, from the slot when ``h``'s class is plain and the slot is set."""
    cdef PyObject* p
    if type(h) is not _hit_cls:
        _bind_hit(type(h))
    if _hit_plain:
        p = (<PyObject**>((<char*><PyObject*>h) + _hit_off[i]))[0]
        if p is not NULL:
            return <object>p
    return getattr(h, <str>_HIT_NAMES[i])


def hit_fields(h):
    """The five fields ``cue_hits`` reads of hit ``h``, as it reads them (for the tests)."""
    return tuple([_hit_get(h, i) for i in range(5)])


def cue_hits(list hits, list sent_ids, key_role, dict roles, dict starts, dict ends, dict sent_cues,
             set breaks, set frame, dict mark_before, dict mark_after):
    """The cue-hit loop of ``figure_model.article_view``: each hit key's feature name by its token start and
    end, its sentence's cues, frame sentences, clause breaks and currency / percent markers (``roles``
    keeps ``key_role`` of each key seen, as its ``lru_cache`` does)."""
    cdef object name, ts, te, got, sent
    cdef PyObject *p
    cdef list at
    cdef set cues
    cdef long role
    for h in hits:
        ts = _hit_get(h, 2)
        te = _hit_get(h, 3)
        for key in _hit_get(h, 4):
            p = PyDict_GetItem(roles, key)
            if p is NULL:
                got = roles[key] = key_role(key)
            else:
                got = <object>p
            name = got[0]
            role = got[1]
            if name is None:
                if role & 8:
                    hs = _hit_get(h, 0)
                    mark_before[te] = min(hs, mark_before.get(te, hs))
                elif role & 16:
                    he = _hit_get(h, 1)
                    mark_after[ts] = max(he, mark_after.get(ts, he))
                continue
            p = PyDict_GetItem(starts, ts)  # starts.setdefault(ts, []).append(...), no list made to drop
            if p is NULL:
                starts[ts] = [(name, te)]
            else:
                (<list>p).append((name, te))
            p = PyDict_GetItem(ends, te)
            if p is NULL:
                ends[te] = [(name, ts)]
            else:
                (<list>p).append((name, ts))
            if role & 3:
                sent = sent_ids[ts]
                if role & 1:
                    p = PyDict_GetItem(sent_cues, sent)
                    if p is NULL:
                        sent_cues[sent] = {name}
                    else:
                        (<set>p).add(name)
                if role & 2:
                    frame.add(sent)
            if role & 4:
                breaks.add(ts)


cdef tuple _best_of(tuple labels, double *s, Py_ssize_t n):
    """``best_many``'s tuple for the scores ``s[0:n]``."""
    cdef Py_ssize_t k = 0, j
    cdef double m = s[0], z
    cdef list probs, e
    for j in range(1, n):
        if s[j] > m:
            m = s[j]
            k = j
    if _SUM_IN_ORDER:
        for j in range(n):
            s[j] = exp(s[j] - m)
        z = s[0]
        for j in range(1, n):
            z += s[j]
        probs = [s[j] / z for j in range(n)]
    else:
        e = [exp(s[j] - m) for j in range(n)]
        zz = sum(e)
        probs = [x / zz for x in e]
    return (labels[k], probs[k], probs)


def predict_rows(const double[:, ::1] rows, list batch, tuple labels):
    """``best_many(labels, scores_many(rows, batch))`` in one pass (for the tests)."""
    return _scores(rows, batch, labels)


cdef object _LinearHead = None


cdef list _predict(head, list batch):
    """``head.predict_many(batch)`` (a ``LinearHead``, whose scoring the passes' fingerprints follow)."""
    if type(head) is not _LinearHead:
        return head.predict_many(batch)
    if not batch:
        return []
    return _scores(head._rows, batch, head.labels)


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


# --- the feature functions of one number mention (drop-ins of figure_model's) --------------------------
#
# Each computes exactly what the pure-Python function of ``streams.nlp.figure_model`` of the same name
# (with a leading underscore) computes: the same feature strings appended to ``f`` in the same order and
# the same value returned. The feature strings are kept once built (per word, per class), so a string the
# model looks up again has its hash already (``ids``). Word lists and rare helpers are read from
# ``figure_model`` itself (``_ref``) when first needed.

from libc.math cimport floor, isfinite, log10

cdef object _fm = None
cdef object _lemma = None
cdef object _one_among = None
cdef int _LEMMA_WINDOW = 6
cdef object _ages_before, _ages_after, _ages_old
cdef dict _determiners
cdef object _sc = None  # figure_model._Scope
cdef dict _sc_before, _sc_after
cdef frozenset _sc_words, _sc_since, _sc_period, _sc_background
cdef frozenset _LIST_SEP
cdef tuple _HEAD_ORDER
cdef tuple _YEAR_OLD
cdef str _NB = "NB"
cdef Py_ssize_t _CACHE_MAX = 1 << 16


cdef _ref():
    """``figure_model`` and the word lists its feature functions read (loaded once)."""
    global _fm, _lemma, _LEMMA_WINDOW, _ages_before, _ages_after, _ages_old, _determiners, _sc
    global _sc_before, _sc_after, _sc_words, _sc_since, _sc_period, _sc_background, _LIST_SEP
    global _HEAD_ORDER, _YEAR_OLD, _YO_FIRST, _YO_UNCASED, _one_among
    import streams.nlp.figure_model as fm

    ages = fm._ages()
    _ages_before, _ages_after, _ages_old = ages.before, ages.after, ages.old
    _determiners = fm._determiners()
    _sc = fm._scope()
    _sc_before, _sc_after = _sc.before, _sc.after
    _sc_words, _sc_since, _sc_period, _sc_background = _sc.words, _sc.since, _sc.period, _sc.background
    _LIST_SEP = fm._LIST_SEP
    _HEAD_ORDER = fm._HEAD_ORDER
    _YEAR_OLD = fm._YEAR_OLD
    _YO_FIRST = frozenset(w[:1] for w in _YEAR_OLD)
    _YO_UNCASED = all(w and w[0].lower() == w[0] == w[0].upper() for w in _YEAR_OLD)
    _LEMMA_WINDOW = fm._LEMMA_WINDOW
    _lemma = fm.lemma
    _one_among = getattr(fm, "_one_among", None)  # a one right after a partitive marker (figq4's branch)
    _fm = fm


cdef inline str _cat(dict cache, str prefix, str s):
    """``prefix + s``, the same string object each time for the same ``s``."""
    cdef PyObject *got = PyDict_GetItem(cache, s)
    if got is not NULL:
        return <str>got
    cdef str out = _canon(prefix + s)
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[s] = out
    return out


cdef inline bint _first_upper(str w):
    """``w[:1].isupper()``."""
    return len(w) > 0 and (<Py_UCS4>w[0]).isupper()


cdef inline bint _is_year_n(n, double v):
    cdef str raw
    if <long>n.tok_end - <long>n.tok_start != 1:
        return False
    raw = n.raw
    return len(raw) == 4 and raw.isdigit() and 1800 <= v <= 2100


cdef dict _c_vague = {}, _c_qual = {}, _c_mag = {}


cpdef form_features(n, list f):
    """``figure_model._form_features``."""
    cdef str form
    cdef double v
    cdef long m
    vague = n.vague
    if vague:
        form = "vague"
        f.append("form=vague")
        f.append(_cat(_c_vague, "vague=", vague))
    else:
        form = "word" if n.is_word else "digit"
        f.append("form=word" if n.is_word else "form=digit")
    q = n.qualifier
    if q:
        f.append(_cat(_c_qual, "qual=", q))
    if n.currency:
        f.append("cur")
    if n.percent:
        f.append("pct")
    if n.multiplier:
        f.append("mult")
    value = n.value
    v = value
    if 1 <= v < 1e10:
        m = <long>log10(v)
        if m > 9:
            m = 9
    else:
        m = -1 if v < 1 else 10
    f.append(_MAG[m + 1])
    if isfinite(v) and floor(v) != v:
        f.append("dec")
    if _is_year_n(n, v):
        f.append("year")
    if v == 1:
        f.append("one")
    if n.unit is None:
        f.append("nounit")
    return form


cdef tuple _MAG = tuple(f"mag={m}" for m in range(-1, 11))


cdef dict _c_cls = {}


cdef Py_UCS4 _NO_CHAR = 0x110000  # no character (the text's start or end): the class "^"


cdef inline str _char_class(Py_UCS4 c):
    if c == _NO_CHAR:
        return "^"
    if c.isalpha():
        return "a"
    if c.isdigit():
        return "d"
    if c.isspace():
        return "s"
    if c in "-–/:().,%$+'\"“”":
        return _c_cls.setdefault(c, str(c))
    return "p"


cdef dict _c_b1 = {}, _c_a1 = {}, _c_b2b1 = {}, _c_a1a2 = {}


cpdef char_features(a, n, list f):
    """``figure_model._char_features``."""
    cdef str text = a.text
    cdef Py_ssize_t s = n.start, e = n.end, size = len(text), k
    cdef Py_UCS4 b1 = _NO_CHAR, b2 = _NO_CHAR, a1 = _NO_CHAR, a2 = _NO_CHAR
    cdef str cb1, ca1
    cdef list words
    if 1 <= s <= size:
        b1 = text[s - 1]
    if 2 <= s <= size + 1 and s - 2 < size:
        b2 = text[s - 2]
    if 0 <= e < size:
        a1 = text[e]
    if 0 <= e + 1 < size:
        a2 = text[e + 1]
    cb1, ca1 = _char_class(b1), _char_class(a1)
    f.append(_cat(_c_b1, "b1=", cb1))
    f.append(_cat(_c_a1, "a1=", ca1))
    f.append(_cat(_c_b2b1, "b2b1=", _char_class(b2) + cb1))
    f.append(_cat(_c_a1a2, "a1a2=", ca1 + _char_class(a2)))
    if b1 == u"(" and a1 == u")":
        f.append("paren")
    k = n.tok_start
    if k >= 2 and (a1 == u"," or a1 == u")"):
        words = a.words
        if <str>words[k - 1] == "," and _first_upper(<str>words[k - 2]):
            f.append("appos")


cdef dict _c_wb = {}, _c_wa = {}, _c_la = {}, _c_lb = {}, _c_Lb = {}, _c_La = {}


cdef inline str _lemma_feat(dict cache, str prefix, str word, bint alpha_only):
    """``prefix + lemma(word)`` (with ``alpha_only``: "" for a word that is not alphabetic), kept per word."""
    cdef PyObject *got = PyDict_GetItem(cache, word)
    if got is not NULL:
        return <str>got
    cdef str out
    if alpha_only and not word.isalpha():
        out = ""
    else:
        out = _canon(prefix + <str>_lemma(word))
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[word] = out
    return out


cpdef word_features(view, n, long q_i, list f):
    """``figure_model._word_features``."""
    if _fm is None:
        _ref()
    a = view.a
    cdef list low = a.lowers
    cdef list words = a.words
    cdef list sentences = a.sentences
    cdef long s0, s1, j, k, lo, hi
    cdef str w, got
    if sentences:
        sent = sentences[a.sent_ids[n.tok_start]]
        s0 = sent.tok_start
        s1 = sent.tok_end
    else:
        s0 = 0
        s1 = len(words)
    j = n.tok_end
    f.append(_cat(_c_wb, "w-1=", <str>low[q_i - 1]) if q_i - 1 >= s0 else "w-1=<s>")
    f.append(_cat(_c_wa, "w+1=", <str>low[j]) if j < s1 else "w+1=</s>")
    if j < s1:
        f.append(_lemma_feat(_c_la, "l+1=", <str>low[j], False))
        if _first_upper(<str>words[j]):
            f.append("w+1T")
    if q_i - 1 >= s0:
        f.append(_lemma_feat(_c_lb, "l-1=", <str>low[q_i - 1], False))
    lo = q_i - _LEMMA_WINDOW
    if lo < s0:
        lo = s0
    for k in range(lo, q_i):
        got = _lemma_feat(_c_Lb, "L<", <str>low[k], True)
        if got:
            f.append(got)
    hi = j + _LEMMA_WINDOW
    if hi > s1:
        hi = s1
    for k in range(j, hi):
        got = _lemma_feat(_c_La, "L>", <str>low[k], True)
        if got:
            f.append(got)
    if q_i - 1 > s0:
        w = words[q_i - 1]
        if len(w) >= 2 and (<Py_UCS4>w[0]).isupper() and (<Py_UCS4>w[1]).islower():
            f.append("w-1T")
    if j + 1 < s1 and low[j] in _OF and a.number_at(j + 1) is not None:
        f.append("x_of_y")
    if q_i >= 2 and low[q_i - 1] in _OF and _tokens(view).is_num(q_i - 2):
        f.append("y_of_x")
    if n.tok_start == s0 or q_i == s0:
        f.append("sent_start")


cdef bint _near(_Tokens st, long k, long step) except -1:
    """``figure_model._near``."""
    k += step
    while 0 <= k < st.n and st.is_sep(k):
        k += step
    return st.is_num(k)


cdef void _list_ends(_Tokens st, long q_i, long tok_start, long tok_end, long *out_i, long *out_j) except *:
    """``figure_model._list_ends``."""
    cdef long size = st.n, i, j
    cdef long sent = st.sent_of(tok_start)
    i = q_i - 1
    while i >= 0 and st.sent_of(i) == sent and (st.is_num(i) or (st.is_sep(i) and _near(st, i, -1))):
        i -= 1
    j = tok_end
    while j < size and st.sent_of(j) == sent and (st.is_num(j) or (st.is_sep(j) and _near(st, j, 1))):
        j += 1
    out_i[0] = i if i >= 0 and st.sent_of(i) == sent else -1
    out_j[0] = j if j < size and st.sent_of(j) == sent else size


cdef frozenset _YO_FIRST = frozenset()  # the first characters of figure_model._YEAR_OLD
cdef bint _YO_UNCASED = False  # ... none of which has case: no other character lowers to one


cdef void _age_features(a, _Tokens st, n, long q_i, list f) except *:
    """``figure_model._age_features``."""
    cdef list low = st.low
    cdef long i = -1, j = 0, size = st.n, e
    cdef str text
    _list_ends(st, q_i, n.tok_start, n.tok_end, &i, &j)
    if i >= 0 and (low[i] in _ages_before or (i > 0 and low[i - 1] in _ages_before)):
        f.append("age<")
    if j < size and (<str>low[j]).strip("-") in _ages_after:
        f.append("age>")
        if j + 1 < size and (<str>low[j + 1]).strip("-") in _ages_old:
            f.append("age>old")
    if j - <long>n.tok_end > 1:
        f.append("inlist")
    text = a.text
    e = n.end
    if 0 <= e < len(text) and (not _YO_UNCASED or text[e] in _YO_FIRST):
        if text[e : e + 12].lower().startswith(_YEAR_OLD):
            f.append("age>old")


cdef bint _compound(str text, Py_ssize_t e):
    """``figure_model._compound``."""
    cdef Py_ssize_t size = len(text), m
    cdef Py_UCS4 c
    if e < 0 or e >= size or (text[e] != u"-" and text[e] != u"–"):
        return False
    if e + 1 >= size or not (<Py_UCS4>text[e + 1]).isalpha():
        return False
    m = e + 1
    while m < size:
        c = text[m]
        if c.isalpha() or c == u"-" or c == u"–":
            m += 1
        else:
            break
    if m >= size or text[m] != u" " or m + 1 >= size or not (<Py_UCS4>text[m + 1]).isalpha():
        return False
    return text[e + 1 : m] != "an"


cdef bint _date_part(str text, Py_ssize_t s, Py_ssize_t e):
    """``figure_model._date_part``."""
    cdef Py_ssize_t size = len(text)
    if 2 <= s <= size and text[s - 1] == u"/" and (<Py_UCS4>text[s - 2]).isdigit():
        return True
    return 0 <= e and e + 1 < size and text[e] == u"/" and (<Py_UCS4>text[e + 1]).isdigit()


cdef bint _model_name(str text, Py_ssize_t s):
    """``figure_model._model_name``."""
    cdef Py_ssize_t k
    cdef Py_UCS4 c
    if s < 2 or s - 1 >= len(text):
        return False
    c = text[s - 1]
    if not (c == u"-" or c == u"–" or c == u"/"):
        return False
    c = text[s - 2]
    if not (c.isalpha() or c.isdigit()):
        return False
    k = s - 2
    while k >= 0:
        c = text[k]
        if c.isdigit() or c == u"-" or c == u"–" or c == u"/":
            k -= 1
        else:
            break
    if k < 0 or not (<Py_UCS4>text[k]).isalpha() or k + 1 >= len(text):
        return False
    c = text[k + 1]
    return c == u"-" or c == u"–"


cdef void _shape_features(a, n, long q_i, list f):
    """``figure_model._shape_features``."""
    cdef str text = a.text
    cdef Py_ssize_t s = n.start, e = n.end, size = len(text)
    if 1 <= s <= size and text[s - 1] == u"(" and 0 <= e < size and text[e] == u")" and q_i >= 2:
        if _first_upper(<str>a.words[q_i - 2]):
            f.append("cls=paren_name")
    if _compound(text, e):
        f.append("cls=compound")
    if _model_name(text, s):
        f.append("cls=model")
    elif _date_part(text, s, e) or _is_year_n(n, n.value):
        f.append("cls=date")


cdef dict _c_class = {}


cpdef class_features(view, n, long q_i, list f):
    """``figure_model._class_features`` (with ``_age_features`` and ``_shape_features``)."""
    if _fm is None:
        _ref()
    a = view.a
    cdef list low = a.lowers
    cdef long j = n.tok_end, size = len(low)
    cdef Py_ssize_t start = len(f), k
    cdef double v = n.value
    cdef bint of_them
    cdef str x
    _age_features(a, _tokens(view), n, q_i, f)
    _shape_features(a, n, q_i, f)
    of_them = j + 1 < size and low[j] in _OF and a.number_at(j + 1) is None
    if v == 1 and (
        of_them or (q_i >= 1 and <str>low[q_i - 1] == "salah") or (_one_among is not None and _one_among(view, n, q_i))
    ):
        f.append("cls=one_of")
    if v == 0 and not n.vague:
        f.append("cls=zero")
    if j < size:
        dets = _determiners.get(low[j - 1])
        if dets is not None and low[j] in dets:
            f.append("cls=determiner")
    ends = view.ends.get(q_i)
    cdef bint negated = False, label = False
    if ends:
        for nm, _ in ends:
            if nm == _NEG:
                negated = True
            if nm == _NB:
                label = True
        if negated:
            f.append("cls=negated")
        if label:
            f.append("cls=label")
    for k in range(start, len(f)):
        x = f[k]
        if x.startswith(("cls=", "age")):
            got = PyDict_GetItem(_c_class, x)
            if got is not NULL:
                return <str>got
            out = "cls." + x.removeprefix("cls=").rstrip("<>")
            _c_class[x] = out
            return out
    return None


cdef object _ent_type(ent_at, list a_starts, long k):
    """``figure_model._EntityAt.get``: the type of the entity covering token ``k``, or None."""
    cdef list starts = ent_at.starts
    cdef Py_ssize_t lo = 0, hi = len(starts), mid
    cdef long c
    if not hi:
        return None
    c = a_starts[k]
    while lo < hi:  # bisect_right
        mid = (lo + hi) // 2
        if c < <long>starts[mid]:
            hi = mid
        else:
            lo = mid + 1
    lo -= 1
    if lo >= 0 and <long>ent_at.ends[lo] > c:
        return ent_at.types[lo]
    return None


cdef tuple _SENT_B = ("sent=0", "sent=1", "sent=2", "sent=3", "sent=4", "sent=7", "sent=13")
cdef tuple _PARA_B = ("para=0", "para=1", "para=2", "para=3", "para=4", "para=7", "para=13")
cdef tuple _REL = ("rel=0", "rel=1", "rel=2", "rel=3", "rel=4")
cdef tuple _NUMS = ("nums=0", "nums=1", "nums=2", "nums=3", "nums=4")
cdef dict _c_inent = {}, _c_entb = {}


cdef inline int _pos_bucket(long k):
    """Index of ``figure_model._pos_bucket(k)`` in ``_SENT_B`` / ``_PARA_B``."""
    if k <= 3:
        return <int>k
    if k <= 6:
        return 4
    return 5 if k <= 12 else 6


cdef bint _in_quote(list quoted, long i, long size):
    """``figure_model._context_features``' look-up: ``bisect_right(quoted, (i, size)) - 1`` covers ``i``."""
    cdef Py_ssize_t lo = 0, hi = len(quoted), mid
    cdef long qs, qe
    while lo < hi:
        mid = (lo + hi) // 2
        qs, qe = quoted[mid]
        if i < qs or (i == qs and size < qe):
            hi = mid
        else:
            lo = mid + 1
    lo -= 1
    if lo < 0:
        return False
    qs, qe = quoted[lo]
    return qs <= i < qe


cpdef context_features(view, n, list f):
    """``figure_model._context_features``."""
    a = view.a
    cdef list sent_ids = a.sent_ids
    cdef long i = n.tok_start, size = len(a.words), s, m, x
    cdef list lines = a.lines
    cdef list quoted = view.quoted
    s = sent_ids[i]
    f.append(_SENT_B[_pos_bucket(s)])
    f.append(_PARA_B[_pos_bucket(a.para_ids[i])])
    m = size if size > 1 else 1
    x = 5 * i // m
    f.append(_REL[x if x < 4 else 4])
    if lines:
        line = lines[a.line_ids[i]]
        if <long>line.tok_end - <long>line.tok_start < 12:
            f.append("shortline")
    if quoted and _in_quote(quoted, i, size):
        f.append("quote")
    ent_at = view.ent_at
    cdef list a_starts = a.starts
    et = _ent_type(ent_at, a_starts, i)
    if et is not None:
        f.append(_cat(_c_inent, "inent=", et))
    if i > 0 and sent_ids[i - 1] == s:
        prev = _ent_type(ent_at, a_starts, i - 1)
        if prev is not None:
            f.append(_cat(_c_entb, "ent<", prev))
    ys = view.years.get(s)
    if ys:
        f.append("s:year")
        if min(ys) < view.max_year:
            f.append("s:oldyear")
    value = n.value
    if value in view.title_values:
        f.append("in_title")
    if view.value_count.get(value, 0) > 1:
        f.append("repeated")
    x = view.sent_nums.get(s, 0)
    f.append(_NUMS[x if x < 4 else 4])


cdef dict _c_head = {}, _c_headk = {}


cdef inline int _head_rank(str name):
    cdef int r = 0
    for h in _HEAD_ORDER:
        if <str>h == name:
            return r
        r += 1
    return -1


cpdef head_features(view, n, list f):
    """``figure_model._head_features``: the counted noun's end token and its feature name."""
    if _fm is None:
        _ref()
    a = view.a
    cdef _Tokens st = _tokens(view)
    cdef list low = st.low
    cdef list words = a.words
    cdef long size = st.n, j0 = n.tok_end, j, k, end, best_rank, r
    cdef list a_starts = a.starts, a_ends = a.ends
    cdef str best, nm, key
    cdef PyObject *got_key
    cdef long sent = st.sent_of(n.tok_start)
    cdef object te, names
    cdef bint prisoner
    j = j0
    if j0 + 1 < size and low[j0] in _OF and st.sent_of(j0 + 1) == sent:  # _of_number
        y = a.number_at(j0 + 1)
        if y is not None:
            f.append("head_of")
            j = y.tok_end
    end = j + 3
    k = j
    while k < (size if size < end else end):
        if st.sent_of(k) != sent or st.is_num(k):
            break
        names = st.hits_at(st.starts_at, k)
        best_rank = -1
        prisoner = False
        if names:
            for nm, t in names:
                r = _head_rank(nm)
                if r < 0:
                    continue
                if best_rank < 0 or r < best_rank:
                    best_rank, best, te = r, nm, t
                if nm == "H.prisoner":
                    prisoner = True
        if best_rank >= 0:
            f.append(_cat(_c_head, "head=", best))
            key = f"head{k - j}=" + best
            got_key = PyDict_GetItem(_c_headk, key)
            if got_key is NULL:
                _c_headk[key] = key = _canon(key)
            else:
                key = <str>got_key
            f.append(key)
            if best == "H.people" and prisoner:
                f.append("head=H.prisoner")
                return te, "H.prisoner"
            return te, best
        if _ent_type(view.norp_at, a_starts, k) is not None:
            f.append("head=norp")
            return k + 1, "norp"
        if k + 2 < size and <str>words[k + 1] in ("-", "–") and a_starts[k + 1] == a_ends[k] and a_starts[k + 2] == a_ends[k + 1]:
            end += 2  # _joined
        k += 1
    f.append("head=none")
    return j, "none"


cdef long _after_at(list low, long k):
    """``figure_model._after_at``: the length of the partitive starting at token ``k``, else 0."""
    cdef long size = len(low)
    cdef tuple p
    if k >= size:
        return 0
    got = _sc_after.get(low[k])
    if got is None:
        return 0
    for p in got:
        if tuple(low[k : k + len(p)]) == p:
            return len(p)
    return 0


cdef bint _before_at(list low, long q_i):
    """``figure_model._before_at``."""
    cdef tuple p
    if q_i < 1:
        return False
    got = _sc_before.get(low[q_i - 1])
    if got is None:
        return False
    for p in got:
        if q_i >= len(p) and tuple(low[q_i - len(p) : q_i]) == p:
            return True
    return False


cdef tuple _ptv(view, n, long q_i):
    """``figure_model._ptv`` (kept in ``view.ptv`` as the reference keeps it)."""
    cdef dict cache = view.ptv
    key = n.tok_start
    cdef PyObject *got = PyDict_GetItem(cache, key)
    if got is not NULL:
        return <tuple>got
    cdef list low = view.a.lowers
    cdef long size = len(low), j = n.tok_end, end = 0, n_p
    cdef bint before = q_i != 0 and low[q_i - 1] in _sc_before and _before_at(low, q_i)
    if j < size and (low[j] in _sc_after or (j + 1 < size and low[j + 1] in _sc_after)):
        n_p = _after_at(low, j)
        if not n_p and (<str>low[j]).isalpha():
            j += 1
            n_p = _after_at(low, j)
        end = j + n_p if n_p else 0
    out = (before, end)
    cache[key] = out
    return out


cdef bint _period_at(view, _Tokens st, long k) except -1:
    """``figure_model._period_at``: a month without a day or a year follows token ``k``."""
    a = view.a
    cdef long j, size = st.n
    cdef str w
    for j in range(k + 1, k + 3):
        if j >= size or st.sent_of(j) != st.sent_of(k):
            return False
        n = a.number_at(j)
        if n is not None:
            return <long>n.tok_end - <long>n.tok_start == 1 and len(n.raw) == 4 and n.raw.isdigit()
        names = st.hits_at(st.starts_at, j)
        if names and any(nm == "MONTH" for nm, _ in names):
            if st.is_num(j - 1):
                return False
            if j + 1 < size and st.is_num(j + 1):
                w = a.words[j + 1]
                return not (w.isdigit() and len(w) <= 2)
            return True
    return False


cdef object _first_scope(view, long s):
    """``figure_model._first_scope``."""
    a = view.a
    cdef list low = a.lowers
    cdef list sentences = a.sentences
    cdef long start, end, k
    cdef str w
    if sentences:
        sent = sentences[s]
        start, end = sent.tok_start, sent.tok_end
    else:
        start, end = 0, len(a.words)
    for k in range(start, end):
        w = low[k]
        if w not in _sc_words:
            continue
        if w in _sc_since:
            return k, "since"
        if w in _sc_period and _period_at(view, _tokens(view), k):
            return k, "period"
        if w in _sc_background:
            return k, "background"
    return None


cdef dict _c_scope = {}


cpdef scope_features(view, n, long q_i, list f):
    """``figure_model._scope_features``."""
    if _fm is None:
        _ref()
    cdef tuple ptv = _ptv(view, n, q_i)
    if ptv[0]:
        f.append("ptv<")
    if ptv[1]:
        f.append("ptv>")
    s = view.a.sent_ids[n.tok_start]
    cdef dict scopes = view.sent_scope
    cdef PyObject *p = PyDict_GetItem(scopes, s)
    if p is NULL:
        got = scopes[s] = _first_scope(view, s)
    else:
        got = <object>p
    if got is not None and <long>got[0] < q_i:
        f.append(_cat(_c_scope, "scope=", got[1]))


def ptv(view, n, long q_i):
    """``figure_model._ptv``."""
    if _fm is None:
        _ref()
    return _ptv(view, n, q_i)


def first_scope(view, long s):
    """``figure_model._first_scope``."""
    if _fm is None:
        _ref()
    return _first_scope(view, s)


cdef dict _c_conj = {}


cpdef conjunctions(list f, str form, str head, str first_b, str first_a):
    """``figure_model._conjunctions`` (the six strings kept per argument tuple)."""
    key = (form, head, first_b, first_a)
    cdef PyObject *got = PyDict_GetItem(_c_conj, key)
    if got is not NULL:
        f.extend(<tuple>got)
        return
    a_end = first_a[len(first_a) - 1 :] if first_a else ""  # first_a[-1:] (no negative index here)
    b_end = first_b[len(first_b) - 1 :] if first_b else ""
    out = (
        f"head&ga={head}&{first_a[:1]}{a_end if a_end in 'xjn' else ''}",
        f"head&gb={head}&{first_b[:1]}{b_end if b_end in 'xj' else ''}",
        f"head&a={head}&{first_a}",
        f"head&b={head}&{first_b}",
        f"b&a={first_b}&{first_a}",
        f"form&head={form}&{head}",
    )
    out = tuple([_canon(x) for x in out])
    if len(_c_conj) >= _CACHE_MAX:
        _c_conj.clear()
    _c_conj[key] = out
    f.extend(out)


cdef frozenset _QUOTE_MARKS = frozenset({'"', "“", "”", "«", "»"})


def quoted(a):
    """``figure_model._quoted``: token ranges inside double quotation marks."""
    cdef list words = a.words
    cdef list line_ids = a.line_ids
    cdef list marks = []
    cdef list out = []
    cdef Py_ssize_t i, k, nm, size = len(words)
    cdef str w
    for i in range(size):
        w = words[i]
        if len(w) == 1 and w in _QUOTE_MARKS:
            marks.append(i)
    nm = len(marks)
    k = 0
    while k < nm:
        i = marks[k]
        w = words[i]
        if w == "”" or w == "»":
            k += 1
            continue
        if k + 1 < nm and line_ids[marks[k + 1]] == line_ids[i]:
            out.append((i + 1, marks[k + 1]))
            k += 2
        else:
            lines = a.lines
            out.append((i + 1, lines[line_ids[i]].tok_end if lines else size))
            k += 1
    return out


def entity_index(a, entities):
    """``figure_model._entity_index``: the ``_EntityAt`` of all entities and of the NORP ones (the NORP
    spans are the sorted spans of all, filtered: the same list sorting them alone gives)."""
    if _fm is None:
        _ref()
    cdef list spans = []
    for e in entities:
        ty = e.type
        for s, t in e.spans:
            spans.append((s, t, ty))
    spans.sort()
    cls = _fm._EntityAt
    cdef list starts = [], ends = [], types = [], n_starts = [], n_ends = [], n_types = []
    for s, t, ty in spans:
        starts.append(s)
        ends.append(t)
        types.append(ty)
        if ty == "NORP":
            n_starts.append(s)
            n_ends.append(t)
            n_types.append(ty)
    every = cls.__new__(cls)
    every.a, every.starts, every.ends, every.types = a, starts, ends, types
    norp = cls.__new__(cls)
    norp.a, norp.starts, norp.ends, norp.types = a, n_starts, n_ends, n_types
    return every, norp


def number_index(a):
    """``figure_model._number_index``: the tokens of numbers, the years by sentence, the latest year, how
    often each value is stated and how many numbers each sentence has."""
    cdef set num_tok = set()
    cdef dict years = {}, value_count = {}, sent_nums = {}
    cdef list sent_ids = a.sent_ids
    cdef long ts, te, k, max_year = 0, y
    cdef bint any_year = False
    cdef PyObject *got
    for n in a.numbers:
        ts = n.tok_start
        te = n.tok_end
        for k in range(ts, te):
            num_tok.add(k)
        value = n.value
        s = sent_ids[ts]
        if _is_year_n(n, value):
            y = int(value)
            years.setdefault(s, []).append(y)
            if not any_year or y > max_year:
                max_year = y
                any_year = True
        got = PyDict_GetItem(value_count, value)
        value_count[value] = 1 if got is NULL else <object>got + 1
        got = PyDict_GetItem(sent_nums, s)
        sent_nums[s] = 1 if got is NULL else <object>got + 1
    return num_tok, years, max_year if any_year else 0, value_count, sent_nums


# --- whole passes ------------------------------------------------------------------------------------
#
# ``classify_mentions`` is ``figures.classify_mentions`` with everything it calls per number written out:
# ``figure_model.mention_features`` (its feature functions called as the C functions above, not through
# ``figure_model._compiled``'s dispatch), ``_cue_features``, ``_sentence_features``, ``marked``,
# ``worth_a_look``, ``FigureModel.ids`` and ``figures._resolved_kind``. The Python functions stay the
# definition: ``whole`` hands the pass out only while each reference function it was written from is
# unchanged (``streams.core.hot.code_fingerprint`` of their code, recorded in ``_WHOLE``), else the caller
# runs the reference; ``tests/nlp/test_figures_whole.py`` fails when a fingerprint is stale and compares the
# two on random and real text. docs/guards.md says how to record a fingerprint again.

from streams.core.hot import Guard as _Guard

#: whole pass -> (fingerprint of the reference functions it follows, those functions as (module, name))
cdef dict _WHOLE = {
    "classify_mentions": (
        "14f4538a4ebcd337",
        (
            ("streams.nlp.figures", "classify_mentions"),
            ("streams.nlp.figures", "_resolved_kind"),
            ("streams.nlp.figure_model", "mention_features"),
            ("streams.nlp.figure_model", "_cue_features"),
            ("streams.nlp.figure_model", "_sentence_features"),
            ("streams.nlp.figure_model", "marked"),
            ("streams.nlp.figure_model", "worth_a_look"),
            ("streams.nlp.figure_model", "FigureModel.ids"),
            ("streams.nlp.figure_model", "_name_class"),
            ("streams.nlp.figure_model", "_month_day"),
            ("streams.nlp.figure_model", "_whole_of"),
            ("streams.nlp.figure_model", "_named_toll"),
            ("streams.nlp.figure_model", "_of_whole"),
            ("streams.nlp.figure_model", "_captive_features"),
            ("streams.nlp.figure_model", "_captive_index"),
            ("streams.nlp.figure_model", "_captives"),
            ("streams.nlp.figure_model", "LinearHead.predict_many"),
            ("streams.nlp.figure_model", "LinearHead.scores_many"),
            ("streams.nlp.figure_model", "LinearHead._best"),
        ),
    ),
}
_WHOLE["figures_from_analysis"] = (
    "888372530f65aea0",
    (
        ("streams.nlp.figures", "figures_from_analysis"),
        ("streams.nlp.figures", "_assign_parts"),
        ("streams.nlp.figures", "part_where"),
        ("streams.nlp.figures", "_where_ranks"),
        ("streams.nlp.figures", "part_ranks"),
        ("streams.nlp.figures", "_part_ids"),
        ("streams.nlp.figures", "_to_figure"),
        ("streams.nlp.figures", "_span"),
        ("streams.nlp.figures", "_unit"),
        ("streams.nlp.figures", "_scopes"),
        ("streams.nlp.figure_model", "headline_scope"),
        ("streams.nlp.figure_model", "_partitive"),
        ("streams.nlp.figure_model", "_own_cue_after"),
        ("streams.nlp.figure_model", "_clause_scope"),
        ("streams.nlp.figures", "_other_kind"),
        ("streams.nlp.figures", "_other_cues"),
        ("streams.nlp.figures", "mark_headlines"),
        ("streams.nlp.figures", "_is_vague"),
        ("streams.nlp.figure_model", "LinearHead.predict_many"),
        ("streams.nlp.figure_model", "LinearHead.scores_many"),
        ("streams.nlp.figure_model", "LinearHead._best"),
    ),
)
#: whole pass -> its guard (``streams.core.hot.Guard``: the functions it follows, the fingerprint in ``_WHOLE``)
cdef dict _GUARDS = {
    name: _Guard(recorded, refs, f"figures pass {name} (streams.nlp._figures_hot)")
    for name, (recorded, refs) in _WHOLE.items()
}


def guard(str pass_name):
    """The guard of whole pass ``pass_name`` (``streams.core.hot.Guard``)."""
    return _GUARDS[pass_name]


def fingerprint(str pass_name):
    """``code_fingerprint`` of the reference functions whole pass ``pass_name`` follows, as they are now."""
    return (<object>_GUARDS[pass_name]).fingerprint()


def followed(str pass_name):
    """The reference functions whole pass ``pass_name`` follows, as (module, name) pairs (``name`` may be a
    class's method: ``LinearHead._best``)."""
    return _WHOLE[pass_name][1]


def recorded_fingerprint(str pass_name):
    """The fingerprint the compiled pass ``pass_name`` was written for."""
    return _WHOLE[pass_name][0]


def whole(str pass_name):
    """The compiled whole pass ``pass_name`` when every reference function it follows is the one it was
    written from (checked again when one of them is replaced: ``Guard.fresh``), else None: the caller runs
    the reference."""
    return _PASSES[pass_name] if (<object>_GUARDS[pass_name]).fresh() else None


cdef dict _c_sfeat = {}, _c_headcls = {}
cdef object _cue_kind = None


cdef list _sentence_feats(view, object sent):
    """``figure_model._sentence_features`` of sentence ``sent`` (kept in ``view.sent_feats``)."""
    cdef dict cache = view.sent_feats
    cdef PyObject *p = PyDict_GetItem(cache, sent)
    if p is not NULL:
        return <list>p
    got = [_cat(_c_sfeat, "s:", name) for name in sorted(view.sent_cues.get(sent, ()))]
    cache[sent] = got
    return got


cdef frozenset _DAY_JOINS = frozenset(), _WHOLE_GATE = frozenset(), _OF_OPENERS = frozenset()


cdef bint _has_name(object names, str want):
    """``any(nm == want for nm, _ in names)`` (``names``: a hit list or None)."""
    if names:
        for nm, _ in names:
            if nm == want:
                return True
    return False


cdef bint _month_day(view, n, bint step) except -1:
    """``figure_model._month_day``."""
    if n.vague or not n.raw.isdigit() or not 1 <= n.value <= 31:
        return False
    a = view.a
    cdef long i = n.tok_start, j = n.tok_end
    if i >= 2 and <str>a.words[i - 1] == ".":
        i -= 1
    if _has_name(view.ends.get(i), "MONTH") or _has_name(view.starts.get(j), "MONTH"):
        return True
    if not step:
        return False
    cdef list low = a.lowers
    prev = a.number_at(<long>n.tok_start - 2) if i >= 2 and low[i - 1] in _DAY_JOINS else None
    if prev is not None and <long>prev.tok_end == i - 1 and _month_day(view, prev, False):
        return True
    after = a.number_at(j + 1) if j + 1 < len(a) and low[j] in _DAY_JOINS else None
    return after is not None and _month_day(view, after, False)


cdef bint _named_toll(view, n) except -1:
    """``figure_model._named_toll``."""
    cdef long te = n.tok_end, k
    cdef str nm
    cdef dict starts = view.starts
    for k in (te, te + 1):
        names = starts.get(k)
        if names:
            for nm, _ in names:
                if nm[:2] in _GENERIC:
                    return True
    return False


cdef bint _of_whole(view, n, long q_i) except -1:
    """``figure_model._of_whole``."""
    a = view.a
    cdef list low = a.lowers
    cdef list sent_ids = a.sent_ids
    cdef long j = q_i - 1, k, te = n.tok_end, hi
    if j >= 1 and <str>low[j] == "the":
        j -= 1
    if j < 1 or low[j] not in _OF or not _tokens(view).is_num(j - 1):
        return False
    sent = sent_ids[n.tok_start]
    hi = te + 4
    if hi > len(a):
        hi = len(a)
    for k in range(te, hi):
        if sent_ids[k] != sent:
            break
        names = view.starts.get(k)
        if names:
            for nm, _ in names:
                if nm == "H.drones" or nm == "H.missiles":
                    return False
    return True


cdef bint _whole_of(view, n) except -1:
    """``figure_model._whole_of``."""
    a = view.a
    cdef list low = a.lowers
    cdef long q_i, start
    qs = n.qualifier_start
    q_i = <long>a.token_at(qs) if qs is not None else <long>n.tok_start
    if q_i < 1 or low[q_i - 1] not in _WHOLE_GATE:
        return False
    s = a.sent_ids[n.tok_start]
    sentences = a.sentences
    start = <long>sentences[s].tok_start if sentences else 0
    cdef list words = a.words
    while start < q_i and words[start] in _QUOTE_MARKS:
        start += 1
    if _named_toll(view, n):
        return False
    if tuple(low[start:q_i]) in _OF_OPENERS:
        return view.sent_nums.get(s, 0) > 1
    return _of_whole(view, n, q_i)


cdef object _name_class(view, n, list f):
    """``figure_model._name_class``: a number inside a named entity, a day next to a month name, the whole
    a later number of its sentence counts a part of."""
    if _ent_type(view.ent_at, view.a.starts, n.tok_start) is not None:
        f.append("cls=name")
        return "cls.name"
    if _month_day(view, n, True):
        f.append("cls=date")
        return "cls.date"
    if _whole_of(view, n):
        f.append("cls=whole")
        return "cls.whole"
    return None


# ``figure_model._captive_features`` (the ``cap.*`` features: who the people counted are when a captive word
# is near). The index is the reference's own ``_captive_index`` (the analysis automaton's ``captive`` hits,
# kept in ``view.captives``); the look-back is the reference's ``_captives()``, read at each use as the
# reference reads it. Guarded with ``classify_mentions``.

cdef dict _c_cap = {}, _c_capb = {}, _c_capa = {}


cdef str _cap_pair(dict cache, str prefix, str cls, str group):
    """``f"{prefix}{cls}&{group}"``, the same string object each time for the same pair."""
    cdef PyObject *p = PyDict_GetItem(cache, cls)
    cdef dict sub
    if p is NULL:
        sub = {}
        cache[cls] = sub
    else:
        sub = <dict>p
    p = PyDict_GetItem(sub, group)
    if p is not NULL:
        return <str>p
    cdef str out = _canon(f"{prefix}{cls}&{group}")
    sub[group] = out
    return out


cdef void _captive_features(view, n, list f, str before, str after) except *:
    """``figure_model._captive_features``: the class of the captive word nearest the number in its sentence,
    else of the nearest one before it up to ``look_back`` sentences back, with the group of the nearest cue
    on each side, and the classes its sentence names."""
    a = view.a
    idx = view.captives
    if idx is None:
        idx = _fm._captive_index(a)
        view.captives = idx
    cdef list toks = idx.toks
    cdef Py_ssize_t nt = len(toks), lo = 0, hi = nt, mid
    if nt == 0:
        return
    cdef list sent_ids = a.sent_ids
    cdef long ts = n.tok_start, s = sent_ids[ts], tk, sk, d = 0
    while lo < hi:  # bisect_left(toks, ts)
        mid = (lo + hi) >> 1
        if <long>toks[mid] < ts:
            lo = mid + 1
        else:
            hi = mid
    cls = None
    if lo > 0:
        tk = toks[lo - 1]
        sk = sent_ids[tk]
        if sk >= s - <long>_fm._captives().look_back:
            d = ts - tk + (0 if sk == s else <long>len(a))
            cls = idx.classes[lo - 1]
    if lo < nt:
        tk = toks[lo]
        if <long>sent_ids[tk] == s and (cls is None or tk - <long>n.tok_end < d):
            cls = idx.classes[lo]
    if cls is None:
        return
    f.append(_cat(_c_cap, "cap=", cls))
    f.append(_cap_pair(_c_capb, "cap&b=", cls, before[:1]))
    f.append(_cap_pair(_c_capa, "cap&a=", cls, after[:1]))
    here = idx.sent_feat.get(s)
    if here is not None:
        f.append(here)


def captive_features(view, n, list f, str before, str after):
    """``figure_model._captive_features`` (the same features appended to ``f``)."""
    if _fm is None:
        _ref()
    _captive_features(view, n, f, before, after)


cdef tuple _mention_features(view, n, dict index):
    """``figure_model.mention_features`` (with ``_cue_features``): the features of number ``n``, the labels
    its nearest cue before and after point to."""
    a = view.a
    cdef long tok_start = n.tok_start, q_i
    qs = n.qualifier_start
    q_i = <long>a.token_at(qs) if qs is not None else tok_start
    if tok_start < q_i:
        q_i = tok_start
    cdef list f = ["bias"]
    cdef str before, after
    form = form_features(n, f)
    char_features(a, n, f)
    word_features(view, n, q_i, f)
    cls = class_features(view, n, q_i, f)
    if not cls:
        cls = _name_class(view, n, f)
    if cls is not None:
        f.append(_cat(_c_headcls, "head=", cls))
        head_end, head = n.tok_end, cls
    else:
        head_end, head = head_features(view, n, f)
    sent = a.sent_ids[tok_start]
    if cls is None:
        weapon = head == "H.drones" or head == "H.missiles"
        after = scan(view, n, q_i, head_end, f, True, weapon)
        before = scan(view, n, q_i, head_end, f, False, weapon)
    else:
        before = after = ""
    f.extend(_sentence_feats(view, sent))
    conjunctions(f, form, head, before, after)
    context_features(view, n, f)
    scope_features(view, n, q_i, f)
    _captive_features(view, n, f, before, after)
    cdef Py_ssize_t la = len(after)
    return (
        f,
        _cue_kind(before) if before else None,
        _cue_kind(after) if la and after[la - 1] != u"n" else None,
    )


def mention_features(view, n):
    """``figure_model.mention_features`` (the same features in the same order)."""
    if _fm is None:
        _ref()
    _load_whole()
    return _mention_features(view, n, None)


cdef object _fs = None  # streams.nlp.figures
cdef object _CASUALTY = None


cdef _load_whole():
    global _fs, _cue_kind, _CASUALTY
    global _DAY_JOINS, _WHOLE_GATE, _OF_OPENERS, _LinearHead
    if _fs is None:
        _LinearHead = _fm.LinearHead
        import streams.nlp.figures as fs
        _DAY_JOINS = _fm._DAY_JOINS
        _WHOLE_GATE = _fm._WHOLE_GATE
        _OF_OPENERS = _fm._OF_OPENERS
        _cue_kind = _fm._cue_kind
        _CASUALTY = fs.CASUALTY_KINDS
        _fs = fs


cdef tuple _resolved(model, tuple labels, bint pointers, list probs, before, after):
    """``figures._resolved_kind`` (``pointers``: the labels end in "@before", "@after")."""
    cdef dict by_kind
    cdef double mass = 1.0, none, p_kind, best_p
    cdef Py_ssize_t i, n_direct
    if not pointers:
        return _fs._resolved_kind(model, probs, before, after)
    by_kind = {}
    n_direct = len(labels) - 2
    for i in range(n_direct if n_direct < len(probs) else len(probs)):
        by_kind[labels[i]] = probs[i]
    p_before, p_after = probs[len(probs) - 2], probs[len(probs) - 1]
    if before is None:
        mass -= <double>p_before
    else:
        by_kind[before] = by_kind.get(before, 0.0) + p_before
    if after is None:
        mass -= <double>p_after
    else:
        by_kind[after] = by_kind.get(after, 0.0) + p_after
    if mass == 0.0:  # the module divides as C does (cdivision): raise what Python's division raises
        raise ZeroDivisionError("float division by zero")
    none = <double>by_kind.pop("none", 0.0) / mass
    if not by_kind:
        return "none", none
    kind = None
    for k, v in by_kind.items():  # max(by_kind, key=by_kind.__getitem__): the first largest
        if kind is None or v > best_p:
            kind = k
            best_p = v
    p_kind = best_p / mass
    if none >= 0.5 and none > p_kind:
        return "none", none
    return kind, p_kind


cdef object _mention_cls = None
cdef bint _mention_plain = False


cdef bint _plain_mention(cls) except -1:
    """Whether ``cls`` is ``figures.Mention`` as the pass builds it: a slots dataclass whose generated
    ``__init__`` sets exactly these fields (``part="total"``, ``p_part=1.0``, ``ids`` a new list by default)
    and nothing else (checked once per class; else the pass calls the class)."""
    global _mention_cls, _mention_plain
    if cls is _mention_cls:
        return _mention_plain
    import dataclasses
    import types
    ok = False
    if dataclasses.is_dataclass(cls) and "__slots__" in cls.__dict__ and not hasattr(cls, "__post_init__"):
        fields = dataclasses.fields(cls)
        names = tuple([f.name for f in fields])
        dflt = {f.name: f.default for f in fields}
        ok = (
            names == ("n", "feats", "kind", "p_kind", "part", "p_part", "ids")
            and all([f.init for f in fields])
            and dflt["part"] == "total" and type(dflt["part"]) is str
            and dflt["p_part"] == 1.0 and type(dflt["p_part"]) is float
            and fields[6].default_factory is list
            and all([f.default is dataclasses.MISSING for f in fields[:4]])
            and all([type(cls.__dict__.get(nm)) is types.MemberDescriptorType for nm in names])
            and cls.__setattr__ is object.__setattr__
            and getattr(getattr(cls.__init__, "__code__", None), "co_filename", "") == "<string>"  # generated
            and cls.__new__ is object.__new__
        )
    _mention_cls = cls
    _mention_plain = ok
    return ok


cdef object _new_mention(cls, bint plain, n, list feats, str kind, double p_kind, object ids_):
    """``cls(n, feats, kind, p_kind)`` (with ``ids=ids_`` when given): the fields its ``__init__`` sets, set
    as it sets them."""
    if not plain:
        return cls(n, feats, kind, p_kind) if ids_ is None else cls(n, feats, kind, p_kind, ids=ids_)
    m = cls.__new__(cls)
    PyObject_GenericSetAttr(m, "n", n)
    PyObject_GenericSetAttr(m, "feats", feats)
    PyObject_GenericSetAttr(m, "kind", kind)
    PyObject_GenericSetAttr(m, "p_kind", p_kind)
    PyObject_GenericSetAttr(m, "part", "total")
    PyObject_GenericSetAttr(m, "p_part", 1.0)
    PyObject_GenericSetAttr(m, "ids", [] if ids_ is None else ids_)
    return m


def new_mention(cls, n, list feats, str kind, double p_kind, ids_=None):
    """``_new_mention`` for the tests (the class checked as the pass checks it)."""
    return _new_mention(cls, _plain_mention(cls), n, feats, kind, p_kind, ids_)


def classify_mentions(view, model, Mention):
    """``figures.classify_mentions``: the kind of every number mention (``none`` mentions dropped)."""
    if _fm is None:
        _ref()
    _load_whole()
    a = view.a
    cdef list sent_ids = a.sent_ids
    cdef set frame = view.frame_sents
    cdef dict index = model.index
    cdef list slots = []
    cdef list read = []
    cdef list batch = []
    cdef list feats, ids_
    cdef tuple got
    cdef Py_ssize_t r
    cdef bint plain = _plain_mention(Mention)
    for n in a.numbers:
        if n.currency:
            slots.append(_new_mention(Mention, plain, n, [], "money", 1.0, None))
        elif n.percent:
            slots.append(_new_mention(Mention, plain, n, [], "percent", 1.0, None))
        elif sent_ids[n.tok_start] in frame:
            got = _mention_features(view, n, index)
            feats = got[0]
            read.append((len(slots), got[1], got[2]))
            ids_ = ids(index, feats)
            batch.append(ids_)
            slots.append(_new_mention(Mention, plain, n, feats, "none", 0.0, ids_))
    kind_head = model.kind
    cdef tuple labels = kind_head.labels
    cdef bint pointers = labels[len(labels) - 2 :] == ("@before", "@after")
    kinds = _predict(kind_head, batch)
    count = model.count
    cdef list counts = []
    for r in range(len(read)):
        i, before, after = read[r]
        m = slots[i]
        kind, p = _resolved(model, labels, pointers, kinds[r][2], before, after)
        m.kind = kind
        m.p_kind = p
        if kind == "none" and count is not None:
            counts.append(i)
    if count is not None:
        got_c = _predict(count, [(<object>slots[i]).ids for i in counts])
        for r in range(len(counts)):
            m = slots[counts[r]]
            label, p, _ = got_c[r]
            m.kind = "other" if label == "other" else "none"
            m.p_kind = p
    for i, _, _ in read:
        m = slots[i]
        kind = m.kind
        if kind.startswith("weapons_"):
            noun = _fm.weapon_noun(view, m.n)
            m.kind = kind = noun + kind[7:] if noun is not None else "none"
        if kind == "none" or (kind in _CASUALTY and m.p_kind < model.threshold(kind)):
            slots[i] = None
    return [m for m in slots if m is not None]




cdef tuple _part_key(str kind, list same, Py_ssize_t k, object v, list where):
    """``(kind, *figures.part_ranks(kv, k, where, same).values())``: the key ``figures._part_ids`` keeps the
    part head's feature ids under (``same``: the index and value of every mention of the kind, in order)."""
    cdef Py_ssize_t n_same = len(same), j, i
    cdef tuple w_k = where[k], w_i
    cdef bint in_title = w_k[1], title_other = False, lead_other = False
    cdef long s = w_k[0]
    cdef bint larger_before = False, larger_after = False, smaller_after = False, is_max = True
    cdef list others = []
    cdef bint total
    for j in range(n_same):
        i = same[j][0]
        x = same[j][1]
        if x != v:  # _where_ranks' "other"
            w_i = where[i]
            if w_i[1]:
                title_other = True
            if <long>w_i[0] <= 2:
                lead_other = True
        if i < k and x > v:
            larger_before = True
        if i > k:
            if x > v:
                larger_after = True
            if x < v:
                smaller_after = True
        if i != k and x < v:
            others.append(x)
    title_other = not in_title and title_other
    lead_other = s >= 3 and lead_other
    vals = [x for _, x in same]
    is_max = v >= max(vals)
    total = len(others) >= 2 and abs(sum(others) - v) < 1e-6
    return (
        kind, title_other, lead_other, title_other or lead_other, w_k[2],
        is_max, same[0][0] == k, same[n_same - 1][0] == k, min(3, n_same),
        larger_before, larger_after, smaller_after, total,
    )


cdef void _assign_parts(view, list mentions, model, frozenset headline_kinds) except *:
    """``figures._assign_parts``: total or part for the mentions of a headline kind."""
    a = view.a
    cdef list sent_ids = a.sent_ids
    cdef list heads = [], where = [], kv_kind = [], batch
    cdef dict years = view.years
    title_values = view.title_values
    max_year = view.max_year
    cdef dict of_kind = {}
    cdef dict part_ids = model.part_ids
    cdef Py_ssize_t k, nm = len(mentions)
    cdef PyObject *p
    for k in range(nm):
        m = <object>PyList_GET_ITEM(mentions, k)
        n = m.n
        kind = m.kind
        s = sent_ids[n.tok_start]  # figures.part_where
        ys = years.get(s) or []
        where.append((s, n.value in title_values, bool(ys) and min(ys) < max_year))
        if kind in headline_kinds:
            heads.append(k)
            p = PyDict_GetItem(of_kind, kind)
            if p is NULL:
                of_kind[kind] = [(k, n.value)]
            else:
                (<list>p).append((k, n.value))
    if not heads:
        _predict(model.part, [])
        return
    batch = []
    for k in heads:
        m = mentions[k]
        kind = m.kind
        key = _part_key(kind, of_kind[kind], k, m.n.value, where)
        p = PyDict_GetItem(part_ids, key)
        if p is NULL:
            kv = [(x.kind, x.n.value) for x in mentions]
            got = _fs._part_ids(model, kind, _fs.part_ranks(kv, k, where, of_kind[kind]))
        else:
            got = <object>p
        batch.append(m.ids + got)
    cdef Py_ssize_t r = 0
    for part, pr, _ in _predict(model.part, batch):
        m = mentions[heads[r]]
        m.part = part
        m.p_part = pr
        r += 1


cdef object _Figure = None


cdef object _to_figure(view, m, list ents, dict kind_name, frozenset casualty, frozenset headline_kinds,
                       tuple unit_heads, str text):
    """``figures._to_figure``: a mention as a Figure."""
    n = m.n
    kind = m.kind
    p = PyDict_GetItem(kind_name, kind)
    if p is not NULL:
        kind = <object>p
    if kind == "money" or kind == "percent":
        kind = _other_kind(view, n, kind == "money", kind == "percent") or kind
    elif kind in casualty and n.vague and _fs._mixed(view, m):
        kind = "casualties"
    start = n.start
    end = n.end
    currency = n.currency
    percent = n.percent
    if currency:  # figures._span
        start = view.mark_before.get(n.tok_start, start)
    if percent or currency:
        end = view.mark_after.get(n.tok_end, end)
    actor = _fs._actor(view, start, ents) if kind.endswith("_launched") or kind == "aid_amount" else None
    part = m.part
    if part == "total" or kind not in headline_kinds:
        part = None
    # figures._unit
    if percent:
        unit = "percent"
    elif currency:
        unit = currency
    else:
        unit = None
        a = view.a
        te0 = <long>n.tok_end
        hi = te0 + 3
        size = len(a)
        if hi > size:
            hi = size
        starts = view.starts
        for k in range(te0, hi):
            names = starts.get(k)
            if not names:
                continue
            for name, te in names:
                if name in unit_heads:
                    unit = text[a.starts[k] : a.ends[te - 1]]
                    break
            if unit is not None:
                break
    value = n.value
    qualifier = n.vague or n.qualifier
    if _plain_figure and (part is None or part in _PARTS) and (type(value) is float or type(value) is int):
        # what Figure(...) makes of these values, without validating them again: every field in the
        # class's order, the defaults after the given ones, the given ones as the fields set
        return _new_model(_Figure, {
            "kind": kind, "value": float(value), "unit": unit, "text": text[start:end], "span": (start, end),
            "actor": actor, "qualifier": qualifier, "part": part, "headline": False,
        }, set(_GIVEN))
    return _Figure(
        kind=kind,
        value=value,
        unit=unit,
        text=text[start:end],
        span=(start, end),
        actor=actor,
        qualifier=qualifier,
        part=part,
    )


cdef dict _other_cues(view):
    """``figures._other_cues``: the tokens where a cue of an other kind starts, by name (kept in the view)."""
    got = view.other_at
    cdef str nm
    cdef PyObject *p
    if got is None:
        got = {}
        view.other_at = got
        for k, names in (<dict>view.starts).items():
            for nm, _ in names:
                if len(nm) >= 2 and nm[0] == u"O" and nm[1] == u".":
                    p = PyDict_GetItem(got, nm)
                    if p is NULL:
                        got[nm] = [k]
                    else:
                        (<list>p).append(k)
    return got


cdef object _other_kind(view, n, bint money, bint percent):
    """``figures._other_kind``: aid_amount / territory_controlled_percent by a cue of that kind near the
    money or percent figure."""
    c = _fs._cues()
    a = view.a
    cdef list sent_ids = a.sent_ids
    cdef long window = c.other_window, ts = n.tok_start, te = n.tok_end, size = len(a), lo, hi, k
    sent = sent_ids[ts]
    lo = ts - window if ts - window > 0 else 0
    hi = te + window if te + window < size else size
    cdef dict at = _other_cues(view)
    for name, want_money, want_percent in c.other:
        if want_money != money or want_percent != percent:
            continue
        for k in at.get("O." + name, ()):
            if lo <= k < hi and sent_ids[k] == sent:
                return name
    return None


cdef tuple _GIVEN = ("kind", "value", "unit", "text", "span", "actor", "qualifier", "part")
cdef bint _plain_figure = False  # Figure is the plain model _new_model may build (checked once)
cdef frozenset _PARTS = frozenset()
from streams.core._cslots cimport new_model as _new_model  # (a Figure as validation leaves it)


def plain_figure(cls):
    """Whether ``cls`` (``records.Figure``) is the model the compiled pass builds without validation: these
    fields in this order with these types and defaults, no validator, no extra, no private attributes, no
    post-init (else the pass calls the class)."""
    from typing import get_args
    from streams.core.records import FigurePart
    fields = cls.model_fields
    want = (
        ("kind", "<class 'str'>"), ("value", "<class 'float'>"), ("unit", "str | None"), ("text", "<class 'str'>"),
        ("span", "tuple[int, int]"), ("actor", "str | None"), ("qualifier", "str | None"),
        ("part", "typing.Optional[typing.Literal[" + ", ".join(repr(x) for x in get_args(FigurePart)) + "]]"),
        ("headline", "<class 'bool'>"),
    )
    got = tuple((k, str(f.annotation)) for k, f in fields.items())
    if got != want:
        return False
    if fields["headline"].default is not False or any(not fields[k].is_required() for k in ("kind", "value", "text", "span")):
        return False
    if any(fields[k].default is not None for k in ("unit", "actor", "qualifier", "part")):
        return False
    if any(f.metadata or f.alias or f.validation_alias or f.default_factory for f in fields.values()):
        return False
    dec = cls.__pydantic_decorators__
    if dec.validators or dec.field_validators or dec.root_validators or dec.model_validators:
        return False
    if cls.model_config.get("extra") == "allow" or cls.__pydantic_post_init__ or cls.__private_attributes__:
        return False
    return not cls.__pydantic_root_model__


cdef object _headline_copy(f):
    """``f.model_copy(update={"headline": True})`` of a plain Figure."""
    d = dict(f.__dict__)
    d["headline"] = True
    fs_ = set(f.__pydantic_fields_set__)
    fs_.add("headline")
    return _new_model(_Figure, d, fs_)


cdef list _mark_headlines(list figs, list sure, list scoped, frozenset headline_kinds, frozenset exact):
    """``figures.mark_headlines`` with ``sure`` and ``scoped`` given."""
    cdef dict best = {}, stated = {}
    cdef list vague = []
    cdef Py_ssize_t i, n = len(figs)
    for f in figs:
        q = f.qualifier
        vague.append(q is not None and q not in exact)
    for i in range(n):
        f = figs[i]
        if f.part is None:
            key = (f.kind, f.value, vague[i])
            stated[key] = stated.get(key, 0.0) + sure[i]
    keys = [None] * n
    for i in range(n):
        f = figs[i]
        kind = f.kind
        if kind not in headline_kinds or f.part is not None or scoped[i] > 1:
            continue
        k_i = (-scoped[i], not vague[i], stated[kind, f.value, vague[i]], sure[i])
        keys[i] = k_i
        j = best.get(kind)
        if j is None or k_i > keys[j]:
            best[kind] = i
    chosen = set(best.values())
    cdef list out = []
    for i in range(n):
        f = figs[i]
        if i in chosen:
            out.append(_headline_copy(f) if _plain_figure and type(f) is _Figure else f.model_copy(update={"headline": True}))
        else:
            out.append(f)
    return out


def figures_from_analysis(a, entities=None, model=None, title=None):
    """``figures.figures_from_analysis``: kind, then part, then Figures, restatements out, headlines."""
    global _Figure
    if not a.numbers:
        return []
    if _fm is None:
        _ref()
    _load_whole()
    fs = _fs
    if _Figure is None:
        _load_figure(fs.Figure)
    model = model or fs.load_model()
    view = fs.article_view(a, entities, title)
    mentions = fs.classify_mentions(view, model)
    cdef frozenset headline_kinds = fs.HEADLINE_KINDS
    _assign_parts(view, mentions, model, headline_kinds)
    mentions = fs._all_downed(mentions)
    ents = sorted([(s, e, ent.name) for ent in (entities or ()) for s, e in ent.spans])
    cdef dict kind_name = fs._KIND_NAME
    cdef frozenset casualty = fs.CASUALTY_KINDS
    cdef tuple unit_heads = fs._UNIT_HEADS
    cdef str text = a.text
    figs = [_to_figure(view, m, ents, kind_name, casualty, headline_kinds, unit_heads, text) for m in mentions]
    gone = fs._restated(figs)
    kept = [i for i in range(len(figs)) if i not in gone]
    sure = []
    for i in kept:
        m = mentions[i]
        sure.append(m.p_kind * (m.p_part if m.part == "total" else 0.0))
    scoped = _scopes(view, mentions, headline_kinds, fs._LEAD_SENTENCES)
    return _mark_headlines([figs[i] for i in kept], sure, [scoped[i] for i in kept], headline_kinds,
                           fs._EXACT_QUALIFIERS)


cdef bint _own_cue_after(view, long k, str kind) except -1:
    """``figure_model._own_cue_after``: a cue of ``kind`` starts within three words from token ``k``."""
    a = view.a
    cdef list sent_ids = a.sent_ids
    cdef long j, hi = k + 3
    cdef str k_name = "K." + kind, t_name = "T." + kind
    if hi > len(a):
        hi = len(a)
    for j in range(k, hi):
        if sent_ids[j] != sent_ids[k]:
            return False
        names = view.starts.get(j)
        if names:
            for nm, _ in names:
                if nm == k_name or nm == t_name:
                    return True
    return False


cdef object _headline_scope(view, n, str kind):
    """``figure_model.headline_scope``: a partitive, a running total, a period or a background clause."""
    a = view.a
    cdef long q_i, ts = n.tok_start
    qs = n.qualifier_start
    q_i = <long>a.token_at(qs) if qs is not None else ts
    if ts < q_i:
        q_i = ts
    cdef tuple ptv = _ptv(view, n, q_i)  # figure_model._partitive
    end = ptv[1]
    if ptv[0] or (end > 0 and not _own_cue_after(view, end, kind)):
        return "partitive"
    s = a.sent_ids[ts]  # figure_model._clause_scope
    cdef dict scopes = view.sent_scope
    if s not in scopes:
        scopes[s] = _first_scope(view, s)
    got = scopes[s]
    return got[1] if got is not None and got[0] < q_i else None


cdef object _TWO = 2, _ONE = 1, _HALF = 0.5


cdef list _scopes(view, list mentions, frozenset headline_kinds, lead_sentences):
    """``figures._scopes``: per mention, how a headline-kind total is scoped (2, 1, 0.5 or 0)."""
    cdef list out = []
    cdef dict share_sents = {}
    cdef list sent_ids = view.a.sent_ids
    for m in mentions:
        n = m.n
        s = sent_ids[n.tok_start]
        kind = m.kind
        if kind not in headline_kinds:
            out.append(0)
            continue
        part = m.part
        if part != "total":
            if part == "share":
                got = share_sents.get(s)
                if got is None:
                    share_sents[s] = {kind}
                else:
                    (<set>got).add(kind)
            out.append(0)
            continue
        scope = _headline_scope(view, n, kind)
        sib = share_sents.get(s, set()) - {kind}
        if scope == "partitive" or (scope == "background" and s >= lead_sentences):
            out.append(_TWO)
        elif scope is not None:
            out.append(_ONE)
        else:
            out.append(_HALF * bool(sib))  # 0.5 * sib: a float, 0.0 or 0.5
    return out


cdef _load_figure(cls):
    global _Figure, _plain_figure, _PARTS
    from typing import get_args
    from streams.core.records import FigurePart
    _PARTS = frozenset(get_args(FigurePart))
    _plain_figure = plain_figure(cls)
    _Figure = cls


cdef dict _PASSES = {"classify_mentions": classify_mentions, "figures_from_analysis": figures_from_analysis}
