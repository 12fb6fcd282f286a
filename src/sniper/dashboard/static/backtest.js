// Backtest chart: equity, drawdown (second axis) and trade markers, drawn by plotly.js.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  function markers(points, name, symbol, color) {
    return { x: points.map(function (p) { return p.date; }), y: points.map(function (p) { return p.balance; }),
      text: points.map(function (p) { return p.label; }), mode: "markers", name: name,
      marker: { symbol: symbol, size: 10, color: color }, type: "scatter" };
  }
  Plotly.newPlot("equity-chart", [
    { x: data.dates, y: data.equity, name: "Equity", type: "scatter", mode: "lines", line: { color: "#0b4f9c" } },
    { x: data.dates, y: data.drawdown, name: "Drawdown %", type: "scatter", mode: "lines", yaxis: "y2",
      fill: "tozeroy", line: { color: "#a00000" } },
    markers(data.entries, "Entries", "triangle-up", "#0a6b2b"),
    markers(data.exits, "Exits", "triangle-down", "#6b3a0a")
  ], {
    margin: { t: 20 }, legend: { orientation: "h" },
    yaxis: { title: { text: "Equity" } },
    yaxis2: { title: { text: "Drawdown %" }, overlaying: "y", side: "right" }
  }, { responsive: true, displaylogo: false });
}());
