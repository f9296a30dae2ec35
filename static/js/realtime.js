/* Miel real time (rules §9): one WebSocket per tab at /ws/.
 *
 * Every event the server pushes ({"type": "...", ...}) is dispatched on `document` as
 * CustomEvent("miel:<type>", {detail: event}); other scripts listen to those DOM events.
 * After a reconnect, "miel:reconnected" fires so pages can reload what they show (the socket
 * only makes pages live; a reload always shows everything).
 * window.mielRealtime.send(obj) sends a frame (typing, ping); frames are dropped while closed.
 * The navigation's #unread-badge follows `unread_count` in message.new / message.read events;
 * the bell's #notif-badge follows `unread_count` in notification.new events.
 */
(function () {
  "use strict";
  if (!document.body || !document.body.dataset.userId || window.mielRealtime) return;

  var HEARTBEAT_MS = 30000;
  var MAX_BACKOFF_MS = 30000;
  var socket = null;
  var backoff = 1000;
  var heartbeat = null;
  var everOpened = false;
  var stopped = false;

  function url() {
    var proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    return proto + "//" + window.location.host + "/ws/";
  }

  function dispatch(type, detail) {
    document.dispatchEvent(new CustomEvent("miel:" + type, { detail: detail }));
  }

  function connect() {
    if (stopped) return;
    socket = new WebSocket(url());
    socket.addEventListener("open", function () {
      backoff = 1000;
      if (everOpened) dispatch("reconnected", {});
      everOpened = true;
      dispatch("connected", {});
      clearInterval(heartbeat);
      heartbeat = setInterval(function () { send({ type: "ping" }); }, HEARTBEAT_MS);
    });
    socket.addEventListener("message", function (msg) {
      var event;
      try { event = JSON.parse(msg.data); } catch (_e) { return; }
      if (!event || typeof event.type !== "string") return;
      dispatch(event.type, event);
    });
    socket.addEventListener("close", function (evt) {
      clearInterval(heartbeat);
      dispatch("disconnected", { code: evt.code });
      if (evt.code === 4401) { stopped = true; return; }  // not signed in: do not retry
      var wait = backoff + Math.floor(Math.random() * 500);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      setTimeout(connect, wait);
    });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function setBadge(count) {
    var badge = document.getElementById("unread-badge");
    if (!badge || typeof count !== "number") return;
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count <= 0;
  }

  // The top bar's bell (issue 19): notification.new carries the new unread count.
  function setNotificationBadge(count) {
    var badge = document.getElementById("notif-badge");
    if (!badge || typeof count !== "number") return;
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count <= 0;
  }
  document.addEventListener("miel:notification.new", function (e) {
    setNotificationBadge(e.detail.unread_count);
  });

  document.addEventListener("miel:message.new", function (e) { setBadge(e.detail.unread_count); });
  document.addEventListener("miel:message.read", function (e) { setBadge(e.detail.unread_count); });

  window.mielRealtime = { send: send, setBadge: setBadge };
  connect();
})();
