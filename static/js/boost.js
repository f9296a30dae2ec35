// Boost form (templates/billing/_boost_button.html): a 4xx answer carries the form with its
// error message, so htmx swaps it in like a success. Replaces an hx-on attribute, which needs
// eval and is refused by the Content-Security-Policy.
(function () {
  "use strict";
  if (window.mielBoost) return;
  window.mielBoost = true;
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var elt = ev.detail.elt;
    var status = ev.detail.xhr.status;
    if (elt && elt.closest && elt.closest(".boost-form") && status >= 400 && status < 500) {
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
    }
  });
})();
