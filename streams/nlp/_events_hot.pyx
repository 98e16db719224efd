# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The compiled hot path of the events stage (Cython): role scores over integer feature ids.

Each function computes exactly what its pure-Python reference in ``streams.nlp.events`` computes (the
reference is the definition; ``tests/nlp/test_events_hot.py`` checks the two agree on random and real
text):

- ``RoleScorer.scores`` -> ``events.role_candidates`` + ``_Joint.role_pair``: P(source) and P(target) of
  each actor candidate of a trigger, with the features that ``role_features`` names added in the same
  order (so the same floats), read as integer ids into typed weight arrays, no feature dict built.

- ``TriggerScorer.scores`` -> ``events._Joint.trigger_modality``: the trigger model's log-odds and the
  modality model's three scores of a candidate's features, by feature id.

Feature names are interned to ids once, when the scorer is built from the models' weights; a name the
models do not know adds ``0.0``, which leaves a sum unchanged, so it is skipped.
"""

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from libc.math cimport exp
from libc.stdlib cimport free, malloc

__all__ = ["RoleScorer", "TriggerScorer"]

cdef tuple _RELS = ("before", "after", "inside")
cdef tuple _GAPS = ("<3", "<25", "<80", ">=80")


cdef inline double _sigmoid(double z):
    if z > -700:
        return 1.0 / (1.0 + exp(-z))
    return 0.0


cdef inline Py_ssize_t _bisect_right(list xs, long x):
    cdef Py_ssize_t lo = 0, hi = len(xs), mid
    while lo < hi:
        mid = (lo + hi) // 2
        if x < <long>xs[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


cdef class RoleScorer:
    """The source and target rankers' log-odds weights per feature id (``weights``: name -> (source
    weight, target weight), the second class's weight minus the first's), and the ids of the names
    ``role_features`` builds from the trigger and the mention's position."""

    cdef double* ws
    cdef double* wt
    cdef Py_ssize_t n
    cdef readonly double bias_source, bias_target
    cdef readonly dict ids
    cdef int rel[3]
    cdef int gap[3][4]
    cdef int passive[3]
    cdef int clause[2][3]
    cdef int nth_before[4]
    cdef int first_before[2]
    cdef int nth_after[4]
    cdef int speaker_before, after_speech
    cdef dict _root_rel

    def __cinit__(self, double bias_source, double bias_target, dict weights):
        self.n = len(weights)
        self.ws = <double*>malloc(max(1, self.n) * sizeof(double))
        self.wt = <double*>malloc(max(1, self.n) * sizeof(double))
        if self.ws is NULL or self.wt is NULL:
            raise MemoryError()

    def __init__(self, double bias_source, double bias_target, dict weights):
        cdef Py_ssize_t i = 0
        cdef int r, g
        self.bias_source = bias_source
        self.bias_target = bias_target
        self.ids = {}
        for name in sorted(weights):
            ds, dt = weights[name]
            self.ws[i] = ds
            self.wt[i] = dt
            self.ids[name] = i
            i += 1
        for r in range(3):
            rel = _RELS[r]
            self.rel[r] = self.id("rel=" + rel)
            self.passive[r] = self.id("passive&" + rel)
            self.clause[0][r] = self.id("clause=same&" + rel)
            self.clause[1][r] = self.id("clause=cross&" + rel)
            for g in range(4):
                self.gap[r][g] = self.id(f"rel={rel}&d{_GAPS[g]}")
        for g in range(4):
            self.nth_before[g] = self.id(f"nth_before={g}")
            self.nth_after[g] = self.id(f"nth_after={g}")
        self.first_before[0] = self.id("first_before=0")
        self.first_before[1] = self.id("first_before=1")
        self.speaker_before = self.id("speaker_before")
        self.after_speech = self.id("after_speech")
        self._root_rel = {}

    def __dealloc__(self):
        free(self.ws)
        free(self.wt)

    cpdef int id(self, str name):
        """The id of a feature name, -1 when the models do not know it."""
        cdef PyObject* got = PyDict_GetItem(self.ids, name)
        return -1 if got is NULL else <int><object>got

    def name_ids(self, names):
        """The ids of ``names`` the models know, in order (unknown names add nothing)."""
        cdef list out = []
        cdef int k
        for name in names:
            k = self.id(name)
            if k >= 0:
                out.append(k)
        return tuple(out)

    cdef tuple _rr(self, str root):
        got = self._root_rel.get(root)
        if got is None:
            got = self._root_rel[root] = tuple(self.id(f"root={root}&rel={r}") for r in _RELS)
        return <tuple>got

    def scores(
        self,
        long cs,
        long ce,
        str root,
        bint passive,
        tuple speech,
        list break_ends,
        list mentions,
        list consts,
    ):
        """(P(source), P(target), mention) of each actor candidate of the trigger ``[cs, ce)`` of CAMEO root
        ``root``: ``mentions`` sorted by start, ``consts[i]`` the mention's own feature ids (names in
        order), its typed names' ids conjoined with ``root``, and the ids of its "prev&rel" names (or
        None); ``speech`` the speech verbs' starts in the sentence; ``break_ends`` the clause breaks."""
        cdef list out = []
        cdef tuple rr = self._rr(root)
        cdef Py_ssize_t n = len(mentions), i, j, nb = 0, kb = 0, ka = 0, nbreaks = len(break_ends)
        cdef long ms, me, gap, lo, hi, s
        cdef int r, b, k, crossed
        cdef double zs, zt
        cdef tuple cst, prev_ids
        for i in range(n):
            if mentions[i].end <= cs:
                nb += 1
        for i in range(n):
            m = mentions[i]
            ms = m.start
            me = m.end
            zs = self.bias_source
            zt = self.bias_target
            if me <= cs:
                r = 0
                gap = cs - me
            elif ms >= ce:
                r = 1
                gap = ms - ce
            else:
                r = 2
                gap = 0
            b = 0 if gap < 3 else 1 if gap < 25 else 2 if gap < 80 else 3
            k = self.rel[r]
            if k >= 0:
                zs += self.ws[k]
                zt += self.wt[k]
            k = self.gap[r][b]
            if k >= 0:
                zs += self.ws[k]
                zt += self.wt[k]
            if r == 0:
                k = self.nth_before[min(3, nb - kb)]
                if k >= 0:
                    zs += self.ws[k]
                    zt += self.wt[k]
                k = self.first_before[1 if kb == 0 else 0]
                if k >= 0:
                    zs += self.ws[k]
                    zt += self.wt[k]
                kb += 1
            elif r == 1:
                ka += 1
                k = self.nth_after[min(3, ka)]
                if k >= 0:
                    zs += self.ws[k]
                    zt += self.wt[k]
            if passive:
                k = self.passive[r]
                if k >= 0:
                    zs += self.ws[k]
                    zt += self.wt[k]
            k = <int>rr[r]
            if k >= 0:
                zs += self.ws[k]
                zt += self.wt[k]
            cst = <tuple>consts[i]
            for x in <tuple>cst[0]:
                k = <int>x
                zs += self.ws[k]
                zt += self.wt[k]
            prev_ids = <tuple>cst[2]
            if prev_ids is not None:
                k = <int>prev_ids[r]
                if k >= 0:
                    zs += self.ws[k]
                    zt += self.wt[k]
            if r == 2:
                crossed = 0
            else:
                if r == 0:
                    lo, hi = me, cs
                else:
                    lo, hi = ce, ms
                crossed = 0
                if hi > lo:
                    j = _bisect_right(break_ends, lo)
                    crossed = j < nbreaks and <long>break_ends[j] <= hi
            k = self.clause[crossed][r]
            if k >= 0:
                zs += self.ws[k]
                zt += self.wt[k]
            for x in <tuple>cst[1]:
                k = <int>x
                zs += self.ws[k]
                zt += self.wt[k]
            if self.speaker_before >= 0:
                for x in speech:
                    s = <long>x
                    if me <= s < cs:
                        zs += self.ws[self.speaker_before]
                        zt += self.wt[self.speaker_before]
                        break
            if self.after_speech >= 0:
                for x in speech:
                    s = <long>x
                    if ce <= s < ms:
                        zs += self.ws[self.after_speech]
                        zt += self.wt[self.after_speech]
                        break
            out.append((_sigmoid(zs), _sigmoid(zt), m))
        return out


cdef class TriggerScorer:
    """The trigger model's log-odds weight and the modality model's three weights per feature id
    (``weights``: name -> (log-odds weight, (w0, w1, w2) or None))."""

    cdef double* d
    cdef double* w
    cdef unsigned char* has_w
    cdef readonly dict ids
    cdef readonly double bias
    cdef readonly tuple mod_bias

    def __cinit__(self, double bias, tuple mod_bias, dict weights):
        cdef Py_ssize_t n = max(1, len(weights))
        self.d = <double*>malloc(n * sizeof(double))
        self.w = <double*>malloc(3 * n * sizeof(double))
        self.has_w = <unsigned char*>malloc(n)
        if self.d is NULL or self.w is NULL or self.has_w is NULL:
            raise MemoryError()

    def __init__(self, double bias, tuple mod_bias, dict weights):
        cdef Py_ssize_t i = 0
        self.bias = bias
        self.mod_bias = mod_bias
        self.ids = {}
        for name in sorted(weights):
            dv, wv = weights[name]
            self.d[i] = dv
            self.has_w[i] = wv is not None
            if wv is not None:
                self.w[3 * i] = wv[0]
                self.w[3 * i + 1] = wv[1]
                self.w[3 * i + 2] = wv[2]
            self.ids[name] = i
            i += 1

    def __dealloc__(self):
        free(self.d)
        free(self.w)
        free(self.has_w)

    def scores(self, dict feats):
        """(log-odds of an event, [s0, s1, s2] of the modality model) of one candidate's features, each
        feature added in the dict's order, as ``_Joint.trigger_modality`` adds them."""
        cdef double z = self.bias
        cdef double s0 = <double>self.mod_bias[0], s1 = <double>self.mod_bias[1], s2 = <double>self.mod_bias[2]
        cdef double value
        cdef Py_ssize_t k
        cdef PyObject* got
        for name, v in feats.items():
            value = <double>v
            got = PyDict_GetItem(self.ids, name)
            if got is NULL:
                z += 0.0 * value
                continue
            k = <Py_ssize_t><object>got
            z += self.d[k] * value
            if self.has_w[k]:
                if value == 1.0:
                    s0 += self.w[3 * k]
                    s1 += self.w[3 * k + 1]
                    s2 += self.w[3 * k + 2]
                else:
                    s0 += self.w[3 * k] * value
                    s1 += self.w[3 * k + 1] * value
                    s2 += self.w[3 * k + 2] * value
        return z, [s0, s1, s2]
