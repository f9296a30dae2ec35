"""The onboarding step links reach every section of the form, numbered as the sections are
(QA: the links skipped the prompts and details sections and their numbers disagreed)."""

from __future__ import annotations

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_step_links_reach_every_section_in_order(client):
    client.force_login(UserFactory(profile_complete=False))
    body = client.get("/complete-profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    nav = body[body.index('class="steps-nav"') : body.index("</nav>", body.index("steps-nav"))]
    links = re.findall(r'<a href="#(step-[a-z]+)">(\d+) ·', nav)
    sections = re.findall(
        r'<section class="step card" id="(step-[a-z]+)".*?<span class="step-no"[^>]*>(\d+)</span>',
        body,
        re.S,
    )
    assert len(sections) == 7
    assert links == sections
