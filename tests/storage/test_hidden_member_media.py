"""A hidden member's files (paused, incognito, resting for Shabbat) follow the direct-link rule
(``matching.selectors.direct_link_q``) for every kind of file: photo, video, its poster, voice
prompt and story image are 404 to strangers, to a member who liked them, across a block and
to visitors; their match, staff and the owner still get them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from matching.services import block_create, like_toggle
from notifications.models import QuietSettings
from profiles import services as photo_services
from profiles.models import Prompt, Video, VoicePrompt
from profiles.visibility.services import member_visibility_update
from tests.factories import MemberFactory, UserFactory, image_upload, make_match
from tests.storage.test_protected_media import _client
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def _files(owner) -> list[str]:  # type: ignore[no-untyped-def]
    photo = photo_services.photo_add(member=owner, upload=image_upload())
    photo_services.photo_approve(photo=photo)
    video = Video(member=owner, is_approved=True, duration=3)
    video.file.save("intro.mp4", ContentFile(b"\x00" * 20), save=False)
    video.poster.save("poster.jpg", ContentFile(b"\xff\xd8\xff" + b"0" * 20), save=False)
    video.save()
    prompt = Prompt.objects.first() or Prompt.objects.create(text="Q?")
    voice = VoicePrompt(member=owner, prompt=prompt, duration=2, is_approved=True)
    voice.file.save("answer.m4a", ContentFile(b"0" * 20), save=False)
    voice.save()
    story = StoryFactory(user=owner.user)
    return [photo.url, video.file.url, video.poster.url, voice.file.url, story.image.url]


def _hide(owner, how: str) -> None:  # type: ignore[no-untyped-def]
    if how == "paused":
        member_visibility_update(member=owner, paused=True, incognito=False, show_distance=True)
    elif how == "incognito":
        User.objects.filter(pk=owner.user_id).update(
            incognito=True, premium_until=timezone.now() + timedelta(days=5)
        )
    else:
        now = timezone.now()
        QuietSettings.objects.update_or_create(
            user=owner.user,
            defaults={
                "shabbat_mode": True,
                "shabbat_hide": True,
                "shabbat_start": now - timedelta(hours=1),
                "shabbat_end": now + timedelta(hours=1),
            },
        )


@pytest.mark.parametrize("how", ["paused", "incognito", "shabbat"])
def test_a_hidden_members_files_reach_only_those_they_know(how):
    owner, stranger, match, liker, blocked_match = (MemberFactory() for _ in range(5))
    staff = UserFactory(is_staff=True)
    urls = _files(owner)
    make_match(owner, match)
    make_match(owner, blocked_match)
    like_toggle(source=liker, target=owner, like=True)  # liked them; not liked back
    for url in urls:
        assert _client(stranger.user).get(url).status_code == 200, url

    _hide(owner, how)
    block_create(blocker=owner.user, blocked=blocked_match.user)

    for url in urls:
        assert _client(stranger.user).get(url).status_code == 404, url
        assert _client(liker.user).get(url).status_code == 404, url
        assert _client(blocked_match.user).get(url).status_code == 404, url
        assert _client().get(url).status_code == 404, url
        assert _client(match.user).get(url).status_code == 200, url
        assert _client(staff).get(url).status_code == 200, url
        assert _client(owner.user).get(url).status_code == 200, url
