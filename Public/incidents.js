// The incidents strip of the Teams View and the kiosk: today's misroute and wrong-call-risk incidents
// that nobody has acknowledged yet, refreshed every 5 seconds. It stays until each is acknowledged
// on /incidents. On a page filtered to teams, only their incidents. Built with textContent only: nothing from the server becomes markup.
// One line, whatever the count: the items that do not fit give way to "+N more", a link to the list.
// The kiosk's strip (`data-cleared-for`: seconds) ages by itself, as nobody acknowledges at a wall display: it
// holds the incidents going on and those that ended less than that long ago, and drops the others as they age.
(function () {
  "use strict";
  var strip = document.getElementById("incident-strip");
  if (!strip || !window.fetch) return;
  // A page filtered to teams (`team=`) shows only their incidents: the server gives its filter.
  var teams = strip.getAttribute("data-query");
  var filter = "state=unacknowledged" + (teams ? "&" + teams : "");
  var LIST = "/incidents?" + filter;
  var SHOWN = 12;   // items built at most; the line holds fewer
  var labels = { "misroute": "Misroute", "wrong-call-risk": "Wrong-call risk" };
  var last = "";
  var clearedFor = Number(strip.getAttribute("data-cleared-for")) || 0;
  var polled = null;   // the last answer, filtered again as its cleared incidents age
  function now() { return window.teamsview && window.teamsview.serverNow ? window.teamsview.serverNow() : Date.now(); }
  // Going on, then ended less than `clearedFor` seconds ago (all of them, as they come, where the strip does not age).
  function current(incidents) {
    if (!clearedFor) return incidents;
    var since = now() - clearedFor * 1000;
    return incidents.filter(function (i) { return !i.end; }).concat(incidents.filter(function (i) {
      return i.end && !(Date.parse(i.end) < since);
    }));
  }
  function minutes(seconds) { return seconds >= 60 && seconds % 60 === 0 ? seconds / 60 + " min" : seconds + " s"; }
  function time(rfc) { return typeof rfc === "string" && rfc.length >= 16 ? rfc.slice(11, 16) : ""; }
  function link(text, className) {
    var a = document.createElement("a");
    a.href = LIST;
    a.className = className;
    a.textContent = text;
    return a;
  }
  // Hides items from the end until the line fits, counting them in "+N more". The first item always
  // stays: when even it does not fit whole, it is cut with an ellipsis (incident-strip--squeeze).
  function fit() {
    var items = strip.querySelectorAll(".incident-strip__item");
    var more = strip.querySelector(".incident-strip__more");
    if (!more) return;
    var total = Number(strip.getAttribute("data-count")) || 0;
    strip.classList.remove("incident-strip--squeeze");
    for (var i = 0; i < items.length; i++) items[i].hidden = false;
    var shown = items.length;
    function update() {
      more.textContent = "+" + (total - shown) + " more";
      more.hidden = total - shown <= 0;
    }
    function overflows() { return strip.scrollWidth > strip.clientWidth + 1; }
    update();
    while (shown > 1 && overflows()) {
      shown--;
      items[shown].hidden = true;
      update();
    }
    if (overflows()) strip.classList.add("incident-strip--squeeze");
  }
  // `total`: how many there are, when `incidents` holds only the first of them (the page's inline copy).
  function render(incidents, total) {
    var count = Math.max(incidents.length, total || 0);
    var key = count + JSON.stringify(incidents.slice(0, SHOWN).map(function (i) { return [i.id, i.end, i.workerName]; }));
    if (key === last) return;
    last = key;
    while (strip.firstChild) strip.removeChild(strip.firstChild);
    if (!count) { strip.hidden = true; return; }
    strip.setAttribute("data-count", String(count));
    // " to acknowledge" gives way on a phone (the strip's label says it).
    var head = link(count + (count === 1 ? " incident" : " incidents"), "incident-strip__head");
    var rest = document.createElement("span");
    rest.className = "incident-strip__long";
    rest.textContent = clearedFor ? " going on or cleared in the last " + minutes(clearedFor) : " to acknowledge";
    head.appendChild(rest);
    strip.appendChild(head);
    incidents.slice(0, SHOWN).forEach(function (i) {
      var item = document.createElement("span");
      item.className = "incident-strip__item";
      item.textContent = (labels[i.kind] || i.kind) + " · " + i.workerName + " · " + time(i.start) +
        (i.end ? "" : " · going on");
      item.title = item.textContent;
      strip.appendChild(item);
    });
    strip.appendChild(link("", "incident-strip__more"));
    strip.hidden = false;
    fit();
  }
  function poll() {
    fetch("/api/incidents?" + filter, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && Array.isArray(body.incidents)) { polled = body.incidents; render(current(polled)); } })
      .catch(function () {});
  }
  window.addEventListener("resize", fit);
  // The page may carry the first answer (the kiosk does): shown at once, then polled as usual.
  var first = strip.getAttribute("data-incidents");
  if (first) {
    try {
      var body = JSON.parse(first);
      // The kiosk's come already aged by the server; they age on from here (its count with them).
      if (body && Array.isArray(body.incidents)) {
        var aged = current(body.incidents);
        render(aged, Number(strip.getAttribute("data-incidents-total")) - (body.incidents.length - aged.length));
      }
    } catch (e) { /* the poll below puts it right */ }
  }
  poll();
  setInterval(poll, 5000);
  // A cleared incident leaves within a second of its time, between polls too.
  if (clearedFor) setInterval(function () { if (polled) render(current(polled)); }, 1000);
})();
