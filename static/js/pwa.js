/* Registers the service worker (/sw.js, issue 19 B) so the site can be installed and shows an
 * offline page. Nothing else happens on page load: push is only asked for from Settings. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  });
})();
