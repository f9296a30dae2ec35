"""Reports from where it happened (rules §6): a chat with chosen messages, a story, a photo;
every piece of evidence is permission-checked and a refused report stores nothing."""

from __future__ import annotations

import pytest

from matching.models import Block, Report
from messaging.models import Message
from stories.models import Story
from tests.factories import MemberFactory, PhotoFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(client):
    """Me (logged in, English) and Eve, who wrote to me."""
    me, eve = MemberFactory(name="Me"), MemberFactory(name="Eve")
    client.force_login(me.user)
    client.cookies["django_language"] = "en"
    return me, eve


def _msg(sender, recipient, text):
    return Message.objects.create(sender=sender, recipient=recipient, text=text)


def _url(member) -> str:
    return f"/members/{member.user_id}/report/"


def test_report_from_a_chat_carries_the_chosen_messages(client, pair):
    me, eve = pair
    hello = _msg(eve, me, "hello")
    rude = _msg(eve, me, "you are ugly")
    threat = _msg(eve, me, "I know where you live")
    mine = _msg(me, eve, "please stop")

    page = client.get(_url(eve) + f"?message={rude.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    # The conversation is offered, the linked message ticked.
    assert f'value="{rude.pk}" checked' in html
    assert f'value="{hello.pk}"' in html
    assert f'value="{mine.pk}"' in html
    assert "I know where you live" in html

    response = client.post(
        _url(eve),
        {
            "reason": "harassment",
            "text": "threats",
            "from": "chat",
            "message": [str(rude.pk), str(threat.pk)],
        },
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.source == Report.Source.CHAT
    assert set(report.messages.all()) == {rude, threat}
    assert (report.reporter, report.reported) == (me.user, eve.user)


def test_messages_of_another_conversation_cannot_be_attached(client, pair):
    me, eve = pair
    other = MemberFactory()
    mine = _msg(eve, me, "hi")
    theirs = _msg(eve, other, "a message between two other people")

    response = client.post(
        _url(eve), {"reason": "harassment", "message": [str(mine.pk), str(theirs.pk)]}
    )

    assert response.status_code == 400
    assert "Only messages of your conversation" in response.content.decode()
    assert not Report.objects.exists()
    assert "a message between two other people" not in response.content.decode()


def test_a_message_i_deleted_or_a_malformed_id_is_refused(client, pair):
    me, eve = pair
    gone = _msg(eve, me, "deleted on my side")
    gone.recipient_deleted = True
    gone.save(update_fields=["recipient_deleted"])

    assert client.post(_url(eve), {"reason": "other", "message": [str(gone.pk)]}).status_code == 400
    assert client.post(_url(eve), {"reason": "other", "message": ["nope"]}).status_code == 400
    assert not Report.objects.exists()


def test_report_a_story_i_could_see_but_not_a_private_one(client, pair):
    _me, eve = pair
    public = StoryFactory(user=eve.user)
    private = StoryFactory(user=eve.user, privacy=Story.Privacy.PRIVATE)  # matches only

    refused = client.post(_url(eve), {"reason": "explicit", "story": str(private.pk)})
    assert refused.status_code == 400
    assert not Report.objects.exists()

    page = client.get(_url(eve) + f"?story={public.pk}")
    assert f"/stories/{public.pk}/image/" in page.content.decode()
    assert (
        client.post(_url(eve), {"reason": "explicit", "story": str(public.pk)}).status_code == 302
    )
    report = Report.objects.get()
    assert (report.source, report.story) == (Report.Source.STORY, public)


def test_someone_elses_story_cannot_be_pinned_on_this_member(client, pair):
    _me, eve = pair
    story = StoryFactory()  # public, but another member's
    assert client.post(_url(eve), {"reason": "other", "story": str(story.pk)}).status_code == 400
    assert not Report.objects.exists()


def test_report_a_photo_only_of_the_reported_member(client, pair):
    _me, eve = pair
    eves = PhotoFactory(member=eve, is_approved=True)
    pending = PhotoFactory(member=eve, is_approved=False)
    someone_elses = PhotoFactory(is_approved=True)

    for photo in (pending, someone_elses):
        response = client.post(_url(eve), {"reason": "fake", "photo": str(photo.pk)})
        assert response.status_code == 400
    assert not Report.objects.exists()

    assert client.post(_url(eve), {"reason": "fake", "photo": str(eves.pk)}).status_code == 302
    report = Report.objects.get()
    assert (report.source, report.photo) == (Report.Source.PHOTO, eves)


def test_reporting_can_also_block(client, pair):
    me, eve = pair
    response = client.post(_url(eve), {"reason": "scam", "block": "on"})
    assert response.status_code == 302
    assert Report.objects.filter(reporter=me.user, reported=eve.user).exists()
    assert Block.objects.filter(blocker=me.user, blocked=eve.user).exists()


def test_chat_story_and_photo_offer_a_report_link(client, pair):
    _me, eve = pair
    photo = PhotoFactory(member=eve, is_approved=True)
    story = StoryFactory(user=eve.user)
    chat = client.get(f"/members/{eve.user_id}/chat/").content.decode()
    assert f"/members/{eve.user_id}/report/?from=chat" in chat
    photos = client.get(f"/members/{eve.user_id}/?tab=photos").content.decode()
    assert f"/members/{eve.user_id}/report/?photo={photo.pk}" in photos
    data = client.get(f"/stories/{story.pk}/?format=json").json()
    assert data["story"]["urls"]["report"] == f"/members/{eve.user_id}/report/?story={story.pk}"


def test_a_block_does_not_stop_a_report_of_what_happened_before(client, pair):
    me, eve = pair
    rude = _msg(eve, me, "rude words")
    Block.objects.create(blocker=eve.user, blocked=me.user)  # she blocked me afterwards

    page = client.get(_url(eve) + f"?message={rude.pk}")
    assert page.status_code == 200
    response = client.post(
        _url(eve), {"reason": "harassment", "from": "chat", "message": [str(rude.pk)]}
    )

    assert response.status_code == 302
    assert list(Report.objects.get().messages.all()) == [rude]
    # Evidence is still checked across the block: her stories stay hidden from me.
    story = StoryFactory(user=eve.user)
    assert client.post(_url(eve), {"reason": "other", "story": str(story.pk)}).status_code == 400


def test_report_from_a_chat_returns_to_the_chat(client, pair):
    _me, eve = pair
    response = client.post(_url(eve), {"reason": "other", "from": "chat"})
    assert response["Location"] == f"/members/{eve.user_id}/chat/"
