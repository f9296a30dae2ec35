"""What the assistant can do (rules §12), shared by both backends: intent detection in Hebrew
and English, and one function per intent (find matches, explain a match, openers, analyse my
profile, my progress, tips). All text goes through gettext, so replies follow the active
language."""

from __future__ import annotations

import random
import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from matching.models import Like, ProfileView
from matching.selectors import blocked_user_ids
from matching.smart import ScoredMatch, interest_labels_for, reason_for, smart_matches_for
from matching.smart.engine import FACTOR_MAX, FACTORS
from matching.smart.page import visible_matches
from matching.smart.reasons import join_words
from messaging.models import Message
from profiles.models import Member
from profiles.selectors import is_verified, member_for_profile_page
from profiles.services import MAX_PROMPTS
from profiles.trust import trust_level_label, trust_score_recompute

from .selectors import classify_intent, intent_scores

#: The quick actions (buttons); typed text may also be classified ``smalltalk`` or ``help``.
INTENTS = ("find", "explain", "openers", "analyse", "progress", "tips")
ANALYSIS_TTL = timedelta(hours=6)


def detect_intent(text: str) -> str:
    """The intent of a typed message: see :func:`assistant.selectors.classify_intent`
    (quick intents, ``smalltalk``, or ``help`` for anything outside the assistant's skills)."""
    return classify_intent(text)


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


def find_matches(*, member, limit: int = 3, min_score: int = 0) -> list[ScoredMatch]:
    """The best ``limit`` smart matches (cached engine) with score >= ``min_score``, as the
    smart-matches page shows them (no blocked, paused or hidden incognito member, none passed
    on or whose preferences leave ``member`` out; no distance for members who hide it)."""

    hidden = {str(u) for u in blocked_user_ids(user_id=member.user_id)}
    result = smart_matches_for(member=member)
    shown = [m for m in result.results if m.score >= min_score and m.user_id not in hidden]
    return visible_matches(viewer=member, matches=shown)[:limit]


def _match_for(*, member, target_user_id: str | None) -> ScoredMatch | None:
    """The smart match with ``target_user_id`` (when among the cached results), else the top."""
    matches = find_matches(member=member, limit=200)
    if target_user_id:
        return next((m for m in matches if m.user_id == str(target_user_id)), None)
    return matches[0] if matches else None


def _name_of(user_id: str) -> str:

    return Member.objects.filter(user_id=user_id).values_list("name", flat=True).first() or ""


def match_for_model(*, member, match: ScoredMatch) -> dict:
    """A compact description of one match for the OpenAI tool result."""

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


def find_reply(*, member) -> tuple[str, list[dict]]:
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


def explain_reply(*, member, target_user_id: str | None) -> tuple[str, list[dict]]:
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
        "intention": _("dating intention"),
        "life": _("life details"),
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


def target_member(*, viewer, target_user_id: str | None):
    """The member whose page the panel is on, when the viewer may see that page (same rule as
    the profile page: complete, active, not blocked either way, not the viewer); else None."""
    from django.http import Http404

    if not target_user_id or str(target_user_id) == str(viewer.user_id):
        return None
    try:
        return member_for_profile_page(viewer=viewer.user, user_id=target_user_id)
    except (Http404, ValueError, ValidationError):
        return None


def isolate(text: str) -> str:
    """``text`` between Unicode first-strong isolate marks (FSI … PDI), so a member's words in
    the other script (an English bio quoted in a Hebrew reply) keep their own direction inside
    the plain-text answer."""
    return f"\u2068{text}\u2069" if text else text


def bio_quote(text: str, *, max_chars: int = 60) -> str:
    """The first sentence of a bio, cut at a word boundary to ``max_chars`` ("…" added)."""
    text = " ".join((text or "").split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".!?")
    if len(first) <= max_chars:
        return first
    return first[:max_chars].rsplit(" ", 1)[0].rstrip(",;:-") + "…"


SHARED_INTEREST_OPENERS = (
    gettext_noop("I saw we both love %(thing)s — what got you into it?"),
    gettext_noop("Another %(thing)s fan! What is the best one you have ever done?"),
    gettext_noop("%(thing)s is on both our profiles. Favourite memory of it?"),
)
INTEREST_OPENERS = (
    gettext_noop("Your profile says %(thing)s — what do you love most about it?"),
    gettext_noop("I am curious about %(thing)s: how did you start?"),
    gettext_noop("If I joined you for %(thing)s one day, what should I expect?"),
)
BIO_OPENERS = (
    gettext_noop("You wrote “%(quote)s” — I want the story behind that!"),
    gettext_noop("“%(quote)s” caught my eye. Tell me more?"),
)
CITY_OPENERS = (
    gettext_noop("What is your favourite spot in %(city)s that tourists never find?"),
    gettext_noop("Best coffee in %(city)s — go!"),
)
GENERIC_OPENERS = (
    gettext_noop("What is the best thing that happened to you this week?"),
    gettext_noop("If you could travel anywhere tomorrow, where would you go?"),
    gettext_noop("What does a perfect Saturday look like for you?"),
    gettext_noop("What are you looking forward to this month?"),
    gettext_noop("Coffee, drinks or a walk: what is your ideal first date?"),
    gettext_noop("What is a small thing that always makes your day?"),
)


def openers_for(*, member, other, rng: random.Random | None = None) -> list[str]:
    """Three openers for ``member`` to send to ``other``, in the active language, varied by
    ``rng``: first from what they share (interests), then from ``other``'s bio and interests
    and city, then general ones. Quotes ``other``'s own words (a bio sentence, interest names)."""
    rng = rng or random.Random()
    mine = set(member.interests.values_list("pk", flat=True))
    theirs = list(other.interests.all())
    rng.shuffle(theirs)
    shared = [i.label for i in theirs if i.pk in mine]
    own = [i.label for i in theirs if i.pk not in mine]
    lines: list[str] = []
    if shared:
        lines.append(_(rng.choice(SHARED_INTEREST_OPENERS)) % {"thing": isolate(shared[0])})
    quote = bio_quote(other.description)
    if quote and len(quote) >= 8:
        lines.append(_(rng.choice(BIO_OPENERS)) % {"quote": isolate(quote)})
    if own:
        lines.append(_(rng.choice(INTEREST_OPENERS)) % {"thing": isolate(own[0])})
    if len(lines) < 3 and other.city:
        lines.append(_(rng.choice(CITY_OPENERS)) % {"city": isolate(other.city)})
    generic = list(GENERIC_OPENERS)
    rng.shuffle(generic)
    lines += [_(g) for g in generic]
    return lines[:3]


def openers_reply(*, member, target_user_id: str | None) -> tuple[str, list[dict]]:
    """Openers for the member whose page is open (any member the viewer may see, smart match
    or not), else for the top smart match, else general ones."""
    other = target_member(viewer=member, target_user_id=target_user_id)
    match = None
    if other is None:
        match = _match_for(member=member, target_user_id=None)
        if match is not None:
            other = Member.objects.filter(user_id=match.user_id).first()
    else:
        match = next(
            (m for m in find_matches(member=member, limit=200) if m.user_id == str(other.user_id)),
            None,
        )
    if other is None:
        generic = list(GENERIC_OPENERS)
        random.shuffle(generic)
        lines = [_(g) for g in generic[:3]]
        head = _("A few openers that work well:")
    else:
        lines = openers_for(member=member, other=other)
        head = _("Openers for %(name)s:") % {"name": isolate(other.name)}
    return head + "\n" + "\n".join(f"• {line}" for line in lines), (
        [match.to_json()] if match else []
    )


# --- profile ----------------------------------------------------------------------------------


def profile_summary(*, member) -> str:
    """A short factual description of the user's own profile for the model's system prompt."""
    interests = ", ".join(i.name for i in member.interests.all()[:10])
    return (
        f"name {member.name}, age {member.age}, gender {member.gender}, city {member.city}, "
        f"interests: {interests or 'none'}, bio: {member.description[:300]!r}"
    )


def analyse_profile(*, user, member) -> str:
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
    _analyse_prompts_and_details(member=member, good=good, improve=improve)
    parts = []
    if good:
        parts.append(_("Strong points: %(list)s.") % {"list": join_words(good)})
    if improve:
        parts.append(
            _("To improve:")
            + "\n"
            + "\n".join(f"• {line[0].upper()}{line[1:]}" for line in improve)
        )

    score = trust_score_recompute(user=user)
    parts.append(
        _("Your trust score is %(score)d/100 (%(level)s).")
        % {"score": score, "level": trust_level_label(score)}
    )
    return "\n".join(parts)


def _analyse_prompts_and_details(*, member, good: list[str], improve: list[str]) -> None:
    """Issue 18: prompts, the voice prompt, the intention and the life details the member has
    not filled in yet, as suggestions (names of the missing details in the active language)."""

    answered = member.prompt_answers.count()
    if answered >= MAX_PROMPTS:
        good.append(_("%(n)d prompt answers") % {"n": answered})
    elif answered == 0:
        improve.append(
            _("answer a few prompts: they give people something to reply to in a first message")
        )
    else:
        improve.append(
            _("answer %(n)d more prompt(s) (up to %(max)d)")
            % {"n": MAX_PROMPTS - answered, "max": MAX_PROMPTS}
        )
    if member.voice_prompts.exists():
        good.append(_("a voice prompt"))
    else:
        improve.append(_("answer one prompt with your voice"))
    if member.intention:
        good.append(_("a clear dating intention"))
    else:
        improve.append(_("say what you are looking for, so people who want the same find you"))
    labels = {
        "observance": _("religious outlook"),
        "height_cm": _("height"),
        "children_want": _("family plans"),
        "smoking": _("smoking"),
        "drinking": _("drinking"),
        "languages": _("languages"),
        "education": _("education"),
    }
    missing = [str(label) for name, label in labels.items() if not getattr(member, name)]
    if missing:
        improve.append(
            _("fill in more details (each optional, each can be hidden): %(list)s")
            % {"list": ", ".join(missing)}
        )


def progress_reply(*, user, member) -> str:

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
    gettext_noop("Ask open questions (how, what, why) rather than yes/no ones."),
    gettext_noop("Keep a first date short — coffee or a walk — so it is easy to say yes."),
    gettext_noop("Listen more than you talk, and remember what they told you."),
    gettext_noop("Video-chat before meeting if you are unsure: it is quick and safe."),
    gettext_noop("Humour helps: a light joke about yourself breaks the ice."),
    gettext_noop("Do not wait for the perfect moment: suggest a concrete day and place."),
)
TARGET_TIPS = (
    gettext_noop("%(name)s loves %(thing)s: suggest a first date around it."),
    gettext_noop("Ask %(name)s about %(thing)s — people light up talking about what they love."),
)


def tips_reply(*, member=None, target_user_id: str | None = None, rng=None) -> str:
    """Three tips picked at random from :data:`TIPS` (varied on every ask); on a member's page,
    the first tip uses one of that member's interests. A tip about the asker's own profile
    (no photo, short bio) comes first when it applies."""
    rng = rng or random.Random()
    picked: list[str] = []
    if member is not None:
        other = target_member(viewer=member, target_user_id=target_user_id)
        if other is not None:
            labels = [i.label for i in other.interests.all()]
            if labels:
                picked.append(
                    _(rng.choice(TARGET_TIPS))
                    % {"name": isolate(other.name), "thing": isolate(rng.choice(labels))}
                )
        if not member.image:
            picked.append(_("Add a clear photo of your face: it is the first thing people see."))
        elif len((member.description or "").split()) < 15:
            picked.append(
                _("Write a few more lines in your bio: it gives people something to ask about.")
            )
    picked += [_(tip) for tip in rng.sample(TIPS, 3)]
    return _("Dating tips:") + "\n" + "\n".join(f"• {tip}" for tip in picked[:3])


def help_reply(*, asked: bool = True) -> str:
    """What the assistant can do; ``asked`` False = the question was outside its skills."""
    skills_text = _(
        "I can find matches for you, explain a match, suggest openers, analyse your profile, "
        "show your progress and share dating tips. Try a quick action below."
    )
    if asked:
        return skills_text
    return _("I am not sure I can help with that — I am your dating assistant.") + " " + skills_text


SMALLTALK_REPLIES = (
    gettext_noop("Hi! Nice to hear from you."),
    gettext_noop("Hello! I am here to help with your dating."),
    gettext_noop("Always happy to chat!"),
)


def smalltalk_reply(*, rng: random.Random | None = None) -> str:
    """A friendly answer to a greeting or thanks, then what the assistant can do."""
    rng = rng or random.Random()
    return (
        _(rng.choice(SMALLTALK_REPLIES))
        + " "
        + _(
            "Ask me to find matches, explain a match, suggest what to write, review your "
            "profile, show your progress or give dating tips."
        )
    )


def run_intent(
    *,
    intent: str,
    user,
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
        return tips_reply(member=member, target_user_id=target_user_id), []
    if intent == "smalltalk":
        return smalltalk_reply(), []
    # "What can you do?" (a help rule matched) or a question outside the skills (nothing did).
    return help_reply(asked="help" in intent_scores(message)), []
