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

- ``score_all`` -> ``events.score_candidates``: the features of ``candidate_features`` go straight to the
  trigger scorer's ids (``_Sink`` in id mode: first-insertion order, last value, as the dict would hold
  them), no feature dict; ``c.feats`` keeps only the names the modality choice reads (``rule=``, ``ca=``,
  ``question``).

- ``mention_ids`` -> ``events._mention_features_once``: a mention's own role feature ids, each word's,
  type's and noun's id looked up once per scorer.

Feature names are interned to ids once, when the scorer is built from the models' weights; a name the
models do not know adds ``0.0``, which leaves a sum unchanged, so it is skipped.
"""

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from cpython.unicode cimport (
    Py_UNICODE_ISALNUM,
    Py_UNICODE_ISDECIMAL,
    Py_UNICODE_ISDIGIT,
    Py_UNICODE_ISSPACE,
    PyUnicode_DATA,
    PyUnicode_FindChar,
    PyUnicode_KIND,
    PyUnicode_READ,
    PyUnicode_Tailmatch,
)
from libc.math cimport exp
from libc.stdlib cimport free, malloc, qsort
from libc.string cimport memset

cimport cython


cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        const char* name
        int type
        Py_ssize_t offset
        int flags
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member
    object PyObject_GenericGetDict(object o, void* context)
    PyObject* PyDict_GetItemWithError(object d, object key) except? NULL
    void Py_XDECREF(PyObject* o)
    void Py_INCREF(object o)
    ctypedef struct PyTypeObject:
        object (*tp_alloc)(PyTypeObject*, Py_ssize_t)
    void PyTuple_SET_ITEM(PyObject* p, Py_ssize_t pos, PyObject* o)

__all__ = ["RoleScorer", "TriggerScorer"]

cdef class _Sink
cdef class TriggerScorer

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


from streams.core._csort cimport SortKey, cmp_sort_key


cdef list _sorted_by(list items, bint tuples, bint neg_end, _Fields fields=None):
    """``sorted(items, key=...)`` by (start, end) or (start, -end): of tuples (``t[0]``, ``t[1]``) or of objects
    (``.start``, ``.end``, read by ``fields`` when given: its first two); ties keep the items' order (the index is
    the last key), as Python's stable sort does. One C sort of (key, key, index) structs: no key tuple built, no
    key function called per item."""
    cdef Py_ssize_t n = len(items), k
    if n < 2:
        return list(items)
    cdef SortKey* keys = <SortKey*>malloc(n * sizeof(SortKey))
    if keys is NULL:
        raise MemoryError()
    cdef long e
    try:
        for k in range(n):
            x = items[k]
            if tuples:
                keys[k].a = <long>(<tuple>x)[0]
                e = <long>(<tuple>x)[1]
            elif fields is not None:
                keys[k].a = <long>fields.get(x, 0)
                e = <long>fields.get(x, 1)
            else:
                keys[k].a = <long>x.start
                e = <long>x.end
            keys[k].b = -e if neg_end else e
            keys[k].i = k
        qsort(keys, n, sizeof(SortKey), cmp_sort_key)
        return [items[keys[k].i] for k in range(n)]
    finally:
        free(keys)


def sorted_by(list items, bint tuples, bint neg_end):
    """``_sorted_by`` for the tests."""
    return _sorted_by(items, tuples, neg_end)


cdef enum:
    #: ``PyMemberDef.type`` of a ``__slots__`` slot (``T_OBJECT_EX``, ``structmember.h``), its read-only flag
    _T_OBJECT_EX = 16
    _READONLY = 1
    #: how :class:`_Fields` reads a class's attributes
    _GENERIC = 0
    _SLOTS = 1
    _DICT = 2


cdef object _MISSING = object()


cdef object _type_lookup(cls, str name):
    """What ``type.__getattribute__`` finds for ``name`` on ``cls``: the first class in its MRO holding it."""
    for k in cls.__mro__:
        d = k.__dict__
        if name in d:
            return d[name]
    return _MISSING



cdef int _fields_mode(cls, tuple names, Py_ssize_t* off) except -1:
    """How :class:`_Fields` may read ``names`` on instances of exactly ``cls``: ``_SLOTS`` when each is a
    ``__slots__`` slot (its offset into ``off``), ``_DICT`` when the instances have a ``__dict__`` and none of
    the names is a data descriptor (the instance ``__dict__`` then holds it, else a class default), else
    ``_GENERIC`` (``getattr``); always that for a class that overrides attribute access."""
    import types

    cdef Py_ssize_t i
    cdef bint slots = True, plain = True
    cdef PyMemberDescrObject* md
    if cls.__getattribute__ is not object.__getattribute__:
        return _GENERIC
    for i in range(len(names)):
        d = _type_lookup(cls, <str>names[i])
        if type(d) is types.MemberDescriptorType:
            md = <PyMemberDescrObject*><PyObject*>d
            if md.d_member.type != _T_OBJECT_EX or md.d_member.flags & _READONLY:
                return _GENERIC
            off[i] = md.d_member.offset
            plain = False
        else:
            slots = False
            if d is not _MISSING and (hasattr(type(d), "__set__") or hasattr(type(d), "__delete__")):
                plain = False
    if slots:
        return _SLOTS
    return _DICT if plain and cls.__dictoffset__ != 0 else _GENERIC


@cython.final
cdef class _Fields:
    """Reads (and, for slots, writes) some attributes of one class's instances without the generic attribute
    look-up (type MRO cache, descriptor call): from the ``__slots__`` offsets of a plain slotted class
    (``ActorMention``, ``Hit``) or from the instance ``__dict__`` of a plain class (``Candidate``,
    ``Trigger``). The same values as ``getattr``: bound to the exact class of the last instance read
    (:func:`_fields_mode` checks it once per class change), an unset slot or a missing key falls back to
    ``getattr`` (which raises, or finds a class default)."""

    cdef object cls
    cdef tuple names
    cdef int mode
    cdef bint writable
    cdef Py_ssize_t off[8]

    def __init__(self, tuple names):
        if len(names) > 8:
            raise ValueError("at most 8 fields")
        self.names = names
        self.cls = None
        self.mode = _GENERIC
        self.writable = False

    cdef int _bind(self, object o) except -1:
        cls = type(o)
        if cls is not self.cls:
            self.mode = _fields_mode(cls, self.names, self.off)
            self.writable = self.mode == _SLOTS and cls.__setattr__ is object.__setattr__
            self.cls = cls
        return self.mode

    cdef inline object get(self, object o, Py_ssize_t i):
        cdef PyObject* p
        cdef int mode = self.mode if type(o) is self.cls else self._bind(o)
        if mode == _SLOTS:
            p = (<PyObject**>((<char*><PyObject*>o) + self.off[i]))[0]
            if p is not NULL:
                return <object>p
        elif mode == _DICT:
            d = PyObject_GenericGetDict(o, NULL)
            p = PyDict_GetItemWithError(d, self.names[i])
            if p is not NULL:
                return <object>p
        return getattr(o, <str>self.names[i])

    cdef inline int set(self, object o, Py_ssize_t i, object v) except -1:
        cdef PyObject** slot
        cdef PyObject* old
        if type(o) is not self.cls:
            self._bind(o)
        if self.writable:
            slot = <PyObject**>((<char*><PyObject*>o) + self.off[i])
            old = slot[0]
            Py_INCREF(v)
            slot[0] = <PyObject*>v
            Py_XDECREF(old)
        else:
            setattr(o, <str>self.names[i], v)
        return 0


#: ``events.ActorMention``'s fields, ``core.analysis.Hit``'s, ``events.Candidate``'s and ``events.Trigger``'s
cdef _Fields _MENTION = _Fields(("start", "end", "name", "is_place", "country"))
#: ``core.records.Entity``'s fields the actor mentions read (a pydantic model: its fields are its ``__dict__``)
cdef _Fields _ENTITY = _Fields(("type", "spans", "name", "country"))
cdef enum:
    E_TYPE, E_SPANS, E_NAME, E_COUNTRY
cdef _Fields _HIT = _Fields(("start", "end", "keys", "forms"))
cdef _Fields _CAND = _Fields(("start", "end", "code", "probs", "trig", "sent"))
cdef _Fields _TRIG = _Fields(("code", "score", "location", "needs_cue"))
cdef enum:
    F_START, F_END, F_NAME, F_PLACE, F_COUNTRY
cdef enum:
    H_START, H_END, H_KEYS, H_FORMS
cdef enum:
    C_START, C_END, C_CODE, C_PROBS, C_TRIG, C_SENT
cdef enum:
    T_CODE, T_SCORE, T_LOCATION, T_NEEDS_CUE


def field_values(list objs, tuple names):
    """Each object's ``names`` as :class:`_Fields` reads them (for the tests: they equal ``getattr``'s)."""
    cdef _Fields f = _Fields(names)
    cdef Py_ssize_t i
    return [tuple([f.get(o, i) for i in range(len(names))]) for o in objs]


def set_field(o, tuple names, Py_ssize_t i, v):
    """:meth:`_Fields.set` (for the tests)."""
    cdef _Fields f = _Fields(names)
    f.set(o, i, v)


cdef dict _ROOTS = {}


cdef inline str _root_of(str code):
    """``code[:2]``, the CAMEO root, kept per code: no new string (and no new hash) per trigger or candidate."""
    got = _ROOTS.get(code)
    if got is None:
        if len(_ROOTS) >= 4096:
            _ROOTS.clear()
        got = _ROOTS[code] = code[:2]
    return <str>got


cdef int _crossed(int r, long cs, long ce, long ms, long me, list break_ends) except -1:
    """``events._clause_features``: 1 when a clause break lies between the mention and the trigger."""
    if r == 2:
        return 0
    cdef long lo = me if r == 0 else ce
    cdef long hi = cs if r == 0 else ms
    if hi <= lo:
        return 0
    cdef Py_ssize_t j = _bisect_right(break_ends, lo)
    return 1 if j < len(break_ends) and <long>break_ends[j] <= hi else 0


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
    # a mention's own features (``_mention_base``): constant ids, and per-word caches of the others
    cdef int m_place, m_next_victim, m_known_actor, m_gpe_place, m_lead_actor
    cdef int m_freq[3]
    cdef object _role_words
    cdef dict _prev, _prev2, _typed, _rooted_ids
    cdef tuple _typed_values

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
        self.m_place = self.id("place")
        self.m_next_victim = self.id("next_victim")
        self.m_known_actor = self.id("known_actor")
        self.m_gpe_place = self.id("gpe_place")
        self.m_lead_actor = self.id("lead_actor")
        self.m_freq[0] = self.id("freq=1")
        self.m_freq[1] = self.id("freq=2-3")
        self.m_freq[2] = self.id("freq=4+")
        self._role_words = None
        self._prev = {}
        self._prev2 = {}
        self._typed = {}
        self._rooted_ids = {}
        self._typed_values = ({}, {})

    cdef tuple _prev_of(self, str prev, role_words):
        """(id of "prev=W" or "prev=other", the "prev=W&rel" ids or None) of the word before a mention."""
        if role_words is not self._role_words:  # the caches hold for one lexicon
            self._role_words = role_words
            self._prev = {}
            self._prev2 = {}
        got = self._prev.get(prev)
        if got is None:
            if prev in role_words and prev != "other":  # "prev=other" has no "&rel" ids
                key = "prev=" + prev
                got = (self.id(key), (self.id(key + "&before"), self.id(key + "&after"), self.id(key + "&inside")))
            else:
                got = (self.id("prev=other"), None)
            self._prev[prev] = got
        return <tuple>got

    cdef int _prev2_of(self, str prev2, role_words):
        """The id of "prev2=W" (-2: the word is no role word, no feature)."""
        got = self._prev2.get(prev2)
        if got is None:
            got = self._prev2[prev2] = self.id("prev2=" + prev2) if prev2 in role_words else -2
        return <int>got

    cdef tuple _typed_by(self, int noun, str value):
        """``_typed_of("type=" + value)`` (``noun`` 0) or ``_typed_of("noun=" + value)`` (1), cached per value:
        no name is built for a value seen before."""
        cdef dict cache = <dict>self._typed_values[noun]
        got = cache.get(value)
        if got is None:
            if len(cache) >= 20000:
                cache.clear()
            got = cache[value] = self._typed_of(("noun=" if noun else "type=") + value)
        return <tuple>got

    cdef tuple _typed_of(self, str name):
        """(typed name, its id) of "type=X" or "noun=Y"."""
        got = self._typed.get(name)
        if got is None:
            got = self._typed[name] = (name, self.id(name))
        return <tuple>got

    cdef int rooted_id(self, str typed, str root):
        """The id of a typed name conjoined with ``root`` ("type=ORG&root=19"), cached per root and name."""
        per_root = self._rooted_ids.get(root)
        if per_root is None:
            per_root = self._rooted_ids[root] = {}
        got = (<dict>per_root).get(typed)
        if got is None:
            got = (<dict>per_root)[typed] = self.id(f"{typed}&root={root}")
        return <int>got

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

    cdef inline void _add(self, int k, double* z):
        """Add feature ``k``'s source and target weights (an unknown feature, -1, adds nothing)."""
        if k >= 0:
            z[0] += self.ws[k]
            z[1] += self.wt[k]

    cdef void _position(self, int r, long gap, Py_ssize_t nb, Py_ssize_t kb, Py_ssize_t ka, double* z):
        """``rel=R``, ``rel=R&dG`` and the order features ``nth_before``, ``first_before``, ``nth_after``."""
        cdef int b = 0 if gap < 3 else 1 if gap < 25 else 2 if gap < 80 else 3
        self._add(self.rel[r], z)
        self._add(self.gap[r][b], z)
        if r == 0:
            self._add(self.nth_before[min(3, nb - kb)], z)
            self._add(self.first_before[1 if kb == 0 else 0], z)
        elif r == 1:
            self._add(self.nth_after[min(3, ka)], z)

    cdef int _speech(self, tuple speech, long cs, long ce, long ms, long me, double* z) except -1:
        """``speaker_before`` (a speech verb between the mention and the trigger) and ``after_speech``."""
        cdef long s
        for x in speech:
            s = <long>x
            if me <= s < cs:
                self._add(self.speaker_before, z)
                break
        for x in speech:
            s = <long>x
            if ce <= s < ms:
                self._add(self.after_speech, z)
                break
        return 0

    cpdef list scores(
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
        None); ``speech`` the speech verbs' starts in the sentence; ``break_ends`` the clause breaks.
        The features are added in ``events.role_features``' order."""
        cdef list out = []
        cdef tuple rr = self._rr(root)
        cdef Py_ssize_t n = len(mentions), i, nb = 0, kb = 0, ka = 0
        cdef long ms, me, gap
        cdef int r
        cdef double z[2]
        cdef tuple cst
        for i in range(n):
            if <long>_MENTION.get(mentions[i], F_END) <= cs:
                nb += 1
        for i in range(n):
            m = mentions[i]
            ms = _MENTION.get(m, F_START)
            me = _MENTION.get(m, F_END)
            z[0] = self.bias_source
            z[1] = self.bias_target
            r = 0 if me <= cs else 1 if ms >= ce else 2
            gap = cs - me if r == 0 else ms - ce if r == 1 else 0
            if r == 1:
                ka += 1
            self._position(r, gap, nb, kb, ka, z)
            if r == 0:
                kb += 1
            if passive:
                self._add(self.passive[r], z)
            self._add(<int>rr[r], z)
            cst = <tuple>consts[i]
            for x in <tuple>cst[0]:
                self._add(<int>x, z)
            if cst[2] is not None:
                self._add(<int>(<tuple>cst[2])[r], z)
            self._add(self.clause[_crossed(r, cs, ce, ms, me, break_ends)][r], z)
            for x in <tuple>cst[1]:
                self._add(<int>x, z)
            self._speech(speech, cs, ce, ms, me, z)
            out.append((_sigmoid(z[0]), _sigmoid(z[1]), m))
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
    cdef _Sink _sink

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

    cdef inline void _add_modality(self, Py_ssize_t k, double value, double* s):
        """Add feature ``k``'s three modality weights times ``value`` to ``s`` (the reference's order)."""
        if self.has_w[k]:
            if value == 1.0:
                s[0] += self.w[3 * k]
                s[1] += self.w[3 * k + 1]
                s[2] += self.w[3 * k + 2]
            else:
                s[0] += self.w[3 * k] * value
                s[1] += self.w[3 * k + 1] * value
                s[2] += self.w[3 * k + 2] * value

    def scores(self, dict feats):
        """(log-odds of an event, [s0, s1, s2] of the modality model) of one candidate's features, each
        feature added in the dict's order, as ``_Joint.trigger_modality`` adds them."""
        cdef double z = self.bias
        cdef double s[3]
        s[0] = <double>self.mod_bias[0]
        s[1] = <double>self.mod_bias[1]
        s[2] = <double>self.mod_bias[2]
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
            self._add_modality(k, value, s)
        return z, [s[0], s[1], s[2]]

    cdef _Sink sink(self):
        """This scorer's id-mode sink (made once: its position table spans every feature id)."""
        if self._sink is None:
            self._sink = _Sink(self)
        return self._sink

    cdef tuple scores_ids(self, _Sink f):
        """``scores`` of the features an id-mode sink holds (the same additions in the same order)."""
        cdef double z = self.bias
        cdef double s[3]
        s[0] = <double>self.mod_bias[0]
        s[1] = <double>self.mod_bias[1]
        s[2] = <double>self.mod_bias[2]
        cdef double value
        cdef Py_ssize_t i, k
        for i in range(f.count):
            k = f.order[i]
            value = f.vals[i]
            z += self.d[k] * value
            self._add_modality(k, value, s)
        return z, [s[0], s[1], s[2]]

    def probs(self, dict feats, double floor, tuple split_index):
        """``events.class_probs`` of the merged models: P(none), and P(happened), P(background), P(other) as
        the event's probability times the modality model's softmax (``split_index``: each of these three
        classes' index among the modality model's classes, -1 when it has none)."""
        z, sc = self.scores(feats)
        return _class_probs(z, sc, floor, split_index)


cdef dict _class_probs(double z, list sc, double floor, tuple split_index):
    """``TriggerScorer.probs`` from the log-odds and the modality scores."""
    cdef double p1 = _sigmoid(z)
    cdef double p_none = 1.0 - p1
    cdef double event = 1.0 - p_none
    if event < floor:
        return {"none": p_none, "happened": 0.0, "background": 0.0, "other": event}
    cdef double x0 = sc[0], x1 = sc[1], x2 = sc[2]
    cdef double top = x0
    if x1 > top:
        top = x1
    if x2 > top:
        top = x2
    cdef double e[3]
    e[0] = exp(x0 - top)
    e[1] = exp(x1 - top)
    e[2] = exp(x2 - top)
    cdef double tot = e[0] + e[1] + e[2]
    cdef int i0 = split_index[0], i1 = split_index[1], i2 = split_index[2]
    return {
        "none": p_none,
        "happened": event * (e[i0] / tot if i0 >= 0 else 0.0),
        "background": event * (e[i1] / tot if i1 >= 0 else 0.0),
        "other": event * (e[i2] / tot if i2 >= 0 else 0.0),
    }


cdef dict _ROOTED = {}


cdef inline str _rooted(str k, str root):
    cdef tuple key = (k, root)
    got = _ROOTED.get(key)
    if got is None:
        got = _ROOTED[key] = f"{k}&root={root}"
    return <str>got


cdef inline Py_ssize_t _bisect_left(object xs, long x):
    cdef Py_ssize_t lo = 0, hi = len(xs), mid
    while lo < hi:
        mid = (lo + hi) // 2
        if <long>xs[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline Py_ssize_t _token_at(list starts, list ends, long offset):
    cdef Py_ssize_t i = _bisect_right(starts, offset) - 1
    if i >= 0 and offset < <long>ends[i]:
        return i
    return i + 1


cdef str _rule_modality(object trig, list before, list after, tuple modal_cues):
    cdef Py_ssize_t nb = len(before)
    if (nb >= 1 and before[nb - 1] == "negation") or (nb >= 2 and before[nb - 2] == "negation"):
        return "negated"
    if "negation_after" in after:
        return "negated"
    modality = trig.modality
    if modality is not None:
        return str(modality)
    for i in range(nb - 1, -1, -1):
        if before[i] in modal_cues:
            return <str>before[i]
    if "conditional_after" in after:
        return "hypothetical"
    if after and after[0] == "future":
        return "future_after"
    if "past_ref" in after:
        return "past_after"
    return "bare" if trig.needs_cue else "asserted"



#: The name prefixes of the features whose ids ``_Sink.put_prefixed`` caches per value.
cdef tuple _PREFIXES = (
    "bias_root=", "code=", "surf=", "cb=", "cs=", "w-1=", "w+1=", "date_near=", "date_sent=", "fig=",
    "root_dated=",
)
cdef enum:
    P_BIAS_ROOT, P_CODE, P_SURF, P_CB, P_CS, P_W_1, P_W1, P_DATE_NEAR, P_DATE_SENT, P_FIG, P_ROOT_DATED
cdef Py_ssize_t _PREFIX_CACHE = 20000


cdef class _Sink:
    """Where a candidate's features go. Dict mode (``candidate_features``): ``f`` is the reference's feature
    dict. Id mode (``score_all``): each feature the trigger scorer knows is kept as its id and value, in the
    order the dict would hold them (a repeated name keeps its first place and takes its last value); ``f``
    holds only the names the modality choice reads (``rule=``, ``ca=``, ``question``: ``keep``)."""

    cdef dict f
    cdef bint to_ids
    cdef dict ids
    #: id mode: per name prefix (``_PREFIXES``), value -> the id of prefix + value (-1: unknown)
    cdef list by_prefix
    #: id mode: per CAMEO root, topic -> the ids of "topic=T" and "topic=T&root=R"
    cdef dict topic_ids
    cdef int* pos
    cdef int* order
    cdef double* vals
    cdef Py_ssize_t count

    def __cinit__(self, TriggerScorer scorer=None):
        self.f = {}
        self.to_ids = scorer is not None
        self.count = 0
        self.pos = NULL
        self.order = NULL
        self.vals = NULL
        self.by_prefix = [{} for _ in _PREFIXES]
        self.topic_ids = {}
        cdef Py_ssize_t n, i
        if scorer is not None:
            self.ids = scorer.ids
            n = max(1, len(scorer.ids))
            self.pos = <int*>malloc(n * sizeof(int))
            self.order = <int*>malloc(n * sizeof(int))
            self.vals = <double*>malloc(n * sizeof(double))
            if self.pos is NULL or self.order is NULL or self.vals is NULL:
                raise MemoryError()
            for i in range(n):
                self.pos[i] = -1

    def __dealloc__(self):
        free(self.pos)
        free(self.order)
        free(self.vals)

    cdef inline void put(self, str name, double value):
        cdef PyObject* got
        if not self.to_ids:
            self.f[name] = value
            return
        got = PyDict_GetItem(self.ids, name)
        if got is NULL:  # an unknown feature adds 0.0
            return
        self.put_id(<int><object>got, value)

    cdef inline int _prefixed_id(self, int prefix, str value):
        """The id of ``_PREFIXES[prefix] + value`` (-1: unknown), looked up once per value: no name is built
        for a value seen before (the caches are emptied when they grow large: words are an open set)."""
        cdef dict cache = <dict>self.by_prefix[prefix]
        cdef PyObject* got = PyDict_GetItem(cache, value)
        if got is not NULL:
            return <int><object>got
        if len(cache) >= _PREFIX_CACHE:
            cache.clear()
        got = PyDict_GetItem(self.ids, <str>_PREFIXES[prefix] + value)
        k = -1 if got is NULL else <int><object>got
        cache[value] = k
        return k

    cdef inline void put_prefixed(self, int prefix, str value, double v):
        """``put(_PREFIXES[prefix] + value, v)``."""
        if not self.to_ids:
            self.f[<str>_PREFIXES[prefix] + value] = v
            return
        self.put_id(self._prefixed_id(prefix, value), v)

    cdef void put_topic(self, str topic, str root):
        """``put("topic=" + topic)`` and ``put(_rooted("topic=" + topic, root))``, the ids cached per root."""
        cdef str name
        if not self.to_ids:
            name = "topic=" + topic
            self.f[name] = 1.0
            self.f[_rooted(name, root)] = 1.0
            return
        per_root = self.topic_ids.get(root)
        if per_root is None:
            per_root = self.topic_ids[root] = {}
        got = (<dict>per_root).get(topic)
        if got is None:
            name = "topic=" + topic
            got = (<dict>per_root)[topic] = (
                <int>(<dict>self.ids).get(name, -1), <int>(<dict>self.ids).get(_rooted(name, root), -1)
            )
        self.put_id(<int>(<tuple>got)[0], 1.0)
        self.put_id(<int>(<tuple>got)[1], 1.0)

    cdef inline void put_id(self, int k, double value):
        """Feature ``k`` (-1: unknown, adds 0.0) in id mode: its first place, its last value."""
        cdef int at
        if k < 0:
            return
        at = self.pos[k]
        if at < 0:
            self.pos[k] = <int>self.count
            self.order[self.count] = k
            self.vals[self.count] = value
            self.count += 1
        else:
            self.vals[at] = value

    cdef inline void keep(self, str name, double value):
        """``put``, and in id mode also into ``f`` (the names the modality choice reads)."""
        if self.to_ids:
            self.f[name] = value
        self.put(name, value)

    cdef void reset(self):
        """Empty, for the next candidate."""
        cdef Py_ssize_t i
        for i in range(self.count):
            self.pos[self.order[i]] = -1
        self.count = 0
        self.f = {}


cdef class _Article:
    """What ``_features`` reads of an article, read once per article instead of once per candidate: the
    context's lower-cased body, tokens, sentences, cues, clause breaks, quotes, topics, windows and title line,
    its sentence facts (``ctx._sents``, filled by ``ctx.sent_info``) and the roots' tables."""

    cdef object ctx
    cdef str low
    cdef list starts, ends, lowers, sentences, break_ends, cues
    cdef tuple quote_spans, topic_order
    cdef long cue_window, after_window, first_line_end
    cdef Py_ssize_t nlow
    cdef dict sents, counts, dated
    cdef object lead

    def __init__(self, ctx, roots):
        an = ctx.analysis
        rules = ctx.rules
        self.ctx = ctx
        self.low = ctx.low
        self.starts = an.starts
        self.ends = an.ends
        self.lowers = an.lowers
        self.nlow = len(self.lowers)
        self.sentences = an.sentences
        self.break_ends = ctx.break_ends
        self.cues = ctx.cues
        self.quote_spans = tuple(ctx.quote_spans)
        self.topic_order = tuple(ctx.topic_order)
        self.cue_window = rules.cue_window
        self.after_window = rules.after_window
        self.first_line_end = ctx.first_line_end()
        self.sents = ctx._sents
        self.counts = roots.counts
        self.lead = roots.lead
        self.dated = roots.dated

    cdef inline object sent_info(self, long k):
        """``ctx.sent_info(k)`` (its cache read here first)."""
        cdef PyObject* got = PyDict_GetItem(self.sents, k)
        if got is not NULL:
            return <object>got
        return _sent_info_of(self.ctx, k)


cdef bint _position_features(_Article a, long cs, long ce, long sent_k, tuple info, _Sink f) except -1:
    """``events._position_features``: sentence number, the words around the trigger, quotes, question,
    dates (``events._date_features``), figures, the title line (``info``: the sentence's ``_SentInfo``);
    returns whether the trigger is quoted (``in_quote``)."""
    cdef long pos, best_pos = 0, best_d = -1, d
    cdef Py_ssize_t t0, t1
    cdef str best_class = "", kind
    f.put("sent<1" if sent_k < 1 else "sent<4" if sent_k < 4 else "sent<12" if sent_k < 12 else "sent>=12", 1.0)
    t0 = _token_at(a.starts, a.ends, cs)
    t1 = _token_at(a.starts, a.ends, max(cs, ce - 1))
    if t0 > 0:
        f.put_prefixed(P_W_1, <str>a.lowers[t0 - 1], 1.0)
    if t1 + 1 < a.nlow:
        f.put_prefixed(P_W1, <str>a.lowers[t1 + 1], 1.0)
    cdef bint quoted = False
    for q in a.quote_spans:
        if <long>q[0] <= cs < <long>q[1]:
            quoted = True
            break
    quoted = quoted or _bisect_left(info[_SI_QUOTE_MARKS], cs) % 2 == 1
    if quoted:
        f.put("in_quote", 1.0)
    if info[_SI_QUESTION]:
        f.keep("question", 1.0)
    dates = info[_SI_DATES]
    if dates:
        for dt in dates:  # min(dates, key=abs distance): the first of the nearest
            pos = <long>dt[0]
            d = pos - cs if pos >= cs else cs - pos
            if best_d < 0 or d < best_d:
                best_d = d
                best_pos = pos
                best_class = <str>dt[1]
        f.put_prefixed(P_DATE_NEAR, best_class, 1.0)
        f.put_prefixed(P_DATE_NEAR, best_class + ("&b" if best_pos < cs else "&a"), 1.0)
        for dt in dates:
            f.put_prefixed(P_DATE_SENT, <str>dt[1], 1.0)
    for kind in info[_SI_FIG_KINDS]:
        f.put_prefixed(P_FIG, kind, 1.0)
    if cs < a.first_line_end:
        f.put("first_line", 1.0)
    return quoted


cdef inline long _clause_start(long s_start, long start, list break_ends):
    """``events._clause_start``: the last clause break before ``start``, not before the sentence."""
    cdef Py_ssize_t i = _bisect_right(break_ends, start) - 1
    return max(s_start, <long>break_ends[i]) if i >= 0 else s_start


cdef _quote_features(_Article a, long cs, long ce, long s_start, long s_end, _Sink f):
    """``events._quote_features`` (``_clause_bounds``): a quoted trigger's clause names an actor or not."""
    cdef list ends = a.break_ends
    cdef Py_ssize_t j = _bisect_right(ends, ce)
    cdef long lo = _clause_start(s_start, cs, ends)
    cdef long hi = min(s_end, <long>ends[j]) if j < len(ends) else s_end
    f.put("in_quote&clause_actor=yes" if a.ctx.mentions_between(lo, hi) else "in_quote&clause_actor=none", 1.0)


cdef _root_features(_Article a, str root, _Sink f):
    """``events.ArticleRoots.features``: how often the root is mentioned, the lead's roots, dated mentions."""
    cdef str kind
    cdef long nr = <long>a.counts.get(root, 1)
    f.put("n_root=1" if nr == 1 else "n_root=2-3" if nr <= 3 else "n_root=4+", 1.0)
    lead = a.lead
    f.put("lead=same" if root in lead else "lead=other" if lead else "lead=empty", 1.0)
    dated = a.dated.get(root)
    if dated:
        for kind in sorted(dated):
            f.put_prefixed(P_ROOT_DATED, kind, 1.0)


def candidate_features(ctx, c, roots, tuple time_cues, tuple modal_cues):
    """``events.candidate_features`` (the reference): the same feature dict, keys in the same order."""
    cdef _Sink f = _Sink()
    _features(_Article(ctx, roots), c, time_cues, modal_cues, f)
    return f.f


#: The fields of ``events._SentInfo`` by position (a named tuple: indexing skips its property lookups).
cdef enum:
    _SI_QUESTION, _SI_DATES, _SI_FIG_KINDS, _SI_QUOTE_MARKS, _SI_CUE_LO, _SI_CUE_HI, _SI_SPEECH


cdef _features(_Article a, c, tuple time_cues, tuple modal_cues, _Sink f):
    """The features of ``candidate_features``, in its order, put into ``f``."""
    cdef long cs = _CAND.get(c, C_START), ce = _CAND.get(c, C_END), w0, a1, s, e
    cdef Py_ssize_t ci, i
    cdef str code = _CAND.get(c, C_CODE)
    cdef str root = _root_of(code)
    f.put_prefixed(P_BIAS_ROOT, root, 1.0)
    f.put_prefixed(P_CODE, code, 1.0)
    cdef str surface = a.low[cs:ce]
    cdef list before = [], after = []
    cdef set in_sent = set()
    cdef str kind
    trig = _CAND.get(c, C_TRIG)
    f.put_prefixed(P_SURF, surface, 1.0)
    if _TRIG.get(trig, T_NEEDS_CUE):
        f.put("needs_cue", 1.0)
    cdef double score = _TRIG.get(trig, T_SCORE)
    if score >= 0.7:
        f.put("specific", 1.0)
    cdef long sent_k = _CAND.get(c, C_SENT)
    sent = a.sentences[sent_k]
    cdef long s_start = sent.start, s_end = sent.end
    cdef list break_ends = a.break_ends
    w0 = max(cs - a.cue_window, _clause_start(s_start, cs, break_ends))  # _window_start
    a1 = min(s_end, ce + a.after_window)
    cdef tuple info = <tuple>a.sent_info(sent_k)
    cdef list cues = a.cues
    for ci in range(<Py_ssize_t>info[_SI_CUE_LO], <Py_ssize_t>info[_SI_CUE_HI]):
        cue = <tuple>cues[ci]
        s = <long>cue[0]
        e = <long>cue[1]
        kind = <str>cue[2]
        in_sent.add(kind)
        if e <= cs and s >= w0:
            before.append(kind)
        elif ce <= s < a1:
            after.append(kind)
    c.cues_before = tuple(before)
    f.keep("rule=" + _rule_modality(trig, before, after, modal_cues), 1.0)
    f.put("lex_score", score)
    for kind in before:
        f.put_prefixed(P_CB, kind, 1.0)
    for kind in after:
        f.keep("ca=" + kind, 1.0)
    for kind in time_cues:
        if kind in in_sent:
            f.put_prefixed(P_CS, kind, 1.0)
    cdef bint quoted = _position_features(a, cs, ce, sent_k, info, f)
    _root_features(a, root, f)
    for t in a.topic_order:
        f.put_topic(<str>t, root)
    if surface.startswith("di") and " " not in surface:
        f.put("di_passive", 1.0)
    if quoted:
        _quote_features(a, cs, ce, s_start, s_end, f)


def mention_ids(ctx, m, str root, RoleScorer scorer):
    """The ids of a mention's own role features (``events._mention_features_once``, in order), of its
    typed names ("type=X", "noun=Y") conjoined with ``root``, and of its "prev=W&rel" names (or None); the
    part that does not depend on the root is computed once per mention (``ctx._mention_base``)."""
    _own_ids(ctx, scorer)
    return _mention_ids(ctx, m, root, scorer)


cdef inline int _own_ids(ctx, RoleScorer scorer) except -1:
    """Make the context's id tables (``ctx._mention_base``, ``ctx._mention_ids``) those of ``scorer``: feature
    ids are positions in one scorer's weight table, so a context scored by other models before (the
    evaluation scores one context with each fold's models) starts them again. Without this a role score
    depended on which models had scored the context first."""
    if ctx._id_scorer is not scorer:
        ctx._mention_base = {}
        ctx._mention_ids = {}
        ctx._id_scorer = scorer
    return 0


cdef tuple _mention_ids(ctx, m, str root, RoleScorer scorer):
    cdef dict cache = ctx._mention_base
    key = (_MENTION.get(m, F_START), _MENTION.get(m, F_END))
    got = cache.get(key)
    if got is None:
        got = cache[key] = _mention_base(ctx, m, scorer)
    cdef tuple base = <tuple>got
    cdef list typed_ids = []
    cdef int x
    for nm in <tuple>base[1]:
        x = scorer.rooted_id(<str>nm, root)
        if x >= 0:
            typed_ids.append(x)
    return base[0], tuple(typed_ids), base[2]


cdef inline void _keep(list ids, int x):
    if x >= 0:
        ids.append(x)


@cython.final
cdef class _MentionArticle:
    """What :func:`_mention_base` reads of the article, read once per context (``ctx._role_article``): the
    tokens, the role, victim and actor word sets, the body, and the entity types, name counts and lead names
    (the context's tables, computed here first as ``ctx.entity_type`` and ``ctx.name_count`` compute them)."""

    cdef list lowers, starts, ends
    cdef object role_words, victim_words, actor_names, lead_names
    cdef str body, low
    cdef dict types, counts

    def __init__(self, ctx):
        an = ctx.analysis
        rules = ctx.rules
        self.lowers = an.lowers
        self.starts = an.starts
        self.ends = an.ends
        self.role_words = rules.role_words
        self.victim_words = rules.victim_words
        self.actor_names = rules.actor_names
        self.body = ctx.body
        self.low = ctx.low
        if ctx._types is None:
            ctx.entity_type(0)
        self.types = ctx._types
        if ctx._name_counts is None:
            ctx.name_count("")
        self.counts = ctx._name_counts
        self.lead_names = ctx._lead_names


cdef _MentionArticle _mention_article(ctx):
    got = ctx._role_article
    if got is None:
        got = ctx._role_article = _MentionArticle(ctx)
    return <_MentionArticle>got


cdef tuple _mention_base(ctx, m, RoleScorer scorer):
    """``events._mention_features_once`` as ids, in its order: each word's, type's and noun's feature id is
    looked up once per scorer (``RoleScorer._prev_of``, ...), the article's entity types, name counts and
    lead names are read from the context's tables (:class:`_MentionArticle`)."""
    cdef long ms = _MENTION.get(m, F_START), me = _MENTION.get(m, F_END)
    cdef _MentionArticle a = _mention_article(ctx)
    cdef list lowers = a.lowers, starts = a.starts, ends = a.ends
    cdef Py_ssize_t nlow = len(lowers), t, t1, k
    cdef list ids = [], typed = []
    cdef str name = _MENTION.get(m, F_NAME)
    cdef tuple tn
    t = _token_at(starts, ends, ms)
    role_words = a.role_words
    cdef tuple pv = scorer._prev_of(<str>lowers[t - 1] if t > 0 else "^", role_words)
    _keep(ids, <int>pv[0])
    _keep(ids, scorer._prev2_of(<str>lowers[t - 2] if t > 1 else "^", role_words))
    if _MENTION.get(m, F_PLACE):
        _keep(ids, scorer.m_place)
    etype = a.types.get(ms, "gaz")
    tn = scorer._typed_by(0, <str>etype)
    _keep(ids, <int>tn[1])
    typed.append(tn[0])
    if etype == "gaz" and name == a.body[ms:me]:
        tn = scorer._typed_by(1, <str>a.low[ms:me])
        _keep(ids, <int>tn[1])
        typed.append(tn[0])
    t1 = _token_at(starts, ends, max(ms, me - 1))
    victim_words = a.victim_words
    for k in range(t1 + 1, min(t1 + 3, nlow)):
        if lowers[k] in victim_words:
            _keep(ids, scorer.m_next_victim)
            break
    if name in a.actor_names:
        _keep(ids, scorer.m_known_actor)
    elif etype == "GPE":
        _keep(ids, scorer.m_gpe_place)
    cdef long n = a.counts.get(name, 0)
    _keep(ids, scorer.m_freq[0 if n == 1 else 1 if n <= 3 else 2])
    if name in a.lead_names:
        _keep(ids, scorer.m_lead_actor)
    return tuple(ids), tuple(typed), pv[1]


from streams.core._cfold cimport ignorecase_fold as _fold  # (re.IGNORECASE against ASCII letters)


cdef bint _word_after_runs(str body, Py_ssize_t start, str word, long max_runs) except -1:
    """Whether the lower-case ASCII ``word`` starts a word (after white space) past ``start`` with at most
    ``max_runs`` runs of white space (``str.isspace``, the ``\\s`` of a str regex) in between, comparing
    characters as ``re.IGNORECASE`` does (``_fold``)."""
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef Py_ssize_t n = len(body), nw = len(word), k, i
    cdef long runs = 0
    cdef bint space = False, same
    cdef Py_UCS4 ch, first = word[0]
    for k in range(start, n):
        ch = PyUnicode_READ(kind, data, k)
        if Py_UNICODE_ISSPACE(ch):
            if not space:
                runs += 1
                if runs > max_runs:
                    return False
                space = True
            continue
        if space and _fold(ch) == first and k + nw <= n:
            same = True
            for i in range(1, nw):
                if _fold(PyUnicode_READ(kind, data, k + i)) != <Py_UCS4>word[i]:
                    same = False
                    break
            if same:
                return True
        space = False
    return False


cdef bint _slots_may_match(str body, Py_ssize_t start, tuple checks) except -1:
    """``events.slot_checks``' exact pre-check: False when a slot pattern's regex cannot match at ``start``
    (a literal word it needs is not within reach), so the regex is not run."""
    for chk in checks:
        if not _word_after_runs(body, start, <str>(<tuple>chk)[0], <long>(<tuple>chk)[1]):
            return False
    return True


def slots_may_match(str body, Py_ssize_t start, tuple checks):
    """:func:`_slots_may_match` (for the tests)."""
    return _slots_may_match(body, start, checks)


def fold(str ch):
    """:func:`_fold` of one character (for the tests)."""
    return _fold(ch)


def hits(list trigger_hits, dict plans, plan_of, str body, dict by_id=None):
    """``events._hits`` over the analysis' trigger hits: the trigger matches (start, end, trigger), sorted by
    start and end, and the cues (start, end, kind), sorted; ``plans`` caches ``plan_of(keys, forms)``, whose
    triggers come with their regex and its ``events.slot_checks`` (a regex that cannot match is not run).
    ``by_id`` caches the plans by the identity of the hit's ``keys`` and ``forms`` (the lexicon automaton's
    own tuples, shared by its hits): no tuple of tuples is hashed per hit."""
    cdef list trigs = [], cues = []
    cdef tuple plan, key, trt, keys, forms
    cdef PyObject* known
    if by_id is None:
        by_id = {}
    for h in trigger_hits:
        keys = _HIT.get(h, H_KEYS)
        forms = _HIT.get(h, H_FORMS)
        known = PyDict_GetItem(by_id, <Py_ssize_t><PyObject*>keys)
        if known is not NULL and (<tuple><object>known)[0] is keys and (<tuple><object>known)[1] is forms:
            plan = <tuple>(<tuple><object>known)[2]
        else:
            key = (keys, forms)
            got = plans.get(key)
            if got is None:
                got = plans[key] = plan_of(keys, forms)
            plan = <tuple>got
            if len(by_id) >= 10000:
                by_id.clear()
            by_id[<Py_ssize_t><PyObject*>keys] = (keys, forms, plan)  # holds them: their ids stay theirs
        hs = _HIT.get(h, H_START)  # the hit's own int objects go into the tuples: no new int per cue or trigger
        he = _HIT.get(h, H_END)
        for kind in <tuple>plan[0]:
            cues.append((hs, he, kind))
        for tr in <tuple>plan[1]:
            trt = <tuple>tr
            rx = trt[1]
            if rx is None:
                trigs.append((hs, he, trt[0]))
            elif _slots_may_match(body, <long>hs, <tuple>trt[2]):
                m = rx.match(body, hs)
                if m is not None:
                    trigs.append((m.start(), m.end(), trt[0]))
    trigs = _sorted_by(trigs, True, False)
    cues.sort()
    return trigs, cues


def is_outlet(str name, str surface, outlets):
    """``events._is_outlet``: "NBC News" when the article cites NBC (``outlets`` casefolded)."""
    return _is_outlet(name, surface, outlets)


cdef bint _is_outlet(str name, str surface, outlets) except -1:
    return _outlet_text(name.casefold(), outlets) or _outlet_text(surface.casefold(), outlets)


cdef bint _outlet_text(str text, outlets) except -1:
    """``text`` is an outlet, or starts with one and a space, or one starts with it and a space: the
    ``startswith(o + " ")`` tests without building the two strings per outlet."""
    cdef str o
    cdef Py_ssize_t nt = len(text), no
    if text in outlets:
        return True
    for o in outlets:
        no = len(o)
        if no == 0:
            continue
        if nt > no and text[no] == u" " and text.startswith(o):
            return True
        if no > nt and o[nt] == u" " and o.startswith(text):
            return True
    return False


def without_agencies(list found, agencies):
    """The end of ``events.find_actor_mentions``: the mentions whose name, casefolded without a leading
    "the ", is no news agency, sorted by start, then longest first (stable: by the found order after that),
    each name's test done once."""
    cdef dict keep = {}
    cdef list kept = []
    cdef str name, low
    for m in found:
        name = _MENTION.get(m, F_NAME)
        ok = keep.get(name)
        if ok is None:
            low = name.casefold()
            if low.startswith("the "):
                low = low[4:]
            ok = keep[name] = low not in agencies
        if ok:
            kept.append(m)
    # by (start, -end), ties in the found order: the C sort of (start, -end, index) keys, no key tuple per mention
    return _sorted_by(kept, False, True, _MENTION)


def repeated_mentions(str body, list found, acronym, mention_type):
    """``events._repeated_mentions``: the other places where a found actor is written as found, and the acronym
    given in brackets after it, with that actor's name (``mention_type``: ``ActorMention``)."""
    cdef Py_ssize_t n = len(body), k, e, reach, ms, me, j
    cdef bytearray covered = bytearray(n + 1)
    cdef unsigned char* cov = covered
    cdef dict forms = {}
    cdef list hits = [], out = []
    cdef str surface, form
    cdef bint free_
    for m in found:
        ms = _MENTION.get(m, F_START)
        me = _MENTION.get(m, F_END)
        for j in range(ms, me):
            cov[j] = 1
    for m in found:
        if _MENTION.get(m, F_PLACE):
            continue
        ms = _MENTION.get(m, F_START)
        me = _MENTION.get(m, F_END)
        surface = body[ms:me]
        if len(surface) >= 3 and surface[0].isupper():
            forms.setdefault(surface, _MENTION.get(m, F_NAME))
        if _bracket_after(body, me, n):  # the acronym pattern needs "(" after white space
            acro = acronym.match(body, me)
            if acro is not None:
                forms.setdefault(acro.group(1), _MENTION.get(m, F_NAME))
    _form_hits(body, forms, hits)
    hits.sort()
    reach = -1
    for hit in hits:
        k = <Py_ssize_t>hit[0]
        if k < reach:
            continue
        reach = -<Py_ssize_t>hit[1]
        free_ = True
        for j in range(k, reach):
            if cov[j]:
                free_ = False
                break
        if free_:
            out.append(_new_mention(mention_type, k, reach, forms[hit[2]], False, None))
    return out


cdef inline bint _bracket_after(str body, Py_ssize_t k, Py_ssize_t n):
    """Whether "(" follows ``k`` after white space (``str.isspace``, which is ``\\s`` of a str regex): where it
    does not, ``_ACRONYM`` (``\\s*\\(...``) cannot match."""
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef Py_UCS4 ch
    while k < n:
        ch = PyUnicode_READ(kind, data, k)
        if ch == u"(":
            return True
        if not Py_UNICODE_ISSPACE(ch):
            return False
        k += 1
    return False


cdef inline bint _word_char(str ch):
    return ch.isalnum() or ch == "_"


cdef inline bint _word_ucs(Py_UCS4 ch):
    return Py_UNICODE_ISALNUM(ch) or ch == u"_"


cdef void _form_hits(str body, dict forms, list hits) except *:
    """Every ``(start, -end, form)`` where a form occurs in ``body`` between word boundaries, as one
    ``str.find`` loop per form gives them (the caller sorts): per distinct first character one fast character
    search (``str.find``), a form tried only where its first character starts a word."""
    cdef Py_ssize_t n = len(body), k, e, lf
    cdef dict by_first = {}
    cdef Py_UCS4 ch
    cdef str form
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    for form in forms:  # never empty: a surface of 3 characters or more, an acronym of 2 or more
        by_first.setdefault(<long>(<Py_UCS4>form[0]), []).append(form)
    for first, group in by_first.items():
        ch = <Py_UCS4><long>first
        k = PyUnicode_FindChar(body, ch, 0, n, 1)
        while k >= 0:
            if k == 0 or not _word_ucs(PyUnicode_READ(kind, data, k - 1)):
                for form in <list>group:
                    lf = len(form)
                    e = k + lf
                    if e > n or PyUnicode_Tailmatch(body, form, k, e, -1) != 1:
                        continue
                    if e == n or not _word_ucs(PyUnicode_READ(kind, data, e)):
                        hits.append((k, -e, form))
            k = PyUnicode_FindChar(body, ch, k + 1, n, 1)


cdef class SpanSet:
    """``events._SpanSet``: spans already claimed by an actor mention, the same overlap answers."""

    cdef list starts, ends

    def __init__(self):
        self.starts = []
        self.ends = []

    cpdef add(self, long start, long end):
        cdef Py_ssize_t i = _bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)

    cpdef bint overlaps(self, long start, long end):
        cdef Py_ssize_t i = _bisect_left(self.starts, end), j
        for j in range(max(0, i - 2), i):
            if <long>self.ends[j] > start:
                return True
        return False


cdef tuple _ACTOR_TYPES = ("PERSON", "ORG", "GPE", "NORP", "LOC")


def entity_mentions(str body, entities, SpanSet taken, dict aliases, mention_type):
    """``events._entity_mentions``: the entity stage's people, organisations and places as actor mentions."""
    cdef list out = []
    cdef Py_ssize_t n = len(body)
    cdef long s, e
    cdef str etype
    for ent in entities:
        etype = _ENTITY.get(ent, E_TYPE)
        if etype not in _ACTOR_TYPES:
            continue
        for span in _ENTITY.get(ent, E_SPANS):
            s = span[0]
            e = span[1]
            if 0 <= s < e <= n:
                name = _ENTITY.get(ent, E_NAME)
                if etype != "PERSON":
                    name = aliases.get(body[s:e], name)
                out.append(_new_mention(mention_type, s, e, name, etype == "LOC", _ENTITY.get(ent, E_COUNTRY)))
                taken.add(s, e)
    return out


def gazetteer_mentions(str body, list found, SpanSet taken, mention_type):
    """``events._gazetteer_mentions``: gazetteer aliases written as listed (or in capitals), not yet covered."""
    cdef list out = []
    cdef long s, e
    cdef str surface, alias
    for m in found:
        name, alias, is_place, country = m.key
        s = m.start
        e = m.end
        surface = body[s:e]
        if surface != alias and surface != alias.upper():
            continue
        if taken.overlaps(s, e):
            continue
        out.append(_new_mention(mention_type, s, e, name, is_place, country))
    return out


def with_actor_nouns(str body, list found, list nouns, mention_type):
    """``events._with_actor_nouns``: named mentions plus the actor nouns that overlap none of them, sorted."""
    cdef SpanSet taken = SpanSet()
    cdef long reach = -1, s, e
    for m in found:
        taken.add(_MENTION.get(m, F_START), _MENTION.get(m, F_END))
    cdef list out = list(found)
    for n in _sorted_by(nouns, False, True):
        s = n.start
        e = n.end
        if s < reach or taken.overlaps(s, e):
            continue
        reach = e
        out.append(_new_mention(mention_type, s, e, body[s:e], False, None))
    return _sorted_by(out, False, True, _MENTION)


def phrase_groups(auto, str padded, Py_ssize_t n, match_type):
    """``events.phrase_hits`` in one pass: ``PhraseMatcher.find`` over ``padded`` (the padded words of a text
    of length ``n``, ``core._hot.phrase_find``) with its matches split by tag as :func:`group_phrases` splits
    them, no intermediate ``Match`` per hit."""
    cdef list actor = [], title = [], noun = []
    cdef dict out = {"actor": actor, "title": title, "noun": noun}
    cdef Py_ssize_t end_idx, length, start, stop
    cdef tuple payload, keys
    new = tuple.__new__
    cdef bint direct = _plain_tuple_type(match_type)
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
        for tagged in keys:
            tag, key = tagged
            if direct:
                m = _new_triple(match_type, start, stop, key)
            else:
                m = new(match_type, (start, stop, key))
            (<list>out[tag]).append(m)
    return out


cdef bint _plain_tuple_type(cls) except -1:
    """Whether ``tuple.__new__(cls, items)`` only allocates a ``cls`` instance holding the items: a direct tuple
    subclass with no ``__dict__`` and the tuple's own ``__new__`` (a ``NamedTuple`` such as ``Match``; its
    generated ``__new__`` is not called by ``tuple.__new__``)."""
    return (
        isinstance(cls, type)
        and issubclass(cls, tuple)
        and cls is not tuple
        and cls.__mro__[1] is tuple
        and cls.__dictoffset__ == 0
        and type(cls) is type
    )


cdef object _new_triple(cls, object a, object b, object c):
    """``tuple.__new__(cls, (a, b, c))`` for a :func:`_plain_tuple_type` ``cls``: what ``tuple``'s subtype
    constructor does (allocate ``cls`` with three items, each a new reference), without the argument tuple."""
    t = (<PyTypeObject*><PyObject*>cls).tp_alloc(<PyTypeObject*><PyObject*>cls, 3)
    Py_INCREF(a)
    PyTuple_SET_ITEM(<PyObject*>t, 0, <PyObject*>a)
    Py_INCREF(b)
    PyTuple_SET_ITEM(<PyObject*>t, 1, <PyObject*>b)
    Py_INCREF(c)
    PyTuple_SET_ITEM(<PyObject*>t, 2, <PyObject*>c)
    return t


cdef object _new_tuple(cls, tuple items):
    """``cls(*items)`` of a ``NamedTuple`` given every field (its generated ``__new__`` is
    ``tuple.__new__(cls, items)``), for a :func:`_plain_tuple_type` ``cls`` whose ``__new__`` is the generated
    one (``_fields`` as many as ``items``): allocated here; else ``cls(*items)``."""
    cdef Py_ssize_t i, n = len(items)
    if not _plain_namedtuple(cls, n):
        return cls(*items)
    t = (<PyTypeObject*><PyObject*>cls).tp_alloc(<PyTypeObject*><PyObject*>cls, n)
    for i in range(n):
        x = items[i]
        Py_INCREF(x)
        PyTuple_SET_ITEM(<PyObject*>t, i, <PyObject*>x)
    return t


cdef dict _NAMEDTUPLES = {}


cdef bint _plain_namedtuple(cls, Py_ssize_t n) except -1:
    """Whether ``cls(*items)`` for ``n`` items is ``tuple.__new__(cls, items)``: a :func:`_plain_tuple_type`
    made by ``collections.namedtuple`` / ``typing.NamedTuple`` with ``n`` fields and its generated ``__new__``
    (no ``__init__`` of its own)."""
    key = (cls, n)
    got = _NAMEDTUPLES.get(key)
    if got is None:
        fields = getattr(cls, "_fields", None)
        new = cls.__dict__.get("__new__")
        got = _NAMEDTUPLES[key] = bool(
            _plain_tuple_type(cls)
            and isinstance(fields, tuple)
            and len(fields) == n
            and new is not None
            and getattr(getattr(new, "__func__", new), "__module__", "").startswith("namedtuple_")
            and cls.__init__ is object.__init__
        )
    return <bint>got


def new_tuple(cls, tuple items):
    """:func:`_new_tuple` (for the tests)."""
    return _new_tuple(cls, items)


def new_triple(cls, a, b, c):
    """:func:`_new_triple` when ``cls`` is a :func:`_plain_tuple_type`, else ``tuple.__new__`` (for the tests)."""
    return _new_triple(cls, a, b, c) if _plain_tuple_type(cls) else tuple.__new__(cls, (a, b, c))


def group_phrases(found, match_type):
    """``events.phrase_hits``: the automaton's matches split by tag (actor, title, noun), keys unwrapped."""
    cdef dict out = {"actor": [], "title": [], "noun": []}
    for m in found:
        tag, key = m.key
        (<list>out[tag]).append(match_type(m.start, m.end, key))
    return out


cdef list _longest_per_start_root(list hits):
    """The values of ``best``, the dict ``events.find_candidates`` builds over the trigger matches ``(start, end,
    trigger)``: per (start, CAMEO root) the first match of the greatest end, in the order of each key's first
    match. For matches sorted by start (as the context holds them) a start's matches are adjacent, so each start's
    few roots are kept in two short lists instead of a dict of key tuples; otherwise the dict itself."""
    cdef list out = [], roots = [], picks = []
    cdef dict best
    cdef Py_ssize_t i, j, n = len(hits), ng
    cdef long cur = 0, st, prev = 0
    cdef str root
    for i in range(n):  # sorted by start?
        st = (<tuple>hits[i])[0]
        if i and st < prev:
            best = {}
            for t in hits:
                key = (t[0], _root_of(<str>_TRIG.get(t[2], T_CODE)))
                old = best.get(key)
                if old is None or <long>t[1] > <long>old[1]:
                    best[key] = t
            return list(best.values())
        prev = st
    for i in range(n):
        t = <tuple>hits[i]
        st = t[0]
        if i == 0 or st != cur:
            out.extend(picks)
            del roots[:]
            del picks[:]
            cur = st
        root = _root_of(<str>_TRIG.get(t[2], T_CODE))
        ng = len(roots)
        for j in range(ng):
            if <str>roots[j] == root:
                if <long>t[1] > <long>(<tuple>picks[j])[1]:
                    picks[j] = t
                break
        else:
            roots.append(root)
            picks.append(t)
    out.extend(picks)
    return out


def longest_per_start_root(list hits):
    """:func:`_longest_per_start_root` (for the tests)."""
    return _longest_per_start_root(hits)


def find_candidates(ctx, long max_candidates, third_location, candidate_type, bint plain=False):
    """``events.find_candidates``: trigger matches, one per span and CAMEO root (the longest), minus other
    senses and matches inside a longer one of the same root, at most ``max_candidates`` per code (``plain``:
    ``candidate_type`` passed :func:`plain_candidate`)."""
    cdef dict per_code = {}
    cdef list senses = [], sense_starts, out = [], covered = []
    cdef list sent_starts = None
    cdef long start, end, s, e
    cdef Py_ssize_t k, j, nc
    cdef str code, root
    cdef bint inside
    cdef list best = _longest_per_start_root(ctx.trigger_hits)
    for cue in ctx.cues:
        if cue[2] == "other_sense":
            senses.append((cue[0], cue[1]))
    senses.sort()
    sense_starts = [x[0] for x in senses]
    an = ctx.analysis
    for t in _sorted_by(best, True, True):
        start = t[0]
        end = t[1]
        trig = t[2]
        k = _bisect_right(sense_starts, start)
        inside = False
        for j in range(max(0, k - 3), k):
            s = senses[j][0]
            e = senses[j][1]
            if s <= start and end <= e:
                inside = True
                break
        if inside:
            continue
        code = _TRIG.get(trig, T_CODE)
        root = _root_of(code)
        nc = len(covered)
        for j in range(max(0, nc - 6), nc):
            cv = <tuple>covered[j]
            if cv[2] == root and <long>cv[0] <= start and end <= <long>cv[1]:
                inside = True
                break
        if inside:
            continue
        covered.append((start, end, root))
        if <long>per_code.get(code, 0) >= max_candidates:
            continue
        if _TRIG.get(trig, T_LOCATION) and not third_location(ctx, start, end):
            continue
        per_code[code] = <long>per_code.get(code, 0) + 1
        if sent_starts is None:
            sent_starts = [x.start for x in an.sentences]
        # Analysis.sentence_at: the sentence holding the offset (the previous one in a gap)
        k = _bisect_right(sent_starts, start) - 1
        out.append(_new_candidate(candidate_type, start, end, code, trig, k if k > 0 else 0, plain))
    return out


cdef tuple _CANDIDATE_FIELDS = ("start", "end", "code", "trig", "sent", "feats", "probs", "cues_before")


def plain_candidate(candidate_type):
    """Whether ``candidate_type`` is the plain dataclass ``events.Candidate`` is (those fields, in that order,
    defaults ``{}`` and ``()`` for the last two, no ``__post_init__``, no slots, not frozen): an instance is then
    its ``__dict__``, which :func:`_new_candidate` sets without running ``__init__``."""
    import dataclasses

    if not dataclasses.is_dataclass(candidate_type) or hasattr(candidate_type, "__slots__"):
        return False
    fields = dataclasses.fields(candidate_type)
    params = getattr(candidate_type, "__dataclass_params__", None)
    return (
        tuple(f.name for f in fields) == _CANDIDATE_FIELDS
        and fields[6].default_factory is dict
        and fields[7].default == ()
        and not hasattr(candidate_type, "__post_init__")
        and params is not None
        and not params.frozen
    )


cdef object _new_candidate(candidate_type, long start, long end, str code, trig, long sent, bint plain):
    """``candidate_type(start, end, code, trig, sent, {})``: for a plain dataclass, the same instance state
    (its ``__dict__``, keys in field order) without the generated ``__init__``."""
    if not plain:
        return candidate_type(start, end, code, trig, sent, {})
    c = candidate_type.__new__(candidate_type)
    c.__dict__ = {
        "start": start, "end": end, "code": code, "trig": trig, "sent": sent, "feats": {}, "probs": {},
        "cues_before": (),
    }
    return c


def article_roots(list cands, time, long reach, long lead_sentences, roots_type):
    """``events.ArticleRoots.of``: per CAMEO root its mention count, the dates' classes next to its mentions
    (``reach`` characters around), and the roots the lead (the first ``lead_sentences``) mentions."""
    cdef dict counts = {}, dated = {}
    cdef set lead = set()
    cdef str root
    cdef long cs, ce
    cdef Py_ssize_t q, j
    cdef tuple starts = None, classes = None
    if time is not None:  # TimeLine.between read here: the classes of the dates in [lo, hi)
        starts = time.starts
        classes = time.classes
    for c in cands:
        root = _root_of(<str>_CAND.get(c, C_CODE))
        counts[root] = <long>counts.get(root, 0) + 1
        if time is not None:
            cs = _CAND.get(c, C_START)
            ce = _CAND.get(c, C_END)
            got = dated.get(root)
            if got is None:
                got = dated[root] = set()
            j = _bisect_left(starts, ce + reach)
            for q in range(_bisect_left(starts, cs - reach), j):
                (<set>got).add(classes[q])
        if <long>_CAND.get(c, C_SENT) < lead_sentences:
            lead.add(root)
    return roots_type(counts, frozenset(lead), {r: frozenset(k) for r, k in dated.items()})


def literal_ends(str body, tuple literals):
    """The ends of ``re.compile("|".join(map(re.escape, literals))).finditer(body)`` (``literals`` non-empty
    strings): at each position the first literal, in order, that starts there; the scan goes on after it."""
    cdef Py_ssize_t n = len(body), k = 0, nl = len(literals), j, size
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef unsigned char first[128]
    cdef bint other = False, hit
    cdef Py_UCS4 ch
    cdef list out = []
    cdef str lit
    memset(first, 0, sizeof(first))
    for j in range(nl):
        lit = <str>literals[j]
        if len(lit) == 0:
            raise ValueError("an empty literal matches everywhere")
        ch = lit[0]
        if ch < 128:
            first[ch] = 1
        else:
            other = True
    while k < n:
        ch = PyUnicode_READ(kind, data, k)
        hit = False
        if (ch < 128 and first[ch]) or (ch >= 128 and other):
            for j in range(nl):
                lit = <str>literals[j]
                if PyUnicode_Tailmatch(body, lit, k, n, -1) == 1:
                    size = len(lit)
                    k += size
                    out.append(k)
                    hit = True
                    break
        if not hit:
            k += 1
    return out


def clause_word_ends(list lowers, list ends, firsts, clause_words):
    """``events._clause_word_ends``: ends (plus one) of the clause-breaking words of one, two or three tokens."""
    cdef list out = []
    cdef Py_ssize_t n = len(lowers), k, size
    for k in range(n):
        if lowers[k] in firsts:
            for size in range(1, 4):
                if k + size <= n and tuple(lowers[k : k + size]) in clause_words:
                    out.append(<long>ends[k + size - 1] + 1)
    return out


cdef bint _is_location(str body, long ms, long me, locative, dateline):
    """``events._is_location``: after a locative preposition, or a dateline at the start of a line."""
    if _may_be_locative(body, max(0, ms - 20), ms) and locative.search(body[max(0, ms - 20) : ms]):
        return True
    cdef long lo = max(0, ms - 8)
    cdef str before = body[lo:ms]
    cdef str last_line = before[before.rfind("\n") + 1 :]  # before.split("\n")[-1]
    cdef bint at_line_start = (lo == 0 or "\n" in body[lo - 1 : ms]) and not last_line.strip()
    return at_line_start and bool(dateline.match(body, me))


cdef inline bint _may_be_locative(str body, long lo, long hi):
    """Whether ``events._LOCATIVE`` can match ``body[lo:hi]``: it ends in white space (``\\s+$``) after "di",
    "in", "at", "near", "dekat" or "kota", so the two characters before the trailing white space must match
    "di", "in", "at", "ar" or "ta" under ``re.IGNORECASE`` (compared folded: ``_fold``)."""
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef long k = hi - 1
    cdef Py_UCS4 ch
    if k < lo or not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
        return False
    while k >= lo and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
        k -= 1
    if k - 1 < lo:
        return False
    cdef Py_UCS4 a = _fold(PyUnicode_READ(kind, data, k - 1))
    ch = _fold(PyUnicode_READ(kind, data, k))
    if ch == u"i":
        return a == u"d"
    if ch == u"n":
        return a == u"i"
    if ch == u"t":
        return a == u"a"
    if ch == u"r" or ch == u"a":
        return a == (u"a" if ch == u"r" else u"t")
    return False


def is_location(str body, long ms, long me, locative, dateline):
    """``events._is_location`` (the compiled test, pre-checked by :func:`_may_be_locative`)."""
    return _is_location(body, ms, me, locative, dateline)


cdef bint _is_candidate(ctx, object m, str body, locative, dateline):
    """``EventContext._candidate``: not a place after "di"/"in", a dateline, the byline or an outlet."""
    cdef long ms = _MENTION.get(m, F_START), me = _MENTION.get(m, F_END)
    if _is_location(body, ms, me, locative, dateline):
        return False
    for span in ctx.byline_spans:
        if <long>span[0] <= ms < <long>span[1]:
            return False
    return not _is_outlet(_MENTION.get(m, F_NAME), body[ms:me], ctx.outlets)


def mentions_between(ctx, list ms, list starts, long lo, long hi, locative, dateline):
    """``EventContext.mentions_between`` over the article's mentions ``ms`` (``starts`` their starts)."""
    return _mentions_between(ctx, ms, starts, lo, hi, locative, dateline)


cdef list _mentions_between(ctx, list ms, list starts, long lo, long hi, locative, dateline):
    cdef Py_ssize_t i = _bisect_left(starts, lo), n = len(ms)
    cdef list out = []
    cdef dict ok = ctx._ok
    cdef str body = ctx.body
    while i < n:
        m = ms[i]
        if <long>_MENTION.get(m, F_START) >= hi:
            break
        if <long>_MENTION.get(m, F_END) <= hi:
            got = ok.get(i)
            if got is None:
                got = ok[i] = _is_candidate(ctx, m, body, locative, dateline)
            if got:
                out.append(m)
        i += 1
    return out


def role_scores(ctx, c, RoleScorer scorer, long window, locative, dateline):
    """``events._role_scores`` of the trigger ``c``: (P(source), P(target), mention) of each actor candidate
    of its sentence within ``window`` characters, from the mentions' cached feature ids."""
    _own_ids(ctx, scorer)
    return _role_scores(ctx, c, scorer, window, locative, dateline)


cdef list _role_scores(ctx, c, RoleScorer scorer, long window, locative, dateline):
    sent_k = _CAND.get(c, C_SENT)
    sent = ctx.analysis.sentences[sent_k]
    cdef long cs = _CAND.get(c, C_START), ce = _CAND.get(c, C_END)
    cdef long lo = max(<long>sent.start, cs - window), hi = min(<long>sent.end, ce + window)
    every = ctx._mentions
    if every is None:
        every = ctx.mentions()
    cdef list ms = _mentions_between(ctx, every, ctx._mention_starts, lo, hi, locative, dateline)
    cdef str root = _root_of(<str>_CAND.get(c, C_CODE))
    # ctx._mention_ids: per root, per mention (by identity: the context holds its mentions) its ids
    per_root = (<dict>ctx._mention_ids).get(root)
    if per_root is None:
        per_root = (<dict>ctx._mention_ids)[root] = {}
    cdef list consts = []
    cdef PyObject* known
    for m in ms:
        known = PyDict_GetItem(<dict>per_root, <Py_ssize_t><PyObject*>m)
        if known is not NULL and (<tuple><object>known)[0] is m:
            consts.append((<tuple><object>known)[1])
            continue
        got = _mention_ids(ctx, m, root, scorer)
        (<dict>per_root)[<Py_ssize_t><PyObject*>m] = (m, got)
        consts.append(got)
    cdef str low = ctx.low
    cdef str surface = low[cs:ce]
    # events._role_consts: a "di-" verb, or "by" right after the trigger
    cdef bint passive = (surface.startswith("di") and " " not in surface) or low.startswith(" by ", ce)
    info = _sent_info_of(ctx, sent_k)
    return scorer.scores(cs, ce, root, passive, (<tuple>info)[_SI_SPEECH], ctx.break_ends, ms, consts)


cdef str _QUOTE_CLASS = u'["\u201c\u201d]'


cdef tuple _quote_marks(str body, long s0, long s1):
    """The positions of '"', "“" and "”" in ``body[s0:s1]``: ``events._QUOTE_RX.finditer`` of the sentence
    (that character class), by one scan of the characters."""
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef list out = []
    cdef long i
    cdef Py_UCS4 ch
    for i in range(max(s0, 0), min(s1, <long>len(body))):
        ch = PyUnicode_READ(kind, data, i)
        if ch == 0x22 or ch == 0x201C or ch == 0x201D:
            out.append(i)
    return tuple(out)


cdef tuple _dates_between(time, long lo, long hi):
    """``tuple(time.between(lo, hi))`` of an ``event_time.TimeLine`` (its starts sorted), read here."""
    cdef tuple starts = time.starts, classes = time.classes
    cdef Py_ssize_t i = _bisect_left(starts, lo), j = _bisect_left(starts, hi), q
    if i >= j:
        return ()
    return tuple([(starts[q], classes[q]) for q in range(i, j)])


cdef bint _ends_in_question(str body, long s0, long s1):
    """``body[s0:s1].rstrip().endswith("?")`` without the two strings (``str.rstrip`` strips ``str.isspace``)."""
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef long n = len(body)
    cdef long lo = min(max(s0, 0), n), k = min(s1, n) - 1
    while k >= lo and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
        k -= 1
    return k >= lo and PyUnicode_READ(kind, data, k) == u"?"


def ends_in_question(str body, long s0, long s1):
    """:func:`_ends_in_question` (for the tests)."""
    return _ends_in_question(body, s0, s1)


#: what ``events`` registers (``register_sent_info``): the context class whose ``sent_info`` method is
#: ``sent_info(ctx, k, quote_rx, info_type)`` cached in ``ctx._sents``, and those two arguments
cdef object _SENT_CTX = None
cdef object _SENT_RX = None
cdef object _SENT_TYPE = None


def register_sent_info(ctx_type, quote_rx, info_type):
    """Let :func:`_sent_info_of` compute a sentence's facts for a context of exactly ``ctx_type`` (whose
    ``sent_info(k)`` caches ``sent_info(ctx, k, quote_rx, info_type)`` in ``ctx._sents``) without calling
    the method."""
    global _SENT_CTX, _SENT_RX, _SENT_TYPE
    _SENT_CTX, _SENT_RX, _SENT_TYPE = ctx_type, quote_rx, info_type


cdef object _sent_info_of(ctx, long k):
    """``ctx.sent_info(k)``: its cache read here, then for the registered context class the compiled function
    called directly (the same value, cached the same way), else the method."""
    cdef dict sents = ctx._sents
    got = sents.get(k)
    if got is not None:
        return got
    if _SENT_CTX is None or type(ctx) is not _SENT_CTX:
        return ctx.sent_info(k)
    got = sents[k] = sent_info(ctx, k, _SENT_RX, _SENT_TYPE)
    return got


def sent_info(ctx, long k, quote_rx, info_type):
    """``events._sent_info``: one sentence's question mark, dates, figure kinds, quote marks, cue range and
    speech verbs."""
    sent = ctx.analysis.sentences[k]
    cdef long s0 = sent.start, s1 = sent.end, p, lo, hi, i
    cdef str body = ctx.body
    cdef set kinds = set()
    for fk in ctx.figure_kinds:
        p = fk[0]
        if s0 <= p < s1:
            kinds.add(fk[1])
    cdef list cue_starts = ctx.cue_starts, cues = ctx.cues
    lo = _bisect_left(cue_starts, s0)
    hi = _bisect_left(cue_starts, s1)
    cdef list speech = []
    for i in range(lo, hi):
        cue = <tuple>cues[i]
        if cue[2] == "speech":
            speech.append(cue[0])
    return _new_tuple(info_type, (  # positional: question, dates, fig_kinds, quote_marks, cue_lo, cue_hi, speech
        _ends_in_question(body, s0, s1),
        _dates_between(ctx._time if ctx._time is not None else ctx.time, s0, s1),  # the property's cache first
        tuple(sorted(kinds)),
        _quote_marks(body, s0, s1) if quote_rx.pattern == _QUOTE_CLASS else tuple(
            [s0 + m.start() for m in quote_rx.finditer(body[s0:s1])]
        ),
        lo,
        hi,
        tuple(speech),
    ))


cdef list _cached_role_scores(ctx, c, models, RoleScorer scorer, long window, locative, dateline):
    """``events._role_scores`` on the compiled path: ``role_scores`` cached in ``ctx._role_scores`` per trigger
    span and CAMEO root, for these models (the same key and entry)."""
    cdef dict cache = ctx._role_scores
    key = (_CAND.get(c, C_START), _CAND.get(c, C_END), _root_of(<str>_CAND.get(c, C_CODE)))
    cached = cache.get(key)
    if cached is not None and (<tuple>cached)[0] is models:
        return <list>(<tuple>cached)[1]
    got = _role_scores(ctx, c, scorer, window, locative, dateline)
    cache[key] = (models, got)
    return <list>got


def pick_roles(ctx, c, more, models, RoleScorer scorer, double role_min, long window, locative, dateline):
    """``events.pick_roles`` when the role models run compiled: the scores of ``c``'s actors and of the ``more``
    mentions' (each cached per trigger), the choice of :func:`pick`, and the trigger's own actors' names
    (the first six, in order)."""
    _own_ids(ctx, scorer)  # (the id tables of ``scorer``: once a call, not once a trigger)
    cdef list own = _cached_role_scores(ctx, c, models, scorer, window, locative, dateline)
    cdef list scored = list(own)
    cdef dict seen = {}
    for row in own:
        seen[_MENTION.get((<tuple>row)[2], F_NAME)] = None
    cdef list names = list(seen)[:6]
    for x in more:
        if x is not c:
            scored += _cached_role_scores(ctx, x, models, scorer, window, locative, dateline)
    if not scored:
        return None, None, names
    source, target = pick(scored, role_min)
    return source, target, names


def pick(list scored, double role_min):
    """``events.pick_roles``' choice over ``(P(source), P(target), mention)`` rows: the best source (ties: the
    earliest mention, then the first row), and the best target among the rows not naming the source, each
    None under ``role_min``."""
    cdef Py_ssize_t n = len(scored), i, bi = -1
    cdef double p, bp = 0.0
    cdef long st, bst = 0
    for i in range(n):
        row = <tuple>scored[i]
        p = row[0]
        st = _MENTION.get(row[2], F_START)
        if bi < 0 or p > bp or (p == bp and st < bst):
            bi, bp, bst = i, p, st
    if bi < 0:
        return None, None
    source = (<tuple>scored[bi])[2] if bp >= role_min else None
    src_name = _MENTION.get(source, F_NAME) if source is not None else None
    bi = -1
    for i in range(n):
        row = <tuple>scored[i]
        if source is not None and _MENTION.get(row[2], F_NAME) == src_name:
            continue
        p = row[1]
        st = _MENTION.get(row[2], F_START)
        if bi < 0 or p > bp or (p == bp and st < bst):
            bi, bp, bst = i, p, st
    target = (<tuple>scored[bi])[2] if bi >= 0 and bp >= role_min else None
    return source, target


def evidence(c, list cands, str klass, double threshold, long max_mentions):
    """``events._evidence``: the chosen trigger's span first, then the other mentions of its code classified
    ``klass`` from ``threshold``, in text order, at most ``max_mentions``."""
    cdef list more = []
    cdef str code = _CAND.get(c, C_CODE)
    for x in cands:
        if (
            x is not c
            and _CAND.get(x, C_CODE) == code
            and <double>(<dict>_CAND.get(x, C_PROBS)).get(klass, 0.0) >= threshold
        ):
            more.append((_CAND.get(x, C_START), _CAND.get(x, C_END)))
    more.sort()
    return [(_CAND.get(c, C_START), _CAND.get(c, C_END)), *more][:max_mentions]


def score_all(ctx, list cands, roots, TriggerScorer scorer, double floor, tuple split_index, tuple time_cues, tuple modal_cues):
    """``events.score_candidates`` with the merged models: each candidate's class probabilities, scored from
    its feature ids (no feature dict); ``c.feats`` keeps only the names the modality choice reads (``rule=``,
    ``ca=``, ``question``, in the reference dict's order)."""
    cdef _Sink f = scorer.sink()
    cdef _Article a = _Article(ctx, roots)
    f.reset()
    try:
        for c in cands:
            _features(a, c, time_cues, modal_cues, f)
            c.feats = f.f
            z, sc = scorer.scores_ids(f)
            c.probs = _class_probs(z, sc, floor, split_index)
            f.reset()
    finally:
        f.reset()


def date_places(list starts, list lowers, frozenset anchors):
    """``event_time.find_dates``' places: the starts of the tokens whose first character is a digit
    (``str.isdigit``) or that are an anchor word, in order."""
    cdef list out = []
    cdef Py_ssize_t i, n = len(lowers)
    cdef str w
    for i in range(n):
        w = <str>lowers[i]
        if (len(w) > 0 and Py_UNICODE_ISDIGIT(w[0])) or w in anchors:
            out.append(starts[i])
    return out


def date_places_may_match(str body, list starts, list lowers, frozenset anchors):
    """:func:`date_places` without the places that start with a digit where no form of ``event_time``'s date
    regex can match: a digit-led form is a day ``[0-3]?\d`` followed by white space (day month) or "/"
    (day/month/year), or a year ``(?:19|20)\d\d``; so a digit place is kept only when its run of decimal
    digits (``\d``) is one or two long and white space (``\s``) or "/" follows, or when it starts "19" or "20"
    (:func:`_digit_date_may_start`; an exact pre-check, the regex still decides). Anchor words are kept."""
    cdef list out = []
    cdef Py_ssize_t i, n = len(lowers), nb = len(body)
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef str w
    cdef long p
    for i in range(n):
        w = <str>lowers[i]
        if len(w) > 0 and Py_UNICODE_ISDIGIT(w[0]):
            p = starts[i]
            if _digit_date_may_start(kind, data, p, nb) or w in anchors:
                out.append(starts[i])
        elif w in anchors:
            out.append(starts[i])
    return out


cdef bint _digit_date_may_start(int kind, void* data, Py_ssize_t p, Py_ssize_t nb):
    """Whether a date form that starts with a digit may match at ``p`` (see :func:`date_places_may_match`)."""
    cdef Py_ssize_t k = p, run = 0
    cdef Py_UCS4 c0, ch
    if p < 0 or p >= nb:
        return True  # not this text's place: let the regex decide
    c0 = PyUnicode_READ(kind, data, p)
    if p + 1 < nb:
        ch = PyUnicode_READ(kind, data, p + 1)
        if (c0 == u"1" and ch == u"9") or (c0 == u"2" and ch == u"0"):
            return True
    while k < nb and run < 3 and Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, k)):
        run += 1
        k += 1
    if run == 0 or run > 2 or k >= nb:
        return False
    ch = PyUnicode_READ(kind, data, k)
    return Py_UNICODE_ISSPACE(ch) or ch == u"/"


from streams.core._cslots cimport new_model as _new_model


def new_model(cls, dict values):
    """``cls.model_construct(**values)`` for a plain pydantic model (``events._plain_model``: no aliases,
    no ``model_post_init``, no private attributes, extra fields not kept) given every field, in field order:
    the same instance state (``__dict__`` in that order, every field set, no extra, no private), without
    ``model_construct``'s walk over the fields. ``values`` becomes the instance's ``__dict__``."""
    return _new_model(cls, values, set(values))


def choose_happened(list cands, double emit_top, double emit_happened, long top_events, long same_mention):
    """``events._choose_happened``: the events that happened (per code its best candidate, the article's top
    roots from ``emit_top``, any further root from ``emit_happened``, no second event for a mention that a more
    specific trigger of another root or an accepted candidate holds) and the chosen candidate of each code.
    The candidates' probabilities, spans, roots and lexicon scores are read once into typed arrays."""
    cdef Py_ssize_t n = len(cands), i, k, d, spec, ns = 0
    cdef double floor = emit_top if emit_top <= emit_happened else emit_happened
    cdef list out = [], roots = [], codes = [], by_start, by_p
    cdef str code
    cdef dict taken = {}
    cdef set top_roots = set()
    cdef bint top, near
    cdef long pos
    cdef double* ph = <double*>malloc(max(1, n) * sizeof(double))
    cdef double* sc = <double*>malloc(max(1, n) * sizeof(double))
    cdef long* st = <long*>malloc(max(1, n) * 4 * sizeof(long))
    cdef long* en = st + n
    cdef long* seen_st = st + 2 * n
    cdef long* seen_en = st + 3 * n
    cdef Py_ssize_t* order = <Py_ssize_t*>malloc(max(1, n) * sizeof(Py_ssize_t))
    if ph is NULL or sc is NULL or st is NULL or order is NULL:
        free(ph)
        free(sc)
        free(st)
        free(order)
        raise MemoryError()
    try:
        for i in range(n):
            c = cands[i]
            ph[i] = <double>_CAND.get(c, C_PROBS)["happened"]
            sc[i] = <double>_TRIG.get(_CAND.get(c, C_TRIG), T_SCORE)
            st[i] = _CAND.get(c, C_START)
            en[i] = _CAND.get(c, C_END)
            code = <str>_CAND.get(c, C_CODE)
            codes.append(code)
            roots.append(_root_of(code))
        by_start = sorted([(st[i], i) for i in range(n)])  # sorted(cands, key=start): stable
        for k in range(n):
            order[k] = <Py_ssize_t>(<tuple>by_start[k])[1]
        by_p = sorted([(-ph[i], st[i], i) for i in range(n)])  # key (-P(happened), start): stable
        for row in by_p:
            i = <Py_ssize_t>(<tuple>row)[2]
            if ph[i] < floor:
                break
            top = roots[i] in top_roots or len(top_roots) < top_events
            if ph[i] < (emit_top if top else emit_happened):
                continue
            pos = st[i]
            spec = -1  # _more_specific_near: the first by start within 2 * same_mention of the trigger
            for k in range(n):
                d = order[k]
                if st[d] < pos - 2 * same_mention or st[d] > pos + 2 * same_mention:
                    continue
                if (
                    <str>roots[d] != <str>roots[i]
                    and sc[d] > sc[i]
                    and ph[d] >= floor
                    and abs(st[d] - pos) < same_mention
                ):
                    spec = d
                    break
            if spec >= 0:
                if top and len(top_roots) < top_events:
                    top_roots.add(roots[spec])
                continue
            near = False  # an accepted candidate (any root) within the window: the same mention
            for k in range(ns):
                if pos - 2 * same_mention <= seen_st[k] <= pos + 2 * same_mention and (
                    abs(pos - seen_st[k]) < same_mention or abs(en[i] - seen_en[k]) < same_mention
                ):
                    near = True
                    break
            seen_st[ns] = pos
            seen_en[ns] = en[i]
            ns += 1
            if codes[i] in taken or near:
                continue
            c = cands[i]
            taken[codes[i]] = c
            if len(top_roots) < top_events:
                top_roots.add(roots[i])
            out.append((c, "happened", c.probs["happened"]))
    finally:
        free(ph)
        free(sc)
        free(st)
        free(order)
    return out, taken


cdef dict _PLAIN_MENTIONS = {}
cdef tuple _MENTION_FIELDS = ("start", "end", "name", "is_place", "country")


cdef bint _plain_mention(mention_type) except -1:
    """Whether ``mention_type`` is the plain slotted dataclass ``events.ActorMention`` is (those fields in that
    order, not frozen, no ``__post_init__``): :func:`_new_mention` then sets its slots without ``__init__``."""
    got = _PLAIN_MENTIONS.get(mention_type)
    if got is None:
        import dataclasses

        params = getattr(mention_type, "__dataclass_params__", None)
        got = _PLAIN_MENTIONS[mention_type] = bool(
            dataclasses.is_dataclass(mention_type)
            and tuple(f.name for f in dataclasses.fields(mention_type)) == _MENTION_FIELDS
            and tuple(getattr(mention_type, "__slots__", ())) == _MENTION_FIELDS
            and not hasattr(mention_type, "__post_init__")
            and params is not None
            and not params.frozen
        )
    return <bint>got


cdef object _new_mention(mention_type, long start, long end, name, bint is_place, country):
    """``mention_type(start, end, name, is_place, country)``: for a plain slotted dataclass the same slots set
    in the same order, without running the generated ``__init__``."""
    if not _plain_mention(mention_type):
        return mention_type(start, end, name, is_place, country)
    # object.__new__(mention_type): a plain slotted dataclass is neither abstract nor given arguments, so it is
    # the type's allocation (every slot empty)
    m = (<PyTypeObject*><PyObject*>mention_type).tp_alloc(<PyTypeObject*><PyObject*>mention_type, 0)
    _MENTION.set(m, F_START, start)
    _MENTION.set(m, F_END, end)
    _MENTION.set(m, F_NAME, name)
    _MENTION.set(m, F_PLACE, is_place)
    _MENTION.set(m, F_COUNTRY, country)
    return m


def new_mention(mention_type, long start, long end, name, bint is_place=False, country=None):
    """:func:`_new_mention` (for the tests)."""
    return _new_mention(mention_type, start, end, name, is_place, country)


def same_event_pool(c, cands, double emit_top, long max_pool):
    """``events.same_event`` for an event that happened: the other candidates of its CAMEO root that happened
    from ``emit_top``, the first ``max_pool``."""
    cdef list out = []
    cdef str root = _root_of(<str>_CAND.get(c, C_CODE))
    cdef str code
    for x in cands:
        if len(out) >= max_pool:
            break
        if x is c:
            continue
        code = _CAND.get(x, C_CODE)
        if (
            code.startswith(root)
            and len(root) == min(2, len(code))
            and <double>_CAND.get(x, C_PROBS)["happened"] >= emit_top
        ):
            out.append(x)
    return out


def name_counts(list mentions, long lead_end):
    """``EventContext.name_count``'s tables: how many mentions name each actor (in first-mention order), and
    the names mentioned before ``lead_end``."""
    cdef dict counts = {}
    cdef set lead = set()
    for m in mentions:
        name = _MENTION.get(m, F_NAME)
        counts[name] = <long>counts.get(name, 0) + 1
        if <long>_MENTION.get(m, F_START) < lead_end:
            lead.add(name)
    return counts, frozenset(lead)


def entity_types(entities):
    """``EventContext.entity_type``'s table: each entity span's start -> the entity's type (the last wins)."""
    cdef dict out = {}
    for e in entities:
        etype = _ENTITY.get(e, E_TYPE)
        for start, _ in _ENTITY.get(e, E_SPANS):
            out[start] = etype
    return out


cdef tuple _NOT_FIRST = ("dan", "and", "yang", "itu", "tersebut")


cdef list _name_words(str body, Py_ssize_t lo, Py_ssize_t hi, set gaz_starts, not_name_words):
    """``events._name_words`` over the name ``body[lo:hi]`` after a title: its words (runs of characters that are
    not ``str.isspace``, as ``\\S+`` of a str regex), cut at a gazetteer mention or a word that is no name;
    (start, end) pairs."""
    cdef int kind = PyUnicode_KIND(body)
    cdef void* data = PyUnicode_DATA(body)
    cdef list words = []
    cdef Py_ssize_t k = lo, s, i, n
    while k < hi:
        if Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
            k += 1
            continue
        s = k
        while k < hi and not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
            k += 1
        words.append((s, k))
    i = 0
    n = len(words)
    while i < n and (<tuple>words[i])[0] in gaz_starts:
        i += 1
    if i:
        words = words[i:]
        n -= i
    if n and body[<Py_ssize_t>(<tuple>words[0])[0] : <Py_ssize_t>(<tuple>words[0])[1]] in not_name_words:
        return []
    for i in range(1, n):
        w = <tuple>words[i]
        if w[0] in gaz_starts or body[<Py_ssize_t>w[0] : <Py_ssize_t>w[1]] in not_name_words:
            return words[:i]
    return words


def titled_mentions(
    str body, list found, name_rx, not_name_words, set known_names, list gazetteer, SpanSet taken, mention_type,
    title_case_line,
):
    """``events._titled_mentions``: persons introduced by a title and their surnames (``gazetteer``: the mentions
    found so far, whose starts cut a name; ``title_case_line``: ``events._title_case_line``, asked once per
    line)."""
    cdef list out = []
    cdef dict surnames = {}, headline = {}
    cdef set gaz_starts = {_MENTION.get(a, F_START) for a in gazetteer}
    cdef long reach = -1, ts, te, start, end
    cdef Py_ssize_t line_start
    cdef list words
    cdef tuple last
    cdef str name
    for th in _sorted_by(found, True, True):
        ts = (<tuple>th)[0]
        te = (<tuple>th)[1]
        if ts < reach:
            continue  # "Menteri" inside "Menteri Luar Negeri"
        reach = te
        nm = name_rx.match(body, te)
        if nm is None:
            continue
        line_start = body.rfind("\n", 0, ts) + 1
        got = headline.get(line_start)
        if got is None:
            got = headline[line_start] = bool(title_case_line(body, ts))
        if got:
            continue
        words = _name_words(body, nm.start(1), nm.end(1), gaz_starts, not_name_words)
        if not words:
            continue
        start = (<tuple>words[0])[0]
        if body[start : <Py_ssize_t>(<tuple>words[0])[1]].lower() in _NOT_FIRST:
            continue
        last = <tuple>words[len(words) - 1]  # (no negative indexes: wraparound is off)
        end = last[1]
        name = body[start:end]
        if taken.overlaps(start, end) or name in known_names:
            continue
        out.append(_new_mention(mention_type, start, end, name, False, None))
        taken.add(start, end)
        if len(words) >= 2:
            surnames.setdefault(body[<Py_ssize_t>last[0] : end], name)
    return out, surnames


def choose_other(
    list cands, dict taken, double emit_modal, double emit_other, dict rule_modality, tuple threat_roots,
    other_modality,
):
    """``events._choose_other``: per code with no event that happened (not in ``taken``), in the order of its
    first candidate, the candidate most likely an event (the first of the greatest (P(event), -start)); reported
    with its stated modality (``rule_modality`` of its ``rule=`` feature: a demand, or any for a root of
    ``threat_roots``) from ``emit_modal``, else as background or another modality (``other_modality(c)``, the
    reference's function) from ``emit_other``."""
    cdef dict groups = {}
    cdef list out = []
    cdef double p, best_p = 0.0, p_event
    cdef long ns, best_ns = 0
    cdef str code, k
    for c in cands:
        code = _CAND.get(c, C_CODE)
        if code in taken:
            continue
        g = groups.get(code)
        if g is None:
            groups[code] = [c]
        else:
            (<list>g).append(c)
    for group in groups.values():
        alt = None
        for c in <list>group:
            p = 1.0 - <double>(<dict>_CAND.get(c, C_PROBS))["none"]
            ns = -<long>_CAND.get(c, C_START)
            if alt is None or p > best_p or (p == best_p and ns > best_ns):
                alt, best_p, best_ns = c, p, ns
        probs = <dict>_CAND.get(alt, C_PROBS)
        p_event = 1.0 - <double>probs["none"]
        rule = ""
        for k in alt.feats:
            if k.startswith("rule="):
                rule = k[5:]
                break
        reading = rule_modality.get(rule)
        stated = reading is not None and (
            reading == "demanded" or (<str>_CAND.get(alt, C_CODE))[:2] in threat_roots
        )
        if stated and p_event >= emit_modal:
            out.append((alt, other_modality(alt) if reading == "other" else str(reading), p_event))
        elif p_event >= emit_other:
            other = <double>probs["other"] > <double>probs["background"]  # max(("background", "other"), key=...)
            out.append((alt, other_modality(alt) if other else "background", p_event))
    return out
