"""Branded e-mails (rules §15): every e-mail Miel sends goes out as plain text plus an HTML part
in Miel's colours, in the recipient's language, naming the site ``settings.SITE_NAME`` (never a
host:port or the sites framework's default "example.com").

Senders keep writing one plain-text template; :func:`branded_mail_send` turns it into the HTML
part (:func:`html_from_text`): paragraphs, links, and a paragraph that is only a link becomes a
button. Inline styles are fine here: CSP does not apply to e-mails, and mail clients drop
``<style>`` sheets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi

#: Miel's colours (static/css/miel.css), repeated here because e-mails cannot load the CSS.
COLOURS = {
    "honey": "#f2a93b",
    "honey_dark": "#c77d12",
    "rose": "#e2557a",
    "ink": "#1f2430",
    "muted": "#6b7280",
    "bg": "#fffaf3",
    "card": "#ffffff",
    "line": "#eadfce",
}
_URL_ONLY = re.compile(r"^\s*(https?://\S+)\s*$")

#: The e-mail kinds a member can unsubscribe from with one click (docs/rules.md §19): the
#: ``User.email_notifications`` switches, and "all" (the quiet-hours summary) for every one.
#: Account e-mails (verification, password reset, welcome), payment and moderation notices
#: are transactional and carry no unsubscribe link.
UNSUBSCRIBE_KINDS = ("new_match", "new_message", "new_like", "story_reply", "all")
_UNSUBSCRIBE_SALT = "miel.emails.unsubscribe"


def site_name() -> str:
    """The name e-mails and subjects call the site: ``SITE_NAME`` (default "Miel")."""
    return getattr(settings, "SITE_NAME", "") or "Miel"


def email_site() -> SimpleNamespace:
    """A ``current_site`` for e-mail templates (allauth's included): ``name`` = the site name,
    ``domain`` = ``SITE_URL``'s host, or the site name when ``SITE_URL`` is a bare address such
    as 127.0.0.1:8000 (local development)."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    local = not host or host in {"localhost", "testserver"} or host.replace(".", "").isdigit()
    return SimpleNamespace(name=site_name(), domain=site_name() if local else host)


def html_from_text(text: str, *, button_label: str = "") -> SafeString:
    """The HTML body of a plain-text e-mail: blank-line separated paragraphs, line breaks kept,
    links clickable; a paragraph that is only a link becomes a honey button labelled
    ``button_label`` (default "Open Miel" in the active language) with the link below it."""
    from django.utils.translation import gettext as _

    label = button_label or _("Open %(site)s") % {"site": site_name()}
    parts = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        url = _URL_ONLY.match(paragraph)
        if url:
            href = escape(url.group(1))
            parts.append(
                '<p style="margin:22px 0;text-align:center">'
                f'<a href="{href}" style="display:inline-block;background:{COLOURS["honey"]};'
                f"color:{COLOURS['ink']};font-weight:700;text-decoration:none;padding:12px 26px;"
                f'border-radius:999px">{escape(label)}</a></p>'
                f'<p style="margin:0 0 16px;font-size:12px;color:{COLOURS["muted"]};'
                f'word-break:break-all" dir="ltr">{href}</p>'
            )
            continue
        body = urlize(escape(paragraph.strip()), autoescape=False).replace("\n", "<br>")
        body = body.replace("<a ", f'<a style="color:{COLOURS["honey_dark"]}" ')
        parts.append(f'<p style="margin:0 0 16px" dir="auto">{body}</p>')
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece above is escaped


def unsubscribe_token(*, user_id: object, kind: str) -> str:
    """A signed token naming the member and the e-mail ``kind`` (one of
    :data:`UNSUBSCRIBE_KINDS`) to turn off; it does not expire (old e-mails keep working) and
    holds no e-mail address."""
    if kind not in UNSUBSCRIBE_KINDS:
        raise ValueError(f"not an unsubscribe kind: {kind}")
    return signing.dumps({"u": str(user_id), "k": kind}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[str, str] | None:
    """``(user id, kind)`` of a token from :func:`unsubscribe_token`, or None when it was
    tampered with or is not one."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in UNSUBSCRIBE_KINDS:
        return None
    return str(data.get("u", "")), str(data["k"])


def unsubscribe_url(*, user_id: object, kind: str) -> str:
    """The absolute one-click unsubscribe link (``/unsubscribe/<token>/``) of an e-mail."""
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return f"{settings.SITE_URL.rstrip('/')}/unsubscribe/{token}/"


def branded_html(
    *, subject: str, text: str, button_label: str = "", unsubscribe_link: str = ""
) -> str:
    """The whole HTML document of an e-mail in the active language (``lang``/``dir`` set)."""
    return render_to_string(
        "emails/branded.html",
        {
            "subject": subject,
            "body": html_from_text(text, button_label=button_label),
            "site_name": site_name(),
            "site_url": settings.SITE_URL,
            "colours": COLOURS,
            "lang": translation.get_language() or settings.LANGUAGE_CODE,
            "dir": "rtl" if get_language_bidi() else "ltr",
            "unsubscribe_url": unsubscribe_link,
        },
    )


def branded_mail_send(
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    language: str,
    from_email: str | None = None,
    button_label: str = "",
    unsubscribe_user: object = None,
    unsubscribe_kind: str = "",
    headers: dict[str, str] | None = None,
) -> None:
    """Send ``text`` (already rendered in ``language``) with its branded HTML part. The HTML
    shell (footer, button) is rendered in ``language`` too. With ``unsubscribe_kind`` (one of
    :data:`UNSUBSCRIBE_KINDS`) and ``unsubscribe_user`` (the recipient, a User or its id) both
    parts end with a one-click unsubscribe link and the message carries the RFC 8058 headers
    ``List-Unsubscribe`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``;
    ``headers`` adds others. Raises ``OSError`` when the mail server is unreachable (callers
    retry)."""
    from django.utils.translation import gettext as _

    extra = dict(headers or {})
    link = ""
    if unsubscribe_kind:
        user_id = getattr(unsubscribe_user, "pk", unsubscribe_user)
        link = unsubscribe_url(user_id=user_id, kind=unsubscribe_kind)
        extra["List-Unsubscribe"] = f"<{link}>"
        extra["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with translation.override(language):
        html = branded_html(
            subject=subject, text=text, button_label=button_label, unsubscribe_link=link
        )
        if link:  # the plain-text part ends with the link too
            text = f"{text.rstrip()}\n\n-- \n{_('Unsubscribe from these e-mails')}: {link}\n"
    message = EmailMultiAlternatives(subject, text, from_email, list(to), headers=extra)
    message.attach_alternative(html, "text/html")
    message.send()
