"""Benchmark: smart matches for one user against N candidates (SPEC §16: 10 000 candidates,
<= 250 ms and <= 3 queries uncached, <= 5 ms cached).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miel_h7 \
        .venv/bin/python bench/smart_matches.py --candidates 10000

Creates (once, idempotently) a viewer ``bench-viewer@bench.miel`` and N candidate members
``bench-<i>@bench.miel`` with bulk_create (random but seeded: ages 25-45, around Tel Aviv,
3-7 interests, short bios, a few interactions), then runs
``manage.py recompute_smart_matches --user bench-viewer@bench.miel --bench``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # development benchmark (settings default: false)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from matching.models import UserInteraction  # noqa: E402
from profiles.models import Interest, Member  # noqa: E402

_WORDS_TEXT = (
    "hiking coffee music travel cooking books jazz beach running yoga movies art dogs cats "
    "wine startup design photography climbing surfing theatre dancing sunsets markets baking"
)
WORDS = _WORDS_TEXT.split()
UNUSABLE = "!"  # an unusable password hash: bench accounts cannot log in
VIEWER = "bench-viewer@bench.miel"


def ensure_data(n: int) -> None:
    rng = random.Random(7)
    interests = list(Interest.objects.values_list("pk", flat=True))
    have = (
        Member.objects.filter(user__email__endswith="@bench.miel")
        .exclude(user__email=VIEWER)
        .count()
    )
    now = timezone.now()
    with transaction.atomic():
        if not User.objects.filter(email=VIEWER).exists():
            viewer = User.objects.create(
                email=VIEWER,
                password=UNUSABLE,
                profile_complete=True,
                preferred_genders="female",
                preferred_age_min=18,
                preferred_age_max=60,
            )
            vm = Member.objects.create(
                user=viewer,
                name="Bench",
                date_of_birth=date(1990, 1, 1),
                gender="male",
                description="I love hiking, jazz and good coffee by the beach",
                city="Tel Aviv",
                country="Israel",
                latitude=32.08,
                longitude=34.78,
                last_active_at=now,
                preferred_age_min=viewer.preferred_age_min,  # copies of the user's range
                preferred_age_max=viewer.preferred_age_max,
            )
            vm.interests.set(rng.sample(interests, 5))
        if have >= n:
            return
        batch = 2000
        for start in range(have, n, batch):
            stop = min(n, start + batch)
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"bench-{i}@bench.miel",
                        password=UNUSABLE,
                        profile_complete=True,
                        preferred_genders="male",
                        preferred_age_min=25,
                        preferred_age_max=45,
                    )
                    for i in range(start, stop)
                ]
            )
            members = Member.objects.bulk_create(
                [
                    Member(
                        user=u,
                        name=f"Bench {u.email.split('@')[0][6:]}",
                        date_of_birth=date(1980, 1, 1) + timedelta(days=rng.randrange(0, 20 * 365)),
                        gender="female",
                        description=" ".join(rng.sample(WORDS, 8)),
                        city="Tel Aviv",
                        country="Israel",
                        latitude=32.08 + rng.uniform(-0.5, 0.5),
                        longitude=34.78 + rng.uniform(-0.3, 0.3),
                        last_active_at=now,
                        preferred_age_min=u.preferred_age_min,  # copies of the user's range
                        preferred_age_max=u.preferred_age_max,
                    )
                    for u in users
                ]
            )
            through = Member.interests.through
            through.objects.bulk_create(
                [
                    through(member_id=m.pk, interest_id=i)
                    for m in members
                    for i in rng.sample(interests, rng.randint(3, 7))
                ]
            )
        viewer_member = Member.objects.get(user__email=VIEWER)
        targets = list(
            Member.objects.filter(user__email__startswith="bench-").exclude(pk=viewer_member.pk)[
                :50
            ]
        )
        UserInteraction.objects.bulk_create(
            [
                UserInteraction(user=viewer_member, target=t, action="view", weight=0.7)
                for t in targets
            ]
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ensure_data(args.candidates)
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh statistics after the bulk insert
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE accounts_user, profiles_member, profiles_member_interests, "
                "matching_userinteraction, matching_block"
            )
    call_command("recompute_smart_matches", user=VIEWER, bench=True, repeat=args.repeat)
