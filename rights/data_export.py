""" "Download my data" (rules §3): everything Miel stores about one user, as JSON-ready data.

What is included is the user's own data: their account, profile (own coordinates included),
photos and videos (absolute links), stories, likes, views, blocks, reports they made, messages
they sent **and** received, AI conversations and payments. Other members appear only as their
public user id (the id in ``/members/<id>/``); nothing else of theirs is exported: no e-mail, no
name, no coordinates, and never a message between two other people. Who viewed the user and who
reported the user are left out (the first is a premium feature, the second protects reporters);
only their times are given. Notification settings (push kinds, quiet hours, Shabbat mode), the
notifications list and held notices are included, with the same rule for who is named. Who liked the user follows "Liked me": premium members get the
likers, free members the count only (``likes_received_count``, ``likes_received_visible``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin
from uuid import UUID

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from assistant.models import AIConversation, AIUsageLog, UserProfileAnalysis
from billing.models import Transaction
from billing.services.entitlements import Feature, has_feature
from matching.models import Block, Like, ProfileView, Report, UserInteraction, UserPreference
from matching.selectors import blocked_user_ids, likes_received
from messaging.models import Message
from notifications.models import (
    HeldNotice,
    Notification,
    PushSettings,
    PushSubscription,
    QuietSettings,
)
from profiles.models import Member, Photo, Video, VoicePrompt
from profiles.selectors import is_verified
from profiles.services import DETAIL_FIELDS
from stories.models import Story, StoryReaction, StoryReply, StoryView

EXPORT_FORMAT_VERSION = 1


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _absolute(url: str, base_url: str) -> str:
    return urljoin(base_url, url) if url else ""


def _file_url(field_file: Any, base_url: str) -> str:
    if not field_file:
        return ""
    try:
        return _absolute(field_file.url, base_url)
    except Exception:  # a storage that cannot build a URL must not break the export
        return ""


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _account(user: User) -> dict[str, Any]:
    return {
        "id": str(user.pk),
        "email": user.email,
        "name": user.name,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "last_active_at": _iso(user.last_active_at),
        "email_verified": _iso(user.email_verified),
        "provider": user.provider,
        "oauth_verified": user.oauth_verified,
        "role": user.role,
        "premium_until": _iso(user.premium_until),
        "canceled_at": _iso(user.canceled_at),
        "boosts_available": user.boosts_available,
        "boosts_used": user.boosts_used,
        "trust_score": user.trust_score,
        "email_notifications": user.email_notifications,
        "preferred_genders": user.preferred_gender_list,
        "preferred_age_min": user.preferred_age_min,
        "preferred_age_max": user.preferred_age_max,
        "time_zone": user.time_zone,
        "language": user.language,
        "incognito": user.incognito,
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "social_logins": [
            {"provider": s.provider, "uid": s.uid, "date_joined": _iso(s.date_joined)}
            for s in SocialAccount.objects.filter(user=user).order_by("provider")
        ],
    }


def _member(member: Member, base_url: str) -> dict[str, Any]:
    preference = UserPreference.objects.filter(user=member).first()
    return {
        "id": str(member.pk),
        "name": member.name,
        "date_of_birth": _iso(member.date_of_birth),
        "gender": member.gender,
        "description": member.description,
        "city": member.city,
        "country": member.country,
        "latitude": member.latitude,
        "longitude": member.longitude,
        "location_enabled": member.location_enabled,
        "location_updated_at": _iso(member.location_updated_at),
        "max_distance_km": member.max_distance,
        "verified": is_verified(member),
        "verification_selfies": [
            {
                "pose": s.pose,
                "status": s.status,
                "reason": s.reason,
                "created_at": _iso(s.created_at),
                "submitted_at": _iso(s.submitted_at),
                "decided_at": _iso(s.decided_at),
            }
            for s in member.selfies.order_by("created_at")
        ],
        "boosted_until": _iso(member.boosted_until),
        "main_photo_url": _absolute(member.image, base_url),
        "created": _iso(member.created),
        "updated": _iso(member.updated),
        "interests": [
            {"slug": i.slug, "name": i.name, "name_he": i.name_he}
            for i in member.interests.order_by("slug")
        ],
        # Issue 18: prompt answers (in the member's order) and life details.
        "prompts": [
            {"prompt": a.prompt.text, "prompt_he": a.prompt.text_he, "answer": a.answer}
            for a in member.prompt_answers.select_related("prompt").order_by("position")
        ],
        "details": {name: getattr(member, name) for name in DETAIL_FIELDS},
        "details_hidden": list(member.details_hidden or []),
        "matching_preferences": _json_safe(preference.preference_data) if preference else None,
    }


def _media(member: Member, base_url: str) -> dict[str, Any]:
    return {
        "photos": [
            {
                "id": str(p.pk),
                "url": _file_url(p.file, base_url),
                "is_approved": p.is_approved,
                "width": p.width,
                "height": p.height,
                "description": p.alt_text,
                "created_at": _iso(p.created_at),
            }
            for p in Photo.objects.filter(member=member).order_by("created_at", "id")
        ],
        "videos": [
            {
                "id": str(v.pk),
                "url": _file_url(v.file, base_url),
                "is_approved": v.is_approved,
                "duration_seconds": v.duration,
                "created_at": _iso(v.created_at),
            }
            for v in Video.objects.filter(member=member).order_by("created_at", "id")
        ],
        # Issue 18: the voice prompts (the stored, metadata-free recordings).
        "voice_prompts": [
            {
                "id": str(v.pk),
                "prompt": v.prompt.text,
                "prompt_he": v.prompt.text_he,
                "url": _file_url(v.file, base_url),
                "transcript": v.transcript,
                "is_approved": v.is_approved,
                "duration_seconds": v.duration,
                "created_at": _iso(v.created_at),
            }
            for v in VoicePrompt.objects.filter(member=member)
            .select_related("prompt")
            .order_by("created_at", "id")
        ],
    }


def _social_graph(user: User, member: Member | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "profile_views_made": [
            {"member": str(v.viewed_id), "viewed_at": _iso(v.viewed_at)}
            for v in ProfileView.objects.filter(viewer=user).order_by("viewed_at", "id")
        ],
        "profile_views_received": [
            {"viewed_at": _iso(at)}
            for at in ProfileView.objects.filter(viewed=user)
            .order_by("viewed_at", "id")
            .values_list("viewed_at", flat=True)
        ],
        "blocks_made": [
            {"member": str(b.blocked_id), "created_at": _iso(b.created_at)}
            for b in Block.objects.filter(blocker=user).order_by("created_at", "id")
        ],
        "reports_made": [
            {
                "member": str(r.reported_id),
                "reason": r.reason,
                "text": r.text,
                "status": r.status,
                "created_at": _iso(r.created_at),
            }
            for r in Report.objects.filter(reporter=user).order_by("created_at", "id")
        ],
        "reports_received": [
            {"created_at": _iso(at)}
            for at in Report.objects.filter(reported=user)
            .order_by("created_at", "id")
            .values_list("created_at", flat=True)
        ],
        "likes_given": [],
        "likes_received": [],
        "likes_received_count": 0,
        "likes_received_visible": False,
        "interactions_made": [],
    }
    if member is None:
        return data
    data["likes_given"] = [
        {"member": str(uid), "created_at": _iso(at)}
        for uid, at in Like.objects.filter(source=member)
        .order_by("created_at", "id")
        .values_list("target__user_id", "created_at")
    ]
    # What others did to me follows the pages' premium rules: free members see how many
    # liked them, not who ("Liked me", rules §6, §13).
    received = likes_received(viewer=user)
    data["likes_received_count"] = received.count
    data["likes_received_visible"] = received.can_see
    data["likes_received"] = [
        {"member": str(uid), "created_at": _iso(at)} for uid, at in received.likes
    ]
    data["interactions_made"] = [
        {
            "member": str(uid),
            "action": action,
            "duration_seconds": duration,
            "weight": weight,
            "timestamp": _iso(ts),
        }
        for uid, action, duration, weight, ts in UserInteraction.objects.filter(user=member)
        .order_by("timestamp", "id")
        .values_list("target__user_id", "action", "duration", "weight", "timestamp")
    ]
    return data


def _messages(member: Member | None) -> list[dict[str, Any]]:
    if member is None:
        return []
    rows = (
        Message.objects.filter(Q(sender=member) | Q(recipient=member))
        .select_related("sender", "recipient")
        .order_by("created", "id")
    )
    out = []
    for m in rows.iterator(chunk_size=2000):
        sent = m.sender_id == member.pk
        other = m.recipient if sent else m.sender
        out.append(
            {
                "id": str(m.pk),
                "direction": "sent" if sent else "received",
                "member": str(other.user_id),
                "text": m.text,
                "created": _iso(m.created),
                "date_read": _iso(m.date_read),
                "starred": m.sender_starred if sent else m.recipient_starred,
                "archived": m.sender_archived if sent else m.recipient_archived,
                "deleted_by_me": m.sender_deleted if sent else m.recipient_deleted,
                "story": str(m.story_id) if m.story_id else None,
            }
        )
    return out


def _stories(user: User, base_url: str) -> dict[str, Any]:
    own = Story.objects.filter(user=user).order_by("created_at", "id")
    return {
        "stories": [
            {
                "id": str(s.pk),
                "image_url": _file_url(s.image, base_url),
                "text_overlay": s.text_overlay,
                "text_x": s.text_x,
                "text_y": s.text_y,
                "filter": s.filter,
                "privacy": s.privacy,
                "created_at": _iso(s.created_at),
                "expires_at": _iso(s.expires_at),
                "is_active": s.is_active,
                "view_count": s.views.count(),
                "reactions": [
                    {"member": str(uid), "reaction": kind, "created_at": _iso(at)}
                    for uid, kind, at in s.reactions.order_by("created_at", "id").values_list(
                        "user_id", "reaction_type", "created_at"
                    )
                ],
            }
            for s in own
        ],
        "story_views_made": [
            {"story": str(sid), "viewed_at": _iso(at)}
            for sid, at in StoryView.objects.filter(viewer=user)
            .order_by("viewed_at", "id")
            .values_list("story_id", "viewed_at")
        ],
        "story_reactions_made": [
            {"story": str(sid), "reaction": kind, "created_at": _iso(at)}
            for sid, kind, at in StoryReaction.objects.filter(user=user)
            .order_by("created_at", "id")
            .values_list("story_id", "reaction_type", "created_at")
        ],
        "story_replies": [
            {
                "story": str(r.story_id),
                "direction": "sent" if r.sender_id == user.pk else "received",
                "member": str(r.recipient_id if r.sender_id == user.pk else r.sender_id),
                "text": r.message_text,
                "created_at": _iso(r.created_at),
            }
            for r in StoryReply.objects.filter(Q(sender=user) | Q(recipient=user)).order_by(
                "created_at", "id"
            )
        ],
    }


def _assistant(user: User) -> dict[str, Any]:
    analysis = UserProfileAnalysis.objects.filter(user=user).first()
    return {
        "conversations": [
            {
                "id": str(c.pk),
                "title": c.title,
                "is_active": c.is_active,
                "created_at": _iso(c.created_at),
                "messages": [
                    {
                        "role": m.role,
                        "content": m.content,
                        "tokens_used": m.tokens_used,
                        "created_at": _iso(m.created_at),
                    }
                    for m in c.messages.order_by("created_at", "id")
                ],
            }
            for c in AIConversation.objects.filter(user=user)
            .order_by("created_at", "id")
            .prefetch_related("messages")
        ],
        "usage": [
            {
                "action": u.action,
                "tokens": u.tokens,
                "cost": u.cost,
                "created_at": _iso(u.created_at),
            }
            for u in AIUsageLog.objects.filter(user=user).order_by("created_at", "id")
        ],
        "profile_analysis": (
            {
                "content": analysis.content,
                "insights": analysis.insights,
                "updated_at": _iso(analysis.updated_at),
            }
            if analysis
            else None
        ),
    }


def _transactions(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": t.pk,
            "amount_ils": str(t.amount),
            "plan": t.plan_id,
            "status": t.status,
            "months": t.months,
            "boosts": t.boosts,
            "created": _iso(t.created),
        }
        for t in Transaction.objects.filter(user=user).order_by("created", "pk")
    ]


def _notifications(user: User) -> dict[str, Any]:
    """Notification settings (push kinds, quiet hours, Shabbat mode), the notifications list,
    the browsers subscribed to push (time only: the endpoint is a push service's address with
    a secret in it) and notices held for quiet hours. A notification's other member follows
    the pages: never for a profile view (as "who viewed me" above), for a like only when the
    user may see likers (premium, "Liked me"), always for a match or a story reply; never a
    member of a blocked pair, either side having blocked (the notification centre leaves those
    rows out, "Liked me" too: a like from a member who then blocked the user stays unnamed)."""
    push = PushSettings.objects.filter(user=user).first()
    quiet = QuietSettings.objects.filter(user=user).first()
    likers_visible = has_feature(user, Feature.SEE_WHO_LIKED_ME)
    hidden_actor = {Notification.Kind.VIEW} | (
        set() if likers_visible else {Notification.Kind.LIKE}
    )
    blocked = blocked_user_ids(user_id=user.pk)
    return {
        "notification_settings": {
            "push": {
                field: getattr(push, field)
                for field in (
                    "new_match",
                    "new_message",
                    "new_like",
                    "story_reply",
                    "profile_view",
                    "previews",
                )
            }
            if push
            else None,
            "quiet_hours": {
                "enabled": quiet.quiet_enabled,
                "from": quiet.quiet_start.isoformat(),
                "until": quiet.quiet_end.isoformat(),
                "shabbat_mode": quiet.shabbat_mode,
                "shabbat_hide_me": quiet.shabbat_hide,
            }
            if quiet
            else None,
        },
        "notifications": [
            {
                "kind": n.kind,
                "member_id": None
                if n.kind in hidden_actor or n.actor_id is None or n.actor_id in blocked
                else str(n.actor_id),
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
                "emailed_at": _iso(n.emailed_at),
            }
            for n in Notification.objects.filter(user=user).order_by("created_at", "id")
        ],
        "push_subscriptions": [
            {"created_at": _iso(sub.created_at)}
            for sub in PushSubscription.objects.filter(user=user).order_by("created_at", "id")
        ],
        "held_notices": [
            {
                "channel": h.channel,
                "kind": h.kind,
                "count": h.count,
                "created_at": _iso(h.created_at),
                "release_at": _iso(h.release_at),
            }
            for h in HeldNotice.objects.filter(user=user).order_by("created_at", "id")
        ],
    }


def user_data_export(*, user: User, base_url: str | None = None) -> dict[str, Any]:
    """Everything stored about ``user`` as a JSON-serialisable dict (rules §3).

    ``base_url`` (default ``settings.SITE_URL``) makes relative media URLs absolute. Read-only;
    about 25 queries plus one per story and per AI conversation.
    """
    base = (base_url or settings.SITE_URL).rstrip("/") + "/"
    member = Member.objects.filter(user=user).first()
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "note": "Other members appear only as their public member id.",
        "account": _account(user),
        "member": _member(member, base) if member else None,
        **(_media(member, base) if member else {"photos": [], "videos": []}),
        **_social_graph(user, member),
        "messages": _messages(member),
        **_stories(user, base),
        "assistant": _assistant(user),
        "transactions": _transactions(user),
        **_notifications(user),
    }
