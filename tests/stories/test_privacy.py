"""Privacy on every read (rules §10 fix): the story JSON, its page and its image, for every
viewer x privacy level. Anonymous visitors see nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import Block, Like
from stories.models import Story
from stories.selectors import stories_strip, visible_stories
from tests.factories import MemberFactory
from tests.stories.factories import StoryFactory, make_match, make_premium

pytestmark = pytest.mark.django_db

VIEWERS = [
    "anonymous",
    "owner",
    "free_stranger",
    "premium_stranger",
    "free_match",
    "premium_match",
    "liked_one_way",
    "blocked_match",
]

ALLOWED = {
    Story.Privacy.PUBLIC: {
        "owner",
        "free_stranger",
        "premium_stranger",
        "free_match",
        "premium_match",
        "liked_one_way",
    },
    Story.Privacy.PREMIUM: {"owner", "premium_stranger", "premium_match"},
    Story.Privacy.PRIVATE: {"owner", "free_match", "premium_match"},
}


def _viewer(kind: str, owner_user):
    if kind == "anonymous":
        return None
    if kind == "owner":
        return owner_user
    user = MemberFactory().user
    if kind.startswith("premium"):
        make_premium(user)
    if kind.endswith("match"):
        make_match(owner_user, user)
    if kind == "liked_one_way":
        Like.objects.create(source=user.member, target=owner_user.member)
    if kind == "blocked_match":
        Block.objects.create(blocker=owner_user, blocked=user)
    return user


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


CASES = [(p, v) for p in Story.Privacy.values for v in VIEWERS]


@pytest.mark.parametrize(("privacy", "viewer_kind"), CASES)
def test_story_json_page_and_image_follow_privacy(privacy, viewer_kind):
    story = StoryFactory(privacy=privacy)
    viewer = _viewer(viewer_kind, story.user)
    client = _client(viewer)
    allowed = viewer_kind in ALLOWED[privacy]

    json_resp = client.get(reverse("stories:detail", args=[story.pk]), {"format": "json"})
    image_resp = client.get(reverse("stories:image", args=[story.pk]))
    page_resp = client.get(reverse("stories:detail", args=[story.pk]))

    if allowed:
        assert json_resp.status_code == 200
        assert json_resp.json()["story"]["image_url"] == f"/stories/{story.pk}/image/"
        assert image_resp.status_code == 200
        assert image_resp["Content-Type"] == "image/jpeg"
        assert image_resp["Cache-Control"] == "private, max-age=300"
        assert b"".join(image_resp.streaming_content)[:2] == b"\xff\xd8"
        assert page_resp.status_code == 200
        # The raw storage URL never reaches the browser.
        assert story.image.url not in page_resp.content.decode()
    else:
        assert json_resp.status_code == 404
        assert image_resp.status_code == 404
        if viewer is None:
            assert page_resp.status_code == 302
            assert "/accounts/login/" in page_resp["Location"]
        else:
            assert page_resp.status_code == 404


@pytest.mark.parametrize(("privacy", "viewer_kind"), CASES)
def test_strip_and_visible_stories_follow_the_same_rules(privacy, viewer_kind):
    story = StoryFactory(privacy=privacy)
    viewer = _viewer(viewer_kind, story.user)
    allowed = viewer_kind in ALLOWED[privacy]

    if viewer is None:
        assert list(visible_stories(viewer=None)) == []
        assert stories_strip(viewer=None) == []
        return
    from django.contrib.auth.models import AnonymousUser

    assert not visible_stories(viewer=AnonymousUser()).exists()
    assert visible_stories(viewer=viewer).filter(pk=story.pk).exists() is allowed
    strip_ids = {s.pk for g in stories_strip(viewer=viewer) for s in g.stories}
    assert (story.pk in strip_ids) is allowed


def test_writes_on_a_story_the_viewer_may_not_see_answer_404():
    story = StoryFactory(privacy=Story.Privacy.PRIVATE)
    client = _client(MemberFactory().user)
    for name, data in [
        ("stories:view", {}),
        ("stories:react", {"reaction": "HEART"}),
        ("stories:reply", {"text": "hi"}),
        ("stories:delete", {}),
        ("stories:insights", None),
    ]:
        url = reverse(name, args=[story.pk])
        resp = client.get(url) if data is None else client.post(url, data)
        assert resp.status_code == 404, name


def test_anonymous_writes_answer_404():
    story = StoryFactory()
    client = Client()
    for name in ("stories:view", "stories:react", "stories:reply", "stories:delete"):
        assert (
            client.post(
                reverse(name, args=[story.pk]), {"reaction": "HEART", "text": "x"}
            ).status_code
            == 404
        )


def test_story_of_incomplete_profile_is_hidden():
    story = StoryFactory()
    story.user.profile_complete = False
    story.user.save(update_fields=["profile_complete"])
    viewer = MemberFactory().user
    assert not visible_stories(viewer=viewer).exists()
