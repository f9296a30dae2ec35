/* The one place the browser code gets Django's CSRF token and posts to the site (issue 14).
 * An ES module: pages load the scripts that use it with <script type="module">, no build step.
 * The token comes from <body hx-headers='{"X-CSRFToken": ...}'> (base.html), which htmx
 * sends with its own requests too; the csrftoken cookie is the fallback. */

/** Django's CSRF token for this page, or "" when the page has none. */
export function csrfToken() {
  try {
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
  } catch (_e) {
    /* a malformed attribute: use the cookie */
  }
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

/** Request headers for a same-origin write: the CSRF token plus `extra`. */
export function csrfHeaders(extra = {}) {
  return { "X-CSRFToken": csrfToken(), ...extra };
}

/** POST `body` as JSON; resolves with the response, rejects on a network error or non-2xx. */
export function postJSON(url, body = {}) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: csrfHeaders({ "Content-Type": "application/json" }),
    body: JSON.stringify(body),
  }).then((r) => {
    if (!r.ok) throw new Error(String(r.status));
    return r;
  });
}

/** A VAPID public key (URL-safe base64) as the bytes PushManager.subscribe expects. */
export function vapidKeyBytes(b64) {
  const pad = "=".repeat((4 - (b64.length % 4)) % 4);
  const raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}
