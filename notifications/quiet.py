"""Quiet hours and Shabbat and holiday mode (issue 19 E, ``docs/rules.md §19``).

A member may choose daily quiet hours (in their own time zone) and Shabbat and holiday mode
(candle lighting to havdalah, Shabbat and Yom Tov, at their location; Jerusalem without one).
While either is on, no Web Push and no e-mail goes to them: the senders call :func:`hold_if_quiet`,
which stores a :class:`~notifications.models.HeldNotice` until the window ends. The beat task
``notifications-flush-held`` (:func:`held_flush`) then sends ONE summary push and ONE summary
e-mail per member, deleting the rows in the same transaction (a worker that dies mid-way rolls
back, and the next run sends them). The Shabbat window is computed by the ``hdate`` library and
stored on :class:`~notifications.models.QuietSettings` (beat task ``notifications-shabbat-windows``
and on save), so senders and discovery only compare two columns.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from miel import emails

from .models import HeldNotice, QuietSettings

logger = logging.getLogger(__name__)

#: The default place of Shabbat times for members without a location: Jerusalem.
JERUSALEM = ("Jerusalem", 31.778, 35.235, 754.0)
DEFAULT_TIME_ZONE = "Asia/Jerusalem"
#: Minutes before sunset of candle lighting (the ``hdate`` default, common outside Jerusalem).
CANDLE_LIGHTING_MINUTES = 18
#: How many days ahead the window search looks (a Shabbat is always within a week).
_SEARCH_DAYS = 10
#: A stored window starting this soon is computed again by the hourly beat task.
RECHECK_BEFORE = dt.timedelta(hours=2)


def zone_of(user) -> ZoneInfo:
    """The member's time zone (``User.time_zone``), Jerusalem when it is not a known zone."""
    try:
        return ZoneInfo(user.time_zone or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def settings_for(user_id: UUID | str) -> QuietSettings:
    """The member's quiet settings (defaults, unsaved, when they never changed them)."""
    return QuietSettings.objects.filter(user_id=user_id).first() or QuietSettings(user_id=user_id)


#: Seconds the Settings page keeps a member's quiet settings in the cache (every write forgets).
SETTINGS_CACHE_SECONDS = 3600
_FIELDS = (
    "quiet_enabled",
    "quiet_start",
    "quiet_end",
    "shabbat_mode",
    "shabbat_hide",
    "shabbat_start",
    "shabbat_end",
)


def _cache_key(user_id: UUID | str) -> str:
    return f"quiet-settings:{UUID(str(user_id)).hex}"


def settings_cached(user_id: UUID | str) -> QuietSettings:
    """:func:`settings_for` through the cache, for the Settings page (no query once cached;
    :func:`quiet_settings_save` and :func:`shabbat_window_refresh` forget it). The senders
    read the table itself. Cache errors fall back to the query."""
    from django.core.cache import cache

    key = _cache_key(user_id)
    try:
        data = cache.get(key)
    except Exception:
        data = None
    if isinstance(data, dict):
        return QuietSettings(user_id=user_id, **data)
    prefs = settings_for(user_id)
    try:
        cache.set(key, {f: getattr(prefs, f) for f in _FIELDS}, SETTINGS_CACHE_SECONDS)
    except Exception:
        logger.warning("quiet settings not cached", exc_info=True)
    return prefs


def _forget(user_id: UUID | str) -> None:
    from django.core.cache import cache

    try:
        cache.delete(_cache_key(user_id))
    except Exception:
        logger.warning("quiet settings not forgotten", exc_info=True)


# --- quiet hours -------------------------------------------------------------------------------


def quiet_hours_end(
    *, prefs: QuietSettings, zone: ZoneInfo, now: dt.datetime
) -> dt.datetime | None:
    """When the quiet hours ``now`` falls in end (aware), or None when ``now`` is outside them
    (or they are off). Start and end are wall-clock times in ``zone``; an end before the start
    crosses midnight (22:00 → 07:00)."""
    if not prefs.quiet_enabled or prefs.quiet_start == prefs.quiet_end:
        return None
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    start, end = prefs.quiet_start, prefs.quiet_end
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone)


# --- Shabbat and holiday mode ------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where Shabbat times are computed for a member; ``default`` = Jerusalem, no location."""

    name: str
    latitude: float
    longitude: float
    altitude: float
    default: bool


def place_of(user) -> Place:
    """The member's location (their profile's, rounded use only: never shown), else Jerusalem."""
    member = getattr(user, "member", None)
    if member is not None and member.latitude is not None and member.longitude is not None:
        return Place("", member.latitude, member.longitude, 0.0, False)
    name, lat, lon, alt = JERUSALEM
    return Place(name, lat, lon, alt, True)


def _in_israel(place: Place) -> bool:
    return 29.4 <= place.latitude <= 33.4 and 34.2 <= place.longitude <= 35.9


def shabbat_window(
    *, place: Place, zone: ZoneInfo, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """The current or next Shabbat / Yom Tov window at ``place``: (candle lighting, havdalah),
    aware UTC datetimes with havdalah after ``now``. Computed by ``hdate`` (Yom Tov days as in
    Israel or the diaspora, by the place; a Yom Tov next to Shabbat makes one window)."""
    from hdate import HDateInfo, Location, Zmanim

    diaspora = not _in_israel(place)
    location = Location(
        name=place.name or "member",
        latitude=place.latitude,
        longitude=place.longitude,
        timezone=zone,
        altitude=place.altitude,
        diaspora=diaspora,
    )
    today = now.astimezone(zone).date()
    for offset in range(-3, _SEARCH_DAYS):
        day = today + dt.timedelta(days=offset)
        info = HDateInfo(day, diaspora=diaspora)
        if info.is_shabbat or info.is_yom_tov:
            continue  # windows start on an ordinary day (erev Shabbat / erev Yom Tov)
        zmanim = Zmanim(date=day, location=location, candle_lighting_offset=CANDLE_LIGHTING_MINUTES)
        start = zmanim.candle_lighting
        if start is None:
            continue
        for ahead in range(1, 5):
            havdalah = Zmanim(
                date=day + dt.timedelta(days=ahead),
                location=location,
                candle_lighting_offset=CANDLE_LIGHTING_MINUTES,
            ).havdalah
            if havdalah is not None:
                if havdalah > now:
                    return start.astimezone(dt.UTC), havdalah.astimezone(dt.UTC)
                break
    raise RuntimeError("no Shabbat found")  # pragma: no cover - a week always has one


def shabbat_window_refresh(
    *, prefs: QuietSettings, now: dt.datetime | None = None
) -> QuietSettings:
    """Store the member's current or next window on ``prefs`` (saved when it has a pk);
    clears it when Shabbat mode is off."""

    now = now or timezone.now()
    if not prefs.shabbat_mode:
        prefs.shabbat_start = prefs.shabbat_end = None
    else:
        user = User.objects.select_related("member").get(pk=prefs.user_id)
        prefs.shabbat_start, prefs.shabbat_end = shabbat_window(
            place=place_of(user), zone=zone_of(user), now=now
        )
    if prefs.pk and QuietSettings.objects.filter(pk=prefs.pk).exists():
        QuietSettings.objects.filter(pk=prefs.pk).update(
            shabbat_start=prefs.shabbat_start, shabbat_end=prefs.shabbat_end
        )
        transaction.on_commit(lambda: _forget(prefs.user_id))
        _forget(prefs.user_id)
    return prefs


def shabbat_windows_refresh(*, now: dt.datetime | None = None) -> int:
    """Beat task ``notifications-shabbat-windows`` (hourly): move every Shabbat-mode member
    whose stored window is over (or missing) to their next one, and compute again the windows
    that start within :data:`RECHECK_BEFORE` (a time zone or location changed during the week
    is taken into account before candle lighting); how many were computed."""
    now = now or timezone.now()
    stale = QuietSettings.objects.filter(shabbat_mode=True).filter(
        Q(shabbat_end__isnull=True)
        | Q(shabbat_end__lte=now)
        | Q(shabbat_start__gt=now, shabbat_start__lte=now + RECHECK_BEFORE)
    )
    moved = 0
    for prefs in stale.iterator():
        try:
            shabbat_window_refresh(prefs=prefs, now=now)
            moved += 1
        except Exception:  # one bad row (a deleted user mid-run) never stops the others
            logger.warning("Shabbat window of %s not refreshed", prefs.pk, exc_info=True)
    return moved


def shabbat_end_now(
    *, prefs: QuietSettings, now: dt.datetime, refresh: bool = True
) -> dt.datetime | None:
    """When the Shabbat / Yom Tov window ``now`` falls in ends, or None (mode off, outside).
    A stored window that is over is moved to the next one first (``refresh``)."""
    if not prefs.shabbat_mode:
        return None
    if refresh and (prefs.shabbat_end is None or prefs.shabbat_end <= now):
        shabbat_window_refresh(prefs=prefs, now=now)
    if prefs.shabbat_start and prefs.shabbat_end and prefs.shabbat_start <= now < prefs.shabbat_end:
        return prefs.shabbat_end
    return None


def quiet_until(*, user_id: UUID | str, now: dt.datetime | None = None) -> dt.datetime | None:
    """If ``user_id`` wants nothing sent at ``now`` (quiet hours or Shabbat mode), when that
    ends (the later of the two, and again while one window runs into the next); else None."""

    now = now or timezone.now()
    prefs = QuietSettings.objects.filter(user_id=user_id).first()
    if prefs is None or not (prefs.quiet_enabled or prefs.shabbat_mode):
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    zone = zone_of(user)
    release: dt.datetime | None = None
    moment = now
    for _ in range(4):  # quiet hours ending inside Shabbat (or the reverse) chain on
        ends = [
            e
            for e in (
                quiet_hours_end(prefs=prefs, zone=zone, now=moment),
                # Later links of the chain only read the stored window (already current).
                shabbat_end_now(prefs=prefs, now=moment, refresh=moment == now),
            )
            if e is not None
        ]
        if not ends:
            break
        release = max(ends)
        moment = release
    return release


# --- holding and flushing ----------------------------------------------------------------------


def hold_if_quiet(
    *,
    user_id: UUID | str,
    channel: str,
    kind: str,
    key: str,
    count: int = 1,
    now: dt.datetime | None = None,
) -> bool:
    """Hold a push or e-mail (``channel``) about ``kind`` for ``user_id`` when they are in quiet
    hours or Shabbat mode: store it (once per ``key``) until the window ends and return True;
    the caller then sends nothing. False (send now) otherwise."""
    release = quiet_until(user_id=user_id, now=now)
    if release is None:
        return False
    try:
        with transaction.atomic():
            HeldNotice.objects.create(
                user_id=user_id,
                channel=channel,
                kind=kind,
                key=key[:80],
                count=max(1, count),
                created_at=now or timezone.now(),
                release_at=release,
            )
    except IntegrityError:
        pass  # held already (a retried task)
    return True


def held_release_now(*, user_id: UUID | str, now: dt.datetime | None = None) -> int:
    """The member changed their quiet settings: what is held goes out at the next flush (or at
    the new window's end); how many rows moved."""
    release = quiet_until(user_id=user_id, now=now) or (now or timezone.now())
    return HeldNotice.objects.filter(user_id=user_id).update(release_at=release)


def held_flush(*, now: dt.datetime | None = None) -> int:
    """Beat task ``notifications-flush-held`` (every 5 minutes): for each member whose held
    items are due and who is not quiet any more, send one summary push (when push is on for
    them) and one summary e-mail (kinds whose e-mail switch is still on; not for kinds the
    summary push already covers: not both for the same event), then delete the rows. Rows are
    locked ``SKIP LOCKED`` (two workers never send the same summary) and deleted in the same
    transaction as the send, so a crash before the commit sends them again next time and a
    mail-server failure keeps them. Returns how many members were summarised."""
    now = now or timezone.now()
    users = set(HeldNotice.objects.filter(release_at__lte=now).values_list("user_id", flat=True))
    done = 0
    for user_id in users:
        later = quiet_until(user_id=user_id, now=now)
        if later is not None:  # a new window began (quiet hours into Shabbat): wait for it
            HeldNotice.objects.filter(user_id=user_id, release_at__lte=now).update(release_at=later)
            continue
        try:
            with transaction.atomic():
                rows = list(
                    HeldNotice.objects.select_for_update(skip_locked=True).filter(
                        user_id=user_id, release_at__lte=now
                    )
                )
                if not rows:
                    continue
                _summarise(user_id=user_id, rows=rows)
                HeldNotice.objects.filter(pk__in=[r.pk for r in rows]).delete()
            done += 1
        except OSError:
            logger.warning(
                "held summary for %s not sent; kept for the next run", user_id, exc_info=True
            )
    return done


def _counts(rows: list[HeldNotice], channel: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        if row.channel == channel:
            counts[row.kind] = counts.get(row.kind, 0) + row.count
    return counts


def _summarise(*, user_id: UUID | str, rows: list[HeldNotice]) -> None:

    from . import push

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    push_counts = _counts(rows, HeldNotice.Channel.PUSH)
    pushed_kinds: set[str] = set()
    if push_counts:
        key = f"held:{min(r.pk for r in rows)}"
        if push.push_summary_deliver(user=user, counts=push_counts, key=key):
            pushed_kinds = set(push_counts)
    switches = user.email_notifications or {}
    email_counts = {
        kind: n
        for kind, n in _counts(rows, HeldNotice.Channel.EMAIL).items()
        if kind not in pushed_kinds and switches.get(EMAIL_SWITCH.get(kind, ""), True)
    }
    if email_counts:
        summary_email_send(user=user, counts=email_counts)


#: The e-mail switch (``User.email_notifications`` key) of each held kind.
EMAIL_SWITCH = {
    "match": "new_match",
    "message": "new_message",
    "like": "new_like",
    "story_reply": "story_reply",
}


def summary_lines(counts: dict[str, int]) -> list[str]:
    """One line per kind ("2 new matches", ...) in the active language, in a fixed order."""
    from django.utils.translation import ngettext

    texts = {
        "match": lambda n: ngettext("%(count)d new match", "%(count)d new matches", n),
        "message": lambda n: ngettext("%(count)d new message", "%(count)d new messages", n),
        "like": lambda n: ngettext("%(count)d new like", "%(count)d new likes", n),
        "story_reply": lambda n: ngettext(
            "%(count)d reply to your story", "%(count)d replies to your story", n
        ),
        "view": lambda n: ngettext("%(count)d profile view", "%(count)d profile views", n),
    }
    return [texts[k](counts[k]) % {"count": counts[k]} for k in texts if counts.get(k)]


def summary_email_send(*, user, counts: dict[str, int]) -> None:
    """The one e-mail that replaces the ones held during quiet hours / Shabbat, in the
    member's language, with a one-click unsubscribe (all notification e-mails). Raises
    OSError when the mail server is down."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext as _

    language = user.email_language
    with translation.override(language):
        subject = _("While you were away on Miel")
        body = render_to_string(
            "notifications/email/held_summary.txt",
            {
                "user": user,
                "lines": summary_lines(counts),
                "url": f"{settings.SITE_URL}/notifications/",
            },
        )
    emails.branded_mail_send(
        to=[user.email],
        subject=subject,
        text=body,
        language=language,
        unsubscribe_user=user,
        unsubscribe_kind="all",
    )


def quiet_settings_save(
    *,
    user,
    quiet_enabled: bool,
    quiet_start: dt.time,
    quiet_end: dt.time,
    shabbat_mode: bool,
    shabbat_hide: bool,
    now: dt.datetime | None = None,
) -> QuietSettings:
    """Save the member's quiet hours and Shabbat mode, compute their next Shabbat window, and
    move what is held to the new window's end (or the next flush when nothing is quiet now).
    Raises ``ValueError`` when quiet hours are on with the same start and end."""
    if quiet_enabled and quiet_start == quiet_end:
        raise ValueError("same start and end")
    prefs, _created = QuietSettings.objects.update_or_create(
        user=user,
        defaults={
            "quiet_enabled": quiet_enabled,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "shabbat_mode": shabbat_mode,
            "shabbat_hide": shabbat_mode and shabbat_hide,
        },
    )
    shabbat_window_refresh(prefs=prefs, now=now)
    held_release_now(user_id=user.pk, now=now)
    _forget(user.pk)
    transaction.on_commit(lambda: _forget(user.pk))
    return prefs
