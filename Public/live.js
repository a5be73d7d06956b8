// teamsview live updates: Server-Sent Events from /live patch the page in place.
// Plain script, no framework, no inline code (the pages' CSP forbids it).
//
// The server sends rendered HTML (the same templates as the page), so this file only places
// fragments: rows go right after the row the server names, teams after the team it names.
// A paged view's stream carries only the rows of its page (and the counts of the whole view).
// It also shows the connection state, the stale banner (connection lost vs. feed silent),
// reconnects forever with backoff, offers a pause control, and can reload the page every so
// often (?reload=12h) for displays that run for days.
(function () {
  "use strict";

  var body = document.body;
  var liveURL = body.getAttribute("data-live");
  var root = document.querySelector("[data-live-root]");
  if (!liveURL || !root || typeof EventSource === "undefined") return;

  var tv = window.teamsview || { serverNow: Date.now, setServerTime: function () {}, tick: function () {} };
  var conn = document.getElementById("conn");
  var connText = conn ? conn.querySelector(".conn__text") : null;
  var banner = document.getElementById("stale-banner");
  var bannerText = banner ? banner.querySelector(".banner__text") : null;
  var pauseButton = document.getElementById("pause");

  var cursor = body.getAttribute("data-live-cursor") || null;
  var staleAfter = Number(body.getAttribute("data-stale-after")) || 30;
  var heartbeat = 15;
  var lastLine = null;          // server time (ms) the last event line arrived, as the server says
  var lastLineKnown = false;
  // The newest event's own time (ms), as the page was rendered and as messages say (`e`).
  var lastEvent = Number(body.getAttribute("data-last-event")) || null;
  // The empty board says what the feed waits for (a followed file that does not exist yet, the first event).
  var feedWaiting = body.hasAttribute("data-feed-waiting");
  var source = null;
  var state = "connecting";     // connecting | live | down | paused
  var feedNote = null;          // what the connection mark adds while the stream is fine but the feed is not
  var attempt = 0;
  var retryTimer = null;
  var retryAt = 0;
  var lastMessage = Date.now();
  var lostAt = null;            // server time the connection was lost
  var paused = false;

  // ---- connection -------------------------------------------------------------------------

  function streamURL() {
    if (!cursor) return liveURL;
    return liveURL + (liveURL.indexOf("?") >= 0 ? "&" : "?") + "last=" + encodeURIComponent(cursor);
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (paused) return;
    if (source) source.close();
    setState(state === "live" ? "live" : "connecting");
    var es = new EventSource(streamURL());
    source = es;
    es.addEventListener("hello", function (e) { if (source === es) onHello(JSON.parse(e.data)); });
    es.addEventListener("reset", function (e) { if (source === es) onMessage(e, applyReset); });
    es.addEventListener("rows", function (e) { if (source === es) onMessage(e, applyRows); });
    es.addEventListener("feed", function (e) { if (source === es) onMessage(e, null); });
    // The server evicted this view to bound its memory and ends the stream: come back later
    // (its buffer is gone, so the next stream starts with a full resync).
    es.addEventListener("evicted", function (e) {
      if (source === es) lost(Number(JSON.parse(e.data).retry) || 10000);
    });
    es.onerror = function () { if (source === es) lost(); };
  }

  // atLeast: milliseconds the server asked to wait (an evicted view), spread over up to half as much again.
  function lost(atLeast) {
    if (source) { source.close(); source = null; }
    if (paused) return;
    if (state !== "down") lostAt = tv.serverNow();
    attempt += 1;
    // 1 s, 2 s, 4 s ... capped at 30 s, with jitter so a room of displays does not reconnect in step.
    var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(attempt - 1, 5))) * (0.75 + Math.random() * 0.5);
    if (atLeast > 0) delay = Math.max(delay, atLeast * (1 + Math.random() * 0.5));
    retryAt = Date.now() + delay;
    setState("down");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function onHello(hello) {
    heartbeat = Number(hello.heartbeat) || heartbeat;
    staleAfter = Number(hello.staleAfter) || staleAfter;
    noteClock(hello);
    attempt = 0;
    lostAt = null;
    setState("live");
  }

  function onMessage(e, apply) {
    var data = JSON.parse(e.data);
    noteClock(data);
    if (e.lastEventId) cursor = e.lastEventId;
    if (apply) {
      var held = anchor();
      if (apply(data) === false) { resync(); return; }
      if (data.v !== undefined) setText("version", String(data.v));
      if (typeof data.count === "string") setText("count", data.count);
      if (typeof data.range === "string") setText("page-range", data.range);
      if (typeof data.summary === "string") {
        var summary = document.getElementById("summary");
        if (summary) summary.innerHTML = data.summary;
      }
      if (typeof data.shown === "number") {
        var empty = document.getElementById("empty");
        if (empty) empty.hidden = data.shown > 0;
      }
      tv.tick();
      restore(held);
      document.dispatchEvent(new CustomEvent("teamsview:patched"));
    }
    if (state !== "live") setState("live");
  }

  // Scroll anchoring: the agent row a supervisor who scrolled is reading stays where it is on
  // screen while rows and tiles above it change.
  function anchor() {
    if (window.scrollY <= 0) return null;
    var el = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 3);
    var row = el && el.closest ? el.closest("[data-worker]") : null;
    return row && row.id ? { id: row.id, top: row.getBoundingClientRect().top } : null;
  }

  function restore(held) {
    if (!held) return;
    var row = document.getElementById(held.id);
    if (!row) return;
    var delta = row.getBoundingClientRect().top - held.top;
    if (Math.abs(delta) >= 1) window.scrollBy(0, delta);
  }

  function noteClock(data) {
    lastMessage = Date.now();
    if (typeof data.t === "number") {
      // Keep timers on the server's clock; ignore jitter below half a second.
      if (Math.abs(data.t - tv.serverNow()) > 500) tv.setServerTime(data.t);
    }
    if ("last" in data) { lastLine = data.last; lastLineKnown = true; }
    if (typeof data.e === "number") lastEvent = data.e;
    updateBanner();
  }

  // The view went out of step (a row's neighbour is missing): start over with a full resync.
  function resync() {
    cursor = null;
    connect();
  }

  // ---- applying messages ------------------------------------------------------------------

  var parser = document.createElement("template");

  function parse(html) {
    parser.innerHTML = html;
    return parser.content;
  }

  function teams() {
    var list = [];
    for (var el = root.firstElementChild; el; el = el.nextElementSibling) {
      if (el.classList.contains("team")) list.push(el);
    }
    return list;
  }

  function applyReset(data) {
    var old = teams();
    for (var i = 0; i < old.length; i++) old[i].remove();
    root.appendChild(parse(data.body));
    return true;
  }

  function applyRows(data) {
    var i, el;
    for (i = 0; i < data.teams.length; i++) {
      var t = data.teams[i];
      var fresh = parse(t.html).firstElementChild;
      if (!fresh) return false;
      var team = document.getElementById("team-" + t.slug);
      if (team) {
        // Keep the rows; swap the header (the team element's first child).
        var header = fresh.firstElementChild;
        if (header && team.firstElementChild) team.replaceChild(header, team.firstElementChild);
        continue;
      }
      if (t.after) {
        var prev = document.getElementById("team-" + t.after);
        if (!prev || prev.parentNode !== root) return false;
        prev.after(fresh);
      } else {
        var first = teams()[0];
        if (first) root.insertBefore(fresh, first); else root.appendChild(fresh);
      }
    }
    for (i = 0; i < data.rows.length; i++) {
      var r = data.rows[i];
      var container = document.getElementById("team-" + r.team);
      if (!container) return false;
      var anchor = r.after ? document.getElementById(r.after) : container.firstElementChild;
      if (!anchor || anchor.parentNode !== container) return false;
      var row = parse(r.html).firstElementChild;
      if (!row) return false;
      row.classList.add("is-updated");
      var existing = document.getElementById(r.id);
      if (existing && existing.previousElementSibling === anchor) {
        existing.replaceWith(row);
      } else {
        if (existing) existing.remove();
        anchor.after(row);
      }
    }
    for (i = 0; i < data.removed.length; i++) {
      el = document.getElementById(data.removed[i]);
      if (el) el.remove();
    }
    for (i = 0; i < data.teamsRemoved.length; i++) {
      el = document.getElementById("team-" + data.teamsRemoved[i]);
      if (el) el.remove();
    }
    return true;
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el && el.textContent !== text) el.textContent = text;
  }

  // ---- state shown to people ----------------------------------------------------------------

  function clock(ms) {
    var d = new Date(ms);
    var two = function (v) { return v < 10 ? "0" + v : String(v); };
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }

  function setState(next) {
    state = next;
    body.setAttribute("data-live-state", next);
    updateBanner();
  }

  // Connected but no event line has arrived from any source yet: not "Live" (nor green), the feed has said nothing.
  function noLineYet() { return lastLineKnown && lastLine === null; }

  function paintConn() {
    if (!conn) return;
    var waiting = state === "live" && noLineYet();
    var stale = state === "live" && !waiting && feedNote !== null;
    conn.classList.toggle("is-live", state === "live" && !waiting && !stale);
    conn.classList.toggle("is-stale", stale);
    conn.classList.toggle("is-waiting", waiting);
    conn.classList.toggle("is-down", state === "down");
    conn.classList.toggle("is-paused", state === "paused");
    var text;
    if (waiting) text = "Connected · no events yet";
    else if (stale) text = "Connected · " + feedNote;
    else if (state === "live") text = "Live";
    else if (state === "paused") text = "Paused";
    else if (state === "down") {
      var wait = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
      text = "Disconnected" + (wait > 0 ? " · retrying in " + wait + " s" : " · retrying");
    } else text = "Connecting…";
    if (connText && connText.textContent !== text) connText.textContent = text;
  }

  function showBanner(kind, text) {
    if (!banner) return;
    banner.classList.toggle("banner--down", kind === "down");
    banner.classList.toggle("banner--stale", kind !== "down");
    banner.setAttribute("data-kind", kind || "");
    if (bannerText && bannerText.textContent !== text) bannerText.textContent = text;
    if (banner.hidden !== !kind) {
      banner.hidden = !kind;
      document.dispatchEvent(new CustomEvent("teamsview:banner"));
    }
  }

  function updateBanner() {
    paintConn();
    if (state === "down" || (state === "connecting" && lostAt !== null)) {
      showBanner("down", "Lost the connection to the server" + (lostAt ? " at " + clock(lostAt) : "") +
        ": states shown are as of then (timers keep counting). Reconnecting…");
      return;
    }
    if (state === "paused") {
      showBanner("paused", "Live updates paused: figures are frozen. Press “Resume live updates” to catch up.");
      return;
    }
    if (!lastLineKnown) return; // keep what the server rendered until the stream says more
    if (lastLine === null) {
      var empty = document.getElementById("empty");
      // Said once: by the empty board when it says what the feed waits for, else by the banner.
      if (feedWaiting && empty && !empty.hidden) showBanner(null, "");
      else showBanner("feed", "Waiting for the first event from the feed.");
      return;
    }
    // Worded as the server renders it (FeedState.warning): silent, or speaking of the past.
    var now = tv.serverNow();
    var silent = (now - lastLine) / 1000;
    var age = lastEvent !== null ? Math.max(0, (now - lastEvent) / 1000) : null;
    if (silent >= staleAfter) {
      var text = "Feed silent since " + moment(now - silent * 1000, now) + " (" + span(silent) +
        "): no event has arrived since.";
      if (age !== null && age >= silent + oldAfter()) {
        text += " The newest event is from " + moment(lastEvent, now) + " (" + span(age) + " old).";
      }
      showBanner("feed", text + " States are as of then; timers keep counting from when each state began.");
      setFeedNote("feed silent");
    } else if (age !== null && age >= oldAfter()) {
      showBanner("feed", "Old events: the newest is from " + moment(lastEvent, now) + ", " + span(age) +
        " ago (a replayed file, or a producer running behind). States are as of those events; timers count from them, so they include the delay.");
      setFeedNote("old events");
    } else {
      showBanner(null, "");
      setFeedNote(null);
    }
  }

  // The connection mark is green only when the feed is as live as the stream: amber with the reason otherwise.
  function setFeedNote(note) {
    if (feedNote === note) return;
    feedNote = note;
    paintConn();
  }

  // Seconds the newest event may be old, lines arriving, before it is said (FeedState.oldAfter).
  function oldAfter() { return Math.max(staleAfter, 300); }

  // "14:02 UTC" on the day of now, else "2026-11-28 14:02 UTC".
  function moment(ms, now) {
    var text = new Date(ms).toISOString(), today = new Date(now).toISOString();
    var clockText = text.slice(11, 16) + " UTC";
    return text.slice(0, 10) === today.slice(0, 10) ? clockText : text.slice(0, 10) + " " + clockText;
  }

  // "45 s", "12 min", "3 h 05 min", "8 d 6 h".
  function span(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var two = function (v) { return v < 10 ? "0" + v : String(v); };
    if (s >= 86400) return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
    if (s >= 3600) return Math.floor(s / 3600) + " h " + two(Math.floor((s % 3600) / 60)) + " min";
    if (s >= 60) return Math.floor(s / 60) + " min";
    return s + " s";
  }

  // ---- pause (WCAG 2.2.2) ---------------------------------------------------------------------

  function setPaused(on) {
    paused = on;
    tv.frozen = on;
    if (pauseButton) {
      pauseButton.setAttribute("aria-pressed", on ? "true" : "false");
      pauseButton.textContent = on ? "Resume live updates" : "Pause live updates";
    }
    if (on) {
      if (source) { source.close(); source = null; }
      clearTimeout(retryTimer);
      setState("paused");
    } else {
      attempt = 0;
      lostAt = null;
      setState("connecting");
      connect();  // replays what was missed (or resyncs) from the cursor
    }
  }

  if (pauseButton) {
    pauseButton.hidden = false;
    pauseButton.addEventListener("click", function () { setPaused(!paused); });
  }

  // ---- periodic checks ------------------------------------------------------------------------

  setInterval(function () {
    if (state === "live" && Date.now() - lastMessage > (heartbeat * 2 + 5) * 1000) {
      // Nothing, not even a heartbeat: the connection is dead without saying so.
      lost();
    }
    if (state === "down") setState("down"); // refresh the countdown
    else updateBanner();
  }, 1000);

  // ?reload=12h (also 30m, 90s or plain seconds): a full reload every so often, only while the
  // server answers, so a display never reloads itself into an error page.
  (function () {
    var m = /[?&]reload=(\d+(?:\.\d+)?)([hms]?)(?:&|$)/.exec(location.search);
    if (!m) return;
    var seconds = Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1);
    if (!(seconds >= 60)) return;
    function attemptReload() {
      fetch("/healthz", { cache: "no-store" }).then(function (r) {
        if (r.ok) location.reload(); else setTimeout(attemptReload, 30000);
      }, function () { setTimeout(attemptReload, 30000); });
    }
    setTimeout(attemptReload, seconds * 1000);
  })();

  window.teamsview = window.teamsview || tv;
  window.teamsview.live = {
    state: function () { return state; },
    cursor: function () { return cursor; },
    pause: function (on) { setPaused(on !== false); }
  };

  connect();
})();
