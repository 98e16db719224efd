# The CPython structures the compiled paths read to build slots dataclasses by writing their slots
# (``_hot._new_hit``, ``_ner_hot._new_slots``): a member descriptor's slot offset and type, and a type's
# instance size and allocator; an instance's allocation (:func:`alloc_instance`); and the inline that builds a pydantic model by writing its instance
# state (:func:`new_model`). Cimported, never imported.

from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_DECREF


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
    int PyObject_GenericSetAttr(object o, object name, object value) except -1


cdef inline object alloc_instance(object cls):
    """A new instance of the slots class ``cls`` from its type's allocator: every slot NULL, no ``__init__``
    run; the caller writes the slots. The one reference is the returned object's."""
    cdef PyObject *p = (<TypeSlots *> <PyObject *> cls).tp_alloc(<PyTypeObject *> <PyObject *> cls, 0)
    if p == NULL:
        raise MemoryError()
    obj = <object> p  # a second reference: give back the allocation's own
    Py_DECREF(obj)
    return obj


cdef inline object new_model(object cls, dict values, set fields_set):
    """An instance of the pydantic model ``cls`` in the state its validation leaves, without the validation
    call: ``values`` (validated values of every field, in field order) as its ``__dict__``, ``fields_set`` as
    ``__pydantic_fields_set__``, no extra, no private attributes, each written as ``object.__setattr__``
    writes it (``PyObject_GenericSetAttr``). ``cls.model_construct``'s instance, without its walk over the
    fields. Only for a plain model, checked once per class by the caller (``_figures_hot.plain_figure``,
    ``_ner_hot._plain_entity``, ``events._plain_model``): no validator, alias, post-init hook or private
    attribute, extra fields not kept."""
    m = cls.__new__(cls)
    PyObject_GenericSetAttr(m, "__dict__", values)
    PyObject_GenericSetAttr(m, "__pydantic_fields_set__", fields_set)
    PyObject_GenericSetAttr(m, "__pydantic_extra__", None)
    PyObject_GenericSetAttr(m, "__pydantic_private__", None)
    return m
