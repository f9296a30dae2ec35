"""``demo_seed``: realistic demo members, likes, matches and messages (rules §14 ``seed_demo``).

Built for scale: rows are generated as plain tuples and inserted in batches (``COPY`` on
PostgreSQL, one ``executemany`` per batch elsewhere; see ``bulk.py``), with no per-row queries;
the shared password is hashed once, photos are a pool of
a few hundred generated images shared by many members, and what later steps need about each
member is kept in compact arrays (about 40 bytes a member). ``seed_demo --members 100000`` on
PostgreSQL: 86 s wall, 41 s CPU, 200 MB peak memory on a busy 2-core machine.
"""

from __future__ import annotations

import random
import secrets
import string
import time
import uuid
from array import array
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from matching.models import UserInteraction
from profiles.models import Interest, Member, Prompt, Selfie, age_on
from profiles.services import member_gender_flags
from profiles.verification import POSES

from . import showcase as showcase_module
from .cities import City, city_tables, jitter, pick_city
from .names import NamePool
from .photos import PEOPLE, SIZE, PortraitPool
from .tables import Tables, uuid7
from .text import PROMPT_ANSWERS, chat_line, description

DEMO_DOMAIN = "demo.miel.local"
ADMIN_EMAIL = "admin@miel.local"
DEMO_EMAIL = "demo@miel.local"

GENDERS = (Member.Gender.MALE, Member.Gender.FEMALE, Member.Gender.OTHER)
_BIT = {"male": 1, "female": 2, "other": 4}


@dataclass(frozen=True)
class Layout:
    """How members spread over the map."""

    israel_share: float  # of located members
    no_location: float  # share without any location
    spread_share: float  # share placed far (tens of km) from their city: rural / in between
    spread_sigma_km: float
    core_factor: float  # city jitter sigma = city radius * core_factor


DEFAULT_LAYOUT = Layout(0.80, 0.04, 0.03, 25.0, 0.5)
# --clustered (benchmarks, rules §16): dense city cores plus a real rural spread.
CLUSTERED_LAYOUT = Layout(0.85, 0.03, 0.15, 45.0, 0.35)


@dataclass
class SeedResult:
    members: int  # demo members created by this run, including the admin and the demo login
    admin_email: str
    admin_password: str
    demo_email: str
    password: str  # shared by every demo member, the demo login included
    seed: int
    photo_files: int  # distinct photo files used by this run
    photo_files_created: int
    likes: int
    matches: int
    messages: int
    seconds: float
    stories: int = 0  # the demo login's neighbourhood only (``showcase``)


class _Index:
    """What likes and messages need about each generated member, in compact arrays."""

    def __init__(self) -> None:
        self.member_ids = bytearray()
        self.user_ids = bytearray()
        self.gender = array("b")  # bit of the member's gender
        self.wants = array("b")  # bitmask of preferred genders
        self.hebrew = array("b")
        self.city = array("i")  # index into the city list, -1 = no location
        self.interest = array("i")  # one interest id (for chat openers)
        self.by_city: dict[int, array] = {}

    def __len__(self) -> int:
        return len(self.gender)

    def add(
        self,
        *,
        member_id: uuid.UUID,
        user_id: uuid.UUID,
        gender: str,
        wants: str,
        hebrew: bool,
        city: int,
        interest: int,
    ) -> None:
        i = len(self)
        self.member_ids += member_id.bytes
        self.user_ids += user_id.bytes
        self.gender.append(_BIT[gender])
        self.wants.append(sum(_BIT[g] for g in wants.split(",")))
        self.hebrew.append(hebrew)
        self.city.append(city)
        self.interest.append(interest)
        self.by_city.setdefault(city, array("i")).append(i)

    def member_id(self, i: int) -> uuid.UUID:
        return uuid.UUID(bytes=bytes(self.member_ids[16 * i : 16 * i + 16]))

    def user_id(self, i: int) -> uuid.UUID:
        return uuid.UUID(bytes=bytes(self.user_ids[16 * i : 16 * i + 16]))


class _Seeder:
    def __init__(
        self,
        *,
        seed: int,
        layout: Layout,
        password_hash: str,
        batch_size: int,
        progress: Callable[[str], None] | None,
    ) -> None:
        self.rng = random.Random(seed)
        self.names = {"he": NamePool("he_IL"), "en": NamePool("en_US")}
        self.layout = layout
        self.password_hash = password_hash
        self.batch_size = batch_size
        self.progress = progress
        self.now = timezone.now()
        self.today = timezone.localdate()
        israel, _, world, _ = city_tables()
        self.cities: tuple[City, ...] = israel + world
        self.city_pos = {c: i for i, c in enumerate(self.cities)}
        self.interests = list(
            Interest.objects.order_by("slug").values_list("id", "name", "name_he")
        )
        self.photos = PortraitPool(storages["photos"])
        self._urls: dict[str, str] = {}
        self.index = _Index()
        self._interest_names = {iid: (en, he) for iid, en, he in self.interests}
        prompt_ids = dict(Prompt.objects.values_list("slug", "id"))
        self.prompt_bank = [  # (prompt id, English answers, Hebrew answers), issue 18
            (prompt_ids[slug], en, he)
            for slug, (en, he) in PROMPT_ANSWERS.items()
            if slug in prompt_ids
        ]
        self.candidates_for_demo: list[int] = []
        self.first_social = 0  # index of the first generated member (after admin / demo)
        self.counts = {"likes": 0, "matches": 0, "messages": 0}

    # --- one member ---------------------------------------------------------------------
    def _age(self) -> int:
        """18-70, most in their late 20s and 30s (gamma-shaped, mean about 32)."""
        while True:
            age = 18 + int(self.rng.gammavariate(2.2, 6.5))
            if age <= 70:
                return age

    def _dob(self, age: int) -> date:
        dob = self.today - timedelta(days=int(age * 365.25) + self.rng.randint(1, 360))
        while age_on(dob, self.today) < 18:
            dob -= timedelta(days=30)
        return dob

    def _last_active(self) -> datetime:
        r = self.rng.random()
        if r < 0.12:  # online now (within 15 minutes)
            return self.now - timedelta(seconds=self.rng.uniform(0, 14 * 60))
        if r < 0.40:  # earlier today
            return self.now - timedelta(hours=self.rng.uniform(0.25, 24))
        return self.now - timedelta(days=1 + 29 * self.rng.random() ** 1.5)

    def _preferences(self, gender: str, age: int) -> tuple[str, int, int]:
        r = self.rng.random()
        if gender == "male":
            wants = "female" if r < 0.88 else ("male" if r < 0.96 else "male,female")
        elif gender == "female":
            wants = "male" if r < 0.88 else ("female" if r < 0.95 else "male,female")
        else:
            wants = "male,female,other"
        lo = max(18, age - self.rng.randint(3, 10))
        hi = min(100, max(lo, age + self.rng.randint(3, 12)))
        return wants, lo, hi

    def _place(self) -> tuple[City | None, float | None, float | None]:
        lay = self.layout
        if self.rng.random() < lay.no_location:
            return None, None, None
        city = pick_city(self.rng, israel_share=lay.israel_share)
        if self.rng.random() < lay.spread_share:
            sigma = lay.spread_sigma_km
        else:
            sigma = city.radius_km * lay.core_factor
        lat, lon = jitter(self.rng, city, sigma_km=sigma)
        return city, lat, lon

    def _url(self, name: str) -> str:
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = self.photos.storage.url(name)
        return url

    def build(
        self,
        *,
        email: str,
        t: Tables,
        gender: str | None = None,
        age: int | None = None,
        city: City | None = None,
        hebrew: bool | None = None,
        name: str | None = None,
        staff: bool = False,
        password_hash: str | None = None,
        with_photo: bool | None = None,
        wants: str | None = None,
        age_range: tuple[int, int] | None = None,
        max_distance: int | None = None,
        last_active: datetime | None = None,
        premium: bool | None = None,
    ) -> int:
        """Queue one user + e-mail address + member (+ photos, interests) in ``t``; returns
        the member's position in the index.

        Every argument left None is drawn at random. ``age_range`` (years), ``max_distance``
        (km), ``last_active`` and ``premium=False`` (no premium, no boost) are only given for
        the demo login's neighbourhood (``showcase.py``); members built without them draw
        exactly the random values they always did, so ``--seed`` keeps giving the same data.
        """
        rng = self.rng
        gender = gender or rng.choices(GENDERS, weights=(48, 48, 4))[0]
        age = age or self._age()
        lat: float | None
        lon: float | None
        if city is not None:
            lat, lon = jitter(rng, city, sigma_km=city.radius_km * 0.3)
        else:
            city, lat, lon = self._place()
        if hebrew is None:
            hebrew = city is not None and city.israeli and rng.random() < 0.75
        lang = "he" if hebrew else "en"
        pool = self.names[lang]
        female = gender == "female" or (gender == "other" and rng.random() < 0.5)
        first = name or pool.pick(rng, "first_names_female" if female else "first_names_male")
        last = pool.pick(rng, "last_names")
        pref_genders, age_lo, age_hi = self._preferences(gender, age)
        wants = wants or pref_genders
        if age_range is not None:
            age_lo, age_hi = age_range

        last_active = last_active or self._last_active()
        joined = last_active - timedelta(days=rng.uniform(0, 365))
        premium_until = boosted_until = None
        boosts_available = boosts_used = 0
        if premium is not False and rng.random() < 0.08:
            premium_until = self.now + timedelta(days=rng.randint(3, 330))
            boosts_available = rng.randint(0, 12)
            if rng.random() < 0.5:
                boosted_until = self.now + timedelta(hours=rng.uniform(0.5, 23.5))
                boosts_used = rng.randint(1, 5)

        user_id = uuid7()
        member_id = uuid7()
        k = rng.randint(3, 8)
        chosen = rng.sample(self.interests, k)
        names = [(he if hebrew else en) for _, en, he in chosen]
        image = ""
        if with_photo is None:
            with_photo = rng.random() < 0.92
        if with_photo:
            person = rng.randrange(PEOPLE)
            n_photos = 1 if rng.random() < 0.7 else rng.randint(2, 3)
            for p in range(n_photos):
                file_name = self.photos.name_for(gender=gender, person=person, shot=p)
                if p == 0:
                    image = self._url(file_name)
                t.photos.add(
                    uuid7(),
                    member_id,
                    file_name,
                    True,
                    SIZE[0],
                    SIZE[1],
                    joined + timedelta(minutes=5 + p),
                    joined + timedelta(minutes=5 + p),
                )
        t.users.add(
            user_id,
            email,
            password_hash or self.password_hash,
            f"{first} {last}",
            staff,
            staff,
            True,
            User.Role.ADMIN if staff else User.Role.MEMBER,
            joined,
            last_active,
            joined + timedelta(minutes=2),
            joined + timedelta(minutes=3),
            image,
            True,
            premium_until,
            boosts_available,
            boosts_used,
            rng.randint(35, 95),
            last_active,
            wants,
            age_lo,
            age_hi,
            True,
            True,
        )
        t.emails.add(user_id, email, True, True)
        t.members.add(
            member_id,
            user_id,
            first,
            self._dob(age),
            gender,
            joined,
            joined,
            description(rng=rng, hebrew=hebrew, female=female, interests=names),
            city.name if city else "",
            city.country if city else "",
            image,
            lat,
            lon,
            joined if lat is not None else None,
            lat is not None,
            max_distance or rng.choice((10, 25, 50, 50, 50, 100, 200)),
            boosted_until,
            last_active,
            True,  # listed: every seeded user is active with a complete profile
            age_lo,  # the copies of the user's preferred age range
            age_hi,
            *member_gender_flags(wants).values(),  # and of the preferred genders
            *self._details(rng, female=female, hebrew=hebrew),
        )
        if self.prompt_bank:  # 1-3 answered prompts in the member's language (issue 18)
            for pos, (pid, en, he) in enumerate(rng.sample(self.prompt_bank, rng.randint(1, 3))):
                answer = rng.choice(he if hebrew else en)
                t.prompts.add(uuid7(), member_id, pid, answer, pos, joined)
        for iid, _, _ in chosen:
            t.interests.add(member_id, iid)
        position = len(self.index)
        self.index.add(
            member_id=member_id,
            user_id=user_id,
            gender=gender,
            wants=wants,
            hebrew=hebrew,
            city=self.city_pos[city] if city else -1,
            interest=chosen[0][0],
        )
        return position

    @staticmethod
    def _details(rng: random.Random, *, female: bool, hebrew: bool) -> tuple:
        """Intention, observance, height (cm) and smoking of one demo member (issue 18);
        about a third leave each one empty, as real members would."""
        intention = rng.choice(
            (
                "",
                "long_term",
                "long_term",
                "long_open",
                "short_open",
                "short_fun",
                "friends",
                "figuring",
            )
        )
        observance = (
            rng.choice(("", "secular", "secular", "traditional", "religious", "orthodox", "other"))
            if hebrew
            else rng.choice(("", "", "secular", "other"))
        )
        height = rng.randint(155, 178) if female else rng.randint(165, 192)
        return (
            intention,
            observance,
            height if rng.random() < 0.6 else None,
            rng.choice(("", "", "never", "never", "sometimes", "often")),
        )

    # --- batches --------------------------------------------------------------------------
    def members(self, *, t: Tables, count: int, first_number: int) -> None:
        started = time.monotonic()
        for n in range(count):
            pos = self.build(email=f"member{first_number + n}@{DEMO_DOMAIN}", t=t)
            if (
                len(self.candidates_for_demo) < 40
                and self.index.gender[pos] == _BIT["male"]
                and self.index.city[pos] >= 0
                and self.cities[self.index.city[pos]].israeli
            ):
                self.candidates_for_demo.append(pos)
            if len(t.users) >= self.batch_size:
                t.flush()
                if self.progress and (n + 1) % (self.batch_size * 5) == 0:
                    self.progress(
                        f"  {n + 1:>9,} / {count:,} members  ({time.monotonic() - started:.1f} s)"
                    )
        t.flush()

    # --- likes, matches, messages ---------------------------------------------------------
    def _partners(self, i: int, k: int) -> list[int]:
        """Up to ``k`` members after ``i`` (same city when possible) of a gender ``i`` wants.

        Pairs are only formed with a *later* member (the like's direction is random), so each
        unordered pair comes up at most once: no duplicate likes, no unique-constraint clash,
        no set of every pair in memory.
        """
        idx = self.index
        rng = self.rng
        n = len(idx)
        if i >= n - 1:
            return []
        bucket = idx.by_city.get(idx.city[i])
        lo = bisect_right(bucket, i) if bucket is not None else 0
        found: set[int] = set()
        for _ in range(k * 3):
            if len(found) >= k:
                break
            if bucket is not None and lo < len(bucket) and rng.random() < 0.9:
                j = bucket[rng.randrange(lo, len(bucket))]
            else:
                j = rng.randrange(i + 1, n)
            if j >= self.first_social and idx.gender[j] & idx.wants[i]:
                found.add(j)
        return sorted(found)

    def _interest_name(self, interest_id: int, hebrew: bool) -> str:
        en, he = self._interest_names[interest_id]
        return he if hebrew else en

    def _conversation(
        self, *, t: Tables, a: int, b: int, start: datetime, unread_last: bool
    ) -> None:
        idx = self.index
        rng = self.rng
        at = start
        n = rng.randint(1, 6)
        topic = idx.interest[a]
        for k in range(n):
            sender, recipient = (a, b) if k % 2 == 0 else (b, a)
            at = min(
                self.now - timedelta(seconds=n - k), at + timedelta(minutes=rng.uniform(2, 300))
            )
            last = k == n - 1
            hebrew = bool(idx.hebrew[sender])
            s, r = idx.member_id(sender), idx.member_id(recipient)
            text = chat_line(
                rng=rng, hebrew=hebrew, position=k, interest=self._interest_name(topic, hebrew)
            )
            read = None if (last and unread_last) else at + timedelta(minutes=3)
            t.messages.add(uuid7(), text, s, r, at, read)
            t.interactions.add(uuid7(), s, r, UserInteraction.Action.MESSAGE, 3.0, at)
        self.counts["messages"] += n

    def _like(self, *, t: Tables, src: int, dst: int, at: datetime, seen: bool) -> None:
        idx = self.index
        s, d = idx.member_id(src), idx.member_id(dst)
        t.likes.add(uuid7(), s, d, at)
        t.interactions.add(uuid7(), s, d, UserInteraction.Action.LIKE, 2.0, at)
        t.views.add(uuid7(), idx.user_id(src), idx.user_id(dst), at - timedelta(minutes=1), seen)
        self.counts["likes"] += 1

    def social(self, *, t: Tables) -> None:
        """About half the members start 1-5 pairs with people nearby (a like in a random
        direction); about 30% of likes come back (mutual matches) and 60% of matches have a
        short conversation. The admin and the demo login are left out (handled apart)."""
        rng = self.rng
        for i in range(self.first_social, len(self.index)):
            if rng.random() >= 0.5:
                continue
            for j in self._partners(i, rng.randint(1, 5)):
                a, b = (i, j) if rng.random() < 0.5 else (j, i)
                at = self.now - timedelta(days=20 * rng.random() ** 2, minutes=rng.randint(5, 600))
                self._like(t=t, src=a, dst=b, at=at, seen=rng.random() < 0.7)
                if rng.random() < 0.3:
                    back = min(self.now, at + timedelta(hours=rng.uniform(0.1, 48)))
                    self._like(t=t, src=b, dst=a, at=back, seen=True)
                    self.counts["matches"] += 1
                    if rng.random() < 0.6:
                        self._conversation(
                            t=t, a=b, b=a, start=back, unread_last=rng.random() < 0.3
                        )
            if len(t.likes) >= self.batch_size:
                t.flush()
        t.flush()

    def demo_login_extras(self, *, t: Tables, demo: int) -> None:
        """The ready demo login gets matches with conversations, likes and profile views, so
        every list has something to show."""
        for n, j in enumerate(self.candidates_for_demo[:12]):
            at = self.now - timedelta(days=n + 1, hours=self.rng.uniform(0, 20))
            if n < 3:  # mutual matches with a chat, the newest message unread
                self._like(t=t, src=j, dst=demo, at=at, seen=True)
                self._like(t=t, src=demo, dst=j, at=at + timedelta(hours=2), seen=True)
                self.counts["matches"] += 1
                self._conversation(
                    t=t, a=j, b=demo, start=at + timedelta(hours=2), unread_last=n == 0
                )
            elif n < 8:  # liked the demo member
                self._like(t=t, src=j, dst=demo, at=at, seen=n % 2 == 0)
            else:  # liked by the demo member
                self._like(t=t, src=demo, dst=j, at=at, seen=True)
        t.flush()


def demo_seed(
    *,
    members: int = 60,
    seed: int | None = None,
    clustered: bool = False,
    password: str | None = None,
    admin_password: str | None = None,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
    showcase: bool = False,
) -> SeedResult:
    """Create ``members`` demo members plus the admin and the ready demo login (rules §14).

    Arguments: ``members`` >= 0 generated members; ``seed`` makes every generated value (names,
    places, ages, texts, likes, messages) reproducible (ids and timestamps relative to now are
    not); ``clustered`` = benchmark layout (dense city cores + 15 % rural spread);
    ``password`` / ``admin_password`` default to fresh random ones (returned). ``showcase``
    (``seed_demo`` without ``--members``, i.e. ``make run``): when the demo login is created by
    this run, it gets a lively neighbourhood instead of the few likes and chats with random
    members: :data:`showcase.NEIGHBOURS` more members nearby, matches, chats, likes, views and
    stories (``showcase.py``). Without it the data is exactly what it always was (the
    benchmark seeds with ``--members``).

    Runs in one transaction (all or nothing). Existing demo accounts (admin, demo login and
    ``member*@demo.miel.local``) get the new passwords; new numbered members continue after the
    existing ones. Writes at most 3 genders x ``PEOPLE`` x ``SHOTS`` portrait files to the ``photos``
    storage (reused across runs). Raises ValueError for a negative ``members``.
    """
    if members < 0:
        raise ValueError("members must be >= 0")
    started = time.monotonic()
    if seed is None:
        seed = secrets.randbelow(2**31)
    password = password or _random_password()
    admin_password = admin_password or _random_password()
    password_hash = make_password(password)  # hashed once for every demo member
    seeder = _Seeder(
        seed=seed,
        layout=CLUSTERED_LAYOUT if clustered else DEFAULT_LAYOUT,
        password_hash=password_hash,
        batch_size=batch_size,
        progress=progress,
    )
    israel = city_tables()[0]
    tel_aviv = next(c for c in israel if c.name == "Tel Aviv")
    created = 0
    with transaction.atomic():
        t = Tables()
        existing = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count()
        # Existing demo accounts get the new shared password (one UPDATE), so it stays true.
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").update(password=password_hash)
        admin = User.objects.filter(email__iexact=ADMIN_EMAIL).first()
        if admin is None:
            seeder.build(
                email=ADMIN_EMAIL,
                t=t,
                gender="other",
                age=35,
                city=tel_aviv,
                hebrew=False,
                name="Miel Admin",
                staff=True,
                password_hash=make_password(admin_password),
                with_photo=True,
            )
            created += 1
        else:
            admin.set_password(admin_password)
            admin.save(update_fields=["password"])
        demo = None
        if not User.objects.filter(email__iexact=DEMO_EMAIL).exists():
            demo = seeder.build(
                email=DEMO_EMAIL,
                t=t,
                gender="female",
                age=showcase_module.DEMO_AGE,
                city=tel_aviv,
                hebrew=True,
                name="דנה",
                with_photo=True,
                wants="male",
                # The showcase's own settings; build's defaults (None) otherwise.
                age_range=showcase_module.DEMO_AGE_RANGE if showcase else None,
                max_distance=showcase_module.DEMO_MAX_DISTANCE if showcase else None,
                last_active=seeder.now if showcase else None,
                premium=False if showcase else None,  # premium comes from billing.services below
            )
            created += 1
        else:
            User.objects.filter(email__iexact=DEMO_EMAIL).update(password=password_hash)
        t.flush()
        seeder.first_social = len(seeder.index)
        seeder.members(t=t, count=members, first_number=existing + 1)
        created += members
        seeder.social(t=t)
        stories = 0
        if demo is not None and showcase:
            neighbourhood = showcase_module.Showcase(seeder=seeder, demo=demo, centre=tel_aviv)
            neighbourhood.build_members(t=t, first_number=existing + members + 1)
            neighbourhood.connect()
            created += len(neighbourhood.positions)
            stories = neighbourhood.stories
        elif demo is not None:
            seeder.demo_login_extras(t=t, demo=demo)
        _verify_some(seed=seed)
    return SeedResult(
        members=created,
        admin_email=ADMIN_EMAIL,
        admin_password=admin_password,
        demo_email=DEMO_EMAIL,
        password=password,
        seed=seed,
        photo_files=seeder.photos.distinct,
        photo_files_created=seeder.photos.created,
        likes=seeder.counts["likes"],
        matches=seeder.counts["matches"],
        messages=seeder.counts["messages"],
        seconds=time.monotonic() - started,
        stories=stories,
    )


#: Share of demo members with a photo who get an approved verification selfie.
VERIFIED_SHARE = 0.4


def _verify_some(*, seed: int) -> int:
    """Give the demo login (Dana) and about :data:`VERIFIED_SHARE` of the demo members with a
    photo and no selfie yet an approved verification selfie (no image file: demo rows only),
    so the badge shows up across the demo (rules §4). Drawn from its own generator, so the rest
    of the seeded data stays what ``--seed`` always gave. Returns how many were verified."""

    rng = random.Random(seed ^ 0x5E1F1E)
    poses = list(POSES)
    now = timezone.now()
    candidates = (
        Member.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}", selfies__isnull=True)
        .exclude(image="")
        .order_by("id")
        .values_list("id", flat=True)
    )
    chosen = [pk for pk in candidates.iterator() if rng.random() < VERIFIED_SHARE]
    dana = Member.objects.filter(user__email__iexact=DEMO_EMAIL, selfies__isnull=True)
    chosen += list(dana.values_list("id", flat=True))
    Selfie.objects.bulk_create(
        [
            Selfie(
                member_id=pk,
                pose=rng.choice(poses),
                status=Selfie.Status.APPROVED,
                created_at=now,
                submitted_at=now,
                decided_at=now,
            )
            for pk in chosen
        ],
        batch_size=2000,
    )
    for start in range(0, len(chosen), 2000):
        Member.objects.filter(pk__in=chosen[start : start + 2000]).update(verified=True)
    return len(chosen)


def _random_password() -> str:
    """12 letters and digits (~71 bits): unguessable, and a double click selects all of it."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(12))


__all__ = ["ADMIN_EMAIL", "DEMO_DOMAIN", "DEMO_EMAIL", "SeedResult", "demo_seed"]
