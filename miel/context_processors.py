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


#: Which tab of the navigation a page belongs to, by URL name (issue 15 navigation).
_TABS = {
    "discover": {"matching:discover", "matching:member_list", "matching:smart_matches"},
    "likes": {"matching:lists", "matching:views"},
    "chats": {"messaging:mailbox", "messaging:chat"},
    "profile": {
        "profiles:me",
        "profiles:member_edit",
        "profiles:video_manage",
        "accounts:settings",
        "rights:data",
        "rights:delete",
        "billing:premium",
        "billing:success",
        "matching:blocked_list",
    },
}


def nav(request: HttpRequest) -> dict:
    """``nav_tab``: the navigation tab of the current page ("discover", "likes", "chats",
    "profile" or ""), marked ``aria-current="page"`` in the tab bar. A member's own profile
    page belongs to "profile", anyone else's to no tab."""
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match else ""
    if name == "profiles:member_detail":
        user = getattr(request, "user", None)
        own = (
            user is not None
            and match is not None
            and str(match.kwargs.get("user_id")) == str(user.pk)
        )
        return {"nav_tab": "profile" if own else ""}
    for tab, names in _TABS.items():
        if name in names:
            return {"nav_tab": tab}
    return {"nav_tab": ""}
