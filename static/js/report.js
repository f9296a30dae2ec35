// Report form (templates/matching/report.html): the conversation list scrolls inside its box;
// bring the preselected message (the one the reporter came from) into view, else the newest.
(function () {
  "use strict";
  var list = document.querySelector(".report-messages");
  if (!list) return;
  var target = list.querySelector("input:checked") || list.lastElementChild;
  if (!target) return;
  var item = target.closest ? target.closest("li") || target : target;
  list.scrollTop = Math.max(0, item.offsetTop - list.clientHeight / 3);
})();
