// Chats list (issue 15): when a message arrives or is read (events from realtime.js), fetch the
// list again and swap it in, so rows, their order and unread counts stay live. Skipped while a
// row's menu is open; the next event (or a reload) catches up.
(function () {
  "use strict";
  var busy = false;

  function refresh() {
    var page = document.querySelector(".convo-page");
    if (!page || busy || page.querySelector("details[open]")) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".convo-page");
        var now = document.querySelector(".convo-page");
        if (fresh && now && !now.querySelector("details[open]")) {
          now.replaceWith(fresh);
          if (window.htmx) window.htmx.process(fresh);
        }
      })
      .catch(function () {})
      .finally(function () { busy = false; });
  }

  document.addEventListener("miel:message.new", refresh);
  document.addEventListener("miel:message.read", refresh);
  document.addEventListener("miel:reconnected", refresh);
})();
