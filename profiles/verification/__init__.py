"""Selfie verification (rules §4): the member photographs themselves in a pose the server picked
at random; staff compare it with the profile photos and approve or reject it. **Verified** means
an approved selfie, and nothing else: :func:`profiles.selectors.is_verified` (the
``Member.verified`` column in list queries) is the only place that answers it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: pose key -> (short name, instruction). Each has an illustration in static/img/poses/<key>.svg.
POSES = {
    "thumbs_up": (_("Thumbs up"), _("Hold one thumb up next to your face.")),
    "hand_on_head": (_("Hand on head"), _("Put one hand flat on top of your head.")),
    "peace_sign": (_("Peace sign"), _("Make a peace sign (two fingers) next to your face.")),
    "touch_ear": (_("Touch your ear"), _("Touch one ear with one finger.")),
}
