// Edit page photo order (issue 15): drag a tile by its handle (pointer events: mouse, touch,
// pen) to a new place; on drop the tiles' hidden "order" inputs, now in the new order, are
// posted by the #photo-order form (htmx swaps the photo manager back in). The arrow buttons
// work without this file.
(function () {
  "use strict";
  var drag = null;
  document.documentElement.classList.add("js-photo-order");  // shows the drag handles

  function tiles(grid) {
    return Array.prototype.slice.call(grid.querySelectorAll("[data-photo-id]"));
  }

  function tileAt(grid, x, y) {
    var found = null;
    tiles(grid).forEach(function (tile) {
      if (tile === drag.tile) return;
      var r = tile.getBoundingClientRect();
      if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) found = tile;
    });
    return found;
  }

  document.addEventListener("pointerdown", function (e) {
    var handle = e.target.closest && e.target.closest("[data-drag-handle]");
    if (!handle || e.button > 0) return;
    var tile = handle.closest("[data-photo-id]");
    var grid = tile.closest("[data-photo-grid]");
    drag = { tile: tile, grid: grid, start: tiles(grid).indexOf(tile) };
    handle.setPointerCapture(e.pointerId);
    tile.classList.add("dragging");
    e.preventDefault();
  });

  document.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var over = tileAt(drag.grid, e.clientX, e.clientY);
    if (!over) return;
    var list = tiles(drag.grid);
    var before = list.indexOf(over) < list.indexOf(drag.tile);
    drag.grid.insertBefore(drag.tile, before ? over : over.nextSibling);
  });

  function drop() {
    if (!drag) return;
    var moved = tiles(drag.grid).indexOf(drag.tile) !== drag.start;
    drag.tile.classList.remove("dragging");
    drag = null;
    var form = document.getElementById("photo-order");
    if (moved && form) form.requestSubmit();
  }
  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", drop);
})();
