// Live page: /ws/main-api frames appended to the table (the session cookie authenticates).
(function () {
  "use strict";
  var state = document.getElementById("live-state");
  var rows = document.getElementById("live-events");
  function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
  function seconds(later, earlier) {
    if (!later || !earlier) { return ""; }
    return ((Date.parse(later) - Date.parse(earlier)) / 1000).toFixed(1) + " s";
  }
  function show(frame) {
    if (frame.type !== "event") { return; }
    var data = frame.data || {};
    var hit = data.payload || {};
    var row = document.createElement("tr");
    row.className = "live-" + frame.event.replace(/[^a-z_]/g, "-");
    cell(row, new Date().toISOString());
    cell(row, frame.event);
    cell(row, data.ticker || hit.ticker || "");
    cell(row, hit.accession_number ? hit.form_type + " " + hit.accession_number + " via " + hit.detection_source
      : (data.status || "") + (data.resolution_reason ? " (" + data.resolution_reason + ")" : ""));
    cell(row, seconds(hit.detected_at, hit.filed_at));
    cell(row, "");
    if (hit.accession_number) { fromFirstPublic(row.lastChild, hit); }
    rows.insertBefore(row, rows.firstChild);
  }
  function fromFirstPublic(td, hit) {
    fetch("/dashboard/first-public?accession=" + encodeURIComponent(hit.accession_number))
      .then(function (answer) { return answer.json(); })
      .then(function (known) {
        td.textContent = known.first_public ? seconds(hit.detected_at, known.first_public) : "unknown";
      });
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/main-api");
    socket.onmessage = function (message) {
      var frame = JSON.parse(message.data);
      if (frame.type === "authenticated") { state.textContent = "Connected: waiting for events"; }
      show(frame);
    };
    socket.onclose = function () { state.textContent = "Disconnected: reconnecting"; setTimeout(connect, 2000); };
  }
  connect();
}());
