// Photo carousel (issue 15): the track scrolls with snap points (swipe works without JS); this
// adds tap on the start / end half of the photo, the dots following the photo shown, the dots
// and arrow buttons moving the track (not the page), and ←/→ keys. RTL aware.
(function () {
  "use strict";

  function setup(root) {
    var track = root.querySelector("[data-carousel-track]");
    if (!track) return;
    var slides = Array.prototype.slice.call(track.children);
    var dots = Array.prototype.slice.call(root.querySelectorAll(".carousel-dot"));
    if (slides.length < 2) return;
    var rtl = getComputedStyle(track).direction === "rtl";

    function current() {
      var width = track.clientWidth || 1;
      return Math.min(slides.length - 1, Math.max(0, Math.round(Math.abs(track.scrollLeft) / width)));
    }
    function go(index) {
      index = Math.min(slides.length - 1, Math.max(0, index));
      var left = index * track.clientWidth;
      track.scrollTo({ left: rtl ? -left : left });
    }
    function mark() {
      var at = current();
      dots.forEach(function (dot, i) {
        if (i === at) dot.setAttribute("aria-current", "true");
        else dot.removeAttribute("aria-current");
      });
    }

    track.addEventListener("scroll", function () { window.requestAnimationFrame(mark); }, { passive: true });
    dots.forEach(function (dot, i) {
      dot.addEventListener("click", function (e) { e.preventDefault(); go(i); });
    });
    root.querySelectorAll("[data-carousel-step]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { go(current() + Number(button.dataset.carouselStep)); });
    });
    // A tap (not a swipe) on the end half of the photo shows the next one, on the start half
    // the previous one (Tinder's gesture; mirrored in RTL).
    track.addEventListener("click", function (e) {
      // Taps on a photo's own controls (like, report) are theirs, not the carousel's.
      if (e.target.closest("a, button, form, summary, textarea")) return;
      var box = track.getBoundingClientRect();
      var endHalf = (e.clientX - box.left > box.width / 2) !== rtl;
      go(current() + (endHalf ? 1 : -1));
    });
    root.tabIndex = 0;
    root.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      var forward = (e.key === "ArrowRight") !== rtl;
      go(current() + (forward ? 1 : -1));
      e.preventDefault();
    });
  }

  function init() { document.querySelectorAll("[data-carousel]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
