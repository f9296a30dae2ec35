"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Expose site-wide flags (social providers configured, payments configured) to templates."""
    return {
        "SITE_NAME": "Miel",
        "SOCIAL_PROVIDERS": sorted(settings.SOCIALACCOUNT_PROVIDERS),
        "PAYMENTS_CONFIGURED": bool(settings.STRIPE_SECRET_KEY),
    }
