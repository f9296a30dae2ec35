"""``manage.py seed_demo`` (rules §14): realistic demo data, printed credentials, --if-empty,
determinism with --seed."""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.storage import storages
from django.core.management import call_command
from django.db.models import Count, F, Q
from PIL import Image

from accounts.models import User
from demo.photos import PEOPLE, SHOTS, SIZE, face_for, render_portrait
from demo.seed import ADMIN_EMAIL, DEMO_EMAIL
from matching.models import Like
from messaging.models import Message
from profiles.models import Member, Photo

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def printed_password(output: str, label: str) -> str:
    """The password printed right after the ``label`` e-mail line."""
    match = re.search(rf"{re.escape(label)}\s+password\s+(\S+)", output)
    assert match, output
    return match.group(1)


def snapshot() -> list[tuple]:
    """Everything seeded that does not depend on ids or the clock, in a stable order."""
    rows = []
    for m in (
        Member.objects.select_related("user").prefetch_related("interests").order_by("user__email")
    ):
        rows.append(
            (
                m.user.email,
                m.user.name,
                m.name,
                m.gender,
                m.date_of_birth,
                m.city,
                m.country,
                m.latitude,
                m.longitude,
                m.description,
                m.image,
                m.user.preferred_genders,
                m.user.preferred_age_min,
                m.user.preferred_age_max,
                sorted(i.slug for i in m.interests.all()),
            )
        )
    likes = sorted(Like.objects.values_list("source__user__email", "target__user__email"))
    messages = sorted(
        Message.objects.values_list("sender__user__email", "recipient__user__email", "text")
    )
    return [rows, likes, messages]


def test_seed_demo_creates_members_with_places_photos_interests_and_social_data():
    output = seed(members=40, seed=5)

    # 40 generated members + the admin + the ready demo login.
    assert Member.objects.count() == 42
    assert User.objects.filter(profile_complete=True).count() == 42
    members = list(Member.objects.select_related("user").annotate(n=Count("interests")))
    assert all(3 <= m.n <= 8 for m in members)
    assert all(18 <= m.age <= 70 for m in members)
    assert {m.gender for m in members} >= {"male", "female"}
    located = [m for m in members if m.has_location]
    assert len(located) >= 35
    assert all(-90 <= m.latitude <= 90 and -180 <= m.longitude <= 180 for m in located)
    assert all(m.city and m.country for m in located)
    # Most live in Israel, around real city centres (Israel spans ~29.5-33.4 N, 34.2-35.9 E).
    israeli = [m for m in located if m.country == "Israel"]
    assert len(israeli) >= len(located) // 2
    assert all(29 < m.latitude < 34 and 34 < m.longitude < 36.5 for m in israeli)
    # Hebrew and English names.
    assert any(re.search(r"[\u0590-\u05ff]", m.name) for m in members)
    assert any(re.search(r"[A-Za-z]", m.name) for m in members)
    # Photos: approved, main photo = the member's image URL, the file really exists.
    with_photo = [m for m in members if m.image]
    assert len(with_photo) >= 30
    photos_storage = storages["photos"]
    for m in with_photo:
        first = Photo.objects.filter(member=m).order_by("created_at", "id").first()
        assert first is not None
        assert first.is_approved
        assert m.image == first.file.url
        assert photos_storage.exists(first.file.name)
    assert not Photo.objects.filter(is_approved=False).exists()
    assert Member.objects.filter(image="", photos__isnull=False).count() == 0
    # Everybody can log in: a verified primary e-mail address each.
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 42
    # Likes, at least one mutual match (the demo login has three), messages between members.
    mutual = Like.objects.filter(
        source__likes_received__source=F("target"),
    )
    assert mutual.exists()
    demo = Member.objects.get(user__email=DEMO_EMAIL)
    assert Like.objects.filter(source=demo, target__likes_given__target=demo).count() >= 3
    assert Message.objects.filter(Q(sender=demo) | Q(recipient=demo)).exists()
    assert not Message.objects.filter(sender=F("recipient")).exists()
    assert "Seeded 42 members" in output


def test_seed_demo_shares_few_photo_files_between_many_members():
    seed(members=150, seed=11)

    photos = Photo.objects.count()
    files = Photo.objects.values("file").distinct().count()
    assert photos >= 130
    assert files < photos
    # The pool is bounded by genders x people x shots, whatever the member count.
    assert files <= 3 * PEOPLE * SHOTS


def test_demo_portraits_are_distinct_people_and_reproducible():
    """Demo members look like people: each face of a gender is its own picture, a member's
    shots differ from each other, and rendering is a pure function of its arguments."""
    faces = {render_portrait(gender="female", person=p) for p in range(PEOPLE)}
    assert len(faces) == PEOPLE
    looks = {face_for(g, p) for g in ("female", "male", "other") for p in range(PEOPLE)}
    assert len({(f.skin, f.hair, f.hair_style) for f in looks}) > PEOPLE
    assert len({f.skin for f in looks}) >= 6
    shots = {render_portrait(gender="male", person=3, shot=s) for s in range(SHOTS)}
    assert len(shots) == SHOTS
    assert render_portrait(gender="male", person=3, shot=1) == render_portrait(
        gender="male", person=3, shot=1
    )
    image = Image.open(io.BytesIO(render_portrait(gender="other", person=5)))
    assert image.size == SIZE
    # Not a flat card: a portrait has many colours (skin, hair, eyes, clothes, background).
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 2000


def test_seed_demo_admin_and_demo_member_log_in_with_the_printed_passwords(client):
    output = seed(members=5, seed=1)
    admin_password = printed_password(output, ADMIN_EMAIL)
    demo_password = printed_password(output, DEMO_EMAIL)

    response = client.post("/accounts/login/", {"login": ADMIN_EMAIL, "password": admin_password})
    assert response.status_code == 302
    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.profile_complete
    assert Member.objects.filter(user=admin).exists()
    assert client.get("/admin/").status_code == 200

    client.logout()
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": demo_password})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302  # not staff

    # Every numbered demo member shares the demo password.
    client.logout()
    assert client.login(email="member3@demo.miel.local", password=demo_password)


def test_seed_demo_if_empty_does_nothing_the_second_time():
    seed(members=8, seed=2)
    before = (Member.objects.count(), Like.objects.count(), Message.objects.count())
    admin_hash = User.objects.get(email=ADMIN_EMAIL).password

    output = seed(members=8, seed=2, if_empty=True)

    assert "not created" in output
    assert (Member.objects.count(), Like.objects.count(), Message.objects.count()) == before
    assert User.objects.get(email=ADMIN_EMAIL).password == admin_hash


def test_seed_demo_if_empty_seeds_an_empty_database():
    output = seed(members=3, seed=2, if_empty=True)

    assert Member.objects.count() == 5
    assert "admin@miel.local" in output


def test_seed_demo_is_deterministic_with_a_seed():
    seed(members=25, seed=99)
    first = snapshot()
    User.objects.all().delete()

    seed(members=25, seed=99)
    second = snapshot()
    User.objects.all().delete()

    seed(members=25, seed=100)
    other = snapshot()

    assert first == second
    assert first[0] != other[0]


def test_seed_demo_run_again_adds_members_and_resets_the_shared_password(client):
    first_output = seed(members=3, seed=1)
    second_output = seed(members=4, seed=2)

    assert Member.objects.count() == 5 + 4
    assert User.objects.filter(email__endswith="@demo.miel.local").count() == 7
    old = printed_password(first_output, DEMO_EMAIL)
    new = printed_password(second_output, DEMO_EMAIL)
    assert not client.login(email="member1@demo.miel.local", password=old)
    assert client.login(email="member1@demo.miel.local", password=new)
    assert client.login(email=ADMIN_EMAIL, password=printed_password(second_output, ADMIN_EMAIL))


def far_from_centre_share(km: float) -> float:
    """Share of located members more than ``km`` from their city's centre."""
    from demo.cities import city_tables

    israel, _, world, _ = city_tables()
    centres = {(c.name, c.country): (c.latitude, c.longitude) for c in israel + world}
    located = Member.objects.exclude(latitude=None)
    far = 0
    for m in located:
        lat, lon = centres[(m.city, m.country)]
        dy = (m.latitude - lat) * 111.32
        dx = (m.longitude - lon) * 111.32 * math.cos(math.radians(lat))
        far += math.hypot(dx, dy) > km
    return far / located.count()


def test_seed_demo_clustered_spreads_some_members_far_from_city_centres():
    seed(members=300, seed=3)
    default_share = far_from_centre_share(20)
    User.objects.all().delete()

    seed(members=300, seed=3, clustered=True)
    clustered_share = far_from_centre_share(20)

    assert default_share < 0.06
    assert clustered_share > 0.07


def test_seed_demo_rejects_a_negative_member_count():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        seed(members=-1)


# --- the default demo (no --members, what `make run` seeds): the demo login's neighbourhood ----

# 7:35 in Tel Aviv: the night before falls inside every conversation's time span.
DEMO_NOW = datetime(2025, 6, 12, 4, 35, tzinfo=UTC)


@pytest.fixture
def default_demo(django_capture_on_commit_callbacks):
    """``seed_demo --seed 42`` as ``make run`` runs it (no --members), at a frozen time; the
    on-commit callbacks it leaves are run (so any e-mail it queued would be sent)."""
    with time_machine.travel(DEMO_NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            output = seed(seed=42, password="demo-pass-1")
        yield output, callbacks


def _demo_client(client):
    client.force_login(User.objects.get(email=DEMO_EMAIL))
    return client


def test_seed_demo_default_fills_the_demo_logins_discover_page(default_demo, client):
    from demo.showcase import DEMO_AGE_RANGE, DEMO_MAX_DISTANCE, NEIGHBOURS

    output, _ = default_demo
    assert Member.objects.count() == 60 + 2 + NEIGHBOURS
    assert f"Seeded {62 + NEIGHBOURS} members" in output
    demo = User.objects.get(email=DEMO_EMAIL)
    assert (demo.preferred_genders, demo.preferred_age_min, demo.preferred_age_max) == (
        "male",
        *DEMO_AGE_RANGE,
    )
    assert demo.member.max_distance == DEMO_MAX_DISTANCE
    client = _demo_client(client)

    with time_machine.travel(DEMO_NOW, tick=False):
        response = client.get("/members/")
        cards = list(response.context["page"].cards)
        next_url = response.context["next_url"]
        while next_url:  # every page of her default filters
            page = client.get(f"/members/{next_url}", HTTP_HX_REQUEST="true").context
            cards += page["page"].cards
            next_url = page["next_url"]

    assert response.status_code == 200
    assert response.context["page"].total >= 30
    assert len(cards) == response.context["page"].total
    assert sum(bool(c.member.image) for c in cards) >= 30  # with a photo
    assert all(c.distance_km is not None and c.distance_km <= DEMO_MAX_DISTANCE for c in cards)
    assert all(DEMO_AGE_RANGE[0] <= c.age <= DEMO_AGE_RANGE[1] for c in cards)
    assert len({c.age for c in cards}) >= 8
    assert len({c.member.city for c in cards}) >= 5
    assert 5 <= sum(c.is_online for c in cards) < len(cards)
    assert 1 <= sum(c.is_boosted for c in cards) <= 4
    assert cards[0].is_boosted  # boosted members come first
    listed = Member.objects.filter(pk__in=[c.member.pk for c in cards])
    assert all(m.description for m in listed)
    assert not listed.annotate(n=Count("interests")).filter(n__lt=3).exists()
    # Every seeded member is listed, and so is every user behind it (rules §5).
    assert not Member.objects.filter(listed=False).exists()
    assert not Member.objects.exclude(user__is_active=True, user__profile_complete=True).exists()


def test_seed_demo_default_gives_the_demo_login_matches_chats_likes_and_views(default_demo, client):
    from matching.models import ProfileView
    from matching.selectors import like_list
    from messaging.selectors import unread_count

    demo = Member.objects.select_related("user").get(user__email=DEMO_EMAIL)

    matches = like_list(viewer=demo.user, list_type="mutual")
    assert matches.count >= 3
    pairs = Message.objects.filter(Q(sender=demo) | Q(recipient=demo)).values_list(
        "sender", "recipient"
    )
    chats = {member_id for pair in pairs for member_id in pair} - {demo.pk}
    assert len(chats) >= 3
    assert chats <= {m.pk for m in matches.members}  # she only chats with her matches
    # Both sides wrote, times are spread over days and in the past, and some are unread.
    thread = Message.objects.filter(Q(sender=demo) | Q(recipient=demo))
    assert thread.filter(sender=demo).exists()
    assert thread.filter(recipient=demo).exists()
    assert thread.filter(created__lt=DEMO_NOW - timedelta(days=1)).exists()
    assert not thread.filter(created__gt=DEMO_NOW).exists()
    assert not thread.filter(date_read__lt=F("created")).exists()
    assert 1 <= unread_count(user_id=demo.user_id) <= 5
    # A reply to her story is the newest message of its chat (the chat shows its thumbnail).
    reply = thread.get(recipient=demo, story__user=demo.user)
    chat = thread.filter(Q(sender=reply.sender) | Q(recipient=reply.sender))
    assert chat.count() >= 4
    assert chat.latest("created") == reply

    liked_me = like_list(viewer=demo.user, list_type="target")
    assert liked_me.can_see  # she is premium: "Liked me" shows who
    assert liked_me.count >= matches.count + 5
    assert like_list(viewer=demo.user, list_type="source").count > matches.count
    assert ProfileView.objects.filter(viewed=demo.user).count() >= 3

    client = _demo_client(client)
    with time_machine.travel(DEMO_NOW, tick=False):
        inbox = client.get("/messages/")
        liked_page = client.get("/lists/?type=target")
        views_page = client.get("/views/")
    assert inbox.status_code == liked_page.status_code == views_page.status_code == 200
    last = thread.filter(recipient=demo).order_by("-created").first()
    assert last.text in inbox.content.decode()
    assert liked_me.members[0].name in liked_page.content.decode()
    # History, not news: no e-mail went out for the seeded likes, matches and messages.
    assert mail.outbox == []


def test_seed_demo_default_posts_live_stories_in_the_demo_logins_strip(default_demo, client):
    from stories.models import STORY_LIFETIME, Story, StoryView
    from stories.selectors import stories_strip

    demo = User.objects.get(email=DEMO_EMAIL)
    stories = Story.objects.all()
    assert stories.count() >= 5
    for story in stories:
        assert DEMO_NOW - timedelta(hours=24) < story.created_at < DEMO_NOW
        assert story.expires_at == story.created_at + STORY_LIFETIME
        assert story.is_active
        assert storages["photos"].exists(story.image.name)

    with time_machine.travel(DEMO_NOW, tick=False):
        groups = stories_strip(viewer=demo)
        client = _demo_client(client)
        page = client.get("/members/").content.decode()
        own = Story.objects.get(user=demo)
        story_page = client.get(f"/stories/{own.pk}/?format=json")
        others = [g for g in groups if not g.is_own]
        other_page = client.get(f"/stories/{others[0].stories[0].pk}/?format=json")

    assert groups[0].is_own
    assert len(others) >= 4
    assert sum(g.has_unviewed for g in others) >= 3
    assert page.count("data-story-group=") == len(groups)
    assert story_page.status_code == other_page.status_code == 200
    # Her own story has been watched and reacted to.
    assert StoryView.objects.filter(story=own).count() >= 5
    assert own.reactions.count() >= 2
    # After 24 hours they are gone.
    with time_machine.travel(DEMO_NOW + timedelta(hours=24, seconds=1), tick=False):
        assert stories_strip(viewer=demo) == []


def test_seed_demo_default_is_deterministic_with_a_seed():
    from stories.models import Story

    def stories() -> list[tuple]:
        return sorted(Story.objects.values_list("user__email", "text_overlay", "filter", "privacy"))

    seed(seed=8)
    first = [*snapshot(), stories()]
    User.objects.all().delete()

    seed(seed=8)
    second = [*snapshot(), stories()]

    assert first == second
    assert len(first[-1]) >= 5


def test_seed_demo_with_members_adds_no_neighbourhood():
    from stories.models import Story

    seed(members=10, seed=42)

    assert Member.objects.count() == 12
    assert not Story.objects.exists()


def test_seed_demo_conversations_are_all_between_mutual_matches(default_demo):
    """Issue 16: only matches chat, so every seeded conversation (bulk and showcase, story
    replies included) is between two members who liked each other."""
    from matching.models import Like
    from messaging.models import Message

    likes = set(Like.objects.values_list("source_id", "target_id"))
    pairs = set(Message.objects.values_list("sender_id", "recipient_id"))
    assert pairs
    assert all((s, r) in likes and (r, s) in likes for s, r in pairs)
