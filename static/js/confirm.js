// Forms marked data-confirm="question" ask before submitting. Replaces inline onsubmit="..."
// handlers, which the Content-Security-Policy (script-src 'self') does not run.
(function () {
  "use strict";
  if (window.mielConfirm) return; // included twice on one page: one listener is enough
  window.mielConfirm = true;
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      ev.preventDefault();
    }
  });
})();
