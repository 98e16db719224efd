# The CPython structures the compiled paths read to build slots dataclasses by writing their slots
# (``_hot._new_hit``, ``_ner_hot._new_slots``): a member descriptor's slot offset and type, and a type's
# instance size and allocator. Declarations only; cimported, never imported.

from cpython.object cimport PyObject, PyTypeObject


cdef extern from "structmember.h":
    ctypedef struct PyMemberDef:
        const char *name
        int type
        Py_ssize_t offset
        int flags

cdef extern from "Python.h":
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member
    ctypedef PyObject *(*allocfunc)(PyTypeObject *, Py_ssize_t)
    ctypedef struct TypeSlots "PyTypeObject":
        Py_ssize_t tp_basicsize
        allocfunc tp_alloc
