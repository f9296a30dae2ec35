/* Web Push opt-in on the Settings page (issue 19 C). Nothing is asked on page load: the
 * browser's permission prompt opens only when the member presses "Turn on notifications".
 * The subscription (endpoint + keys) goes to the server; "Turn off" removes it. */
import { postJSON, vapidKeyBytes } from "./lib/http.js";
(function () {
  var box = document.getElementById("push-device");
  if (!box) return;
  var status = document.getElementById("push-status");
  var enable = document.getElementById("push-enable");
  var disable = document.getElementById("push-disable");

  function say(key) { status.textContent = status.dataset[key]; }
  function show(subscribed) {
    enable.hidden = subscribed;
    disable.hidden = !subscribed;
    say(subscribed ? "on" : "off");
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("unsupported");
    return;
  }
  if (Notification.permission === "denied") say("denied");

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (reg) {
    return reg.pushManager.getSubscription().then(function (sub) {
      show(Boolean(sub) && Notification.permission === "granted");
      enable.addEventListener("click", function () {
        enable.disabled = true;
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") { say("denied"); return null; }
          return reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: vapidKeyBytes(box.dataset.publicKey)
          }).then(function (s) { return postJSON(box.dataset.subscribeUrl, s.toJSON()); })
            .then(function () { show(true); });
        }).catch(function () { say("failed"); })
          .then(function () { enable.disabled = false; });
      });
      disable.addEventListener("click", function () {
        reg.pushManager.getSubscription().then(function (s) {
          if (!s) return show(false);
          return postJSON(box.dataset.unsubscribeUrl, { endpoint: s.endpoint })
            .then(function () { return s.unsubscribe(); })
            .then(function () { show(false); });
        }).catch(function () { say("failed"); });
      });
    });
  }).catch(function () { say("unsupported"); });
})();
