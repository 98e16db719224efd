# Case folding as ``re.IGNORECASE`` does it against ASCII letters, for the compiled pre-checks that must
# never reject a text a case-insensitive regex accepts (``_events_hot``, ``_quotes_hot``). Cimported, never
# imported; ``tests/core/test_cfold.py`` checks it against ``re`` over every code point through both modules.


cdef inline Py_UCS4 ignorecase_fold(Py_UCS4 ch) noexcept:
    """The ASCII letter that ``ch`` matches under ``re.IGNORECASE`` (lower-case), else ``ch`` itself: an ASCII
    capital, or "İ"/"ı" (i), "ſ" (s), the Kelvin sign (k), the only other characters that match an ASCII
    letter."""
    cdef unsigned int c = ch
    if c < 128:
        return <Py_UCS4>(c + 32) if 65 <= c <= 90 else ch
    if c == 0x130 or c == 0x131:
        return 105
    if c == 0x17F:
        return 115
    if c == 0x212A:
        return 107
    return ch
