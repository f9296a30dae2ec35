"""``manage.py purge_expired_tokens``: remove expired sign-up tokens and stale unverified data
(rules §14). Safe to run from cron or Celery beat; ``--dry-run`` only counts."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User

DEFAULT_UNVERIFIED_DAYS = 7


def stale_unverified_users(*, older_than_days: int) -> QuerySet[User]:
    """Accounts that signed up more than ``older_than_days`` ago and never verified an e-mail:
    no verified address, no social login, never logged in, no profile, not staff."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    social = SocialAccount.objects.filter(user=OuterRef("pk"))
    return User.objects.filter(
        date_joined__lt=cutoff,
        last_login__isnull=True,
        email_verified__isnull=True,
        profile_complete=False,
        is_staff=False,
        is_superuser=False,
    ).filter(~Exists(verified), ~Exists(social))


class Command(BaseCommand):
    help = (
        "Delete expired e-mail confirmation keys, expired OAuth access tokens, expired sessions "
        "and accounts that never verified their e-mail within --unverified-days (default 7). "
        "Use --dry-run to only print what would be deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )
        parser.add_argument(
            "--unverified-days",
            type=int,
            default=DEFAULT_UNVERIFIED_DAYS,
            metavar="DAYS",
            help=f"Age in days after which never-verified accounts are deleted "
            f"(default {DEFAULT_UNVERIFIED_DAYS}; 0 keeps them all).",
        )

    def handle(self, *args: object, dry_run: bool, unverified_days: int, **options: object) -> None:
        now = timezone.now()
        targets: list[tuple[str, QuerySet]] = [
            ("expired e-mail confirmations", EmailConfirmation.objects.all_expired()),
            ("expired OAuth tokens", SocialToken.objects.filter(expires_at__lt=now)),
            ("expired sessions", Session.objects.filter(expire_date__lt=now)),
        ]
        if unverified_days > 0:
            targets.append(
                (
                    "never-verified accounts",
                    stale_unverified_users(older_than_days=unverified_days),
                )
            )
        verb = "would delete" if dry_run else "deleted"
        with transaction.atomic():
            for label, qs in targets:
                count = qs.count() if dry_run else qs.delete()[1].get(qs.model._meta.label, 0)
                self.stdout.write(f"{verb} {count} {label}")
        if dry_run:
            self.stdout.write(self.style.WARNING("dry run: nothing was deleted"))
