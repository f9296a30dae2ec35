"""The settings page's time-zone select (SPEC §3) stays cheap (SPEC §16): the zone list is
read from the time-zone database once per process and the ~600 options are rendered in Python,
with the same markup Django's Select produces."""

from __future__ import annotations

import re
import zoneinfo
from unittest import mock

import pytest
from django import forms

from accounts.forms import AccountSettingsForm, _time_zone_choices

pytestmark = pytest.mark.django_db


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).replace('" >', '">')


def test_time_zone_select_has_the_markup_of_djangos_select():
    class Reference(forms.Form):
        time_zone = forms.ChoiceField(choices=_time_zone_choices)

    ours = str(AccountSettingsForm(initial={"time_zone": "America/Port-au-Prince"})["time_zone"])
    django_s = str(Reference(initial={"time_zone": "America/Port-au-Prince"})["time_zone"])

    assert _normalised(ours) == _normalised(django_s)
    assert '<option value="America/Port-au-Prince" selected>America/Port-au-Prince</option>' in ours
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
