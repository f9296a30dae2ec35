"""Premium page, Checkout, portal and the return page (rules §13)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import formats, timezone, translation

from accounts.models import User
from billing.models import ProcessedWebhookEvent, Transaction
from tests.billing.conftest import start_checkout

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_client(member_client):
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return member_client


def _posts(fake, path):
    return [params for method, p, params in fake.requests if method == "POST" and p == path]


def test_premium_page_without_stripe_says_not_configured_and_disables_buttons(en_client, no_stripe):
    response = en_client.get("/premium/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="payments-not-configured"' in html
    assert html.count('disabled aria-disabled="true"') == 3


def test_checkout_without_stripe_answers_503_and_creates_nothing(en_client, no_stripe):
    response = en_client.post("/premium/checkout/", {"plan": "basic"})

    assert response.status_code == 503
    en_client.member.user.refresh_from_db()
    assert en_client.member.user.stripe_customer_id == ""


def test_premium_page_lists_three_plans_with_prices_months_and_boosts(en_client, fake_stripe):
    html = en_client.get("/premium/").content.decode()

    for price in ("₪29.90", "₪19.90", "₪14.90", "₪59.70", "₪178.80"):
        assert price in html
    assert "5 boosts included" in html
    assert "10 boosts included" in html
    assert "15 boosts included" in html
    assert "12 months of premium" in html
    assert "disabled" not in html.split('id="plan-basic"')[1].split("</article>")[0]


def test_premium_page_shows_status_in_the_members_time_zone(en_client, fake_stripe):
    user = en_client.member.user
    user.premium_until = timezone.now().replace(microsecond=0) + timedelta(days=3)
    user.time_zone = "Asia/Jerusalem"
    user.boosts_available = 4
    user.canceled_at = timezone.now()
    user.save()
    local = timezone.localtime(user.premium_until, timezone=ZoneInfo("Asia/Jerusalem"))
    with translation.override("en"):
        expected = formats.date_format(local, "DATETIME_FORMAT")

    html = en_client.get("/premium/").content.decode()

    assert f"Premium until <strong>{expected}</strong>" in html
    assert "4 boosts left" in html
    assert "Your subscription is cancelled" in html


def test_checkout_creates_subscription_session_and_redirects_303(en_client, fake_stripe):
    user = en_client.member.user

    response = en_client.post("/premium/checkout/", {"plan": "basic"})

    assert response.status_code == 303
    session_id = response["Location"].rsplit("/", 1)[-1]
    assert response["Location"] == f"{fake_stripe.url}/pay/{session_id}"
    [params] = _posts(fake_stripe, "/v1/checkout/sessions")
    user.refresh_from_db()
    assert params["mode"] == "subscription"
    assert params["customer"] == user.stripe_customer_id
    assert params["client_reference_id"] == str(user.pk)
    assert params["metadata"] == {"plan": "basic", "user_id": str(user.pk)}
    assert params["subscription_data"]["metadata"]["plan"] == "basic"
    price = params["line_items"][0]["price_data"]
    assert price["currency"] == "ils"
    assert price["unit_amount"] == "2990"
    assert price["recurring"] == {"interval": "month", "interval_count": "1"}
    assert params["success_url"].endswith("/premium/success/?session_id={CHECKOUT_SESSION_ID}")
    assert user.premium_until is None  # nothing granted by starting checkout


@pytest.mark.parametrize(
    ("plan", "amount", "recurring"),
    [
        ("popular", "5970", {"interval": "month", "interval_count": "3"}),
        ("annual", "17880", {"interval": "year", "interval_count": "1"}),
    ],
)
def test_checkout_prices_match_the_plan(en_client, fake_stripe, plan, amount, recurring):
    start_checkout(fake_stripe, en_client, plan)

    [params] = _posts(fake_stripe, "/v1/checkout/sessions")
    price = params["line_items"][0]["price_data"]
    assert (price["unit_amount"], price["recurring"]) == (amount, recurring)


def test_checkout_uses_configured_price_id(en_client, fake_stripe, settings):
    settings.STRIPE_PRICE_POPULAR = "price_popular_123"

    start_checkout(fake_stripe, en_client, "popular")

    [params] = _posts(fake_stripe, "/v1/checkout/sessions")
    assert params["line_items"] == [{"price": "price_popular_123", "quantity": "1"}]


def test_checkout_reuses_the_stripe_customer(en_client, fake_stripe):
    start_checkout(fake_stripe, en_client, "basic")
    start_checkout(fake_stripe, en_client, "annual")

    customers = _posts(fake_stripe, "/v1/customers")
    assert len(customers) == 1
    assert customers[0]["metadata"] == {"user_id": str(en_client.member.user.pk)}
    sessions = _posts(fake_stripe, "/v1/checkout/sessions")
    assert sessions[0]["customer"] == sessions[1]["customer"]


def test_checkout_unknown_plan_is_400(en_client, fake_stripe):
    response = en_client.post("/premium/checkout/", {"plan": "lifetime"})

    assert response.status_code == 400
    assert _posts(fake_stripe, "/v1/checkout/sessions") == []


def test_checkout_with_a_running_subscription_is_409(en_client, fake_stripe):
    User.objects.filter(pk=en_client.member.user.pk).update(
        stripe_subscription_id="sub_x", premium_until=timezone.now() + timedelta(days=5)
    )

    response = en_client.post("/premium/checkout/", {"plan": "basic"})

    assert response.status_code == 409
    assert _posts(fake_stripe, "/v1/checkout/sessions") == []


def test_checkout_when_stripe_is_down_is_502(en_client, fake_stripe, settings):
    fake_stripe.stop()

    response = en_client.post("/premium/checkout/", {"plan": "basic"})

    assert response.status_code == 502


def test_checkout_needs_post_and_login(client, en_client, fake_stripe):
    assert en_client.get("/premium/checkout/").status_code == 405
    anonymous = client.__class__()
    response = anonymous.post("/premium/checkout/", {"plan": "basic"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_success_page_with_made_up_session_id_grants_nothing(en_client, fake_stripe):
    user = en_client.member.user

    response = en_client.get("/premium/success/?session_id=cs_test_made_up_123")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.premium_until is None
    assert user.boosts_available == 0
    assert not Transaction.objects.exists()
    assert not ProcessedWebhookEvent.objects.exists()
    assert fake_stripe.requests == []  # the return page never even asks Stripe


def test_success_page_after_paying_grants_nothing_until_the_webhook(en_client, fake_stripe):
    session_id = start_checkout(fake_stripe, en_client)
    fake_stripe.complete_checkout(session_id)  # paid at Stripe, webhook not delivered yet

    response = en_client.get(f"/premium/success/?session_id={session_id}")

    assert response.status_code == 200
    assert "You are on the free plan." in response.content.decode()
    assert 'hx-trigger="every 3s"' in response.content.decode()
    en_client.member.user.refresh_from_db()
    assert en_client.member.user.premium_until is None


def test_portal_without_customer_is_409(en_client, fake_stripe):
    assert en_client.post("/premium/portal/").status_code == 409


def test_portal_redirects_to_stripe_portal(en_client, fake_stripe):
    start_checkout(fake_stripe, en_client)

    response = en_client.post("/premium/portal/")

    assert response.status_code == 303
    [params] = _posts(fake_stripe, "/v1/billing_portal/sessions")
    assert params["customer"] == User.objects.get(pk=en_client.member.user.pk).stripe_customer_id
    assert params["return_url"] == "http://testserver/premium/"
    assert response["Location"].startswith(f"{fake_stripe.url}/portal/bps_test_")


def test_status_fragment_keeps_polling_until_premium_arrives(en_client, fake_stripe):
    waiting = en_client.get("/premium/status/?poll=1").content.decode()
    User.objects.filter(pk=en_client.member.user.pk).update(
        premium_until=timezone.now() + timedelta(days=30)
    )
    arrived = en_client.get("/premium/status/?poll=1").content.decode()

    assert 'hx-trigger="every 3s"' in waiting
    assert "<html" not in waiting
    assert 'hx-trigger="every 3s"' not in arrived
    assert "Premium until" in arrived
