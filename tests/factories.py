"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import io
from datetime import date

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from profiles.models import Member, Photo


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (64, 64), color: str = "orange"
) -> bytes:
    """A small real image encoded as ``fmt``."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def image_upload(
    name: str = "photo.jpg", fmt: str = "JPEG", **kwargs: object
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type=f"image/{fmt.lower()}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("correct-horse-battery")
    name = factory.Faker("first_name")
    last_active_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Create a verified allauth EmailAddress unless ``verified=False`` is passed."""
        if not create:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=obj, email=obj.email, verified=extracted is not False, primary=True
        )


class MemberFactory(factory.django.DjangoModelFactory):
    """A member with a complete profile (user.profile_complete=True)."""

    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory, profile_complete=True)
    name = factory.Faker("first_name")
    date_of_birth = date(1995, 6, 15)
    gender = Member.Gender.FEMALE
    description = factory.Faker("sentence")
    city = "Tel Aviv"
    country = "Israel"
    latitude = 32.0853
    longitude = 34.7818
    last_active_at = factory.LazyFunction(timezone.now)
    # Copies of the user's range, as member_complete_profile makes them.
    preferred_age_min = factory.SelfAttribute("user.preferred_age_min")
    preferred_age_max = factory.SelfAttribute("user.preferred_age_max")
    prefers_male = factory.LazyAttribute(lambda o: "male" in o.user.preferred_gender_list)
    prefers_female = factory.LazyAttribute(lambda o: "female" in o.user.preferred_gender_list)
    prefers_other = factory.LazyAttribute(lambda o: "other" in o.user.preferred_gender_list)


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    member = factory.SubFactory(MemberFactory)
    file = factory.LazyFunction(lambda: image_upload())
    is_approved = True


def make_match(a: Member, b: Member) -> None:
    """Make ``a`` and ``b`` a mutual match (both likes), the condition for chatting (issue 16)."""
    from matching.models import Like

    Like.objects.get_or_create(source=a, target=b)
    Like.objects.get_or_create(source=b, target=a)
