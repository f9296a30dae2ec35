"""During onboarding the browser still fetches the installable app's files: the service worker,
the web manifest and the offline page answer instead of redirecting to /complete-profile/ (QA:
/sw.js redirected, so the worker's registration failed)."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest", "/offline/"])
def test_app_files_are_served_to_a_member_without_a_profile(client, path):
    client.force_login(UserFactory(profile_complete=False))

    response = client.get(path)

    assert response.status_code == 200
