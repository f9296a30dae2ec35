"""Sending e-mail safely (rules §3, §6, §8): one-line subjects and the retry policy of every
e-mail task.

A header value with a line break makes Django refuse the message (``BadHeaderError``), and a
name such as ``"Ron\\r\\nBcc: x@y"`` inside a subject must never become a header of its own:
:func:`one_line` turns every control or line-separator character into a space. Names are
refused at input too (:func:`miel.text.validate_single_line`); this covers rows stored before.
"""

from __future__ import annotations

import re
import unicodedata

#: Celery options of every task that sends e-mail: a send that raises (the mail server down or
#: refusing - OSError, smtplib.SMTPException - or anything else) is retried with exponential
#: backoff (30 s, 60 s, 120 s, ... up to 10 min, jittered), at most 5 times. The tasks record a
#: send only after it succeeded and are idempotent, so a retry never sends twice.
EMAIL_TASK_OPTIONS: dict = {
    "bind": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}

_SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    """``text`` as a safe one-line header value: control characters (Cc: CR, LF, NUL, tab,
    ...) and line / paragraph separators (U+2028, U+2029, NEL) become spaces, runs of
    whitespace collapse to one, ends are stripped."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(text)
    )
    return _SPACES.sub(" ", cleaned).strip()
