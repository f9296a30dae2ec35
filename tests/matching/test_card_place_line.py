"""The card location line ("city · distance"): each part in its own <bdi>, the separator
outside, so a Latin city or a number on a Hebrew page never reorders the line (QA: the smart
match card's line read scrambled in Hebrew)."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import engines
from django.utils import translation

from profiles.models import Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load matching_tags %}" + source).render(context)


def test_place_line_isolates_city_and_distance_with_the_separator_outside():
    with translation.override("he"):
        html = render('{% place_line "Springfield" "United States" "3 km" %}')
    assert html == '<bdi class="place-part">Springfield</bdi> · <bdi class="place-part">3 km</bdi>'


def test_place_line_falls_back_to_the_country_and_drops_empty_parts():
    with translation.override("en"):
        assert render('{% place_line "" "Israel" None %}') == '<bdi class="place-part">Israel</bdi>'
        assert render('{% place_line "" "" "" %}') == ""


def test_place_line_escapes_member_text():
    with translation.override("en"):
        html = render("{% place_line city %}", city="<b>Haifa</b>")
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


def make_member(**kwargs) -> Member:
    user = UserFactory(profile_complete=True, preferred_genders="male,female")
    return MemberFactory(user=user, **kwargs)


def test_smart_card_location_line_isolates_each_part(client):
    viewer = make_member(
        gender="male", date_of_birth=date(1990, 1, 1), latitude=32.08, longitude=34.78
    )
    make_member(city="Springfield", country="United States", latitude=32.10, longitude=34.80)
    client.force_login(viewer.user)
    body = client.get("/smart-matches/", HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert (
        '<p class="muted"><bdi class="place-part">Springfield</bdi> · <bdi class="place-part">'
        in body
    )
