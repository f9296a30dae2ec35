"""The main user journey in a real headless Chromium (issue 2, rules §3-§5, §15):

home -> sign up -> verification link from the e-mail -> complete the profile (fields, interests,
a photo) -> members list with other members -> one member's profile; and the members page on a
phone has no horizontal scroll. Screenshots go to /tmp/miel-shots/ for a human to look at.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.models import User
from demo.photos import render_portrait
from profiles.models import Interest, Member, Photo
from tests.browser.conftest import SHOTS
from tests.factories import MemberFactory, PhotoFactory, image_bytes

pytestmark = [
    pytest.mark.browser,
    # live_server needs a transactional database (see ``interest_catalogue`` for what a
    # flush by an earlier transactional test leaves behind).
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "Honey-comb-2025!"


@pytest.fixture
def interest_catalogue(transactional_db):
    """The migrated interest catalogue. An earlier transactional test's flush empties it (and
    ``serialized_rollback`` clashes with the content types that flush re-creates), so load it
    again from the data migration when it is missing."""
    if not Interest.objects.exists():
        migration = importlib.import_module("profiles.migrations.0002_interest_catalogue")
        migration.add_catalogue(django_apps, None)


@pytest.fixture
def browser(chromium, interest_catalogue):
    """Chromium (tests/browser/conftest.py) with the interest catalogue in place."""
    return chromium


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def other_members() -> list[Member]:
    """Three complete members with an approved main photo, in Tel Aviv."""
    members = []
    for name in ("Noa", "Maya", "Tamar"):
        member = MemberFactory(name=name, description=f"{name} loves hiking and coffee.")
        avatar = render_portrait(gender="other", person=len(members))
        photo = PhotoFactory(
            member=member, is_approved=True, file=SimpleUploadedFile("a.jpg", avatar)
        )
        Member.objects.filter(pk=member.pk).update(image=photo.url)
        members.append(member)
    return members


def test_sign_up_verify_complete_profile_browse_members_and_open_one(
    browser, live_server, tmp_path
):
    others = other_members()
    photo_file = tmp_path / "me.jpg"
    photo_file.write_bytes(image_bytes("JPEG", size=(600, 750), color="teal"))
    # Hebrew, the site's default language (right to left).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="he-IL")
    page = context.new_page()
    page.set_default_timeout(15_000)

    # Home -> sign up.
    page.goto(live_server.url + "/")
    assert page.get_attribute("html", "dir") == "rtl"
    shot(page, "01-home")
    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", "dana@example.com")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=confirm_adult]")
    page.check("input[name=accept_terms]")
    shot(page, "02-signup")
    with page.expect_navigation():
        page.locator("form input[name=password2]").press("Enter")
    assert "/accounts/confirm-email/" in page.url
    shot(page, "03-verification-sent")

    # The verification e-mail (locmem backend in tests) carries the link.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(live_server.url + link.group(1))

    # Verified and logged in: onboarding is the only place to go.
    page.wait_for_url(re.compile(r"/complete-profile/"))
    user = User.objects.get(email="dana@example.com")
    assert user.emailaddress_set.get().verified
    page.fill("input[name=name]", "Dana")
    page.fill("input[name=date_of_birth]", "1996-04-12")
    page.check("input[name=gender][value=female]")
    page.fill("input[name=city]", "Tel Aviv")
    page.fill("input[name=country]", "Israel")
    page.fill("textarea[name=description]", "Coffee, sea and long walks.")
    interests = page.locator("input[name=interests]")
    assert interests.count() >= 60  # the catalogue
    for i in (0, 9, 17):
        interests.nth(i).check()
    chosen = sorted(interests.nth(i).get_attribute("value") for i in (0, 9, 17))
    page.check("input[name=preferred_genders][value=female]")
    page.fill("input[name=preferred_age_min]", "25")
    page.fill("input[name=preferred_age_max]", "40")
    page.set_input_files("input[name=photos]", str(photo_file))
    shot(page, "04-complete-profile")
    with page.expect_navigation():
        page.locator("form.profile-form button[type=submit]").click()

    # The profile is stored as entered, the photo is waiting for approval; a new member lands
    # on the Discover deck (issue 15), and Browse is the members list.
    page.wait_for_url(re.compile(r"/discover/"))
    member = Member.objects.get(user=user)
    assert member.name == "Dana"
    assert member.city == "Tel Aviv"
    assert sorted(str(pk) for pk in member.interests.values_list("pk", flat=True)) == chosen
    assert Photo.objects.filter(member=member, is_approved=False).count() == 1
    user.refresh_from_db()
    assert user.profile_complete

    # The members list shows the others (not me), with their photos loaded.
    page.goto(live_server.url + "/members/")
    cards = page.locator(".member-card")
    cards.first.wait_for()
    names = page.locator(".member-card h3").all_inner_texts()
    for other in others:
        assert any(other.name in n for n in names), names
    assert not any("Dana" in n for n in names)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.member-card img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    shot(page, "05-members")

    # Open one profile.
    target = others[1]
    with page.expect_navigation():
        page.locator(f".member-card a.card-link[data-user-id='{target.user_id}']").first.click()
    assert page.url.rstrip("/").endswith(f"/members/{target.user_id}")
    assert target.name in page.inner_text("main")
    shot(page, "06-member-profile")
    context.close()
    connection.close()  # see the browser fixture


@pytest.mark.parametrize("locale", ["he-IL", "en-US"])
def test_members_page_on_a_phone_has_no_horizontal_scroll(browser, live_server, locale):
    other_members()
    viewer = MemberFactory(name="Avi")
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        locale=locale,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", viewer.user.email)
    page.fill("input[name=password]", "correct-horse-battery")  # UserFactory's password
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")

    page.goto(live_server.url + "/members/")
    page.locator(".member-card").first.wait_for()
    widths = page.evaluate(
        "({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " view: window.innerWidth})"
    )
    shot(page, f"07-members-phone-{locale}")
    assert widths["doc"] <= widths["view"], widths
    assert widths["body"] <= widths["view"], widths
    context.close()
    connection.close()  # see the browser fixture
