"""Accounts: the custom User (rules §2, seed table User).

OAuth accounts and e-mail/reset tokens are django-allauth's own tables; they replace the seed's
Account and Token tables.
"""

from __future__ import annotations

from datetime import datetime

import uuid6
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_email_notifications() -> dict[str, bool]:
    """Per-kind e-mail notification switches (rules §3 account settings)."""
    return {"new_match": True, "new_message": True, "new_like": True, "story_reply": True}


class UserManager(BaseUserManager["User"]):
    """Manager for an e-mail-login user; e-mails are stored lower-cased (rules §3)."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", User.Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractUser):
    """An account. Logs in by e-mail; the dating profile is ``user.member`` (created on onboarding)."""

    class Role(models.TextChoices):
        ADMIN = "ADMIN", _("Admin")
        MEMBER = "MEMBER", _("Member")

    id = models.UUIDField(primary_key=True, default=uuid6.uuid7, editable=False)
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    email_verified = models.DateTimeField(_("email verified at"), null=True, blank=True)
    image = models.URLField(max_length=500, blank=True)
    profile_complete = models.BooleanField(default=False)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    premium_until = models.DateTimeField(null=True, blank=True)
    boosts_available = models.PositiveIntegerField(default=0)
    boosts_used = models.PositiveIntegerField(default=0)
    canceled_at = models.DateTimeField(null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider = models.CharField(max_length=30, default="credentials")
    oauth_verified = models.BooleanField(default=False)
    trust_score = models.PositiveSmallIntegerField(default=0)
    last_active_at = models.DateTimeField(null=True, blank=True, db_index=True)
    email_notifications = models.JSONField(default=default_email_notifications)
    preferred_genders = models.CharField(max_length=50, default="male,female")
    preferred_age_min = models.PositiveSmallIntegerField(default=18)
    preferred_age_max = models.PositiveSmallIntegerField(default=100)
    has_seen_members_intro = models.BooleanField(default=False)
    has_seen_welcome_message = models.BooleanField(default=False)
    welcome_email_sent_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="Asia/Jerusalem")
    #: The site language the member last chose (a code from settings.LANGUAGES); e-mails to
    #: them are written in it. Empty = never chose: the site default (settings.LANGUAGE_CODE).
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    incognito = models.BooleanField(
        default=False,
        help_text=_(
            "Premium: only members I liked see me in discovery, and my profile views are "
            "not recorded."
        ),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(trust_score__gte=0, trust_score__lte=100),
                name="accounts_user_trust_score_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(preferred_age_min__gte=18, preferred_age_max__lte=100)
                & models.Q(preferred_age_min__lte=models.F("preferred_age_max")),
                name="accounts_user_preferred_age_range",
            ),
        ]
        indexes = [
            # The few incognito members, for the discovery filter (matching.selectors).
            models.Index(
                fields=["premium_until"],
                condition=models.Q(incognito=True),
                name="user_incognito_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: object, **kwargs: object) -> None:
        if self.email:
            self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_premium(self) -> bool:
        """Premium = ``premium_until`` in the future (rules §13)."""
        return self.premium_until is not None and self.premium_until > timezone.now()

    @property
    def email_language(self) -> str:
        """The language code to write this user's e-mails in (rules §15): their last choice,
        else the site default."""
        codes = {code for code, _name in settings.LANGUAGES}
        return self.language if self.language in codes else settings.LANGUAGE_CODE

    @property
    def preferred_gender_list(self) -> list[str]:
        return [g for g in self.preferred_genders.split(",") if g]

    def is_online(self, now: datetime | None = None) -> bool:
        """Active within the last 15 minutes (rules §5)."""
        if self.last_active_at is None:
            return False
        now = now or timezone.now()
        return (now - self.last_active_at).total_seconds() <= 15 * 60
