// The incidents strip of the Teams View and the kiosk: today's misroute and wrong-call-risk incidents
// that nobody has acknowledged yet, refreshed every 5 seconds. It stays until each is acknowledged
// on /incidents. Built with textContent only: nothing from the server becomes markup.
(function () {
  "use strict";
  var strip = document.getElementById("incident-strip");
  if (!strip || !window.fetch) return;
  var labels = { "misroute": "Misroute", "wrong-call-risk": "Wrong-call risk" };
  function time(rfc) { return typeof rfc === "string" && rfc.length >= 16 ? rfc.slice(11, 16) : ""; }
  function render(incidents) {
    while (strip.firstChild) strip.removeChild(strip.firstChild);
    if (!incidents.length) { strip.hidden = true; return; }
    var head = document.createElement("a");
    head.href = "/incidents?state=unacknowledged";
    head.textContent = incidents.length + (incidents.length === 1 ? " incident" : " incidents") + " to acknowledge";
    strip.appendChild(head);
    incidents.slice(0, 6).forEach(function (i) {
      var item = document.createElement("span");
      item.className = "incident-strip__item";
      item.textContent = (labels[i.kind] || i.kind) + " · " + i.workerName + " · " + time(i.start) +
        (i.end ? "" : " · going on");
      strip.appendChild(item);
    });
    strip.hidden = false;
  }
  function poll() {
    fetch("/api/incidents?state=unacknowledged", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && Array.isArray(body.incidents)) render(body.incidents); })
      .catch(function () {});
  }
  poll();
  setInterval(poll, 5000);
})();
