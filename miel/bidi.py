"""Direction isolation for user-written or data-derived text (issue 17).

A name, city or message can be written in either direction and can even carry direction
controls (a right-to-left override, U+202E). Put next to interface text without isolation, it
reorders the words and numbers around it ("km 1 · תל אביב"). In HTML text, wrap the value in
``<bdi>`` (the ``|bdi`` template filter); where no element can go (attributes, ``<title>``,
flash messages, strings a view joins), wrap it in U+2068 FIRST STRONG ISOLATE … U+2069 POP
DIRECTIONAL ISOLATE (:func:`isolate`, the ``|fsi`` filter).
"""

from __future__ import annotations

FSI = "\u2068"
PDI = "\u2069"


def isolate(value: object) -> str:
    """``value`` as text between FSI and PDI; an empty value stays empty."""
    text = "" if value is None else str(value)
    return f"{FSI}{text}{PDI}" if text else ""
