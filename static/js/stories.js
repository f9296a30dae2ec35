/* Stories (rules §10): the strip opens a full-screen viewer; the compose page previews.
   Vanilla JS. Data comes from the server-rendered <script id="stories-data"> (json_script),
   every image from the permission-checked /stories/<id>/image/ URL. */
import { csrfToken } from "./lib/http.js";
(function () {
  if (window.MielStories) return;
  var DURATION = 5000; // ms per story
  var HOLD_MS = 250; // a press longer than this is a hold (pause), not a tap

  function send(method, url, data) {
    var body = null;
    if (data) {
      body = new URLSearchParams();
      Object.keys(data).forEach(function (k) { body.append(k, data[k]); });
    }
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json", "X-Requested-With": "fetch" },
      body: body,
    }).then(function (resp) {
      return resp.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : {}; } catch (_e) { json = { html: text }; }
        if (!resp.ok) { var err = new Error((json && json.error) || ""); err.status = resp.status; throw err; }
        return json;
      });
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function readData() {
    var script = document.getElementById("stories-data");
    if (!script) return null;
    try { return JSON.parse(script.textContent); } catch (_e) { return null; }
  }

  function isRtl() { return document.documentElement.dir === "rtl"; }

  // ------------------------------------------------------------------ viewer
  function Viewer(data, groupIndex, options) {
    this.groups = data.groups.filter(function (g) { return g.stories.length; });
    this.labels = data.labels || {};
    this.options = options || {};
    this.gi = Math.min(groupIndex || 0, this.groups.length - 1);
    var group = this.groups[this.gi];
    var firstUnviewed = group.stories.findIndex(function (s) { return !s.viewed; });
    this.si = Math.max(firstUnviewed, 0);
    this.elapsed = 0;
    this.paused = false;
    this.holds = 0;
    this.loading = true;
    this.lastTick = null;
    this.returnFocus = document.activeElement;
    this.build();
    this.show();
  }

  Viewer.prototype.build = function () {
    var L = this.labels, self = this;
    this.root = el("div", { class: "story-viewer", role: "dialog", "aria-modal": "true", "aria-label": L.story || "Story" });
    this.frame = el("div", { class: "sv-frame" });
    this.progress = el("div", { class: "sv-progress", "aria-hidden": "true" });
    this.avatar = el("span", { class: "sv-initial" });
    this.name = el("a", { href: "#", dir: "auto" });
    this.time = el("time");
    this.privacy = el("span", { class: "sv-privacy" });
    this.pauseState = el("span", { class: "sv-pause-state", role: "status", text: L.pause || "Paused" });
    this.closeBtn = el("button", { type: "button", class: "sv-close", "aria-label": L.close || "Close", text: "×" });
    var head = el("header", { class: "sv-head" }, [
      this.avatar, el("div", {}, [this.name, el("br"), this.time, document.createTextNode(" · "), this.privacy]),
      el("span", { class: "sv-spacer" }), this.pauseState, this.closeBtn,
    ]);
    this.img = el("img", { alt: "" });
    this.text = el("p", { class: "sv-text", dir: "auto" });
    this.media = el("div", { class: "sv-media" }, [this.img, this.text]);
    this.prevBtn = el("button", { type: "button", class: "sv-tap prev", "aria-label": L.previous || "Previous" });
    this.nextBtn = el("button", { type: "button", class: "sv-tap next", "aria-label": L.next || "Next" });
    this.foot = el("footer", { class: "sv-foot" });
    this.frame.append(this.progress, head, this.media, this.prevBtn, this.nextBtn, this.foot);
    this.root.appendChild(this.frame);

    this.closeBtn.addEventListener("click", function () { self.close(); });
    [this.prevBtn, this.nextBtn].forEach(function (btn) {
      var pressedAt = 0, wasHold = false;
      btn.addEventListener("pointerdown", function () { pressedAt = Date.now(); wasHold = false; self.hold(true); });
      var release = function () {
        if (!pressedAt) return;
        wasHold = Date.now() - pressedAt > HOLD_MS;
        pressedAt = 0;
        self.hold(false);
      };
      btn.addEventListener("pointerup", release);
      btn.addEventListener("pointercancel", release);
      btn.addEventListener("pointerleave", release);
      btn.addEventListener("contextmenu", function (e) { e.preventDefault(); });
      btn.addEventListener("click", function () {
        if (wasHold) { wasHold = false; return; }
        if (btn === self.prevBtn) self.prev(); else self.next();
      });
    });
    this.img.addEventListener("load", function () { self.loading = false; self.lastTick = null; });
    this.img.addEventListener("error", function () { self.loading = false; self.next(); });
    this.onKey = function (e) {
      var typing = e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA");
      if (e.key === "Escape") { e.preventDefault(); self.close(); return; }
      if (typing) return;
      if (e.key === "ArrowRight") { e.preventDefault(); if (isRtl()) self.prev(); else self.next(); }
      else if (e.key === "ArrowLeft") { e.preventDefault(); if (isRtl()) self.next(); else self.prev(); }
      else if (e.key === " ") { e.preventDefault(); self.togglePause(); }
      else if (e.key === "Tab") { self.trapFocus(e); }
    };
    this.onVisibility = function () { self.hold(document.hidden); };
    document.addEventListener("keydown", this.onKey);
    document.addEventListener("visibilitychange", this.onVisibility);
    document.body.appendChild(this.root);
    document.body.classList.add("story-open");
    this.closeBtn.focus();
    this.raf = requestAnimationFrame(function loop(ts) { self.tick(ts); self.raf = requestAnimationFrame(loop); });
  };

  Viewer.prototype.trapFocus = function (e) {
    var focusables = Array.prototype.filter.call(
      this.root.querySelectorAll("button, a[href], input"), function (n) { return n.offsetParent !== null; });
    if (!focusables.length) return;
    var first = focusables[0], last = focusables[focusables.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  };

  Viewer.prototype.story = function () { return this.groups[this.gi].stories[this.si]; };

  Viewer.prototype.show = function () {
    var group = this.groups[this.gi], story = this.story(), L = this.labels, self = this;
    this.elapsed = 0;
    this.lastTick = null;
    this.loading = true;
    this.closePanel();
    // progress segments
    this.progress.textContent = "";
    this.segFill = null;
    group.stories.forEach(function (_s, i) {
      var fill = el("i");
      var seg = el("span", { class: "sv-seg" + (i < self.si ? " done" : "") }, [fill]);
      self.progress.appendChild(seg);
      if (i === self.si) self.segFill = fill;
    });
    // header
    var avatar;
    if (group.avatar_url) avatar = el("img", { src: group.avatar_url, alt: "" });
    else avatar = el("span", { class: "sv-initial", text: (group.name || "?").charAt(0).toUpperCase() });
    this.avatar.replaceWith(avatar);
    this.avatar = avatar;
    this.name.textContent = group.name;
    this.name.href = group.profile_url;
    this.time.textContent = story.age;
    this.time.setAttribute("datetime", story.created_at);
    this.privacy.textContent = story.privacy_label;
    // media
    this.img.className = story.filter ? "story-filter-" + story.filter : "";
    this.img.src = story.image_url;
    if (story.text) {
      this.text.hidden = false;
      this.text.textContent = story.text;
      this.text.style.left = (story.x * 100) + "%";
      this.text.style.top = (story.y * 100) + "%";
    } else {
      this.text.hidden = true;
    }
    this.root.setAttribute("aria-label", (L.story || "Story") + " · \u2068" + (group.name || "") + "\u2069");
    this.renderFoot();
    if (!story.is_own && !story.viewed) {
      story.viewed = true;
      send("POST", story.urls.view).catch(function () { /* a view is best effort */ });
      this.markStripViewed();
    }
  };

  Viewer.prototype.markStripViewed = function () {
    var group = this.groups[this.gi];
    if (group.stories.some(function (s) { return !s.viewed; })) return;
    var data = readData();
    if (!data) return;
    var index = data.groups.findIndex(function (g) { return g.user_id === group.user_id; });
    var bubble = document.querySelector('[data-story-group="' + index + '"]');
    if (bubble) bubble.classList.remove("unviewed");
  };

  Viewer.prototype.renderFoot = function () {
    var story = this.story(), L = this.labels, self = this;
    this.foot.textContent = "";
    if (story.is_own) {
      var views = el("button", { type: "button", text: "👁 " + (story.view_count == null ? "" : story.view_count) + " " + (L.views || "") });
      var del = el("button", { type: "button", class: "danger", text: L.delete || "Delete" });
      views.addEventListener("click", function () { self.openInsights(); });
      del.addEventListener("click", function () { self.deleteCurrent(); });
      this.foot.appendChild(el("div", { class: "sv-own" }, [views, del]));
      return;
    }
    var row = el("div", { class: "sv-reactions", role: "group" });
    (L.reactions || []).forEach(function (r) {
      var btn = el("button", { type: "button", "aria-label": r.label, title: r.label, text: r.emoji,
        "aria-pressed": String(story.my_reaction === r.value) });
      btn.addEventListener("click", function () { self.react(r.value); });
      row.appendChild(btn);
    });
    if (story.urls.report) {
      row.appendChild(el("a", { href: story.urls.report, class: "sv-report", text: L.report || "Report" }));
    }
    var input = el("input", { type: "text", maxlength: "2000", placeholder: L.reply_placeholder || "", "aria-label": L.reply_placeholder || "Reply", enterkeyhint: "send" });
    var sendBtn = el("button", { type: "submit", text: L.send || "Send" });
    var form = el("form", { class: "sv-reply" }, [input, sendBtn]);
    input.addEventListener("focus", function () { self.hold(true); });
    input.addEventListener("blur", function () { self.hold(false); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      sendBtn.disabled = true;
      send("POST", story.urls.reply, { text: text }).then(function (json) {
        input.value = "";
        input.blur();
        self.toast(json.message || L.sent);
      }).catch(function (err) { self.toast(err.message || L.error); })
        .finally(function () { sendBtn.disabled = false; });
    });
    this.foot.append(row, form);
  };

  Viewer.prototype.react = function (value) {
    var story = this.story(), self = this;
    var removing = story.my_reaction === value;
    var request = removing ? send("DELETE", story.urls.react) : send("POST", story.urls.react, { reaction: value });
    request.then(function (json) {
      story.my_reaction = json.reaction;
      self.renderFoot();
    }).catch(function (err) { self.toast(err.message || self.labels.error); });
  };

  Viewer.prototype.openInsights = function () {
    var story = this.story(), self = this;
    fetch(story.urls.insights, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (resp) { if (!resp.ok) throw new Error(); return resp.text(); })
      .then(function (html) {
        self.closePanel();
        // Server-rendered template: user text in it is escaped by Django.
        self.panel = el("div", { class: "sv-panel", role: "region", "aria-label": self.labels.views || "" });
        self.panel.innerHTML = html;
        var close = el("button", { type: "button", class: "link", text: self.labels.close || "Close" });
        close.addEventListener("click", function () { self.closePanel(); });
        self.panel.appendChild(close);
        self.frame.appendChild(self.panel);
        self.hold(true);
        close.focus();
      }).catch(function () { self.toast(self.labels.error); });
  };

  Viewer.prototype.closePanel = function () {
    if (this.panel) { this.panel.remove(); this.panel = null; this.hold(false); }
  };

  Viewer.prototype.deleteCurrent = function () {
    var story = this.story(), self = this;
    if (!window.confirm(this.labels.delete_confirm)) return;
    send("POST", story.urls.delete).then(function () {
      var group = self.groups[self.gi];
      group.stories.splice(self.si, 1);
      if (!group.stories.length) {
        self.groups.splice(self.gi, 1);
        if (!self.groups.length) { self.close(); return; }
        self.si = 0;
        if (self.gi >= self.groups.length) { self.close(); return; }
      } else if (self.si >= group.stories.length) {
        self.si = group.stories.length - 1;
      }
      self.show();
    }).catch(function (err) { self.toast(err.message || self.labels.error); });
  };

  Viewer.prototype.toast = function (text) {
    var node = el("p", { class: "sv-toast", role: "status", text: text });
    this.frame.appendChild(node);
    setTimeout(function () { node.remove(); }, 2200);
  };

  Viewer.prototype.hold = function (on) {
    this.holds = Math.max(0, this.holds + (on ? 1 : -1));
    this.applyPause();
  };
  Viewer.prototype.togglePause = function () { this.paused = !this.paused; this.applyPause(); };
  Viewer.prototype.applyPause = function () {
    var paused = this.paused || this.holds > 0;
    this.root.classList.toggle("paused", paused);
    this.lastTick = null;
  };

  Viewer.prototype.tick = function (ts) {
    var paused = this.paused || this.holds > 0 || this.loading;
    if (!paused) {
      if (this.lastTick != null) this.elapsed += ts - this.lastTick;
      this.lastTick = ts;
      if (this.elapsed >= DURATION) { this.next(); return; }
    } else {
      this.lastTick = null;
    }
    if (this.segFill) this.segFill.style.width = Math.min(100, (this.elapsed / DURATION) * 100) + "%";
  };

  Viewer.prototype.next = function () {
    var group = this.groups[this.gi];
    if (this.si < group.stories.length - 1) { this.si += 1; }
    else if (this.gi < this.groups.length - 1) { this.gi += 1; this.si = this.firstUnviewed(this.gi); }
    else { this.close(); return; }
    this.holds = 0;
    this.show();
  };

  Viewer.prototype.prev = function () {
    if (this.si > 0) { this.si -= 1; }
    else if (this.gi > 0) { this.gi -= 1; this.si = 0; }
    else { this.elapsed = 0; return; }
    this.holds = 0;
    this.show();
  };

  Viewer.prototype.firstUnviewed = function (gi) {
    var i = this.groups[gi].stories.findIndex(function (s) { return !s.viewed; });
    return Math.max(i, 0);
  };

  Viewer.prototype.close = function () {
    if (this.closed) return;
    this.closed = true;
    cancelAnimationFrame(this.raf);
    document.removeEventListener("keydown", this.onKey);
    document.removeEventListener("visibilitychange", this.onVisibility);
    this.root.remove();
    document.body.classList.remove("story-open");
    if (this.options.onClose) this.options.onClose();
    else if (this.returnFocus && this.returnFocus.focus) this.returnFocus.focus();
    window.MielStories.current = null;
  };

  function open(groupIndex) {
    var data = readData();
    if (!data || !data.groups || !data.groups.length) return null;
    if (window.MielStories.current) window.MielStories.current.close();
    window.MielStories.current = new Viewer(data, groupIndex);
    return window.MielStories.current;
  }

  // ------------------------------------------------------------------ compose page
  function initCompose(form) {
    var file = form.querySelector('input[type="file"]');
    var img = form.querySelector("[data-preview-img]");
    var empty = form.querySelector("[data-preview-empty]");
    var preview = form.querySelector("[data-preview]");
    var text = form.querySelector('input[name="text_overlay"]');
    var shown = form.querySelector("[data-preview-text]");
    var count = form.querySelector("[data-count]");
    var x = form.querySelector('input[name="text_x"]');
    var y = form.querySelector('input[name="text_y"]');
    function place() {
      shown.style.left = ((parseFloat(x.value) || 0.5) * 100) + "%";
      shown.style.top = ((parseFloat(y.value) || 0.5) * 100) + "%";
    }
    function syncText() {
      shown.textContent = text.value;
      shown.hidden = !text.value.trim();
      count.textContent = String(Array.from(text.value).length);
      place();
    }
    function syncFilter() {
      var checked = form.querySelector('input[name="filter"]:checked');
      img.className = checked && checked.value ? "story-filter-" + checked.value : "";
    }
    file.addEventListener("change", function () {
      if (!file.files || !file.files[0]) return;
      img.src = URL.createObjectURL(file.files[0]);
      img.hidden = false;
      empty.hidden = true;
    });
    text.addEventListener("input", syncText);
    form.querySelectorAll('input[name="filter"]').forEach(function (r) { r.addEventListener("change", syncFilter); });
    preview.addEventListener("click", function (e) {
      var box = preview.getBoundingClientRect();
      x.value = Math.min(1, Math.max(0, (e.clientX - box.left) / box.width)).toFixed(3);
      y.value = Math.min(1, Math.max(0, (e.clientY - box.top) / box.height)).toFixed(3);
      place();
    });
    shown.classList.add("story-text");
    syncText();
    syncFilter();
  }

  // ------------------------------------------------------------------ wiring
  document.addEventListener("click", function (e) {
    var bubble = e.target.closest && e.target.closest("[data-story-group]");
    if (!bubble) return;
    e.preventDefault();
    open(parseInt(bubble.getAttribute("data-story-group"), 10) || 0);
  });

  function init() {
    var compose = document.querySelector("[data-story-compose]");
    if (compose) initCompose(compose);
    var page = document.querySelector("[data-story-autoplay]");
    if (page) {
      var data = readData();
      if (data && data.groups && data.groups.length) {
        window.MielStories.current = new Viewer(data, 0, {
          onClose: function () { window.location.href = data.close_url || "/"; },
        });
      }
    }
  }

  window.MielStories = { open: open, current: null, DURATION: DURATION };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
