"""The settings page's time-zone select (rules §3) stays cheap (rules §16): the zone list is
read from the time-zone database once per process and the ~600 options are rendered in Python,
with the same markup Django's Select produces."""

from __future__ import annotations

import re
import zoneinfo
from unittest import mock

import pytest
from django import forms

from accounts.forms import AccountSettingsForm, _time_zone_choices, _time_zone_choices_in
from accounts.models import User

pytestmark = pytest.mark.django_db


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).replace('" >', '">')


def test_time_zone_select_has_the_markup_of_djangos_select():
    class Reference(forms.Form):
        time_zone = forms.ChoiceField(choices=_time_zone_choices)

    ours = str(AccountSettingsForm(initial={"time_zone": "America/Port-au-Prince"})["time_zone"])
    django_s = str(Reference(initial={"time_zone": "America/Port-au-Prince"})["time_zone"])

    assert _normalised(ours) == _normalised(django_s)
    assert '<option value="America/Port-au-Prince" selected>Haiti Time</option>' in ours
    assert ours.count(" selected") == 1
    assert ours.count("<option ") == len(_time_zone_choices_in("he"))


def test_a_stored_legacy_zone_is_shown_and_kept(member_client):
    """A member whose zone is a legacy alias ("Israel") sees it selected under its IANA name and
    can save the page without changing it; an unknown zone is still refused."""
    user_id = member_client.get("/settings/").wsgi_request.user.pk
    User.objects.filter(pk=user_id).update(time_zone="Israel")
    page = member_client.get("/settings/").content.decode()
    assert '<option value="Israel" selected>Israel</option>' in page
    form = AccountSettingsForm(data={"time_zone": "Israel"}, initial={"time_zone": "Israel"})
    assert form.is_valid(), form.errors
    assert not AccountSettingsForm(data={"time_zone": "Mars/Olympus"}).is_valid()


def test_settings_page_does_not_rescan_the_time_zone_database(member_client):
    member_client.get("/settings/")  # the list is computed at most once per process
    with mock.patch("zoneinfo.available_timezones", side_effect=AssertionError("rescanned")):
        page = member_client.get("/settings/")
        invalid = member_client.post("/settings/", {"time_zone": "Mars/Olympus"})

    assert page.status_code == 200
    assert 'value="Asia/Jerusalem" selected' in page.content.decode()
    assert invalid.status_code == 400  # validated against the cached list


def test_time_zones_read_as_names_in_the_page_language():
    """Issue 17: "Asia/Jerusalem" reads "שעון ישראל" in Hebrew, "Israel Time" in English; the
    same zones are offered in both languages."""
    from django.utils import translation

    he = dict(_time_zone_choices_in("he"))
    en = dict(_time_zone_choices_in("en"))
    assert he["Asia/Jerusalem"] == "שעון ישראל"
    assert en["Asia/Jerusalem"] == "Israel Time"
    assert he["America/New_York"] == "שעון ארצות הברית (ניו יורק)"
    assert set(he) == set(en)
    # The current zones only (no legacy aliases or Etc/ offsets, which have no Hebrew name),
    # every one of them named in Hebrew but UTC.
    canonical = {tz for tz in zoneinfo.available_timezones() if tz not in set(he)}
    assert "Israel" in canonical
    assert "US/Eastern" in canonical
    assert "Asia/Jerusalem" not in canonical
    # Left in Latin letters: UTC and the few zones newer than Babel's CLDR names (Europe/Kyiv,
    # America/Coyhaique...), down from ~190 when the aliases were listed.
    english = [tz for tz, label in he.items() if re.search(r"[A-Za-z]{2,}", label)]
    assert "UTC" in english
    assert len(english) < 20
    with translation.override("en"):
        assert dict(_time_zone_choices())["Asia/Jerusalem"] == "Israel Time"
