"""What the assistant can do (SPEC §12), shared by both backends: intent detection in Hebrew
and English, and one function per intent (find matches, explain a match, openers, analyse my
profile, my progress, tips). All text goes through gettext, so replies follow the active
language."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from matching.smart import ScoredMatch, interest_labels_for, reason_for, smart_matches_for
from matching.smart.engine import FACTOR_MAX, FACTORS
from matching.smart.reasons import join_words
from profiles.selectors import is_verified

INTENTS = ("find", "explain", "openers", "analyse", "progress", "tips")
ANALYSIS_TTL = timedelta(hours=6)

#: Checked in this order: the more specific intents first ("explain this match" is not "find").
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("explain", ("why", "explain", "reason", "למה", "הסבר", "מדוע", "תסביר")),
    (
        "openers",
        (
            "opener",
            "icebreaker",
            "ice breaker",
            "first message",
            "what to write",
            "what should i say",
            "start a conversation",
            "פתיח",
            "לפתוח",
            "מה לכתוב",
            "הודעה ראשונה",
            "שובר קרח",
        ),
    ),
    ("analyse", ("analy", "my profile", "review", "improve", "פרופיל", "נתח", "ניתוח", "לשפר")),
    ("progress", ("progress", "stats", "how am i doing", "התקדמות", "סטטיסט", "נתונים", "איך אני")),
    ("tips", ("tip", "advice", "טיפ", "עצה", "עצות")),
    (
        "find",
        ("find", "match", "recommend", "suggest", "who ", "מצא", "התאמ", "המלצ", "מי מתאים", "חפש"),
    ),
)


def detect_intent(text: str) -> str:
    """One of :data:`INTENTS`, or ``help`` when nothing is recognised."""
    lowered = f" {text.casefold()} "
    for intent, words in _KEYWORDS:
        if any(w in lowered for w in words):
            return intent
    return "help"


def quick_action_text(intent: str) -> str:
    """The user-visible text of a quick-action button (stored as the user's message)."""
    return {
        "find": _("Find me matches"),
        "explain": _("Explain this match"),
        "openers": _("Suggest openers"),
        "analyse": _("Analyse my profile"),
        "progress": _("My progress"),
        "tips": _("Dating tips"),
    }.get(intent, "")


# --- matches ----------------------------------------------------------------------------------


def find_matches(*, member, limit: int = 3, min_score: int = 0) -> list[ScoredMatch]:  # type: ignore[no-untyped-def]
    """The best ``limit`` smart matches (cached engine) with score >= ``min_score``, as the
    smart-matches page shows them (no blocked, paused or hidden incognito member, none passed
    on or whose preferences leave ``member`` out; no distance for members who hide it)."""
    from matching.selectors import blocked_user_ids
    from matching.smart.page import visible_matches

    hidden = {str(u) for u in blocked_user_ids(user_id=member.user_id)}
    result = smart_matches_for(member=member)
    shown = [m for m in result.results if m.score >= min_score and m.user_id not in hidden]
    return visible_matches(viewer=member, matches=shown)[:limit]


def _match_for(*, member, target_user_id: str | None) -> ScoredMatch | None:  # type: ignore[no-untyped-def]
    """The smart match with ``target_user_id`` (when among the cached results), else the top."""
    matches = find_matches(member=member, limit=200)
    if target_user_id:
        return next((m for m in matches if m.user_id == str(target_user_id)), None)
    return matches[0] if matches else None


def _name_of(user_id: str) -> str:
    from profiles.models import Member

    return Member.objects.filter(user_id=user_id).values_list("name", flat=True).first() or ""


def match_for_model(*, member, match: ScoredMatch) -> dict:  # type: ignore[no-untyped-def]
    """A compact description of one match for the OpenAI tool result."""
    from profiles.models import Member

    other = Member.objects.filter(user_id=match.user_id).first()
    labels = interest_labels_for([match])
    return {
        "user_id": match.user_id,
        "name": other.name if other else "",
        "age": match.facts.get("age"),
        "city": other.city if other else "",
        "score": match.score,
        "reason": reason_for(match, labels),
        "verified": is_verified(other) if other else False,
    }


def find_reply(*, member) -> tuple[str, list[dict]]:  # type: ignore[no-untyped-def]
    matches = find_matches(member=member, limit=3)
    if not matches:
        return (
            _(
                "I could not find matches within your preferences yet. Try widening your age "
                "range or preferred genders, and add interests."
            ),
            [],
        )
    return (
        _("Here are your best matches right now. Tap a card to open the profile."),
        [m.to_json() for m in matches],
    )


def explain_reply(*, member, target_user_id: str | None) -> tuple[str, list[dict]]:  # type: ignore[no-untyped-def]
    match = _match_for(member=member, target_user_id=target_user_id)
    if match is None:
        if target_user_id:
            return _(
                "This member is not among your smart matches (they may be outside your "
                "preferences)."
            ), []
        return _("You have no smart matches to explain yet."), []
    labels = interest_labels_for([match])
    names = {
        "age": _("age fit"),
        "location": _("distance"),
        "interests": _("shared interests"),
        "bio": _("similar bios"),
        "behaviour": _("your interactions"),
        "intention": _("intention and outlook"),
    }
    breakdown = ", ".join(
        f"{names[key]} {round(points)}/{int(FACTOR_MAX[key])}"
        for key, points in zip(FACTORS, match.parts, strict=True)
    )
    text = _("%(name)s scores %(score)d/100 with you: %(reason)s. Breakdown: %(breakdown)s.") % {
        "name": _name_of(match.user_id),
        "score": match.score,
        "reason": reason_for(match, labels),
        "breakdown": breakdown,
    }
    return text, [match.to_json()]


def openers_reply(*, member, target_user_id: str | None) -> tuple[str, list[dict]]:  # type: ignore[no-untyped-def]
    match = _match_for(member=member, target_user_id=target_user_id)
    lines: list[str] = []
    name = _name_of(match.user_id) if match else ""
    if match:
        labels = interest_labels_for([match])
        shared = [labels[i] for i in match.facts.get("interests", []) if i in labels]
        if shared:
            lines.append(
                _("I saw we both love %(thing)s — what got you into it?") % {"thing": shared[0]}
            )
        words = match.facts.get("words") or []
        if words:
            lines.append(
                _("Your bio mentions %(word)s — tell me more!") % {"word": join_words(words[:1])}
            )
        if "km" in match.facts or "city" in match.facts:
            lines.append(_("We are practically neighbours. What is your favourite spot nearby?"))
    lines.append(_("What is the best thing that happened to you this week?"))
    lines.append(_("If you could travel anywhere tomorrow, where would you go?"))
    head = (
        _("Openers for %(name)s:") % {"name": name} if name else _("A few openers that work well:")
    )
    return head + "\n" + "\n".join(f"• {line}" for line in lines[:3]), (
        [match.to_json()] if match else []
    )


# --- profile ----------------------------------------------------------------------------------


def profile_summary(*, member) -> str:  # type: ignore[no-untyped-def]
    """A short factual description of the user's own profile for the model's system prompt."""
    interests = ", ".join(i.name for i in member.interests.all()[:10])
    return (
        f"name {member.name}, age {member.age}, gender {member.gender}, city {member.city}, "
        f"interests: {interests or 'none'}, bio: {member.description[:300]!r}"
    )


def analyse_profile(*, user, member) -> str:  # type: ignore[no-untyped-def]
    """Rules-based profile review: what is strong and what to improve."""
    approved = member.photos.filter(is_approved=True).count()
    pending = member.photos.filter(is_approved=False).count()
    interests = member.interests.count()
    words = len((member.description or "").split())
    has_video = member.videos.filter(is_approved=True).exists()
    good: list[str] = []
    improve: list[str] = []
    if approved >= 3:
        good.append(_("%(n)d approved photos") % {"n": approved})
    elif approved == 0:
        improve.append(_("add a clear photo of your face: profiles with photos get far more likes"))
    else:
        improve.append(_("add more photos (3 or more show different sides of you)"))
    if pending:
        improve.append(_("%(n)d photo(s) still waiting for approval") % {"n": pending})
    if words >= 30:
        good.append(_("a bio with substance"))
    else:
        improve.append(_("write a longer bio (30+ words) with something specific about you"))
    if interests >= 5:
        good.append(_("%(n)d interests") % {"n": interests})
    else:
        improve.append(_("pick at least 5 interests so we can find people like you"))
    if not member.has_location:
        improve.append(_("set your location to see distances and nearby people"))
    if has_video:
        good.append(_("a video intro"))
    else:
        improve.append(_("record a short video intro"))
    parts = []
    if good:
        parts.append(_("Strong points: %(list)s.") % {"list": join_words(good)})
    if improve:
        parts.append(
            _("To improve:")
            + "\n"
            + "\n".join(f"• {line[0].upper()}{line[1:]}" for line in improve)
        )
    from accounts.trust import trust_level_label, trust_score_recompute

    score = trust_score_recompute(user=user)
    parts.append(
        _("Your trust score is %(score)d/100 (%(level)s).")
        % {"score": score, "level": trust_level_label(score)}
    )
    return "\n".join(parts)


def progress_reply(*, user, member) -> str:  # type: ignore[no-untyped-def]
    from matching.models import Like, ProfileView
    from messaging.models import Message

    given = Like.objects.filter(source=member).count()
    received = Like.objects.filter(target=member).count()
    mutual = Like.objects.filter(source=member, target__likes_given__target=member).count()
    week_ago = timezone.now() - timedelta(days=7)
    views = ProfileView.objects.filter(viewed=user, viewed_at__gte=week_ago).count()
    sent = Message.objects.filter(sender=member).count()
    conversations = (
        Message.objects.filter(Q(sender=member) | Q(recipient=member))
        .values("sender", "recipient")
        .distinct()
        .count()
    )
    text = _(
        "Your progress: %(given)d likes given, %(received)d received, %(mutual)d matches, "
        "%(views)d profile views this week, %(sent)d messages sent."
    ) % {"given": given, "received": received, "mutual": mutual, "views": views, "sent": sent}
    if mutual and not conversations:
        text += " " + _("You have matches waiting: say hello!")
    elif not given:
        text += " " + _("Start by liking a few people you find interesting.")
    return text


TIPS = (
    gettext_noop(
        "Lead with a question about something in their profile, not a compliment on looks."
    ),
    gettext_noop("Keep the first messages light and short; suggest meeting once the chat flows."),
    gettext_noop("Meet first dates in a public place and tell a friend where you are going."),
    gettext_noop("Use recent photos that show your face and something you love doing."),
    gettext_noop(
        "Be specific in your bio: 'Sunday sunrise runs on the beach' beats 'I like sports'."
    ),
    gettext_noop("Reply within a day: momentum matters more than the perfect message."),
)


def tips_reply() -> str:
    # Rotates daily so the list stays fresh but the same day gives the same tips.
    start = timezone.localdate().toordinal() % len(TIPS)
    picked = [TIPS[(start + i) % len(TIPS)] for i in range(3)]
    return _("Dating tips:") + "\n" + "\n".join(f"• {_(tip)}" for tip in picked)


def help_reply() -> str:
    return _(
        "I can find matches for you, explain a match, suggest openers, analyse your profile, "
        "show your progress and share dating tips. Try a quick action below."
    )


def run_intent(
    *,
    intent: str,
    user,  # type: ignore[no-untyped-def]
    member,
    message: str,
    target_user_id: str | None,
) -> tuple[str, list[dict]]:
    """Answer one intent offline. Returns (text, cards as ScoredMatch JSON)."""
    if intent == "find":
        return find_reply(member=member)
    if intent == "explain":
        return explain_reply(member=member, target_user_id=target_user_id)
    if intent == "openers":
        return openers_reply(member=member, target_user_id=target_user_id)
    if intent == "analyse":
        return analyse_profile(user=user, member=member), []
    if intent == "progress":
        return progress_reply(user=user, member=member), []
    if intent == "tips":
        return tips_reply(), []
    return help_reply(), []
