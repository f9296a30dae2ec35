// Profiles: geolocation button, photo previews, and inline photo-upload errors (htmx).
(function () {
  "use strict";

  function setupGeo(root) {
    var box = root.querySelector("[data-geo]");
    if (!box) return;
    var lat = root.querySelector("input[name=latitude]");
    var lon = root.querySelector("input[name=longitude]");
    var status = box.querySelector("[data-geo-status]");
    var locate = box.querySelector("[data-geo-locate]");
    var clear = box.querySelector("[data-geo-clear]");
    function changed() { lat.dispatchEvent(new Event("change", { bubbles: true })); }
    if (!("geolocation" in navigator)) { locate.hidden = true; }
    locate.addEventListener("click", function () {
      status.textContent = status.dataset.msgWait;
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(5);
        lon.value = pos.coords.longitude.toFixed(5);
        status.textContent = status.dataset.msgSet;
        clear.hidden = false;
        changed();
      }, function () {
        status.textContent = status.dataset.msgDenied;
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
    clear.addEventListener("click", function () {
      lat.value = ""; lon.value = "";
      status.textContent = status.dataset.msgNone;
      clear.hidden = true;
      changed();
    });
  }

  function setupPreview(root) {
    var input = root.querySelector("input[type=file][name=photos]");
    var preview = root.querySelector("[data-photo-preview]");
    if (!input || !preview) return;
    input.addEventListener("change", function () {
      preview.replaceChildren();
      Array.prototype.slice.call(input.files, 0, 6).forEach(function (file) {
        var img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        preview.appendChild(img);
      });
    });
  }

  // Photo errors come back as 4xx with the photo manager re-rendered: swap them in anyway.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail.elt;
    var status = e.detail.xhr.status;  // 4xx, and 507 when the disk is full
    if (((status >= 400 && status < 500) || status === 507) && elt && elt.closest("[data-swap-errors]")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  // Choosing a photo uploads it: a member who picked one from "Add a photo" did not look
  // for a second "Upload" button (which stays for browsers without JS).
  document.addEventListener("change", function (e) {
    var input = e.target;
    var form = input.closest && input.closest("form.photo-upload");
    if (!form || input.type !== "file" || !input.files.length) return;
    if (form.requestSubmit) form.requestSubmit(); else form.querySelector("button[type=submit]").click();
  });
  document.addEventListener("htmx:xhr:progress", function (e) {
    var form = e.target.closest && e.target.closest("form.photo-upload");
    if (!form || !e.detail.lengthComputable) return;
    var bar = form.querySelector(".upload-progress");
    bar.hidden = false;
    bar.value = Math.round((e.detail.loaded / e.detail.total) * 100);
  });

  function init() { setupGeo(document); setupPreview(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
