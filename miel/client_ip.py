"""The address of the client behind the reverse proxy (issue 13 item 2).

Behind README's proxy every request's ``REMOTE_ADDR`` is the proxy, so a limit per address is
one limit for everyone. ``TRUSTED_PROXY_COUNT`` (env var, default 0) says how many proxies of
ours sit in front of Django; each appends the address it received the request from to
``X-Forwarded-For``. The client is then the ``TRUSTED_PROXY_COUNT``-th entry from the right:
entries further left come from the client itself and can be anything. With 0 the header is
ignored (nobody can pick their own address by sending it).

Every per-address limit uses :func:`client_ip`: allauth's (login, sign-up, password reset,
through ``AccountAdapter.get_client_ip``) and any of Miel's own.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(value: str) -> str | None:
    """``value`` as a normalised IP address (ports and IPv6 brackets removed); None if it is
    not one."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:  # 203.0.113.7:51234
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as text: the ``TRUSTED_PROXY_COUNT``-th ``X-Forwarded-For``
    entry from the right when that setting is above 0 and the header is present, else
    ``REMOTE_ADDR``. A header with fewer entries than trusted proxies (a request that reached
    an inner proxy directly) gives its leftmost entry; an entry that is not an address falls
    back to ``REMOTE_ADDR``. Never raises; "" only when Django has no ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR") or ""
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count > 0:
        forwarded = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if forwarded:
            ip = _clean(forwarded[-count] if len(forwarded) >= count else forwarded[0])
            if ip:
                return ip
    return _clean(remote) or remote
