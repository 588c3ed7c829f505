// Moderation queue: "select all" for bulk actions. Every checkbox also works without this script.
(function () {
  "use strict";
  var all = document.querySelector("[data-select-all]");
  if (!all) return;
  all.hidden = false;
  all.addEventListener("change", function () {
    document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = all.checked; });
  });
})();
