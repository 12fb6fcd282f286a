// Ticker autocomplete: the catalog's tickers starting with what was typed (datalist).
(function () {
  "use strict";
  var input = document.getElementById("f-ticker");
  var list = document.getElementById("tickers");
  if (!input || !list) { return; }
  input.addEventListener("input", function () {
    var prefix = input.value.trim();
    if (!prefix) { return; }
    fetch("/dashboard/tickers?q=" + encodeURIComponent(prefix), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (tickers) {
        list.textContent = "";
        tickers.forEach(function (t) {
          var option = document.createElement("option");
          option.value = t.ticker; option.textContent = t.ticker + " - " + t.name;
          list.appendChild(option);
        });
      });
  });
}());
