# One C sort key for the compiled paths that sort items by two integer keys with Python's stable-sort ties
# (the item's index is the last key): ``_hot.longest_hits`` (start, -end) and ``_events_hot._sorted_by``.
# Cimported, never imported.

ctypedef struct SortKey:
    Py_ssize_t a
    Py_ssize_t b
    Py_ssize_t i


cdef inline int cmp_sort_key(const void *x, const void *y) noexcept nogil:
    """``qsort``'s comparison of two ``SortKey``: by ``a``, then ``b``, then ``i``."""
    cdef const SortKey *p = <const SortKey *> x
    cdef const SortKey *q = <const SortKey *> y
    if p.a != q.a:
        return -1 if p.a < q.a else 1
    if p.b != q.b:
        return -1 if p.b < q.b else 1
    return -1 if p.i < q.i else (1 if p.i > q.i else 0)
