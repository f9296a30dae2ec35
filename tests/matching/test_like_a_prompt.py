"""Liking a prompt (issue 18): a like may name one of the target's prompt answers (with or
without a note); the like records the prompt and the answer, and the recipient's Likes show
which prompt was liked."""

from __future__ import annotations

import pytest
from django.utils import timezone

from matching.models import Like
from profiles import services as profile_services
from profiles.models import Prompt, PromptAnswer
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pushes(pushes):
    """No live events (the shared ``pushes`` mock)."""


def _answered(member, slug="irrational-fear", text="Pigeons. They know something."):
    prompt = Prompt.objects.get(slug=slug)
    profile_services.member_prompts_set(member=member, answers=[(prompt, text)])
    return PromptAnswer.objects.get(member=member, prompt=prompt)


def test_like_on_a_prompt_records_it_and_the_recipient_sees_which(client):
    liker, owner = MemberFactory(name="Liker"), MemberFactory(name="Owner")
    answer = _answered(owner)
    client.force_login(liker.user)
    response = client.post(
        f"/members/{owner.user_id}/like/",
        {"action": "like", "prompt": str(answer.pk), "note": "Same!"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    like = Like.objects.get(source=liker, target=owner)
    assert (like.prompt.slug, like.prompt_answer, like.note) == (
        "irrational-fear",
        "Pigeons. They know something.",
        "Same!",
    )

    owner.user.premium_until = timezone.now().replace(year=2099)
    owner.user.save(update_fields=["premium_until"])
    client.force_login(owner.user)
    body = client.get("/lists/", {"type": "target"}).content.decode()
    assert "Liked your prompt" in body
    assert "<bdi>My most irrational fear</bdi>" in body
    assert "Pigeons. They know something." in body
    assert "<bdi>Same!</bdi>" in body


def test_a_plain_like_names_no_prompt(client):
    liker, owner = MemberFactory(), MemberFactory()
    _answered(owner)
    client.force_login(liker.user)
    client.post(f"/members/{owner.user_id}/like/", {"action": "like"})
    like = Like.objects.get()
    assert like.prompt is None
    assert like.prompt_answer == ""
    client.force_login(owner.user)
    assert "Liked your prompt" not in client.get("/lists/", {"type": "target"}).content.decode()


@pytest.mark.parametrize("bad", ["not-a-uuid", "other-members"])
def test_a_prompt_that_is_not_the_targets_is_refused_with_400(client, bad):
    liker, owner, third = MemberFactory(), MemberFactory(), MemberFactory()
    other = _answered(third)
    client.force_login(liker.user)
    response = client.post(
        f"/members/{owner.user_id}/like/",
        {"action": "like", "prompt": str(other.pk) if bad == "other-members" else bad},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "This prompt is no longer on the profile."
    assert not Like.objects.exists()


def test_deck_card_shows_prompts_between_photos_with_a_like_form(client):
    viewer = MemberFactory(gender="male")
    owner = MemberFactory(gender="female")
    viewer.user.preferred_genders = "female"
    viewer.user.save(update_fields=["preferred_genders"])
    owner.prefers_male = True
    owner.save(update_fields=["prefers_male"])
    answer = _answered(owner, slug="perfect-saturday", text="Sea, then falafel")
    client.force_login(viewer.user)
    body = client.get("/discover/").content.decode()
    assert "A perfect Saturday" in body
    assert '<p class="prompt-a" dir="auto">Sea, then falafel</p>' in body
    assert f'name="prompt" value="{answer.pk}"' in body
    assert "data-deck-like" in body.split(f'value="{answer.pk}"')[0].rsplit("<form", 1)[1]
