# The CPython structures the compiled paths read to build slots dataclasses by writing their slots
# (``_hot._new_hit``, ``_ner_hot._new_slots``): a member descriptor's slot offset and type, and a type's
# instance size and allocator; an instance's allocation (:func:`alloc_instance`), a plain slots dataclass's layout and
# construction (:func:`slot_layout`, :func:`new_slots`); and the inline that builds a pydantic model by writing its instance
# state (:func:`new_model`). Cimported, never imported.

from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_DECREF, Py_INCREF


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


cdef inline object slot_layout(object cls):
    """The slot offsets of ``cls``'s fields in order when its instances may be built by writing them (a slots
    dataclass built by ``object.__new__``, with the ``__init__`` dataclasses generated, no ``__post_init__``,
    every field an init field held in an object slot inside the instance), else None: call the class."""
    cdef PyMemberDef *m
    import dataclasses

    if not isinstance(cls, type) or not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return None
    if "__slots__" not in cls.__dict__ or type(cls).__new__ is not type.__new__ or cls.__new__ is not object.__new__:
        return None
    code = getattr(cls.__dict__.get("__init__"), "__code__", None)
    if code is None or code.co_filename != "<string>" or not cls.__dataclass_params__.init:
        return None  # not the __init__ dataclasses generated
    offs = []
    for f in dataclasses.fields(cls):
        d = cls.__dict__.get(f.name)
        if not f.init or type(d).__name__ != "member_descriptor":
            return None
        m = (<PyMemberDescrObject *> <PyObject *> d).d_member
        if m.type != 16 or m.offset <= 0 or m.offset + <Py_ssize_t> sizeof(PyObject *) > (<TypeSlots *> <PyObject *> cls).tp_basicsize:
            return None  # 16: T_OBJECT_EX, an object slot
        offs.append(m.offset)
    return tuple(offs)


cdef inline object new_slots(object cls, tuple values, dict layouts):
    """``cls(*values)`` (every field given, in order), by writing the slots of a plain slots dataclass
    (:func:`slot_layout`, kept per class in the caller's ``layouts``), else by calling the class."""
    cdef PyObject *p
    cdef object v
    cdef Py_ssize_t k
    offs = layouts.get(cls, 0)
    if offs is 0:
        offs = layouts[cls] = slot_layout(cls)
    if offs is None or len(<tuple> offs) != len(values):
        return cls(*values)
    obj = alloc_instance(cls)
    p = <PyObject *> obj
    for k in range(len(values)):
        v = values[k]
        Py_INCREF(v)
        (<PyObject **> ((<char *> p) + <Py_ssize_t> (<tuple> offs)[k]))[0] = <PyObject *> v
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
