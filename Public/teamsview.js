// teamsview client: ticks timers from server time. No framework, no inline script (CSP).
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="server-time"]');
  // Offset between the server's clock and this browser's, so a skewed browser clock does not matter.
  var offset = meta ? Number(meta.content) - Date.now() : 0;

  function serverNow() { return Date.now() + offset; }

  function format(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var two = function (v) { return v < 10 ? "0" + v : String(v); };
    return h > 0 ? h + ":" + two(m) + ":" + two(r) : m + ":" + two(r);
  }

  function tick() {
    // Paused (WCAG 2.2.2): timers stand still with the rest of the page.
    if (window.teamsview && window.teamsview.frozen) return;
    var now = serverNow();
    var timers = document.querySelectorAll("time.timer[data-since]");
    for (var i = 0; i < timers.length; i++) {
      var t = timers[i];
      var elapsed = (now - Number(t.getAttribute("data-since"))) / 1000;
      var warn = t.getAttribute("data-warn"), alert = t.getAttribute("data-alert");
      var level = "";
      if (alert !== null && elapsed >= Number(alert)) level = "alert";
      else if (warn !== null && elapsed >= Number(warn)) level = "warn";
      var mark = level === "alert" ? "▲▲ " : level === "warn" ? "▲ " : "";
      var text = format(elapsed);
      if (t.getAttribute("data-text") !== mark + text) {
        t.setAttribute("data-text", mark + text);
        t.textContent = "";
        if (mark) {
          var span = document.createElement("span");
          span.className = "timer__mark";
          span.setAttribute("aria-hidden", "true");
          span.textContent = mark;
          t.appendChild(span);
        }
        t.appendChild(document.createTextNode(text));
        t.setAttribute("datetime", "PT" + Math.max(0, Math.floor(elapsed)) + "S");
        t.classList.toggle("is-warn", level === "warn");
        t.classList.toggle("is-alert", level === "alert");
      }
    }
  }

  window.teamsview = { serverNow: serverNow, setServerTime: function (ms) { offset = ms - Date.now(); }, tick: tick };
  tick();
  setInterval(tick, 1000);
})();

// The navigation menu on narrow screens.
(function () {
  "use strict";
  var toggle = document.getElementById("menu-toggle"), nav = document.getElementById("topnav");
  if (!toggle || !nav) return;
  toggle.addEventListener("click", function () {
    var open = !nav.classList.contains("is-open");
    nav.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
