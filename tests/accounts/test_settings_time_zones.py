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
    assert ours.count("<option ") == len(zoneinfo.available_timezones())


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
    assert set(he) == set(en) == zoneinfo.available_timezones()
    hebrew = [label for label in he.values() if not re.search(r"[A-Za-z]{2,}", label)]
    assert len(hebrew) > 400
    with translation.override("en"):
        assert dict(_time_zone_choices())["Asia/Jerusalem"] == "Israel Time"
