/* Discovery and matching in the browser (rules §5, §6, §7, §11). Vanilla JS + htmx.
 * - match dialog: opens on `miel:match.new` (dispatched by realtime.js) and when a like
 *   response carries it (htmx out-of-band swap);
 * - geolocation: asks permission, posts the position, reloads the list;
 * - profile clicks and view duration: reported with navigator.sendBeacon. */
import { csrfToken } from "./lib/http.js";
(function () {
  if (window.__mielMatching) return;
  window.__mielMatching = true;

  function beacon(url, fields) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
    if (navigator.sendBeacon && navigator.sendBeacon(url, data)) return;
    fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true });
  }

  /* --- match dialog -------------------------------------------------------------------- */
  function openDialog(dialog) {
    if (!dialog) return;
    if (typeof dialog.showModal === "function") {
      if (dialog.open) dialog.close();
      dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
  }

  document.addEventListener("miel:match.new", function (ev) {
    var detail = ev.detail || {};
    var dialog = document.getElementById("match-dialog");
    if (!dialog) return;
    var tpl = dialog.querySelector("[data-match-template]");
    var text = dialog.querySelector("[data-match-text]");
    if (tpl && text) {
      // "You and __NAME__ liked each other.": the name goes in its own <bdi> (issue 17), as text.
      var parts = (tpl.content ? tpl.content.textContent : tpl.textContent).split("__NAME__");
      var name = document.createElement("bdi");
      name.textContent = detail.name || "";
      text.textContent = "";
      text.appendChild(document.createTextNode(parts[0] || ""));
      text.appendChild(name);
      text.appendChild(document.createTextNode(parts.slice(1).join("")));
    }
    var chat = dialog.querySelector("[data-match-chat]");
    var profile = dialog.querySelector("[data-match-profile]");
    if (chat && detail.chat_url) chat.setAttribute("href", detail.chat_url);
    if (profile && detail.url) profile.setAttribute("href", detail.url);
    openDialog(dialog);
  });

  document.addEventListener("htmx:oobAfterSwap", function (_ev) {
    var dialog = document.querySelector("#match-dialog[data-auto-open]");
    if (dialog) { dialog.removeAttribute("open"); openDialog(dialog); dialog.removeAttribute("data-auto-open"); }
  });

  /* --- a refused like (e.g. the free likes used up: 429) says why, next to the button --- */
  document.addEventListener("htmx:responseError", function (ev) {
    var form = ev.detail && ev.detail.elt && ev.detail.elt.closest && ev.detail.elt.closest(".like-form");
    if (!form) return;
    var box = form.querySelector("[data-like-error]");
    if (!box) {
      box = document.createElement("p");
      box.className = "errorlist";
      box.setAttribute("role", "alert");
      box.setAttribute("data-like-error", "");
      form.appendChild(box);
    }
    box.textContent = (ev.detail.xhr && ev.detail.xhr.responseText) || "";
  });

  /* --- geolocation --------------------------------------------------------------------- */
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-geolocate]");
    if (!btn) return;
    var box = btn.closest("[data-location-url]");
    var status = box && box.querySelector("[data-geo-status]");
    function say(msg) { if (status) status.textContent = msg; }
    if (!navigator.geolocation) { say(btn.dataset.unsupported || "—"); return; }
    btn.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      var body = new FormData();
      body.append("latitude", pos.coords.latitude);
      body.append("longitude", pos.coords.longitude);
      fetch(box.dataset.locationUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      }).then(function (r) {
        if (r.ok) { window.location.reload(); return; }
        btn.disabled = false;
        // The server's translated reason (e.g. too many location changes, 429), else a cross.
        r.json().then(function (data) { say((data && data.error) || "✖"); }, function () { say("✖"); });
      });
    }, function () { btn.disabled = false; say("✖"); }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });

  /* --- profile clicks from lists (weight 1.5) ------------------------------------------- */
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("a.card-link[data-user-id]");
    if (!link) return;
    var list = link.closest("[data-profile-click-url]");
    if (!list) return;
    beacon(list.dataset.profileClickUrl, { user_id: link.dataset.userId });
  });

  /* --- view duration on a profile page --------------------------------------------------- */
  function trackDuration() {
    var box = document.querySelector("[data-view-duration-url][data-viewed-user-id]");
    if (!box) return;
    var visibleMs = 0, since = document.visibilityState === "visible" ? Date.now() : null, sent = false;
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { since = Date.now(); return; }
      if (since) { visibleMs += Date.now() - since; since = null; }
      send();
    });
    window.addEventListener("pagehide", function () {
      if (since) { visibleMs += Date.now() - since; since = null; }
      send();
    });
    function send() {
      if (sent || visibleMs < 1000) return;
      sent = true;
      beacon(box.dataset.viewDurationUrl, { user_id: box.dataset.viewedUserId, seconds: Math.round(visibleMs / 1000) });
    }
  }

  /* --- confirm before blocking ------------------------------------------------------------ */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.matches && form.matches("[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      ev.preventDefault();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", trackDuration);
  } else {
    trackDuration();
  }
})();
