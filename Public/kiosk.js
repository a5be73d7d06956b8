// teamsview kiosk: fits agent tiles to the screen, rotates pages when they do not fit,
// shows the local time, and shifts the picture a few pixels now and then (burn-in care).
// Plain script, no inline code (CSP); live changes arrive through live.js.
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board) return;
  var frame = document.getElementById("frame");
  var pageText = document.getElementById("page-text");
  var pageDots = document.getElementById("page-dots");
  var indicator = document.getElementById("page-indicator");
  var rotateSeconds = Math.max(5, Number(document.body.getAttribute("data-rotate")) || 20);

  // Tile metrics in em of the tile's own font (1rem × scale); kiosk.css lays tiles out to match.
  var TILE_MIN_WIDTH = 16;     // em: room for "❚❚ Hold ▲▲ 12:34 Muted"
  var TILE_BASE = 3.9;         // em: padding, name line, activity line
  var TILE_LINE = 1.45;        // em per call line (a flagged call takes two)
  var SCALES = [2.2, 2, 1.8, 1.65, 1.5, 1.4, 1.3, 1.2, 1.1, 1];

  var pages = [[]];
  var page = 0;
  var rotateTimer = null;
  var layoutQueued = false;

  function rem() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 24;
  }

  function items() {
    var list = [];
    var teams = board.querySelectorAll(".team");
    for (var i = 0; i < teams.length; i++) {
      var head = teams[i].querySelector(".kteam__head:not(.kteam__head--cont)");
      if (head) list.push({ el: head, head: true, team: teams[i] });
      var tiles = teams[i].querySelectorAll(".tile");
      for (var j = 0; j < tiles.length; j++) list.push({ el: tiles[j], head: false, team: teams[i] });
    }
    return list;
  }

  // Chooses the largest scale at which everything fits one screen; failing that, the smallest
  // scale (still ≥ 24 px text at 1080p) and as many pages as it takes.
  function layout() {
    layoutQueued = false;
    var conts = board.querySelectorAll(".kteam__head--cont");
    for (var c = 0; c < conts.length; c++) conts[c].remove();
    var all = items();
    var r = rem();
    var gap = 0.4 * r;
    var W = board.clientWidth, H = board.clientHeight;
    if (W <= 0 || H <= 0) return;
    var lines = 1;
    for (var i = 0; i < all.length; i++) {
      if (!all[i].head) lines = Math.max(lines, Number(all[i].el.getAttribute("data-lines")) || 1);
    }
    var chosen = null;
    for (var s = 0; s < SCALES.length; s++) {
      var scale = SCALES[s];
      var cols = Math.max(1, Math.floor((W + gap) / (TILE_MIN_WIDTH * scale * r + gap)));
      var rows = Math.max(1, Math.floor((H + gap) / ((TILE_BASE + TILE_LINE * lines) * scale * r + gap)));
      chosen = { scale: scale, cols: cols, rows: rows };
      if (cols * rows >= all.length) break;
    }
    if (chosen.cols * chosen.rows < all.length && dense(all, r, W, H)) return;
    board.classList.remove("board--dense", "board--inline-heads");
    board.style.removeProperty("--dense-font");
    board.style.setProperty("--scale", String(chosen.scale));
    board.style.setProperty("--cols", String(chosen.cols));
    board.style.setProperty("--row-h", ((H - (chosen.rows - 1) * gap) / chosen.rows) + "px");
    paginate(all, chosen.cols * chosen.rows);
    show(Math.min(page, pages.length - 1));
    fill(H, gap, (H - (chosen.rows - 1) * gap) / chosen.rows);
    names(false);
  }

  // A screen that needs fewer rows than it has room for: the rows grow (up to FILL_MOST times their
  // height) so the board reaches the foot of the screen instead of leaving a band of it empty.
  var FILL_MOST = 1.6;

  function fill(H, gap, rowH) {
    if (pages.length !== 1) return;
    var top = board.getBoundingClientRect().top, bottom = 0;
    var cells = board.querySelectorAll(".tile:not([hidden]), .kteam__head:not([hidden])");
    for (var i = 0; i < cells.length; i++) bottom = Math.max(bottom, cells[i].getBoundingClientRect().bottom - top);
    if (bottom <= 0) return;
    var used = Math.max(1, Math.round((bottom + gap) / (rowH + gap)));
    var grown = Math.min((H - (used - 1) * gap) / used, rowH * FILL_MOST);
    if (grown > rowH) board.style.setProperty("--row-h", grown + "px");
  }

  // Dense layout, when the tiles do not fit one screen: one compact cell per agent (two short
  // lines), teams as bands across the board. The type shrinks with the floor but never below
  // 20 px, so 150 agents fit a 1080p screen and 600 a 4K one; pages rotate only beyond that.
  var DENSE_WIDTH = 7;       // em: a cell's least width
  var DENSE_HEIGHT = 2.5;    // em: two lines and padding
  var DENSE_SCALES = [1.6, 1.4, 1.2, 1, 0.9, 0.85, 0.75, 0.65, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3];
  var DENSE_MIN_PX = 20;

  function denseGeometry(fontPx, W, H) {
    var gap = Math.max(3, fontPx * 0.2);
    return {
      font: fontPx, gap: gap,
      cols: Math.max(1, Math.floor((W + gap) / (DENSE_WIDTH * fontPx + gap))),
      rowH: DENSE_HEIGHT * fontPx,
      rows: Math.max(1, Math.floor((H + gap) / (DENSE_HEIGHT * fontPx + gap)))
    };
  }

  // Splits items into pages of at most g.rows grid rows, placing them as the grid does (in
  // order, a cell with a danger mark two columns wide). Team headings are bands across the board
  // or, with `inline`, two-column cells in the flow, when bands would cost a second page.
  function densePages(all, g, inline) {
    var out = [], current = [], row = 0, col = 0, widest = 0;
    function place(w, full) {
      if (full) { if (col > 0) row++; row++; col = 0; return; }
      if (col + w > g.cols) { row++; col = 0; }
      col += w;
      widest = Math.max(widest, col);
      if (col >= g.cols) { row++; col = 0; }
    }
    function used() { return row + (col > 0 ? 1 : 0); }
    for (var i = 0; i < all.length; i++) {
      var it = all[i];
      var w = it.head ? 2 : (it.el.querySelector(".dense--wide, .dense--roomy") ? 2 : 1);
      place(w, it.head && !inline);
      if (used() > g.rows && current.length > 0) {
        out.push(current);
        current = [];
        row = 0; col = 0;
        if (!it.head) { current.push({ cont: true, team: it.team }); place(2, !inline); }
        place(w, it.head && !inline);
      }
      current.push(it);
    }
    out.push(current);
    // Columns no cell reaches (every cell two wide on an odd number of columns): the same rows fit fewer,
    // wider columns, so the board spans the screen's width.
    out.cols = Math.max(1, Math.min(g.cols, widest || g.cols));
    return out;
  }

  // Makes room for each cell's second line (state word, timer, Muted): when it is wider than its
  // cell, the icons beside the words go first (`dense--tight`: the words and colours still say it);
  // when that is not enough, a one-column cell takes two (`dense--roomy`). No word is ever cut.
  // Widths in em of the cell's own font, so one measurement holds at every scale. Returns whether
  // any cell changed.
  function roomy(all) {
    var cells = [];
    for (var i = 0; i < all.length; i++) {
      var d = !all[i].head && all[i].el.querySelector(".dense");
      if (d && d.querySelector(".dense__l2")) { d.classList.remove("dense--tight"); cells.push(d); }
    }
    var plans = cells.map(function (d) {
      var l2 = d.querySelector(".dense__l2");
      var font = parseFloat(getComputedStyle(l2).fontSize) || 20;
      var need = 0, reserve = 0, kids = l2.children;
      for (var k = 0; k < kids.length; k++) {
        if (kids[k].classList.contains("dense__act")) continue;   // presence words (any activity name) may be cut
        need += kids[k].getBoundingClientRect().width + (k > 0 ? 0.4 * font : 0);
        // A running timer grows: room for one more digit and, before its alert, the ▲▲ mark.
        var t = kids[k].querySelector("time.timer");
        if (t) reserve += (0.65 + (t.hasAttribute("data-alert") && !t.classList.contains("is-alert") ? 1.1 : 0)) * font;
      }
      var icons = l2.querySelectorAll(".dense__state > [aria-hidden], .dense__muted .icon");
      var saving = 0;
      for (var n = 0; n < icons.length; n++) saving += icons[n].getBoundingClientRect().width + 0.25 * font;
      var wide = d.classList.contains("dense--wide");
      var room = (wide ? 2 * DENSE_WIDTH + 0.2 : DENSE_WIDTH) - 1.1;   // em: less padding and left rule
      need /= font; saving /= font; reserve /= font;
      // The icons go early (room kept for the timer to grow); a second column only when needed now
      // (checked every second: a cell that outgrows its column gets one then).
      return { d: d, tight: need + reserve > room, roomy: !wide && need - saving > room };
    });
    var changed = false;
    plans.forEach(function (p) {
      p.d.classList.toggle("dense--tight", p.tight);
      if (p.roomy !== p.d.classList.contains("dense--roomy")) { p.d.classList.toggle("dense--roomy", p.roomy); changed = true; }
    });
    return changed;
  }

  function dense(all, r, W, H) {
    var chosen = null;
    // Measure with every tile shown in the dense layout.
    board.classList.add("board--dense");
    for (var m = 0; m < all.length; m++) all[m].el.hidden = false;
    roomy(all);
    for (var s = 0; s < DENSE_SCALES.length && !(chosen && chosen.pages.length === 1); s++) {
      var px = Math.max(DENSE_MIN_PX, DENSE_SCALES[s] * r);
      var g = denseGeometry(px, W, H);
      for (var mode = 0; mode < 2; mode++) {
        var split = densePages(all, g, mode === 1);
        chosen = { g: g, pages: split, inline: mode === 1 };
        if (split.length === 1) break;
      }
      if (px <= DENSE_MIN_PX) break;
    }
    board.classList.add("board--dense");
    board.classList.toggle("board--inline-heads", chosen.inline);
    board.style.setProperty("--dense-font", chosen.g.font + "px");
    board.style.setProperty("--cols", String(chosen.pages.cols || chosen.g.cols));
    board.style.setProperty("--row-h", chosen.g.rowH + "px");
    board.style.setProperty("--dense-gap", chosen.g.gap + "px");
    pages = chosen.pages;
    show(Math.min(page, pages.length - 1));
    fill(H, chosen.g.gap, chosen.g.rowH);
    names(true);
    requestAnimationFrame(function () { names(board.classList.contains("board--dense")); });
    return true;
  }

  // First name and initial where a full name does not fit its cell.
  function names(isDense) {
    var list = board.querySelectorAll(".dense__name");
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (!el.dataset.full) el.dataset.full = el.textContent;
      el.textContent = el.dataset.full;
      if (isDense && !el.closest("[hidden]") && el.scrollWidth > el.clientWidth + 1) {
        el.textContent = el.dataset.short || el.dataset.full;
        el.title = el.dataset.full;
      }
    }
  }

  function paginate(all, capacity) {
    pages = [];
    var current = [];
    for (var i = 0; i < all.length; i++) {
      var it = all[i];
      // Never leave a team header alone at the bottom of a page.
      if (current.length >= capacity || (it.head && current.length === capacity - 1 && capacity > 2)) {
        pages.push(current);
        current = [];
        if (!it.head && capacity > 1) current.push({ cont: true, team: it.team });
      }
      current.push(it);
    }
    pages.push(current);
  }

  function show(index) {
    page = index;
    var all = items();
    var visible = new Set();
    var list = pages[page] || [];
    for (var i = 0; i < list.length; i++) if (list[i].el) visible.add(list[i].el);
    for (var j = 0; j < all.length; j++) all[j].el.hidden = !visible.has(all[j].el);
    var conts = board.querySelectorAll(".kteam__head--cont");
    for (var c = 0; c < conts.length; c++) conts[c].remove();
    for (var k = 0; k < list.length; k++) {
      if (!list[k].cont) continue;
      // The team's header again, marked as continued, before its first tile on this page.
      var head = list[k].team.querySelector(".kteam__head");
      var next = list[k + 1] && list[k + 1].el;
      if (!head || !next) continue;
      var clone = head.cloneNode(true);
      clone.classList.add("kteam__head--cont");
      clone.hidden = false;
      var name = clone.querySelector(".kteam__name");
      if (name) {
        // Not a second heading for the same team: the copy is for the eye only.
        var label = document.createElement("p");
        label.className = name.className;
        label.textContent = name.textContent + " (continued)";
        name.replaceWith(label);
      }
      clone.setAttribute("aria-hidden", "true");
      next.parentNode.insertBefore(clone, next);
    }
    var total = pages.length;
    document.body.setAttribute("data-page", String(page + 1));
    document.body.setAttribute("data-pages", String(total));
    if (indicator) indicator.hidden = total <= 1;
    if (pageText) pageText.textContent = "Page " + (page + 1) + " of " + total;
    if (pageDots) {
      var dots = "";
      for (var d = 0; d < total && total <= 12; d++) dots += d === page ? "●" : "○";
      pageDots.textContent = dots;
    }
  }

  function queueLayout() {
    if (layoutQueued) return;
    layoutQueued = true;
    requestAnimationFrame(layout);
  }

  // The server sends one window of the board at a time; after its last screen, the next one.
  var nextWindow = document.body.getAttribute("data-next-window");

  function rotate() {
    if (nextWindow && page >= pages.length - 1) {
      location.replace(nextWindow);
      return;
    }
    if (pages.length > 1) {
      // Re-layout on every turn: sizes may have changed with the last updates.
      layout();
      show((page + 1) % pages.length);
    }
  }

  // Timers grow as they run (a ▲ mark, an hour's digit): a cell that no longer fits gets its room.
  setInterval(function () {
    if (!board.classList.contains("board--dense")) return;
    var shown = items().filter(function (it) { return !it.el.hidden; });
    if (roomy(shown)) queueLayout();
  }, 1000);

  document.addEventListener("teamsview:patched", queueLayout);
  document.addEventListener("teamsview:banner", queueLayout);
  window.addEventListener("resize", queueLayout);
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(queueLayout).observe(board);
  layout();
  rotateTimer = setInterval(rotate, rotateSeconds * 1000);

  // Local time on the server's clock.
  var clockEl = document.getElementById("clock");
  function clock() {
    if (!clockEl || !window.teamsview) return;
    var d = new Date(window.teamsview.serverNow());
    var two = function (v) { return v < 10 ? "0" + v : String(v); };
    var text = two(d.getHours()) + ":" + two(d.getMinutes());
    if (clockEl.textContent !== text) clockEl.textContent = text;
  }
  clock();
  setInterval(clock, 1000);

  // Burn-in care: move the whole picture a few pixels every three minutes.
  var shifts = [[0, 0], [3, 2], [-2, 3], [2, -3], [-3, -2], [1, 3], [-3, 1]];
  var shift = 0;
  setInterval(function () {
    shift = (shift + 1) % shifts.length;
    var unit = rem() / 24;
    if (frame) frame.style.transform = "translate(" + shifts[shift][0] * unit + "px," + shifts[shift][1] * unit + "px)";
  }, 180000);

  window.teamsview = window.teamsview || {};
  window.teamsview.kiosk = {
    pages: function () { return pages.length; },
    page: function () { return page + 1; },
    next: rotate,
    layout: layout,
    dense: function () { return board.classList.contains("board--dense"); }
  };
})();
