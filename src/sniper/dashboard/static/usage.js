// Account page: tokens used per day, a plotly.js bar chart.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("usage-data").textContent);
  Plotly.newPlot("usage-chart", [{ x: data.days, y: data.tokens, type: "bar", name: "Tokens used",
    marker: { color: "#0b4f9c" } }], { margin: { t: 10 }, yaxis: { title: { text: "Tokens" } } },
    { responsive: true, displaylogo: false });
}());
