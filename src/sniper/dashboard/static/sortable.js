// Sortable tables: a header button sorts its column (again: reverse); aria-sort tells which.
(function () {
  "use strict";
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    table.querySelectorAll("th button[data-sort]").forEach(function (button) {
      button.addEventListener("click", function () {
        var column = Number(button.dataset.sort);
        var numeric = button.dataset.numeric === "1";
        var th = button.parentElement;
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column], y = b.cells[column];
          var p = numeric ? Number(x.dataset.value) : x.textContent.trim();
          var q = numeric ? Number(y.dataset.value) : y.textContent.trim();
          var order = numeric ? p - q : String(p).localeCompare(String(q));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
}());
