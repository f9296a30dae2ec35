"""JSON shapes of stories for the viewer (``static/js/stories.js``) and the JSON endpoint."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from miel.timefmt import time_ago

from .models import Story, StoryReaction
from .selectors import StoryGroup


def story_to_dict(story: Story, *, viewer) -> dict:
    """What the viewer needs about one story. The image is always the permission-checked
    ``/stories/<id>/image/`` URL, never the storage URL."""
    is_own = story.user_id == viewer.pk
    pk = str(story.pk)
    data = {
        "id": pk,
        "image_url": reverse("stories:image", args=[pk]),
        "text": story.text_overlay,
        "x": story.text_x,
        "y": story.text_y,
        "filter": story.filter,
        "privacy": story.privacy,
        "privacy_label": str(story.get_privacy_display()),
        "created_at": story.created_at.isoformat(),
        "expires_at": story.expires_at.isoformat(),
        "age": time_ago(story.created_at),
        "is_own": is_own,
        "viewed": bool(getattr(story, "viewed", False)) or is_own,
        "my_reaction": getattr(story, "my_reaction", None),
        "urls": {
            "page": reverse("stories:detail", args=[pk]),
            "view": reverse("stories:view", args=[pk]),
            "react": reverse("stories:react", args=[pk]),
            "reply": reverse("stories:reply", args=[pk]),
        },
    }
    if not is_own:  # report from where it happened (rules §6)
        data["urls"]["report"] = reverse("matching:report", args=[story.user_id]) + f"?story={pk}"
    if is_own:
        data["view_count"] = getattr(story, "view_count", None)
        data["urls"]["insights"] = reverse("stories:insights", args=[pk])
        data["urls"]["delete"] = reverse("stories:delete", args=[pk])
    return data


def group_to_dict(group: StoryGroup, *, viewer) -> dict:
    return {
        "user_id": str(group.user_id),
        "name": group.name,
        "avatar_url": group.avatar_url,
        "is_own": group.is_own,
        "profile_url": reverse("profiles:member_detail", args=[group.user_id]),
        "stories": [story_to_dict(s, viewer=viewer) for s in group.stories],
    }


def viewer_labels() -> dict:
    """Translated strings the viewer script shows."""
    return {
        "close": _("Close"),
        "previous": _("Previous story"),
        "next": _("Next story"),
        "pause": _("Paused"),
        "reply_placeholder": _("Reply…"),
        "send": _("Send"),
        "sent": _("Reply sent"),
        "views": _("Views"),
        "delete": _("Delete"),
        "report": _("Report"),
        "delete_confirm": _("Delete this story? This cannot be undone."),
        "error": _("Something went wrong. Please try again."),
        "story": _("Story"),
        "reactions": [
            {"value": str(value), "emoji": emoji, "label": str(label)}
            for value, emoji, label in (
                (StoryReaction.ReactionType.HEART, "❤️", _("Heart")),
                (StoryReaction.ReactionType.FIRE, "🔥", _("Fire")),
                (StoryReaction.ReactionType.LOVE_EYES, "😍", _("Love it")),
                (StoryReaction.ReactionType.EYES, "👀", _("Eyes")),
            )
        ],
    }
