"""The ready demo login's neighbourhood (rules §14 ``seed_demo`` without ``--members``, what
``make run`` seeds): whoever logs in as ``demo@miel.local`` lands on a lively site.

``demo@miel.local`` is a 29-year-old woman in Tel Aviv who wants to see men aged
:data:`DEMO_AGE_RANGE` within :data:`DEMO_MAX_DISTANCE` km. Around her :data:`NEIGHBOURS` men of
that age live in Tel Aviv and the towns around it (so her Discover page is full), some online
now, two boosted. With her:

- five mutual matches, four with a conversation (the newest messages of three unread, one a
  reply to her story);
- seven members who liked her and three she liked, six who viewed her profile;
- stories from the last 24 hours: five from neighbours (three from her matches, one of those
  for matches only) and one of her own with views, reactions and a reply.

She is premium for a month (so "Liked me", "Who viewed me" and her story's viewer list show
names). Members are bulk-inserted like every other demo member (``seed.py``: active, complete
and so ``listed``; the user saves of the services below keep the member's copies of user
fields in step through ``profiles.signals``); everything
between people goes through the services (likes, matches, messages, read receipts, profile
views, stories, boosts), then the timestamps are moved back to spread the history over the
last days. The notifications those services queue (WebSocket pushes, "new match" / "new
message" e-mails) are dropped: this is history, nobody is to be told about it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from billing.services import boost_spend, premium_grant
from matching.models import Like
from matching.services import like_toggle, profile_view_record
from messaging.models import Message
from messaging.services import conversation_mark_read, message_send
from miel.geo import haversine_km
from profiles.models import Member
from stories.models import STORY_LIFETIME, Story, StoryReaction, StoryReply
from stories.services import story_publish, story_react, story_reply, story_view_record

from .cities import City, city_tables
from .scenes import render_story_scene
from .text import (
    EN_CAPTIONS,
    EN_STORY_REPLY,
    HE_CAPTIONS,
    HE_STORY_REPLY,
    thread_lines,
)

if TYPE_CHECKING:
    from .seed import _Seeder
    from .tables import Tables

NEIGHBOURS = 36
DEMO_AGE = 29
DEMO_AGE_RANGE = (26, 38)  # years, the demo login's preferred ages
DEMO_MAX_DISTANCE = 25  # km, her Discover page's default distance
NEARBY_KM = 15  # neighbours live in cities whose centre is this close to Tel Aviv
ONLINE_NOW = 7  # neighbours active in the last 15 minutes ("online")
MATCHES = 5  # the first four have a conversation
LIKED_HER = 7
SHE_LIKED = 3
VIEWERS = 6
BOOSTED = 2
STORY_FILTERS_USED = ("", "", "warm", "vivid", "cool")
#: Scene of each neighbour story (the first three belong to matches) and of her own.
NEIGHBOUR_SCENES = ("mountains", "city", "coffee", "desert", "park")
OWN_SCENE = "beach"


@contextmanager
def notifications_dropped() -> Iterator[None]:
    """Drop the on-commit callbacks (pushes, e-mail tasks) queued inside the block.

    Must run inside ``transaction.atomic`` (the seed does): the callbacks are still pending
    there, and the block's own are the tail of the connection's list."""
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "only inside transaction.atomic"
    start = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[start:]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (the one definition: :func:`miel.geo.haversine_km`)."""
    return haversine_km(a[0], a[1], b[0], b[1])


def nearby_cities(centre: City, *, km: float = NEARBY_KM) -> tuple[list[City], list[float]]:
    """Israeli cities whose centre is within ``km`` of ``centre``, and their weights
    (sqrt of the population: Tel Aviv leads, the small towns around still show up)."""
    israel = city_tables()[0]
    here = (centre.latitude, centre.longitude)
    cities = [c for c in israel if _km(here, (c.latitude, c.longitude)) <= km]
    return cities, [math.sqrt(c.population) for c in cities]


class Showcase:
    """Builds the neighbourhood of the demo login at index position ``demo`` of ``seeder``."""

    def __init__(self, *, seeder: _Seeder, demo: int, centre: City) -> None:
        self.seeder = seeder
        self.rng = seeder.rng
        self.now = seeder.now
        self.demo_pos = demo
        self.centre = centre
        self.positions: list[int] = []
        self.stories = 0

    # --- members ----------------------------------------------------------------------------
    def _last_active(self, k: int) -> datetime:
        rng = self.rng
        if k < ONLINE_NOW:
            return self.now - timedelta(seconds=rng.uniform(10, 12 * 60))
        if k < 2 * ONLINE_NOW + 4:
            return self.now - timedelta(hours=rng.uniform(0.3, 20))
        return self.now - timedelta(days=1 + 9 * rng.random() ** 1.5)

    def build_members(self, *, t: Tables, first_number: int) -> None:
        """Queue :data:`NEIGHBOURS` men of the demo login's preferred ages, with photos, in
        and around Tel Aviv, into ``t`` (bulk, like every demo member); each wants women of
        an age range that holds hers, so all of them are in her deck."""
        from .seed import DEMO_DOMAIN

        cities, weights = nearby_cities(self.centre)
        rng = self.rng
        for k in range(NEIGHBOURS):
            age = rng.randint(*DEMO_AGE_RANGE)
            self.positions.append(
                self.seeder.build(
                    email=f"member{first_number + k}@{DEMO_DOMAIN}",
                    t=t,
                    gender="male",
                    age=age,
                    # Wanting her back (issue 15: discovery needs both sides' preferences).
                    age_range=(max(18, min(age, DEMO_AGE) - 4), max(age, DEMO_AGE) + 6),
                    city=rng.choices(cities, weights=weights)[0],
                    with_photo=True,
                    wants="female",
                    last_active=self._last_active(k),
                    premium=False,
                )
            )
        t.flush()

    # --- between people (services) ----------------------------------------------------------
    def connect(self) -> None:
        """Likes, matches, conversations, views, boosts and stories through the services."""
        idx = self.seeder.index
        ids = [idx.member_id(p) for p in [self.demo_pos, *self.positions]]
        loaded = Member.objects.select_related("user").in_bulk(ids)
        demo = loaded[ids[0]]
        people = [loaded[i] for i in ids[1:]]
        hebrew = {m.pk: bool(idx.hebrew[p]) for m, p in zip(people, self.positions, strict=True)}
        topic = {
            m.pk: self.seeder._interest_name(idx.interest[p], hebrew[m.pk])
            for m, p in zip(people, self.positions, strict=True)
        }
        her_interests = list(demo.interests.order_by("slug").values_list("name", "name_he"))
        rng = self.rng
        # Roles go to a shuffled order, so "online", "match" and "boosted" are independent.
        order = people[:]
        rng.shuffle(order)
        matches = order[:MATCHES]
        liked_her = order[MATCHES : MATCHES + LIKED_HER]
        she_liked = order[MATCHES + LIKED_HER : MATCHES + LIKED_HER + SHE_LIKED]
        rest = order[MATCHES + LIKED_HER + SHE_LIKED :]
        viewers = liked_her[:3] + rest[: VIEWERS - 3]
        boosted = rest[VIEWERS - 3 : VIEWERS - 3 + BOOSTED]

        with notifications_dropped():
            demo.user = premium_grant(user=demo.user, months=1, boosts=3)
            for member in boosted:
                member.user = premium_grant(user=member.user, months=1, boosts=1)
                boost_spend(user=member.user, hours=24)
            for n, member in enumerate(matches):
                at = self.now - timedelta(days=n + 1, hours=rng.uniform(1, 12))
                self._like(member, demo, at)
                self._like(demo, member, at + timedelta(hours=rng.uniform(0.2, 5)))
                self.seeder.counts["matches"] += 1
            for n, member in enumerate(liked_her):
                self._like(
                    member, demo, self.now - timedelta(hours=3 + 14 * n, minutes=rng.randint(0, 50))
                )
            for n, member in enumerate(she_liked):
                self._like(demo, member, self.now - timedelta(days=n + 2, hours=rng.uniform(0, 8)))
            for n, member in enumerate(viewers):
                at = self.now - timedelta(hours=1 + 9 * n, minutes=rng.randint(0, 50))
                profile_view_record(viewer=member.user, viewed=demo, now=at)
            for member in rest[:2] + she_liked[:2]:
                at = self.now - timedelta(days=rng.uniform(0.5, 4))
                profile_view_record(viewer=demo.user, viewed=member, now=at)
            for n, member in enumerate(matches[:4]):
                self._conversation(
                    demo=demo,
                    other=member,
                    number=n,
                    hebrew=hebrew[member.pk],
                    hers=rng.choice(her_interests)[1 if hebrew[member.pk] else 0],
                    his=topic[member.pk],
                    unread=n in (0, 2),
                    start=self.now - timedelta(days=n + 1) + timedelta(hours=6),
                )
            self._stories(
                demo=demo,
                owners=matches[:3] + liked_her[:2],
                watchers=matches + liked_her[:3] + rest[:2],
                hebrew=hebrew,
            )

    def _like(self, source: Member, target: Member, at: datetime) -> None:
        like_toggle(source=source, target=target, like=True)
        Like.objects.filter(source=source, target=target).update(created_at=at)
        self.seeder.counts["likes"] += 1

    def _awake(self, at: datetime, *, limit: datetime) -> datetime:
        """``at``, or the same day between 7:00 and 8:59 (site time) when ``at`` falls between
        midnight and 7:00 and the new time is still before ``limit``: chats happen while
        people are awake."""
        local = timezone.localtime(at)
        if local.hour >= 7:
            return at
        moved = local.replace(hour=self.rng.randint(7, 8), minute=self.rng.randint(0, 59))
        return moved if moved < limit else at

    def _conversation(
        self,
        *,
        demo: Member,
        other: Member,
        number: int,
        hebrew: bool,
        hers: str,
        his: str,
        unread: bool,
        start: datetime,
    ) -> None:
        """Thread ``number`` between ``demo`` and ``other`` (naming her interest ``hers`` or
        his, ``his``), sent with ``message_send``; each
        reply first marks what it answers read (``conversation_mark_read``); with ``unread``
        the last message stays unread. Then the times are spread from ``start`` (at least
        16 h before) to a little before now, or 23:xx the evening before when that is
        night."""
        lines = thread_lines(hebrew=hebrew, number=number, hers=hers, his=his)
        rng = self.rng
        end = self.now - timedelta(hours=rng.uniform(0.3, 2) + 5 * number)
        if timezone.localtime(end).hour < 7:  # the last message came the evening before
            night = timezone.localtime(end) - timedelta(days=1)
            end = night.replace(hour=23, minute=rng.randint(0, 59))
        step = (end - start) / max(1, len(lines) - 1)
        sent: list[tuple[Message, datetime]] = []
        last = len(lines) - 1
        # The first message at ``start``, the last at ``end`` (every other time stays below
        # it), the others in between.
        times = sorted(
            [
                self._awake(start, limit=end),
                *(
                    self._awake(start + step * (k + rng.uniform(-0.3, 0.3)), limit=end)
                    for k in range(1, last)
                ),
                end,
            ]
        )
        for k, (who, text) in enumerate(lines):
            sender, recipient = (demo, other) if who else (other, demo)
            conversation_mark_read(reader=sender, other=recipient)
            message = message_send(sender=sender, recipient=recipient, text=text)
            sent.append((message, times[k]))
        last_sender, last_recipient = (demo, other) if lines[-1][0] else (other, demo)
        if not unread:
            conversation_mark_read(reader=last_recipient, other=last_sender)
        for k, (message, at) in enumerate(sent):
            later = (
                sent[k + 1][1] if k + 1 < len(sent) else min(self.now, at + timedelta(minutes=7))
            )
            Message.objects.filter(pk=message.pk).update(created=at)
            Message.objects.filter(pk=message.pk, date_read__isnull=False).update(
                date_read=at + (later - at) * rng.uniform(0.3, 0.9)
            )
        self.seeder.counts["messages"] += len(lines)

    def _publish(
        self, *, member: Member, scene: str, hebrew: bool, privacy: str, hours_ago: float
    ) -> Story:
        captions = HE_CAPTIONS if hebrew else EN_CAPTIONS
        upload = SimpleUploadedFile(f"{scene}.jpg", render_story_scene(scene), "image/jpeg")
        story = story_publish(
            user=member.user,
            upload=upload,
            text_overlay=captions[scene],
            text_x=0.5,
            text_y=round(self.rng.uniform(0.12, 0.3), 2),
            filter=self.rng.choice(STORY_FILTERS_USED),
            privacy=privacy,
        )
        at = self.now - timedelta(hours=hours_ago)
        Story.objects.filter(pk=story.pk).update(created_at=at, expires_at=at + STORY_LIFETIME)
        self.stories += 1
        return story

    def _stories(
        self,
        *,
        demo: Member,
        owners: list[Member],
        watchers: list[Member],
        hebrew: dict[UUID, bool],
    ) -> None:
        """One story from each of ``owners`` (the first, a match's, is for matches only) and
        one of the demo login's own, viewed by ``watchers`` (every other one reacts) and
        answered by ``owners[1]`` (a match: the reply lands in their chat)."""
        rng = self.rng
        for n, (member, scene) in enumerate(zip(owners, NEIGHBOUR_SCENES, strict=True)):
            privacy = Story.Privacy.PRIVATE if n == 0 else Story.Privacy.PUBLIC
            story = self._publish(
                member=member,
                scene=scene,
                hebrew=hebrew[member.pk],
                privacy=privacy,
                hours_ago=1.5 + 4 * n + rng.uniform(0, 2),
            )
            if n == len(owners) - 1:  # she has seen one: the strip shows seen and unseen
                story_view_record(viewer=demo.user, story_id=story.pk)
        own = self._publish(
            member=demo, scene=OWN_SCENE, hebrew=True, privacy=Story.Privacy.PUBLIC, hours_ago=3
        )
        reactions = list(StoryReaction.ReactionType.values)
        for n, member in enumerate(watchers):
            story_view_record(viewer=member.user, story_id=own.pk)
            if n % 2 == 0:
                story_react(user=member.user, story_id=own.pk, reaction_type=reactions[n % 4])
        replier = owners[1]
        reply = story_reply(
            sender=replier.user,
            story_id=own.pk,
            text=HE_STORY_REPLY if hebrew[replier.pk] else EN_STORY_REPLY,
        )
        at = self.now - timedelta(minutes=rng.randint(40, 100))
        StoryReply.objects.filter(pk=reply.pk).update(created_at=at)
        Message.objects.filter(story=own, sender=replier).update(created=at)
        self.seeder.counts["messages"] += 1
