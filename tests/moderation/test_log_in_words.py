"""The queue's "Recent decisions" list reads in words in the page's language, with the member's
name and no raw ids or English log text (issue 17)."""

from __future__ import annotations

import pytest

from profiles import services as photo_services
from tests.factories import MemberFactory, image_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "approved", "rejected"),
    [("he", "תמונה אושרה", "תמונה נדחתה"), ("en", "Photo approved", "Photo rejected")],
)
def test_recent_decisions_read_in_words(client, language, approved, rejected):
    staff = MemberFactory(user__is_staff=True, name="Moderator")
    client.force_login(staff.user)
    client.cookies["django_language"] = language
    member = MemberFactory(name="נועה")
    kept = photo_services.photo_add(member=member, upload=image_upload())
    dropped = photo_services.photo_add(member=member, upload=image_upload())
    client.post("/moderation/act/", {"one": f"approve|photo:{kept.pk}"})
    client.post("/moderation/act/", {"one": f"reject|photo:{dropped.pk}"})

    html = client.get("/moderation/").content.decode()
    log = html.split("mod-log")[-1]
    assert approved in log
    assert rejected in log
    assert "<bdi>נועה</bdi>" in log
    assert str(kept.pk) not in log
    assert str(member.pk) not in log
    assert "(moderation)" not in log
