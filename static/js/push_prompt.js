/* The "turn on notifications" card after a member's first match (issue 19). Never asks on
 * page load: the browser's permission prompt opens only when the member presses the card's
 * button. Answering or dismissing it tells the server, and the card is not shown again. */
import { postJSON, vapidKeyBytes } from "./lib/http.js";
(function () {
  function done(card) {
    document.querySelectorAll("[data-push-prompt]").forEach(function (c) {
      if (c !== card) c.hidden = true;
    });
    return postJSON(card.dataset.doneUrl).catch(function () { /* shown again next time */ });
  }
  function setup(card) {
    if (card.dataset.ready) return;
    card.dataset.ready = "1";
    var status = card.querySelector("[data-push-prompt-status]");
    var enable = card.querySelector("[data-push-prompt-enable]");
    var dismiss = card.querySelector("[data-push-prompt-dismiss]");
    var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
    if (!supported || Notification.permission === "denied") { card.hidden = true; return; }
    dismiss.addEventListener("click", function () { card.hidden = true; done(card); });
    enable.addEventListener("click", function () {
      enable.disabled = true;
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { status.textContent = card.dataset.denied; done(card); return null; }
        return navigator.serviceWorker.register("/sw.js", { scope: "/" })
          .then(function () { return navigator.serviceWorker.ready; })
          .then(function (reg) {
            return reg.pushManager.subscribe({
              userVisibleOnly: true,
              applicationServerKey: vapidKeyBytes(card.dataset.publicKey)
            });
          })
          .then(function (sub) { return postJSON(card.dataset.subscribeUrl, sub.toJSON()); })
          .then(function () {
            status.textContent = card.dataset.on;
            enable.hidden = true;
            dismiss.hidden = true;
            return done(card);
          });
      }).catch(function () {
        status.textContent = card.dataset.failed;
        enable.disabled = false;
      });
    });
  }
  function scan() { document.querySelectorAll("[data-push-prompt]").forEach(setup); }
  scan();
  document.addEventListener("htmx:afterSettle", scan);
})();
