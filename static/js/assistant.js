// Assistant panel (rules §12): open/close, lazy history load, keep the log scrolled, show 429s.
(function () {
  "use strict";
  const fab = document.getElementById("ai-fab");
  const panel = document.getElementById("ai-panel");
  if (!fab || !panel) return;
  const log = document.getElementById("ai-log");
  const input = document.getElementById("ai-text");

  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function setOpen(open) {
    panel.hidden = !open;
    fab.setAttribute("aria-expanded", String(open));
    if (open) {
      log.dispatchEvent(new CustomEvent("ai:open"));
      if (input) input.focus();
      scrollDown();
    } else {
      fab.focus();
    }
  }
  fab.addEventListener("click", () => setOpen(panel.hidden));
  panel.querySelector(".ai-close").addEventListener("click", () => setOpen(false));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !panel.hidden) setOpen(false); });

  // Quota (429) and validation (400) replies carry a friendly message: show it in the log.
  document.body.addEventListener("htmx:beforeSwap", (e) => {
    const refund = e.detail.elt.classList && e.detail.elt.classList.contains("ai-refund");
    if ((e.detail.target === log && [400, 429].includes(e.detail.xhr.status)) ||
        (refund && e.detail.xhr.status === 409)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.target === log) scrollDown();
  });
  document.body.addEventListener("htmx:afterRequest", (e) => {
    const form = e.detail.elt.closest && e.detail.elt.closest(".ai-form");
    if (form && e.detail.successful && input) input.value = "";
  });
})();
