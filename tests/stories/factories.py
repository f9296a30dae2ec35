"""Factories and helpers for the stories tests."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from matching.models import Like
from stories.models import STORY_LIFETIME, Story
from tests.factories import MemberFactory, image_bytes


class StoryFactory(factory.django.DjangoModelFactory):
    """An active story with a real JPEG in story storage; ``user`` has a complete member."""

    class Meta:
        model = Story

    user = factory.LazyFunction(lambda: MemberFactory().user)
    image = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="story.jpg"))
    privacy = Story.Privacy.PUBLIC
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + STORY_LIFETIME)


def make_premium(user) -> None:
    user.premium_until = timezone.now() + timedelta(days=30)
    user.save(update_fields=["premium_until"])


def make_match(a, b) -> None:
    """Users ``a`` and ``b`` (with members) like each other."""
    Like.objects.create(source=a.member, target=b.member)
    Like.objects.create(source=b.member, target=a.member)
