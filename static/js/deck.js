/* The Discover deck (issue 15): one member at a time.
 * - Like / Pass: the buttons, a swipe right / left (pointer events: touch, pen or mouse) or
 *   the → / ← keys. The card leaves at once and the request follows (fetch, JSON); a refusal
 *   (e.g. the free likes used up: 429) puts the card back with the server's message.
 * - Photos: tap the photo's start / end half (or its buttons) to move through them.
 * - Prefetch: the server renders a batch; when two or fewer cards are left the next batch is
 *   fetched from the stack's data-next-url.
 * - Undo: brings back the member passed last (the server says when the allowance is used).
 * - A like that completes a pair dispatches `miel:match.new`, which matching.js turns into
 *   the match dialog.
 * Without JavaScript every button is a plain form post and the page reloads. */
import { csrfToken } from "./lib/http.js";
(function () {
  var deck = document.querySelector("[data-deck]");
  if (!deck) return;
  var stack = deck.querySelector("[data-deck-stack]");
  var empty = deck.querySelector("[data-deck-empty]");
  var status = deck.querySelector("[data-deck-status]");
  var nextUrl = deck.getAttribute("data-next-url") || "";
  var loading = false;
  var busy = false;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var rtl = document.documentElement.dir === "rtl";
  var SWIPE_PX = 90;

  function say(text) {
    if (!status) return;
    status.textContent = text || "";
    status.classList.toggle("shown", !!text);
  }

  function cards() { return Array.prototype.slice.call(stack.querySelectorAll("[data-deck-card]")); }
  function current() { return stack.querySelector("[data-deck-card]"); }

  function showTop() {
    var list = cards();
    list.forEach(function (card, i) { card.hidden = i !== 0; });
    if (empty) empty.hidden = list.length > 0;
    if (list.length <= 2) loadMore();
  }

  /* --- prefetch ------------------------------------------------------------------------ */
  function loadMore() {
    if (loading || !nextUrl) return;
    loading = true;
    fetch(nextUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var tpl = document.createElement("template");
        tpl.innerHTML = html;
        var batch = tpl.content.querySelector("[data-deck-batch]");
        nextUrl = batch ? (batch.getAttribute("data-next-url") || "") : "";
        if (batch) {
          Array.prototype.slice.call(batch.querySelectorAll("[data-deck-card]")).forEach(function (card) {
            if (stack.querySelector('[data-deck-card][data-user-id="' + card.dataset.userId + '"]')) return;
            card.hidden = true;
            stack.appendChild(card);
          });
        }
        loading = false;
        showTop();
      })
      .catch(function () { loading = false; });
  }

  /* --- decisions ----------------------------------------------------------------------- */
  function post(form) {
    // getAttribute: the like form has an input named "action", which shadows form.action.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }

  function leave(card, like, done) {
    card.classList.remove("dragging");
    var dx = (like ? 1 : -1) * (window.innerWidth + 200);
    if (reduceMotion) { done(); return; }
    card.classList.add("leaving");
    card.style.transform = "translateX(" + dx + "px) rotate(" + (like ? 18 : -18) + "deg)";
    setTimeout(done, 220);
  }

  function restore(card, message) {
    card.classList.remove("leaving", "dragging");
    card.style.transform = "";
    setStamp(card, 0);
    stack.insertBefore(card, stack.firstChild);
    showTop();
    say(message || deck.dataset.errorText || "");
  }

  function decide(like, submitted) {
    var card = current();
    if (!card || busy) return;
    // A prompt's own like form (issue 18) posts itself; buttons and keys use the card's.
    var form = submitted || card.querySelector(like ? "[data-deck-like]" : "[data-deck-pass]");
    if (!form) return;
    busy = true;
    say("");
    var request = post(form);
    var gone = new Promise(function (resolve) {
      leave(card, like, function () {
        card.remove();
        card.style.transform = "";
        card.classList.remove("leaving");
        showTop();
        busy = false;
        resolve();
      });
    });
    request.then(function (res) {
      if (!res.ok) { gone.then(function () { restore(card, res.data.error); }); return; }
      if (like && res.data.new_match) {
        document.dispatchEvent(new CustomEvent("miel:match.new", { detail: res.data }));
      }
    }).catch(function () { gone.then(function () { restore(card, ""); }); });
  }

  stack.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches("[data-deck-like], [data-deck-pass]")) return;
    ev.preventDefault();
    if (form.closest("[data-deck-card]") !== current()) return;
    decide(form.matches("[data-deck-like]"), form);
  });

  var undoForm = deck.querySelector("[data-deck-undo]");
  if (undoForm) {
    undoForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (busy) return;
      busy = true;
      var button = undoForm.querySelector("button");
      if (button) button.disabled = true;
      post(undoForm).then(function (res) {
        busy = false;
        if (button) button.disabled = false;
        if (!res.ok) { say(res.data.error || ""); return; }
        say("");
        var old = stack.querySelector('[data-deck-card][data-user-id="' + res.data.user_id + '"]');
        if (old) old.remove();
        if (res.data.html) {
          var tpl = document.createElement("template");
          tpl.innerHTML = res.data.html.trim();
          var card = tpl.content.querySelector("[data-deck-card]");
          if (card) stack.insertBefore(card, stack.firstChild);
        }
        showTop();
      }).catch(function () { busy = false; if (button) button.disabled = false; });
    });
  }

  /* --- keys ---------------------------------------------------------------------------- */
  document.addEventListener("keydown", function (ev) {
    if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (document.querySelector("dialog[open]")) return;
    if (ev.key === "ArrowRight") { ev.preventDefault(); decide(true); }
    else if (ev.key === "ArrowLeft") { ev.preventDefault(); decide(false); }
  });

  /* --- photos -------------------------------------------------------------------------- */
  function step(card, by) {
    var photos = card.querySelectorAll("[data-photo]");
    if (photos.length < 2) return;
    var segs = card.querySelectorAll(".deck-seg");
    var at = 0;
    photos.forEach(function (p, i) { if (!p.hidden) at = i; });
    var to = Math.max(0, Math.min(photos.length - 1, at + by));
    photos.forEach(function (p, i) { p.hidden = i !== to; if (i === to) p.loading = "eager"; });
    segs.forEach(function (s, i) { s.classList.toggle("on", i === to); });
  }

  // The event's target can be a Text node (a mouse drag that starts on text): use its element.
  function targetElement(ev) {
    var t = ev.target;
    return t && t.nodeType === 1 ? t : t && t.parentElement;
  }

  stack.addEventListener("click", function (ev) {
    var el = targetElement(ev);
    var btn = el && el.closest("[data-photo-step]");
    if (!btn) return;
    ev.preventDefault();
    if (suppressClick) { suppressClick = false; return; }
    step(btn.closest("[data-deck-card]"), parseInt(btn.getAttribute("data-photo-step"), 10) * 1);
  });

  /* --- swipe --------------------------------------------------------------------------- */
  var drag = null;
  var suppressClick = false;

  function setStamp(card, dx) {
    var likeStamp = card.querySelector(".deck-stamp-like");
    var passStamp = card.querySelector(".deck-stamp-pass");
    var amount = Math.min(1, Math.abs(dx) / SWIPE_PX);
    if (likeStamp) likeStamp.style.opacity = dx > 0 ? String(amount) : "0";
    if (passStamp) passStamp.style.opacity = dx < 0 ? String(amount) : "0";
  }

  stack.addEventListener("pointerdown", function (ev) {
    var el = targetElement(ev);
    if (!el) return;
    var photo = el.closest(".deck-photo");
    var card = el.closest("[data-deck-card]");
    if (!photo || !card || card !== current() || busy) return;
    if (ev.pointerType === "mouse" && ev.button !== 0) return;
    drag = { card: card, id: ev.pointerId, x: ev.clientX, y: ev.clientY, dx: 0, moved: false };
  });

  stack.addEventListener("pointermove", function (ev) {
    if (!drag || ev.pointerId !== drag.id) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved) {
      if (Math.abs(dx) < 8 || Math.abs(dx) < Math.abs(dy)) {
        if (Math.abs(dy) > 12) drag = null; // a vertical scroll: not ours
        return;
      }
      drag.moved = true;
      drag.card.classList.add("dragging");
      try { drag.card.setPointerCapture(ev.pointerId); } catch (_e) { /* ignore */ }
    }
    drag.dx = dx;
    drag.card.style.transform = "translateX(" + dx + "px) rotate(" + (dx / 22) + "deg)";
    setStamp(drag.card, dx);
  });

  function endDrag(ev) {
    if (!drag || ev.pointerId !== drag.id) return;
    var d = drag;
    drag = null;
    if (!d.moved) return; // a tap: the photo buttons handle it
    suppressClick = true;
    setTimeout(function () { suppressClick = false; }, 0);
    d.card.classList.remove("dragging");
    if (Math.abs(d.dx) >= SWIPE_PX && ev.type === "pointerup") {
      decide(d.dx > 0); // swipe right = like, in both directions (docs: UI.md)
    } else {
      d.card.style.transform = "";
      setStamp(d.card, 0);
    }
  }
  stack.addEventListener("pointerup", endDrag);
  stack.addEventListener("pointercancel", endDrag);
  stack.addEventListener("dragstart", function (ev) {
    var el = targetElement(ev);
    if (el && el.closest(".deck-photo")) ev.preventDefault();
  });

  // Photo taps follow the reading direction: the start half goes back, the end half forward.
  if (rtl) deck.classList.add("deck-rtl");
  showTop();
})();
