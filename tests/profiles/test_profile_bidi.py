"""The profile page's "city, country" reads right in both directions (rules §15): one ``<bdi
dir="auto">`` isolate around "city, country", whose direction follows its own text, so Latin
place names keep their order on the Hebrew (RTL) page and Hebrew names on the English one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _page(member_client, member, language):
    member_client.cookies["django_language"] = language
    response = member_client.get(reverse("profiles:member_detail", args=[member.user_id]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "html_dir", "shown"),
    [("he", 'dir="rtl"', "אשדוד, ישראל"), ("en", 'dir="ltr"', "Ashdod, Israel")],
)
@pytest.mark.parametrize(("city", "country"), [("Ashdod", "Israel"), ("אשדוד", "ישראל")])
def test_city_and_country_are_one_auto_direction_isolate_in_the_page_language(
    member_client, language, html_dir, shown, city, country
):
    # Stored in either language, the place reads in the page's (issue 17), as one isolate.
    other = MemberFactory(city=city, country=country)
    body = _page(member_client, other, language)
    assert html_dir in body
    assert f'<bdi dir="auto" class="place">{shown}</bdi>' in body


def test_city_without_country_has_no_dangling_comma(member_client):
    other = MemberFactory(city="Haifa", country="")
    body = _page(member_client, other, "he")
    assert '<bdi dir="auto" class="place">חיפה</bdi>' in body
    assert "חיפה," not in body
