"""A small fake Stripe API server for tests and the local demo, over real HTTP.

It speaks enough of Stripe's v1 API for Miel's ``billing/stripe_client.py``
(``/v1/customers``, ``/v1/checkout/sessions``, ``/v1/subscriptions/<id>``,
``/v1/billing_portal/sessions``) with realistic JSON, and serves two browser pages that stand in
for Stripe's hosted pages: ``/pay/<session id>`` (Checkout) and ``/portal/<portal id>``
(customer portal). Paying or cancelling there sends webhook events signed exactly as Stripe signs
them (``Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``) to ``webhook_url``.

Run it by hand for the demo::

    python -m tests.billing.fake_stripe --port 12111 \\
        --webhook-url http://127.0.0.1:8106/stripe/webhook/ --secret whsec_demo
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2026-10-28.endive"
PERIOD_SECONDS = {"month": 30 * 86400, "year": 365 * 86400, "week": 7 * 86400, "day": 86400}


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt_is_index = not last and parts[i + 1].isdigit()
            if isinstance(node, list):
                idx = int(part)
                while len(node) <= idx:
                    node.append({} if not nxt_is_index else [])
                if last:
                    node[idx] = value
                else:
                    node = node[idx]
            elif last:
                node[part] = value
            else:
                node = node.setdefault(part, [] if nxt_is_index else {})
    return root


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


class FakeStripe:
    """The fake's state plus the HTTP server. ``start()`` binds 127.0.0.1 on ``port`` (0 =
    any free port) in a daemon thread; ``url`` is the API base to give the Stripe client."""

    def __init__(
        self,
        *,
        port: int = 0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        api_key_prefix: str = "sk_test_",
        webhook_delay: float = 0.0,
    ) -> None:
        self.port = port
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.api_key_prefix = api_key_prefix
        self.webhook_delay = webhook_delay
        self.lock = threading.RLock()
        self.customers: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.portal_sessions: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.deliveries: list[tuple[str, int]] = []
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            stripe = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- objects ----------------------------------------------------------------------------
    def customer_create(self, params: dict[str, Any]) -> dict[str, Any]:
        cus = {
            "id": _id("cus"),
            "object": "customer",
            "created": int(time.time()),
            "email": params.get("email"),
            "name": params.get("name"),
            "metadata": params.get("metadata") or {},
            "livemode": False,
            "currency": None,
            "invoice_settings": {"default_payment_method": None},
        }
        self.customers[cus["id"]] = cus
        return cus

    def session_create(self, params: dict[str, Any]) -> dict[str, Any]:
        sid = _id("cs")
        line = (params.get("line_items") or [{}])[0]
        price_data = line.get("price_data") or {}
        session = {
            "id": sid,
            "object": "checkout.session",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "customer": params.get("customer"),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "currency": price_data.get("currency", "ils"),
            "amount_total": int(price_data.get("unit_amount", 0) or 0),
            "subscription": None,
            "invoice": None,
            "url": f"{self.url}/pay/{sid}",
            "created": int(time.time()),
            "expires_at": int(time.time()) + 86400,
            "livemode": False,
            "customer_details": None,
            "_line_item": line,
            "_subscription_data": params.get("subscription_data") or {},
        }
        self.sessions[sid] = session
        return session

    def portal_create(self, params: dict[str, Any]) -> dict[str, Any]:
        pid = _id("bps")
        portal = {
            "id": pid,
            "object": "billing_portal.session",
            "customer": params.get("customer"),
            "return_url": params.get("return_url"),
            "url": f"{self.url}/portal/{pid}",
            "created": int(time.time()),
            "livemode": False,
        }
        self.portal_sessions[pid] = portal
        return portal

    @staticmethod
    def public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def complete_checkout(
        self, session_id: str, *, customer_name: str | None = None, now: int | None = None
    ) -> list[dict[str, Any]]:
        """Pay a Checkout Session: creates the active subscription and its paid invoice and
        returns the events Stripe would send (``checkout.session.completed``, ``invoice.paid``).
        """
        with self.lock:
            now = int(time.time()) if now is None else now
            session = self.sessions[session_id]
            line = session["_line_item"]
            price_data = line.get("price_data") or {}
            recurring = price_data.get("recurring") or {"interval": "month", "interval_count": 1}
            period = PERIOD_SECONDS[recurring.get("interval", "month")] * int(
                recurring.get("interval_count", 1)
            )
            amount = int(price_data.get("unit_amount", 0) or 0)
            sub_id, in_id = _id("sub"), _id("in")
            metadata = (session["_subscription_data"] or {}).get("metadata") or {}
            sub = {
                "id": sub_id,
                "object": "subscription",
                "customer": session["customer"],
                "status": "active",
                "created": now,
                "start_date": now,
                "cancel_at_period_end": False,
                "cancel_at": None,
                "canceled_at": None,
                "ended_at": None,
                "latest_invoice": in_id,
                "metadata": metadata,
                "currency": "ils",
                "livemode": False,
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": _id("si"),
                            "object": "subscription_item",
                            "current_period_start": now,
                            "current_period_end": now + period,
                            "quantity": 1,
                            "price": {
                                "id": line.get("price") or _id("price"),
                                "object": "price",
                                "currency": "ils",
                                "unit_amount": amount,
                                "recurring": recurring,
                            },
                        }
                    ],
                },
            }
            self.subscriptions[sub_id] = sub
            invoice = self._invoice(sub, amount=amount, now=now, invoice_id=in_id)
            session.update(
                status="complete",
                payment_status="paid",
                subscription=sub_id,
                invoice=in_id,
                customer_details={
                    "email": self.customers.get(session["customer"], {}).get("email"),
                    "name": customer_name
                    or self.customers.get(session["customer"], {}).get("name"),
                },
            )
            return [
                self.event("checkout.session.completed", self.public(session), now=now),
                self.event("invoice.paid", invoice, now=now),
            ]

    def _invoice(
        self, sub: dict[str, Any], *, amount: int, now: int, invoice_id: str | None = None
    ) -> dict[str, Any]:
        item = sub["items"]["data"][0]
        invoice = {
            "id": invoice_id or _id("in"),
            "object": "invoice",
            "customer": sub["customer"],
            "status": "paid",
            "paid": True,
            "currency": "ils",
            "amount_due": amount,
            "amount_paid": amount,
            "created": now,
            "billing_reason": "subscription_create",
            "livemode": False,
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]},
            },
            "lines": {
                "object": "list",
                "data": [
                    {
                        "id": _id("il"),
                        "object": "line_item",
                        "amount": amount,
                        "currency": "ils",
                        "metadata": sub["metadata"],
                        "period": {
                            "start": item["current_period_start"],
                            "end": item["current_period_end"],
                        },
                    }
                ],
            },
        }
        self.invoices[invoice["id"]] = invoice
        return invoice

    def renew(self, sub_id: str, *, now: int | None = None) -> dict[str, Any]:
        """Start the next period and return its ``invoice.paid`` event."""
        with self.lock:
            now = int(time.time()) if now is None else now
            sub = self.subscriptions[sub_id]
            item = sub["items"]["data"][0]
            length = item["current_period_end"] - item["current_period_start"]
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] += length
            invoice = self._invoice(sub, amount=item["price"]["unit_amount"], now=now)
            invoice["billing_reason"] = "subscription_cycle"
            sub["latest_invoice"] = invoice["id"]
            return self.event("invoice.paid", invoice, now=now)

    def renewal_fails(self, sub_id: str, *, now: int | None = None) -> dict[str, Any]:
        """The next period's charge is declined: the subscription goes ``past_due`` (its period
        does not move) and an open invoice is left; returns the ``invoice.payment_failed``
        event. A later :meth:`retry_succeeds` pays that same invoice."""
        with self.lock:
            now = int(time.time()) if now is None else now
            sub = self.subscriptions[sub_id]
            item = sub["items"]["data"][0]
            invoice = self._invoice(sub, amount=item["price"]["unit_amount"], now=now)
            invoice.update(
                status="open",
                paid=False,
                amount_paid=0,
                attempt_count=1,
                billing_reason="subscription_cycle",
                next_payment_attempt=now + 3 * 86400,
            )
            sub["status"] = "past_due"
            sub["latest_invoice"] = invoice["id"]
            return self.event("invoice.payment_failed", invoice, now=now)

    def retry_fails(self, invoice_id: str) -> dict[str, Any]:
        """Stripe's next automatic attempt of an open invoice is declined again."""
        with self.lock:
            invoice = self.invoices[invoice_id]
            invoice["attempt_count"] = invoice.get("attempt_count", 1) + 1
            return self.event("invoice.payment_failed", invoice)

    def retry_succeeds(self, invoice_id: str) -> dict[str, Any]:
        """A retry of an open invoice is paid: the subscription is active again for the next
        period; returns the ``invoice.paid`` event (same invoice id as the failure)."""
        with self.lock:
            invoice = self.invoices[invoice_id]
            sub_id = invoice["parent"]["subscription_details"]["subscription"]
            sub = self.subscriptions[sub_id]
            item = sub["items"]["data"][0]
            length = item["current_period_end"] - item["current_period_start"]
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] += length
            invoice.update(status="paid", paid=True, amount_paid=invoice["amount_due"])
            sub["status"] = "active"
            return self.event("invoice.paid", invoice)

    def cancel_at_period_end(self, sub_id: str, *, cancel: bool = True) -> dict[str, Any]:
        """Portal "cancel" / "resume"; returns the ``customer.subscription.updated`` event."""
        with self.lock:
            sub = self.subscriptions[sub_id]
            now = int(time.time())
            sub["cancel_at_period_end"] = cancel
            sub["canceled_at"] = now if cancel else None
            sub["cancel_at"] = sub["items"]["data"][0]["current_period_end"] if cancel else None
            return self.event("customer.subscription.updated", sub)

    def cancel_now(self, sub_id: str) -> dict[str, Any]:
        """Cancel immediately; returns the ``customer.subscription.deleted`` event."""
        with self.lock:
            sub = self.subscriptions[sub_id]
            now = int(time.time())
            sub.update(status="canceled", canceled_at=now, ended_at=now)
            return self.event("customer.subscription.deleted", sub)

    def event(
        self, event_type: str, obj: dict[str, Any], *, now: int | None = None
    ) -> dict[str, Any]:
        """A Stripe event envelope around a *snapshot* of ``obj`` (as Stripe sends it)."""
        return {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()) if now is None else now,
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": json.loads(json.dumps(self.public(obj)))},
        }

    def deliver(self, event: dict[str, Any]) -> int:
        """POST a signed event to ``webhook_url`` like Stripe does; returns the HTTP status."""
        if not (self.webhook_url and self.webhook_secret):
            raise RuntimeError("webhook_url and webhook_secret are needed to deliver")
        body = json.dumps(event, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - local URL given by the operator
            self.webhook_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(body, self.webhook_secret),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        self.deliveries.append((event["type"], status))
        return status

    def deliver_later(self, events: list[dict[str, Any]]) -> None:
        """Deliver ``events`` in order, now or ``webhook_delay`` seconds later in a thread (a
        slow Stripe: the member is back on the site before the webhook arrives)."""
        if not self.webhook_delay:
            for event in events:
                self.deliver(event)
            return

        def later() -> None:
            time.sleep(self.webhook_delay)
            for event in events:
                self.deliver(event)

        threading.Thread(target=later, daemon=True).start()


def _page(title: str, body: str) -> bytes:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:system-ui;max-width:480px;"
        "margin:40px auto;padding:0 16px;color:#1a1f36}}.box{border:1px solid #e3e8ee;"
        "border-radius:8px;padding:20px;margin:16px 0}button{background:#635bff;color:#fff;"
        "border:0;border-radius:6px;padding:12px 18px;font-size:1rem;width:100%;margin:6px 0}"
        ".test{background:#ffde92;padding:4px 8px;border-radius:4px;font-size:.8rem}</style>"
        f"</head><body><p><span class='test'>TEST MODE · fake Stripe</span></p>{body}</body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    stripe: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    # --- plumbing ---------------------------------------------------------------------------
    def _body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(8)}")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: dict[str, Any]) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def _error(self, status: int, message: str, type_: str = "invalid_request_error") -> None:
        self._json(status, {"error": {"type": type_, "message": message}})

    def _redirect(self, location: str) -> None:
        self._send(303, b"", "text/plain", Location=location)

    def _authorised(self) -> bool:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith(f"Bearer {self.stripe.api_key_prefix}"):
            self._error(401, "Invalid API Key provided.", "authentication_error")
            return False
        return True

    # --- routes -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        fake = self.stripe
        fake.requests.append(("GET", path, {}))
        if path.startswith("/v1/"):
            if not self._authorised():
                return
            for prefix, store in (
                ("/v1/subscriptions/", fake.subscriptions),
                ("/v1/customers/", fake.customers),
                ("/v1/checkout/sessions/", fake.sessions),
                ("/v1/invoices/", fake.invoices),
            ):
                if path.startswith(prefix):
                    obj = store.get(path[len(prefix) :])
                    if obj is None:
                        self._error(404, f"No such object: '{path[len(prefix) :]}'")
                    else:
                        with fake.lock:
                            self._json(200, fake.public(obj))
                    return
            self._error(404, f"Unrecognized request URL (GET: {path}).")
            return
        if m := re.fullmatch(r"/pay/([\w]+)", path):
            session = fake.sessions.get(m.group(1))
            if session is None:
                self._send(404, _page("Not found", "<p>No such checkout.</p>"), "text/html")
                return
            amount = session["amount_total"] / 100
            plan = html.escape(str(session["metadata"].get("plan", "")))
            paid = session["status"] == "complete"
            body = (
                f"<h1>Miel Premium · {plan}</h1><div class='box'><p>Pay "
                f"<strong>₪{amount:.2f}</strong> (test card 4242 4242 4242 4242)</p>"
                + (
                    "<p>Already paid.</p>"
                    if paid
                    else f"<form method='post' action='/pay/{session['id']}'>"
                    "<button type='submit'>Subscribe</button></form>"
                )
                + f"<p><a href='{html.escape(session['cancel_url'] or '')}'>← Back</a></p></div>"
            )
            self._send(200, _page("Checkout", body), "text/html; charset=utf-8")
            return
        if m := re.fullmatch(r"/portal/([\w]+)", path):
            portal = fake.portal_sessions.get(m.group(1))
            if portal is None:
                self._send(404, _page("Not found", "<p>No such portal.</p>"), "text/html")
                return
            subs = [s for s in fake.subscriptions.values() if s["customer"] == portal["customer"]]
            rows = []
            for sub in subs:
                state = sub["status"] + (
                    " (cancels at period end)" if sub["cancel_at_period_end"] else ""
                )
                actions = ""
                if sub["status"] == "active":
                    action = "resume" if sub["cancel_at_period_end"] else "cancel"
                    label = "Resume subscription" if action == "resume" else "Cancel subscription"
                    actions = (
                        f"<form method='post' action='/portal/{portal['id']}/{action}/{sub['id']}'>"
                        f"<button type='submit'>{label}</button></form>"
                        f"<form method='post' action='/portal/{portal['id']}/cancel_now/{sub['id']}'>"
                        "<button type='submit'>Cancel immediately</button></form>"
                    )
                rows.append(
                    f"<div class='box'><p>{html.escape(sub['id'])}: {state}</p>{actions}</div>"
                )
            body = (
                "<h1>Manage your subscription</h1>"
                + ("".join(rows) or "<p>No subscriptions.</p>")
                + f"<p><a href='{html.escape(portal['return_url'] or '')}'>← Return to Miel</a></p>"
            )
            self._send(200, _page("Billing portal", body), "text/html; charset=utf-8")
            return
        self._send(404, b"not found", "text/plain")

    def do_DELETE(self) -> None:
        """``DELETE /v1/subscriptions/<id>``: cancel at once, as Stripe does."""
        path = urlsplit(self.path).path
        fake = self.stripe
        fake.requests.append(("DELETE", path, {}))
        if not self._authorised():
            return
        prefix = "/v1/subscriptions/"
        sub_id = path[len(prefix) :] if path.startswith(prefix) else ""
        if sub_id not in fake.subscriptions:
            self._error(404, f"No such subscription: '{sub_id}'")
            return
        fake.cancel_now(sub_id)
        with fake.lock:
            self._json(200, fake.public(fake.subscriptions[sub_id]))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        fake = self.stripe
        raw = self._body()
        params = decode_form(raw)
        fake.requests.append(("POST", path, params))
        if path.startswith("/v1/"):
            if not self._authorised():
                return
            key = self.headers.get("Idempotency-Key")
            with fake.lock:
                if key and key in fake.idempotency:
                    self._json(200, fake.public(fake.idempotency[key]))
                    return
                if path == "/v1/customers":
                    obj = fake.customer_create(params)
                elif path == "/v1/checkout/sessions":
                    if params.get("mode") != "subscription" or not params.get("line_items"):
                        self._error(400, "mode=subscription and line_items are required")
                        return
                    obj = fake.session_create(params)
                elif path == "/v1/billing_portal/sessions":
                    if params.get("customer") not in fake.customers:
                        self._error(400, f"No such customer: '{params.get('customer')}'")
                        return
                    obj = fake.portal_create(params)
                else:
                    self._error(404, f"Unrecognized request URL (POST: {path}).")
                    return
                if key:
                    fake.idempotency[key] = obj
            self._json(200, fake.public(obj))
            return
        if m := re.fullmatch(r"/pay/([\w]+)", path):
            session = fake.sessions.get(m.group(1))
            if session is None or session["status"] != "open":
                self._send(404, _page("Not found", "<p>No open checkout.</p>"), "text/html")
                return
            events = fake.complete_checkout(session["id"])
            if fake.webhook_url:
                fake.deliver_later(events)
            self._redirect(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))
            return
        if m := re.fullmatch(r"/portal/([\w]+)/(cancel|resume|cancel_now)/([\w]+)", path):
            portal_id, action, sub_id = m.groups()
            sub = fake.subscriptions.get(sub_id)
            portal = fake.portal_sessions.get(portal_id)
            if sub is None or portal is None or sub["customer"] != portal["customer"]:
                self._send(404, b"not found", "text/plain")
                return
            if action == "cancel_now":
                event = fake.cancel_now(sub_id)
            else:
                event = fake.cancel_at_period_end(sub_id, cancel=action == "cancel")
            if fake.webhook_url:
                fake.deliver_later([event])
            self._redirect(f"/portal/{portal_id}")
            return
        self._send(404, b"not found", "text/plain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/stripe/webhook/")
    parser.add_argument("--secret", default="whsec_demo")
    parser.add_argument("--webhook-delay", type=float, default=0.0, help="seconds")
    args = parser.parse_args()
    fake = FakeStripe(
        port=args.port,
        webhook_url=args.webhook_url,
        webhook_secret=args.secret,
        webhook_delay=args.webhook_delay,
    )
    fake.start()
    print(f"fake Stripe on {fake.url} → webhooks to {args.webhook_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
