"""Staff without a dating profile can still reach the moderation queue (rules §14)."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_without_profile_reaches_moderation_not_onboarding(client):
    staff = UserFactory(is_staff=True, profile_complete=False)
    client.force_login(staff)

    response = client.get("/moderation/")

    assert response.status_code == 200


def test_member_without_profile_is_still_sent_to_onboarding(client):
    client.force_login(UserFactory(profile_complete=False))

    response = client.get("/members/")

    assert response.status_code == 302
    assert response["Location"] == "/complete-profile/"
