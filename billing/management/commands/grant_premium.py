"""``manage.py grant_premium <email> --months N [--boosts N]``: staff grant (rules §14)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from billing.services import premium_grant


class Command(BaseCommand):
    help = "Give a user premium for N months (from now or from their current end) and boosts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--months", type=int, required=True)
        parser.add_argument("--boosts", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        email, months, boosts = options["email"], options["months"], options["boosts"]
        if months < 1:
            raise CommandError("--months must be at least 1")
        if boosts < 0:
            raise CommandError("--boosts cannot be negative")
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with e-mail {email}")
        user = premium_grant(user=user, months=months, boosts=boosts)
        assert user.premium_until is not None  # premium_grant always sets it
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.email}: premium until {user.premium_until.isoformat()}, "
                f"{user.boosts_available} boosts available"
            )
        )
