/* Live chat page (rules §8): new messages, read receipts, typing indicator and presence arrive
 * as "miel:*" DOM events from realtime.js. Sending goes over the open socket ("chat.send",
 * issue 20) and falls back to the form's htmx post (the same idempotency key) whenever the
 * socket is closed, refuses, or does not answer: the post shows the translated error or the
 * "Are you sure?" prompt. Without JavaScript the form posts as a plain form. */
import { csrfToken } from "./lib/http.js";
(function () {
  var chat = document.getElementById("chat");
  if (!chat) return;
  var otherId = chat.dataset.otherId;
  var meId = chat.dataset.meId;
  var form = document.getElementById("chat-form");
  var text = document.getElementById("chat-text");
  var typing = document.getElementById("chat-typing");
  var errorBox = document.getElementById("chat-error");
  var presence = document.getElementById("chat-presence");
  var i18n = document.getElementById("chat-i18n").dataset;
  var typingTimer = null;
  var lastTypingSent = 0;

  function list() { return document.getElementById("chat-messages"); }
  function thread() { return document.getElementById("chat-thread"); }
  function scrollDown() { var t = thread(); t.scrollTop = t.scrollHeight; }
  function removeEmpty() {
    var empty = list() && list().querySelector(".chat-empty");
    if (empty) empty.remove();
  }

  // A fresh idempotency key per message (issue 13 item 14): a retried POST of the same message
  // carries the same key and the server answers with the first message instead of a second.
  function renewClientKey() {
    var field = document.getElementById("chat-client-key");
    if (!field) return;
    if (window.crypto && window.crypto.randomUUID) { field.value = window.crypto.randomUUID(); return; }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    field.value = Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function markRead() {
    fetch(chat.dataset.readUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" }
    }).catch(function () {});
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "HH:MM" in the account's time zone (body[data-time-zone]), as the server renders the
  // messages already on the page; the browser's own clock only when the zone is unknown.
  function clock(d) {
    var zone = document.body.dataset.timeZone;
    if (zone && window.Intl) {
      try {
        var parts = new Intl.DateTimeFormat("en-GB", {
          hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone
        }).formatToParts(d);
        var get = function (type) {
          return parts.filter(function (p) { return p.type === type; })[0].value;
        };
        return get("hour") + ":" + get("minute");
      } catch (_e) { /* unknown zone: fall back below */ }
    }
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // The star button of a message rendered here, as the server renders it (_message.html).
  function starForm(id) {
    var url = i18n.starUrl.replace("00000000-0000-0000-0000-000000000000", id);
    var starForm = document.createElement("form");
    starForm.className = "msg-star-form";
    starForm.method = "post";
    starForm.action = url;
    starForm.setAttribute("hx-post", url);
    starForm.setAttribute("hx-target", "closest li");
    starForm.setAttribute("hx-swap", "outerHTML");
    [["csrfmiddlewaretoken", csrfToken()], ["value", "1"], ["from", "chat"]].forEach(function (f) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = f[0]; input.value = f[1];
      starForm.appendChild(input);
    });
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "msg-star";
    button.setAttribute("aria-pressed", "false");
    button.title = i18n.star;
    button.textContent = "★";
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = i18n.star;
    button.appendChild(label);
    starForm.appendChild(button);
    return starForm;
  }

  function appendMessage(m) {
    var li = renderMessage(m);
    list().appendChild(li);
    if (window.htmx) window.htmx.process(li);
  }

  function renderMessage(m) {
    var mine = m.sender === meId;
    var li = document.createElement("li");
    li.className = "msg " + (mine ? "msg-mine" : "msg-theirs");
    li.id = "msg-" + m.id;
    li.dataset.messageId = m.id;
    if (m.story_image !== undefined && m.story_image !== null) {
      var story = document.createElement("div");
      story.className = "msg-story";
      var img = document.createElement("img");
      img.className = "msg-story-thumb"; img.src = m.story_image; img.alt = "";
      story.appendChild(img);
      var label = document.createElement("span");
      label.className = "muted"; label.textContent = i18n.story;
      story.appendChild(label);
      li.appendChild(story);
    }
    var p = document.createElement("p");
    p.className = "msg-text";
    p.dir = "auto";
    p.textContent = m.text;
    li.appendChild(p);
    if (m.nudged && !mine && m.report_url) {
      var nudge = document.createElement("p");
      nudge.className = "msg-nudge";
      nudge.appendChild(document.createTextNode(i18n.bother + " "));
      var report = document.createElement("a");
      report.href = m.report_url;
      report.textContent = i18n.report;
      nudge.appendChild(report);
      li.appendChild(nudge);
    }
    var meta = document.createElement("div");
    meta.className = "msg-meta";
    var time = document.createElement("time");
    time.dateTime = m.created;
    time.textContent = clock(new Date(m.created));
    meta.appendChild(time);
    meta.appendChild(starForm(m.id));
    if (mine) {
      var receipt = document.createElement("span");
      receipt.className = "msg-receipt";
      receipt.textContent = " ✓ " + i18n.sent;
      meta.appendChild(receipt);
    }
    li.appendChild(meta);
    return li;
  }

  document.addEventListener("miel:message.new", function (e) {
    var m = e.detail.message;
    if (!m) return;
    var inThread = (m.sender === otherId && m.recipient === meId) ||
                   (m.sender === meId && m.recipient === otherId);
    if (!inThread || document.getElementById("msg-" + m.id)) return;
    removeEmpty();
    appendMessage(m);
    scrollDown();
    if (m.sender === otherId) {
      typing.hidden = true;
      if (document.visibilityState === "visible") markRead();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && list() &&
        list().querySelector(".msg-theirs")) markRead();
  });

  document.addEventListener("miel:message.read", function (e) {
    if (e.detail.reader !== otherId || !e.detail.message_ids) return;
    e.detail.message_ids.forEach(function (id) {
      var li = document.getElementById("msg-" + id);
      var receipt = li && li.querySelector(".msg-receipt");
      if (receipt) { receipt.textContent = "✓✓ " + i18n.seen; receipt.dataset.read = "1"; }
    });
  });

  document.addEventListener("miel:typing", function (e) {
    if (e.detail.from !== otherId) return;
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing.hidden = true; }, 4000);
  });

  // An unmatch (either side): the message box gives way to the "closed" note at once.
  document.addEventListener("miel:chat.closed", function (e) {
    if (e.detail.with_user_id !== otherId) return;
    var closed = document.getElementById("chat-closed");
    var box = document.getElementById("chat-form");
    if (box) box.remove();
    typing.hidden = true;
    if (closed) closed.hidden = false;
  });

  document.addEventListener("miel:presence", function (e) {
    if (e.detail.user !== otherId) return;
    var online = e.detail.status === "online";
    presence.textContent = "";
    if (online) {
      var dot = document.createElement("span");
      dot.className = "online-dot";
      presence.appendChild(dot);
      presence.appendChild(document.createTextNode(" "));
    }
    presence.appendChild(document.createTextNode(online ? i18n.online : i18n.offline));
  });

  // Tell the socket this chat is on screen: its messages then come without a Web Push too
  // (issue 19 C). A hidden tab does not count; every (re)connect says it again.
  function announceChatOpen() {
    if (!window.mielRealtime) return;
    window.mielRealtime.send({ type: "chat.open", "with": document.hidden ? "" : otherId });
  }
  document.addEventListener("miel:connected", announceChatOpen);
  document.addEventListener("visibilitychange", announceChatOpen);
  announceChatOpen();

  // After a lost connection, reload the thread: nothing is missed.
  document.addEventListener("miel:reconnected", function () {
    if (window.htmx) {
      window.htmx.ajax("GET", chat.dataset.threadUrl, { target: "#chat-thread", swap: "innerHTML" })
        .then(scrollDown);
    }
  });

  if (form) {
  // Over the socket: one frame instead of an HTTP request (issue 20). The message shows when
  // the socket answers "chat.sent"; "chat.failed" (nothing stored: not a match any more, a
  // limit, a nudge to confirm...) or no answer within SOCKET_SEND_WAIT_MS posts the same form
  // over HTTP with the same client key, so the member sees why, and a message the server did
  // store is answered again instead of stored twice.
  // The box empties as soon as a message goes over the socket, so the next one can be typed
  // while it is on its way; Enter meanwhile queues that next one until the answer (one message
  // in flight, in order). The HTTP fallback posts the pending text, never what the box holds
  // by then, and a refused text comes back into an empty box.
  var SOCKET_SEND_WAIT_MS = 4000;
  var pendingKey = null;
  var pendingText = null;
  var pendingTimer = null;
  var viaHttp = false;
  var httpText = null;  // the text the fallback post must carry
  var postedText = null;  // the text of the last post, to empty the box only if still shown
  var queued = false;

  function clientKey() {
    var field = document.getElementById("chat-client-key");
    return field ? field.value : "";
  }

  function sendOverHttp() {
    clearTimeout(pendingTimer);
    var sent = pendingText;
    pendingKey = null;
    pendingText = null;
    // Back in the box (its error or "Are you sure?" is about it) unless a next one is there.
    if (!text.value.trim()) text.value = sent;
    httpText = sent;
    viaHttp = true;
    form.requestSubmit();
  }

  // After a message went through: the next one typed meanwhile, if Enter was pressed.
  function sendQueued() {
    var next = queued;
    queued = false;
    if (next && text.value.trim()) form.requestSubmit();
  }

  document.body.addEventListener("htmx:configRequest", function (e) {
    if (!isSendForm(e.detail.elt)) return;
    if (e.detail.elt === form && httpText !== null) {
      e.detail.parameters.text = httpText;
      httpText = null;
    }
    postedText = e.detail.parameters.text;
  });

  form.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.elt !== form) return;
    if (viaHttp) { viaHttp = false; return; }
    var key = clientKey();
    if (!key || !window.mielRealtime) return;
    if (pendingKey !== null) { e.preventDefault(); queued = true; return; }  // one at a time
    var frame = { type: "chat.send", to: otherId, text: text.value, client_key: key };
    if (!window.mielRealtime.send(frame)) return;  // socket closed: the post goes as before
    e.preventDefault();
    pendingKey = key;
    pendingText = text.value;
    text.value = "";
    pendingTimer = setTimeout(sendOverHttp, SOCKET_SEND_WAIT_MS);
  });

  document.addEventListener("miel:chat.sent", function (e) {
    if (!pendingKey || e.detail.client_key !== pendingKey) return;
    clearTimeout(pendingTimer);
    pendingKey = null;
    pendingText = null;
    var m = e.detail.message;
    if (m && !document.getElementById("msg-" + m.id)) {
      removeEmpty();
      appendMessage(m);
    }
    renewClientKey();  // the box was emptied when it went; it may hold the next message now
    errorBox.textContent = "";
    scrollDown();
    sendQueued();
  });

  document.addEventListener("miel:chat.failed", function (e) {
    if (!pendingKey || e.detail.client_key !== pendingKey) return;
    sendOverHttp();
  });

  text.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTypingSent > 2000 && text.value.trim() && window.mielRealtime) {
      lastTypingSent = now;
      window.mielRealtime.send({ type: "typing", to: otherId });
    }
  });
  // A prompt or an error shown under the thread: keep it and the box in view (phones).
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target === errorBox && errorBox.textContent.trim()) {
      form.scrollIntoView({ block: "end" });
    }
  });

  // "Edit message" in a nudge prompt: back to the text, nothing sent.
  errorBox.addEventListener("click", function (e) {
    var edit = e.target.closest("[data-nudge-edit]");
    if (!edit) return;
    e.preventDefault();
    errorBox.textContent = "";
    text.focus();
  });
  text.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (text.value.trim()) form.requestSubmit();
    }
  });

  // A validation/refusal answer (400/403/422/429) goes into the error box instead of the thread;
  // a message already shown from the socket is not added twice.
  // The message form, or the "Send anyway" form of a nudge prompt (issue 16).
  function isSendForm(elt) {
    return elt === form || (elt && elt.classList && elt.classList.contains("nudge-send"));
  }

  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (!isSendForm(e.detail.requestConfig.elt)) return;
    var status = e.detail.xhr.status;
    // 409: "Are you sure?" (nothing stored yet); the text stays in the box for editing.
    if (status === 400 || status === 403 || status === 409 || status === 422 || status === 429) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
      errorBox.textContent = "";
      e.detail.target = errorBox;
      e.detail.swapOverride = "innerHTML";
      return;
    }
    var match = /id="msg-([0-9a-f-]+)"/.exec(e.detail.serverResponse || "");
    if (match && document.getElementById("msg-" + match[1])) e.detail.shouldSwap = false;
    else removeEmpty();
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (!isSendForm(e.detail.elt)) return;
    if (e.detail.xhr && e.detail.xhr.status === 200) {
      // Emptied only if it still shows what was posted: not a next message typed meanwhile.
      if (postedText !== null && text.value.trim() === String(postedText).trim()) text.value = "";
      postedText = null;
      renewClientKey();
      errorBox.textContent = "";
      scrollDown();
      sendQueued();
    } else {
      queued = false;
    }
  });
  }

  scrollDown();
})();
