"""Cities and countries in the page's language (issue 17, docs/rules.md §4): Hebrew names of
Israeli cities from GeoNames' alternate names (the full spelling), country names from CLDR;
a city typed in Hebrew reads in English on an English page; unknown text stays as typed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from matching.cities import city_name_in, country_name_in
from tests.factories import MemberFactory


@pytest.mark.parametrize(
    ("city", "hebrew"),
    [
        ("Tel Aviv", "תל אביב"),
        ("Jerusalem", "ירושלים"),
        ("Haifa", "חיפה"),
        ("Petaẖ Tiqva", "פתח תיקווה"),
        ("Givatayim", "גבעתיים"),
        ("Beersheba", "באר שבע"),
    ],
)
def test_israeli_cities_read_in_hebrew(city, hebrew):
    assert city_name_in("he", city, "Israel") == hebrew
    assert city_name_in("en", city, "Israel") == city
    assert city_name_in("en", hebrew, "Israel") == city


def test_cities_abroad_and_unknown_text_keep_their_name():
    assert city_name_in("he", "Paris", "France") == "Paris"  # GeoNames mixes in Yiddish there
    assert city_name_in("he", "Kfar Nowhere", "Israel") == "Kfar Nowhere"
    assert city_name_in("he", "", "Israel") == ""


def test_country_names_come_from_cldr():
    assert country_name_in("he", "Israel") == "ישראל"
    assert country_name_in("he", "France") == "צרפת"
    assert country_name_in("en", "Israel") == "Israel"
    assert country_name_in("he", "Atlantis") == "Atlantis"


@pytest.mark.django_db
def test_the_profile_page_shows_the_place_in_the_page_language(client):
    owner = MemberFactory(city="Haifa", country="Israel")
    viewer = MemberFactory()
    client.force_login(viewer.user)
    url = reverse("profiles:member_detail", args=[owner.user_id])
    with translation.override("he"):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert "חיפה, ישראל" in body
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Haifa, Israel" in body


def test_other_spellings_of_a_city_are_known_and_latin_text_stays_as_typed():
    # The demo and members write "Holon"; GeoNames calls it "H̱olon" and lists "Holon" as an
    # alternate name. Hebrew pages show חולון; English pages keep the member's spelling.
    assert city_name_in("he", "Holon", "Israel") == "חולון"
    assert city_name_in("he", "holon", "ישראל") == "חולון"
    assert city_name_in("en", "Holon", "Israel") == "Holon"
