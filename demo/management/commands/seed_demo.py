"""``manage.py seed_demo``: fill the site with realistic demo members (rules §14)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seed import ADMIN_EMAIL, DEMO_EMAIL, demo_seed
from demo.showcase import NEIGHBOURS
from profiles.models import Interest, Member

DEFAULT_MEMBERS = 60


class Command(BaseCommand):
    help = (
        "Create realistic demo members (real Israeli and world cities, Hebrew and English "
        "names, generated photos, interests, likes, matches, messages), an admin account and "
        "a ready demo login, and print their credentials."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members",
            type=int,
            default=None,
            help=(
                "number of generated members, besides the admin and the demo login (default "
                f"60, plus {NEIGHBOURS} around the demo login: see --showcase)"
            ),
        )
        parser.add_argument(
            "--showcase",
            action="store_true",
            help=(
                "give a new demo login a lively neighbourhood (members nearby, matches, chats, "
                "likes, views, stories); on by default when --members is not given"
            ),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when any member exists already (used by `make run`)",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="random seed: same seed, same demo data"
        )
        parser.add_argument(
            "--clustered",
            action="store_true",
            help="benchmark layout: dense city cores plus 15%% of members spread out (rural)",
        )
        parser.add_argument(
            "--password", default=None, help="shared demo-member password (default: random)"
        )
        parser.add_argument(
            "--admin-password", default=None, help="admin password (default: random)"
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="rows generated per INSERT batch"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        showcase = opts["showcase"] or opts["members"] is None
        if opts["members"] is None:
            opts["members"] = DEFAULT_MEMBERS
        if opts["members"] < 0:
            raise CommandError("--members must be 0 or more.")
        if opts["batch_size"] < 1:
            raise CommandError("--batch-size must be 1 or more.")
        if not Interest.objects.exists():
            raise CommandError("The interest catalogue is empty: run `manage.py migrate` first.")
        if opts["if_empty"] and Member.objects.exists():
            self.stdout.write(
                f"Demo data not created: {Member.objects.count():,} members exist already. "
                f"Admin: {ADMIN_EMAIL}, demo login: {DEMO_EMAIL} (passwords as printed when "
                f"they were seeded; reset one with `.venv/bin/python manage.py changepassword <e-mail>`)."
            )
            return
        verbose = opts["verbosity"] >= 1
        progress = self.stdout.write if verbose and opts["members"] >= 10_000 else None
        result = demo_seed(
            members=opts["members"],
            seed=opts["seed"],
            clustered=opts["clustered"],
            password=opts["password"],
            admin_password=opts["admin_password"],
            batch_size=opts["batch_size"],
            progress=progress,
            showcase=showcase,
        )
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.members:,} members in {result.seconds:.1f} s "
                f"(seed {result.seed}): {result.likes:,} likes, {result.matches:,} matches, "
                f"{result.messages:,} messages, {result.stories} stories, "
                f"{result.photo_files} photo files "
                f"({result.photo_files_created} new)."
            )
        )
        self.stdout.write(
            "\n"
            f"  Admin (staff, {site}/admin/ and {site}/moderation/):\n"
            f"      e-mail    {result.admin_email}\n"
            f"      password  {result.admin_password}\n"
            f"  Ready demo member:\n"
            f"      e-mail    {result.demo_email}\n"
            f"      password  {result.password}\n"
            f"  Every demo member (member1@demo.miel.local, member2@..., ...) uses the\n"
            f"  same password: {result.password}\n"
        )
