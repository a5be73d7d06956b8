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
    var least = Math.max(TILE_MIN_WIDTH, widestCallLine(all));
    function geometry(s) {
      var scale = SCALES[s];
      return { at: s, scale: scale, cols: Math.max(1, Math.floor((W + gap) / (least * scale * r + gap))),
               rows: Math.max(1, Math.floor((H + gap) / ((TILE_BASE + TILE_LINE * lines) * scale * r + gap))) };
    }
    var chosen = null;
    // Headings start rows where that fits a screen; else they flow (as before), which a full floor needs.
    flowHeads = false;
    for (var pass = 0; pass < 2; pass++, flowHeads = true) {
      for (var s = 0; s < SCALES.length; s++) {
        chosen = geometry(s);
        if (rowsFor(all, chosen.cols) <= chosen.rows) break;
      }
      if (rowsFor(all, chosen.cols) <= chosen.rows) break;
    }
    board.classList.toggle("board--flow-heads", flowHeads);
    if (rowsFor(all, chosen.cols) > chosen.rows && dense(all, r, W, H)) return;
    shownDense = null;
    board.classList.remove("board--dense", "board--inline-heads", "board--break-heads");
    for (var t = 0; t < all.length; t++) {
      if (!all[t].head) { if (all[t].el.style.gridColumn) all[t].el.style.gridColumn = ""; continue; }
      all[t].el.style.removeProperty("--head-span");
      var stats = all[t].el.querySelector(".kteam__stats");
      if (stats) stats.style.minWidth = "";
    }
    board.style.removeProperty("--dense-font");
    function apply(g) {
      board.style.setProperty("--scale", String(g.scale));
      board.style.setProperty("--cols", String(g.cols));
      board.style.setProperty("--row-h", ((H - (g.rows - 1) * gap) / g.rows) + "px");
    }
    apply(chosen);
    paginate(all, chosen.cols, chosen.rows);
    show(Math.min(page, pages.length - 1));
    if (pages.length === 1) chosen = roomier(all, chosen, geometry, apply);
    fill(H, gap, (H - (chosen.rows - 1) * gap) / chosen.rows);
  }

  // Names whole where the screen has room for them: when a name on a one-screen board ends in an ellipsis,
  // the same tiles in fewer, wider columns (the rows the screen has to spare), else in smaller type, down to
  // the least a full floor has. Of those, the largest type and then the most columns at which the fewest names
  // are cut (none, when they fit at all); the board as it was when none cuts fewer.
  function roomier(all, chosen, geometry, apply) {
    var best = chosen, least = namesCut();
    for (var s = chosen.at; least > 0 && s < SCALES.length; s++) {
      var g = geometry(s);
      for (var c = s === chosen.at ? g.cols - 1 : g.cols; least > 0 && c >= 1 && rowsFor(all, c) <= g.rows; c--) {
        var option = { at: s, scale: g.scale, cols: c, rows: g.rows };
        apply(option);
        var cut = namesCut();
        if (cut < least) { least = cut; best = option; }
      }
    }
    apply(best);
    return best;
  }

  function namesCut() {
    var names = board.querySelectorAll(".tile:not([hidden]) .tile__name"), cut = 0;
    for (var i = 0; i < names.length; i++) if (names[i].scrollWidth > names[i].clientWidth) cut++;
    return cut;
  }

  // The widest call line of any tile, in em of the tile's font, with its tile's padding and room for its
  // timer to grow: tiles are never narrower, so the Muted / Mic on badge after an hour-long hold is whole.
  var TILE_INSET = 1.6;      // em: a tile's padding and borders (kiosk.css `.tile`)
  var CALL_GAP = 0.4;        // em: between a call line's parts (kiosk.css `.tcall`)
  var PILL = 0.8;            // em: a state pill's or badge's padding and border
  var TILE_FLAG_ICON = 1.45; // em: a flag line's alert icon and its margin (kiosk.css `.icon`), a little to spare

  function widestCallLine(all) {
    var F = null, widest = 0;
    function font(el) {
      var st = getComputedStyle(el);
      return st.fontStyle + " " + st.fontWeight + " 100px " + st.fontFamily;
    }
    for (var i = 0; i < all.length; i++) {
      if (all[i].head) continue;
      // A call whose end was never received is over: its line gives way (kiosk.css) rather than widen every tile.
      var calls = all[i].el.querySelectorAll(".tcalls > .tcall:not(.tcall--unended)");
      for (var c = 0; c < calls.length; c++) {
        var state = calls[c].querySelector(".tcall__state"), timer = calls[c].querySelector(".tcall__timer");
        if (!state) continue;
        if (!F) F = {};
        if (!F.state) { F.state = font(state); F.timer = timer ? font(timer) : F.state; }
        var icon = state.querySelector(".tcall__icon"), iconText = icon ? icon.textContent : "";
        var w = PILL + 0.8 * textEm(F.state, iconText) + 0.3 + textEm(F.state, state.textContent.slice(iconText.length));
        if (timer) w += CALL_GAP + textEm(F.timer, timer.textContent) + timerReserve(timer);
        var badge = calls[c].querySelector(".tcall__muted, .tcall__micon");
        if (badge) {
          if (!F.badge) F.badge = font(badge);
          w += CALL_GAP + PILL + (badge.querySelector(".icon") ? DENSE_ICON : 0) + textEm(F.badge, badge.textContent.trim());
        }
        widest = Math.max(widest, w);
      }
      // A flag line ("Misroute · Wrong-call risk", "… · just cleared") is shown whole too: the tile is as wide.
      var flags = all[i].el.querySelectorAll(".tcalls > .tflag");
      for (var f = 0; f < flags.length; f++) {
        if (!F) F = {};
        if (!F.flag) F.flag = font(flags[f]);
        widest = Math.max(widest, TILE_FLAG_ICON + textEm(F.flag, flags[f].textContent.trim()));
      }
    }
    return widest ? widest + TILE_INSET : 0;
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
  // 20 px at 1080p and up, so 150 agents fit a 1080p screen and 600 a 4K one; pages rotate only beyond
  // that. A TV of fewer lines (1366 × 768) lays out as a 1080p one, smaller (see denseLeast).
  //
  // No cell is measured in the page: the width of each text is measured once on a canvas (in em of
  // its font) and the rest is arithmetic, so laying out 600 agents costs the page one layout.
  var DENSE_WIDTH = 7;       // em: a cell's least width
  var DENSE_HEIGHT = 2.5;    // em: two lines and padding
  var DENSE_BAND = 1.7;      // em: a team's band across the board (one line and its rule)
  var DENSE_INSET = 1.2;     // em: a cell's padding, colour bar and borders, and a little to spare
  var DENSE_SPACE = 0.4;     // em: between the items of a line (kiosk.css `.dense__l1`, `.dense__l2`)
  var DENSE_ICON = 1.25;     // em: an icon and its margin (kiosk.css `.icon`)
  var DENSE_WORD_LEAST = 3;  // em: the least of a presence word shown before its ellipsis
  var DENSE_ALSO_INSET = 0.4; // em: an other call's frame (kiosk.css `.dense__also`: padding and border)
  var DENSE_ALSO_GAP = 0.25;  // em: between the parts of an other call
  var DENSE_ALSO_SLACK = 1.25; // em: what a line with an other call may be over its measure and still show whole
  var DENSE_SCALES = [1.6, 1.4, 1.2, 1, 0.9, 0.85, 0.75, 0.65, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3];
  var DENSE_MIN_PX = 20;
  var phone = window.matchMedia ? window.matchMedia("(max-width: 700px)") : { matches: false };

  // The least dense type: 20 px, or on a TV screen under 1080 lines the same share of its height as 20 px of
  // 1080 (the kiosk's rem, 24 px at 1080p, follows the screen's height): a 1366 × 768 screen fits the agents a
  // 1920 × 1080 one does, where at 20 px it fitted half as many and rotated through twice the screens. A phone
  // (1rem = 16 px, for the hand) keeps 20 px.
  function denseLeast(r) {
    return phone.matches ? DENSE_MIN_PX : Math.min(DENSE_MIN_PX, DENSE_MIN_PX * r / 24);
  }
  // How team headings show, most readable first: a band across the board; a heading cell that starts
  // its team on a new row; a heading cell in the flow (when the others would cost a second page).
  var HEAD_MODES = ["band", "break", "inline"];
  var HEAD_STEPS = 2;
  var shownDense = null;     // the geometry on screen while the layout is dense

  var canvas = null, widths = new Map();

  // The width of `text` in em of `font` (a CSS font at 100px).
  function textEm(font, text) {
    var key = font + "|" + text;
    var w = widths.get(key);
    if (w === undefined) {
      if (!canvas) canvas = document.createElement("canvas").getContext("2d");
      canvas.font = font;
      w = canvas.measureText(text).width / 100;
      if (widths.size > 50000) widths.clear();
      widths.set(key, w);
    }
    return w;
  }

  // The fonts of a cell's parts, read from the first element of each kind (style only, no layout).
  function denseFonts() {
    function font(selector, fallback) {
      var el = board.querySelector(selector);
      if (!el) return fallback;
      var s = getComputedStyle(el);
      return s.fontStyle + " " + s.fontWeight + " 100px " + s.fontFamily;
    }
    var name = font(".dense__name", "bold 100px sans-serif");
    var head = font(".kteam__name", name);
    return { name: name, tag: font(".dense__tag", name), state: font(".dense__state", name), timer: font(".dense__timer", name),
             multi: font(".dense__multi", name), flag: font(".dense__flag", name), muted: font(".dense__muted", name),
             head: head, headFlag: font(".kteam__flag", head) };
  }

  // A cell's name as it may show, longest first: in full, as `First L.`, as the first name alone.
  function nameForms(name) {
    if (!name.dataset.full) name.dataset.full = name.textContent;
    var full = name.dataset.full, short = name.dataset.short || full, first = short.split(" ")[0] || short;
    var forms = [full];
    if (short !== full) forms.push(short);
    if (first !== forms[forms.length - 1]) forms.push(first);
    return forms;
  }

  // `Anna Kowalski` and `Anna Kaur` both shorten to `Anna K.`, and two Annas to `Anna`: a shortened form
  // shared by agents of other names is not used. `Anna K.` becomes the shortest `Anna Ko.`, `Anna Ka.`
  // that tells them apart (the full name when none does); the first name alone goes. Set on each name
  // (`data-forms`) for the cell's plan.
  function distinctNames(all) {
    var cells = [], owners = new Map();
    function own(form, full) {
      var set = owners.get(form);
      if (!set) owners.set(form, set = new Set());
      set.add(full);
    }
    for (var i = 0; i < all.length; i++) {
      if (all[i].head) continue;
      var name = all[i].el.querySelector(".dense__name");
      if (!name) continue;
      var forms = nameForms(name);
      cells.push({ name: name, forms: forms });
      for (var f = 1; f < forms.length; f++) own(forms[f], forms[0]);
    }
    // A full name is its own: a shortened form equal to someone's full name is shared too.
    for (var c = 0; c < cells.length; c++) if (owners.has(cells[c].forms[0])) own(cells[c].forms[0], cells[c].forms[0]);
    for (var k = 0; k < cells.length; k++) {
      var full = cells[k].forms[0], kept = [full];
      for (var m = 1; m < cells[k].forms.length; m++) {
        var form = cells[k].forms[m], sharers = owners.get(form);
        if (sharers.size > 1) form = m === 1 ? longerForm(full, sharers) : null;
        if (form && form !== kept[kept.length - 1]) kept.push(form);
      }
      var text = kept.join("\n");
      if (cells[k].name.dataset.forms !== text) cells[k].name.dataset.forms = text;
    }
  }

  // The first name and the least of the last name that no other of `sharers` (full names) has.
  function longerForm(full, sharers) {
    var parts = full.split(" "), last = parts[parts.length - 1];
    for (var n = 2; n < last.length; n++) {
      var form = parts[0] + " " + last.slice(0, n) + ".", clash = false;
      sharers.forEach(function (other) {
        var o = other.split(" ");
        if (other !== full && o[0] === parts[0] && o[o.length - 1].slice(0, n) === last.slice(0, n)) clash = true;
      });
      if (!clash) return form;
    }
    return full;
  }

  // One cell's parts and their widths in em of the cell's font. Line 1: the name (in full, as
  // `First L.`, or the first name alone) with the tag of a name others have too (`· 4821`, always whole,
  // so counted with every form of the name) and the badges (×2, a flag); line 2: the state word and
  // timer, or the presence words, and Muted.
  function denseParts(tile, F) {
    var d = tile.querySelector(".dense");
    if (!d) return null;
    var name = d.querySelector(".dense__name");
    var forms = name.dataset.forms ? name.dataset.forms.split("\n") : nameForms(name);
    var tag = d.querySelector(".dense__tag");
    var tagW = tag ? DENSE_SPACE + textEm(F.tag, tag.textContent) : 0;
    var p = {
      tile: tile, d: d, name: name, l1: d.querySelector(".dense__l1"), l2: d.querySelector(".dense__l2"),
      forms: forms, formW: forms.map(function (f) { return textEm(F.name, f) + tagW; }),
      wide: d.classList.contains("dense--wide"), badges: [], badgeW: [],
      line2: 0, reserve: 0, icons: 0, give: 0
    };
    var multi = d.querySelector(".dense__multi:not(.dense__multi--covered)"), flag = d.querySelector(".dense__flag");
    var covered = d.querySelector(".dense__multi--covered");
    // A flag keeps its place beside the name before the ×N badge does (badges earlier in the list stay on line 1).
    if (flag) { p.badges.push(flag); p.badgeW.push(DENSE_ICON + textEm(F.flag, flag.textContent)); }
    if (multi) { p.badges.push(multi); p.badgeW.push(textEm(F.multi, multi.textContent)); }
    if (covered) p.covered = { el: covered, w: textEm(F.multi, covered.textContent) };
    var items = 0;
    var state = d.querySelector(".dense__l2 > .dense__state");
    if (state) {
      var icon = state.querySelector("[aria-hidden]");
      var iconText = icon ? icon.textContent : "";
      var iconW = iconText ? textEm(F.state, iconText) + 0.25 : 0;
      var word = state.querySelector(".dense__word");
      var stateW = iconW + textEm(F.state, word ? wordForms(word)[0] : state.textContent.slice(iconText.length));
      p.line2 += stateW;
      p.icons += iconW;
      if (word) {
        // The page's own words ("On 2 tasks", "No activity yet") show whole: in their shorter form ("2 tasks"),
        // else in a wider cell. An away activity's name (any length, the floor's own) may end in an ellipsis
        // after a few letters.
        p.word = word;
        p.wordCut = wordForms(word).map(function (f) { return textEm(F.state, wordForms(word)[0]) - textEm(F.state, f); });
        if (state.classList.contains("pres--away")) p.give = Math.max(0, stateW - iconW - DENSE_WORD_LEAST);
      }
      items++;
    }
    var timer = d.querySelector(".dense__l2 > .dense__timer");
    if (timer) {
      p.line2 += textEm(F.timer, timer.textContent);
      p.reserve += timerReserve(timer);
      items++;
    }
    // Muted (a crossed mic and the word) or Mic on (the word alone).
    var muted = d.querySelector(".dense__l2 > .dense__muted");
    if (muted) {
      var mutedIcon = muted.querySelector(".icon") ? DENSE_ICON : 0;
      p.line2 += 0.5 + mutedIcon + textEm(F.muted, muted.textContent);
      p.icons += mutedIcon;
      items++;
    }
    // The other calls (a held one beside the live one): each a framed group of its state, timer and Muted.
    // Where room is tight their words give way instead of their icons (❚❚ and the crossed mic stay).
    var also = d.querySelectorAll(".dense__also");
    p.also = also.length;
    p.alsoW = 0; p.alsoIcons = 0; p.alsoReserve = 0;
    for (var a = 0; a < also.length; a++) {
      var aTimer = also[a].querySelector(".dense__timer"), aWord = also[a].querySelector(".dense__also-word");
      var aIcon = also[a].querySelector(".dense__state > [aria-hidden]");
      var aWordW = aWord ? textEm(F.state, aWord.textContent) : 0;
      p.alsoW += DENSE_ALSO_INSET + (aIcon ? textEm(F.state, aIcon.textContent) + 0.25 : 0) + aWordW;
      p.alsoIcons += aWordW;
      if (aTimer) { p.alsoW += DENSE_ALSO_GAP + textEm(F.timer, aTimer.textContent); p.alsoReserve += timerReserve(aTimer); }
      var aMarks = also[a].querySelectorAll(".dense__also-muted");
      for (var m = 0; m < aMarks.length; m++) {
        var mutedW = textEm(F.muted, aMarks[m].textContent);
        if (aMarks[m].querySelector(".icon")) {
          p.alsoW += DENSE_ALSO_GAP + 0.5 + DENSE_ICON + mutedW;
          p.alsoIcons += mutedW + 0.25;   // the word and the icon's margin (kiosk.css `.dense--tight .dense__also-muted .icon`)
        } else {
          p.alsoW += DENSE_ALSO_GAP + 0.5 + mutedW;   // Mic on: a word with no icon to fall back to, never hidden
        }
      }
      if (items > 0) p.alsoW += DENSE_SPACE;
    }
    if (items > 1) p.line2 += (items - 1) * DENSE_SPACE;
    p.line2 += p.alsoW;
    p.icons += p.alsoIcons;
    p.reserve += p.alsoReserve;
    return p;
  }

  // The same cell without the call beside its lead (left out when even three columns cannot hold it):
  // the ×N badge says there is one.
  function withoutAlso(p) {
    var q = Object.assign({}, p, {
      also: 0, alsoW: 0, alsoIcons: 0, alsoReserve: 0,
      line2: p.line2 - p.alsoW, icons: p.icons - p.alsoIcons, reserve: p.reserve - p.alsoReserve,
      badges: p.badges.slice(), badgeW: p.badgeW.slice()
    });
    if (p.covered) { q.badges.push(p.covered.el); q.badgeW.push(p.covered.w); }
    return q;
  }

  // A presence word as it may show, longest first: the page's words ("On 2 tasks", "No activity yet") also in
  // the shorter form a cell uses for its calls ("2 tasks", "No activity"); an activity's name as it is.
  function wordForms(word) {
    if (!word.dataset.full) word.dataset.full = word.textContent;
    var full = word.dataset.full, forms = [full];
    if (word.closest(".pres--away")) return forms;
    var m = /^On (\d+ \S+)$/.exec(full);
    if (m) forms.push(m[1]);
    else if (full === "No activity yet") forms.push("No activity");
    return forms;
  }

  // A running timer grows: room for one more digit and, before its alert, the ▲▲ mark.
  function timerReserve(timer) {
    var t = timer.querySelector("time.timer");
    if (!t) return 0;
    return 0.65 + (t.hasAttribute("data-alert") && !t.classList.contains("is-alert") ? 1.1 : 0);
  }

  // Where a cell's parts go, the name first: the longest form of it that fits, the badges beside it
  // or on the second line, icons dropped before anything else gives way, a second column when one
  // is not enough. Returns { span, form, keep (badges left on line 1), tight }.
  function densePlan(p, g) {
    var plan = planCell(p, g);
    if (plan.fits || !p.also) return plan;
    // The call beside the lead goes only when it clearly cannot stay: the widths are measured with room
    // to spare (margins, frames), which a line at its limit mostly does not use.
    var close = planCell(Object.assign({}, p, { line2: p.line2 - DENSE_ALSO_SLACK }), g);
    if (close.fits) return close;
    // Else three columns, where the board has them: both calls with their timers (a misrouted agent's held
    // caller's wait above all) are worth a wider cell; ×N only when three cannot hold them either.
    if (g.cols >= 3) {
      var wider = planCell(p, g, 3);
      if (wider.fits) return wider;
    }
    var q = withoutAlso(p), without = planCell(q, g);
    without.drop = true;
    without.p = q;
    return without;
  }

  function planCell(p, g, span) {
    var tries = [];
    var n = p.forms.length;
    if (span) {
      for (var w = 0; w < n; w++) tries.push([span, w]);
    } else if (p.wide) {
      for (var a = 0; a < n; a++) tries.push([2, a]);
    } else if (p.badges.length || p.also) {
      // A cell with a badge or a second call is one a supervisor looks for: its name keeps its initial if a
      // second column allows.
      for (var b = 0; b < Math.min(n, 2); b++) tries.push([1, b]);
      for (var c = 0; c < Math.min(n, 2); c++) tries.push([2, c]);
      if (n > 2) tries.push([1, 2], [2, 2]);
    } else {
      for (var e = 0; e < n; e++) tries.push([1, e]);
      for (var f = 0; f < n; f++) tries.push([2, f]);
    }
    var words = p.wordCut || [0];
    for (var i = 0; i < tries.length; i++) {
      var room = roomOf(g, tries[i][0]);
      for (var wf = 0; wf < words.length; wf++)
      for (var keep = p.badges.length; keep >= 0; keep--) {
        var l1 = p.formW[tries[i][1]], l2 = p.line2 - words[wf];
        for (var k = 0; k < p.badges.length; k++) {
          if (k < keep) l1 += DENSE_SPACE + p.badgeW[k];
          else l2 += (l2 > 0 ? DENSE_SPACE : 0) + p.badgeW[k];
        }
        if (l1 > room) continue;
        // The icons go early (room kept for the timer to grow); a second column only when needed now
        // (checked as timers grow: a cell that outgrows its column gets one then).
        var tight = l2 + p.reserve > room;
        if (l2 - p.give - (tight ? p.icons : 0) <= room) return { span: tries[i][0], form: tries[i][1], keep: keep, tight: tight, fits: true, word: wf };
      }
    }
    // Nothing fits (a very long name or many badges): the shortest name, the badges beside it.
    return { span: span || 2, form: n - 1, keep: p.badges.length, tight: true, word: words.length - 1 };
  }

  function applyPlan(p, plan) {
    p.d.classList.toggle("dense--dropped", !!plan.drop);
    if (plan.p) p = plan.p;
    var text = p.forms[plan.form];
    if (p.name.textContent !== text) p.name.textContent = text;
    if (plan.form > 0) p.name.title = p.forms[0]; else p.name.removeAttribute("title");
    p.d.classList.toggle("dense--tight", plan.tight);
    p.d.classList.toggle("dense--roomy", plan.span === 2 && !p.wide);
    p.d.classList.toggle("dense--span3", plan.span >= 3);
    var span = plan.span > 1 ? "span " + plan.span : "";
    if (p.tile.style.gridColumn !== span) p.tile.style.gridColumn = span;
    if (p.word) {
      var word = wordForms(p.word)[plan.word || 0];
      if (p.word.textContent !== word) p.word.textContent = word;
      if (plan.word) p.word.title = p.word.dataset.full; else p.word.removeAttribute("title");
    }
    var moved = false;
    for (var k = 0; k < p.badges.length; k++) if (p.badges[k].parentNode !== (k < plan.keep ? p.l1 : p.l2)) moved = true;
    if (moved) for (var b = 0; b < p.badges.length; b++) (b < plan.keep ? p.l1 : p.l2).appendChild(p.badges[b]);
  }

  function denseGeometry(fontPx, W, H) {
    var gap = Math.max(3, fontPx * 0.2);
    var cols = Math.max(1, Math.floor((W + gap) / (DENSE_WIDTH * fontPx + gap)));
    var colW = (W - (cols - 1) * gap) / cols;
    return { font: fontPx, gap: gap, cols: cols, colW: colW, H: H, rowH: DENSE_HEIGHT * fontPx, bandH: DENSE_BAND * fontPx };
  }

  // The room for a cell's lines in `span` columns, in em of the cell's font.
  function roomOf(g, span, inset) {
    return (span * g.colW + (span - 1) * g.gap) / g.font - (inset === undefined ? DENSE_INSET : inset);
  }

  // A cell given more columns than it needs (to fill the end of its row): the plan for them, its name in full
  // where they have room, and the call beside the lead shown again where it had to be left out.
  function widerPlan(p, g, need, span) {
    if (span <= need.span) return need;
    var wider = planCell(p, g, span);
    if (wider.fits) return wider;
    if (p.also) {
      var q = withoutAlso(p), without = planCell(q, g, span);
      if (without.fits) { without.drop = true; without.p = q; return without; }
    }
    return Object.assign({}, need, { span: span });
  }

  // A team's heading in the grid (the `break` and `inline` modes): one column when its name and flagged
  // count fit one ("⚠ 2" when "⚠ 2 flagged" does not), else its name on two lines when it has no flag,
  // else two columns, three at most. Returns { span, short (the count without its word), wrap }.
  var HEAD_INSET = 1.1;   // em: a heading cell's padding (kiosk.css `.board--inline-heads .kteam__head`) and a little to spare
  var HEAD_NAME = 1.1;    // em: a heading's name is larger than an agent's (kiosk.css `.board--dense .kteam__name`)
  var HEAD_PILL = 0.6;    // em: the flagged count's padding
  var HEAD_LINE = 1.1;    // em: a line of a name on two lines (kiosk.css `.kteam__head--wrap`)

  var HEAD_CONT = " (cont.)";   // after the name of a heading cell repeated on the next page

  function headPlan(head, g, F, suffix) {
    // With the plan of the same heading repeated at the top of the next page, its name followed by " (cont.)".
    if (suffix === undefined) return Object.assign(headPlan(head, g, F, ""), { cont: headPlan(head, g, F, HEAD_CONT) });
    var name = head.querySelector(".kteam__name"), flag = head.querySelector(".kteam__flag");
    var text = (name ? name.textContent.trim() : "") + suffix;
    var nameW = HEAD_NAME * textEm(F.head, text);
    var shortW = 0, fullW = 0;
    if (flag) {
      var word = flag.querySelector(".kteam__flagword"), wordText = word ? word.textContent : "";
      shortW = DENSE_ICON + HEAD_PILL + textEm(F.headFlag, flag.textContent.slice(0, flag.textContent.length - wordText.length));
      fullW = shortW + textEm(F.headFlag, wordText);
    }
    // The name on two lines, split where its longer line is shortest (no flag: the second line is its own).
    var words = text.split(/\s+/), twoW = Infinity;
    if (!flag && words.length > 1 && 2 * HEAD_NAME * HEAD_LINE <= DENSE_HEIGHT) {
      for (var k = 1; k < words.length; k++)
        twoW = Math.min(twoW, HEAD_NAME * Math.max(textEm(F.head, words.slice(0, k).join(" ")), textEm(F.head, words.slice(k).join(" "))));
    }
    var most = Math.max(1, Math.min(3, g.cols));
    for (var s = 1; s <= most; s++) {
      var room = roomOf(g, s, HEAD_INSET);
      if (nameW <= room && shortW <= room) return { span: s, short: fullW > room, wrap: false, flagW: fullW };
      if (twoW <= room) return { span: s, short: false, wrap: true, flagW: fullW };
    }
    return { span: most, short: fullW > roomOf(g, most, HEAD_INSET), wrap: false, flagW: fullW };
  }

  // `band`: the heading is a band across the board, whose figures give way before the flagged count does.
  function applyHead(head, plan, span, band) {
    var stats = head.querySelector(".kteam__stats"), least = band && plan.flagW ? plan.flagW + "em" : "";
    if (stats && stats.style.minWidth !== least) stats.style.minWidth = least;
    head.style.setProperty("--head-span", String(span || plan.span));
    head.classList.toggle("kteam__head--short", plan.short);
    head.classList.toggle("kteam__head--wrap", plan.wrap);
  }

  // Splits items into pages no taller than the board, placing them as the grid does (in order, a
  // cell two columns wide where its plan says, a team's heading as `mode` says). Each page records
  // its rows of cells and its bands, and the columns its cells reach (`cols`).
  //
  // A cell too wide for what is left of its row starts the next one; the cells before it share the columns it
  // left (`extra`: first to cells shown short, then one more column each from the last), so no row ends in a hole
  // and no cell moves out of its order. A team's last row may end short (the next team starts on a row of its own):
  // its free columns widen only cells shown short (`widen`).
  function densePages(all, g, mode, plans) {
    var out = [], current = [], widest = 0, rows = [], row = [], heads = new Map(), planOf = new Map();
    for (var q = 0; q < all.length; q++) if (!all[q].head && plans[q]) planOf.set(all[q], plans[q]);
    var at = { height: 0, col: 0, rows: 0, bands: 0 };
    out.extra = new Map();
    function closeRow(wrapped) {
      if (at.col > 0) {
        at.height += g.rowH + g.gap; at.rows++;
        rows.push({ cells: row, used: at.col, wrapped: !!wrapped });
        at.col = 0;
      }
      row = [];
    }
    function place(w, head, it) {
      if (head && mode !== "inline") closeRow();
      if (head && mode === "band") { at.height += g.bandH + g.gap; at.bands++; return; }
      if (at.col + w > g.cols) closeRow(true);
      at.col += w;
      row.push({ it: it, w: w, head: head });
      widest = Math.max(widest, at.col);
      if (at.col >= g.cols) closeRow();
    }
    function used() { return at.height + (at.col > 0 ? g.rowH + g.gap : 0) - g.gap; }
    function finish(state) {
      current.rows = state.rows + (state.col > 0 ? 1 : 0);
      current.bands = state.bands;
      // Columns no cell of the page reaches (every cell two wide on an odd number of columns): the same rows fit
      // fewer, wider columns, so the board spans the screen's width.
      current.cols = Math.max(1, Math.min(g.cols, widest || g.cols));
      for (var r = 0; r < rows.length; r++) {
        var hole = widen(rows[r], current.cols - rows[r].used);
        if (rows[r].wrapped) share(rows[r], hole);
      }
      out.push(current);
      rows = []; widest = 0;
    }
    // The columns a row leaves free (a team's last row ends short) go first to its cells shown short: a name cut
    // to `First L.` or the first name alone, a presence word in its shorter form. The most cut first, each as
    // many columns as bring it nearest its full name and word; a name is left cut only where its row is full.
    function widen(r, hole) {
      if (hole <= 0) return hole;
      var cut = r.cells.filter(function (c) {
        var plan = !c.head && c.it.p && planOf.get(c.it);
        return plan && (!plan.fits || plan.form > 0 || plan.word > 0);
      });
      cut.sort(function (a, b) { return planOf.get(b.it).form - planOf.get(a.it).form; });
      for (var k = 0; k < cut.length && hole > 0; k++) {
        var plan = planOf.get(cut[k].it), best = plan, add = 0;
        for (var more = 1; more <= hole; more++) {
          var wider = widerPlan(cut[k].it.p, g, plan, plan.span + more);
          if (wider.fits && (!best.fits || wider.form < best.form || (wider.form === best.form && (wider.word || 0) < (best.word || 0)))) {
            best = wider; add = more;
          }
          if (best.fits && best.form === 0 && !best.word) break;
        }
        if (add) { out.extra.set(cut[k].it, (out.extra.get(cut[k].it) || 0) + add); hole -= add; }
      }
      return hole;
    }
    function share(r, hole) {
      var cells = r.cells.filter(function (c) { return !c.head; });
      if (!cells.length) cells = r.cells;   // a heading alone on its row, a cell too wide to sit beside it
      for (var n = 0; hole > 0 && cells.length; n++, hole--) {
        var c = cells[cells.length - 1 - n % cells.length];
        out.extra.set(c.it, (out.extra.get(c.it) || 0) + 1);
      }
    }
    for (var i = 0; i < all.length; i++) {
      var it = all[i];
      if (it.head) heads.set(it.team, plans[i]);
      var w = plans[i] ? plans[i].span : it.head ? 2 : 1;
      var before = { height: at.height, col: at.col, rows: at.rows, bands: at.bands };
      place(w, it.head, it);
      var over = used() > g.H + 0.5;
      // A team's band never ends a page: a row of its agents fits below it, or it starts the next page.
      if (!over && it.head && mode === "band" && all[i + 1] && !all[i + 1].head) over = used() + g.gap + g.rowH > g.H + 0.5;
      if (over && current.length > 0) {
        // The rows before this item stay on the page (the last one, if this item did not fit beside it, fills its
        // columns); the item starts the next page.
        row = [];
        rows = rows.filter(function (r) { return !r.cells.some(function (c) { return c.it === it; }); });
        widest = rows.reduce(function (m, r) { return Math.max(m, r.used); }, 0);
        finish(before);
        current = [];
        at = { height: 0, col: 0, rows: 0, bands: 0 };
        if (!it.head) {
          var first = heads.get(it.team), cont = { cont: true, team: it.team, plan: first && first.cont };
          current.push(cont);
          place(cont.plan ? cont.plan.span : 2, true, cont);
        }
        place(w, it.head, it);
      }
      current.push(it);
    }
    if (row.length) rows.push({ cells: row, used: at.col, wrapped: false });
    finish(at);
    return out;
  }

  function dense(all, r, W, H) {
    board.classList.add("board--dense");
    var F = denseFonts();
    distinctNames(all);
    for (var i = 0; i < all.length; i++) all[i].p = all[i].head ? null : denseParts(all[i].el, F);
    // The largest type that fits one screen, in each heading mode; a clearer mode wins over at most
    // HEAD_STEPS steps of type. Failing one screen at the least type, the fewest pages, and of the modes that
    // take that few, the clearest again within HEAD_STEPS steps of type.
    var fits = {}, fewest = {}, fitsAt = -1, leastPx = denseLeast(r);
    for (var s = 0; s < DENSE_SCALES.length; s++) {
      var px = Math.max(leastPx, DENSE_SCALES[s] * r);
      var g = denseGeometry(px, W, H);
      var plans = all.map(function (it) { return it.p ? densePlan(it.p, g) : it.head ? headPlan(it.el, g, F) : null; });
      for (var m = 0; m < HEAD_MODES.length; m++) {
        if (fits[HEAD_MODES[m]]) continue;
        var split = densePages(all, g, HEAD_MODES[m], plans);
        var option = { g: g, plans: plans, pages: split, mode: HEAD_MODES[m], at: s };
        if (split.length === 1) { fits[HEAD_MODES[m]] = option; if (fitsAt < 0) fitsAt = s; }
        var was = fewest[HEAD_MODES[m]];
        if (!was || split.length < was.pages.length) fewest[HEAD_MODES[m]] = option;
      }
      if (fits[HEAD_MODES[0]] || (fitsAt >= 0 && s >= fitsAt + HEAD_STEPS) || px <= leastPx) break;
    }
    var chosen = null;
    for (var h = 0; h < HEAD_MODES.length && !chosen; h++) chosen = fits[HEAD_MODES[h]] || null;
    if (!chosen) {
      var least = Infinity, soonest = Infinity;
      HEAD_MODES.forEach(function (mode) { if (fewest[mode]) least = Math.min(least, fewest[mode].pages.length); });
      HEAD_MODES.forEach(function (mode) { if (fewest[mode] && fewest[mode].pages.length === least) soonest = Math.min(soonest, fewest[mode].at); });
      for (var f = 0; f < HEAD_MODES.length && !chosen; f++) {
        var o = fewest[HEAD_MODES[f]];
        if (o && o.pages.length === least && o.at <= soonest + HEAD_STEPS) chosen = o;
      }
    }
    var g1 = chosen.g;
    for (var c = 0; c < all.length; c++) {
      var need = chosen.plans[c];
      if (all[c].head) { applyHead(all[c].el, need, need.span + (chosen.pages.extra.get(all[c]) || 0), chosen.mode === "band"); continue; }
      if (!all[c].p) continue;
      var extra = chosen.pages.extra.get(all[c]) || 0;
      all[c].el.setAttribute("data-need", String(need.span));
      applyPlan(all[c].p, extra ? widerPlan(all[c].p, g1, need, need.span + extra) : need);
    }
    board.classList.toggle("board--inline-heads", chosen.mode !== "band");
    board.classList.toggle("board--break-heads", chosen.mode === "break");
    board.style.setProperty("--dense-font", g1.font + "px");
    board.style.setProperty("--cols", String(chosen.pages[0].cols || g1.cols));
    board.style.setProperty("--dense-gap", g1.gap + "px");
    var grow = 1;
    if (chosen.pages.length === 1) {
      // Fewer rows than the screen has room for: rows and bands grow (up to FILL_MOST times) to reach its foot.
      var only = chosen.pages[0];
      var tall = only.rows * g1.rowH + only.bands * g1.bandH;
      if (tall > 0) grow = Math.max(1, Math.min(FILL_MOST, (H - (only.rows + only.bands - 1) * g1.gap) / tall));
    }
    board.style.setProperty("--row-h", g1.rowH * grow + "px");
    board.style.setProperty("--band-h", g1.bandH * grow + "px");
    pages = chosen.pages;
    shownDense = { g: g1, fonts: F };
    show(Math.min(page, pages.length - 1));
    wholeWords();
    return true;
  }

  // The plan's widths are the canvas's; a screen may draw a word a pixel or two wider (glyphs rounded to whole
  // pixels) than the room left for it. A page's own word that ends in an ellipsis all the same ("On 2 tas…")
  // takes its shorter form ("2 tasks"): every word is read first, then the few cut ones are set (one layout).
  function wholeWords() {
    var words = board.querySelectorAll(".tile:not([hidden]) .dense__word"), cut = [];
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w.scrollWidth <= w.clientWidth || w.closest(".pres--away")) continue;
      var forms = wordForms(w), at = forms.indexOf(w.textContent);
      if (at >= 0 && at < forms.length - 1) cut.push([w, forms[forms.length - 1]]);
    }
    for (var c = 0; c < cut.length; c++) {
      cut[c][0].textContent = cut[c][1];
      cut[c][0].title = cut[c][0].dataset.full;
    }
  }

  // Timers grow as they run (a ▲ mark, an hour's digit): a cell that no longer fits gets its room
  // before the frame that would show it cut (called as the timer's text changes length).
  function refit() {
    if (!shownDense || !board.classList.contains("board--dense")) return;
    var tiles = board.querySelectorAll(".tile:not([hidden])");
    for (var i = 0; i < tiles.length; i++) {
      var p = denseParts(tiles[i], shownDense.fonts);
      if (!p) continue;
      var plan = densePlan(p, shownDense.g);
      // The columns it needs changed: laid out again. Else the columns it was given (more, to fill its row).
      if (plan.span !== Number(tiles[i].getAttribute("data-need"))) { layout(); return; }
      var given = Number((tiles[i].style.gridColumn.match(/span (\d+)/) || [0, 1])[1]);
      applyPlan(p, widerPlan(p, shownDense.g, plan, given));
    }
    wholeWords();
  }

  if (typeof MutationObserver !== "undefined") {
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var was = records[i].oldValue, now = records[i].target.getAttribute("data-text");
        if (was === null || now === null || was.length !== now.length) { refit(); return; }
      }
    }).observe(board, { subtree: true, attributes: true, attributeFilter: ["data-text"], attributeOldValue: true });
  }

  // The rows `all` takes in `cols` columns: a team's heading starts a row of its own (kiosk.css
  // `.kteam__head`), so its agents follow it and no other team's agent sits beside it.
  var flowHeads = false;
  function rowsFor(all, cols) {
    if (flowHeads) return Math.ceil(all.length / cols);
    var rows = 0, col = 0;
    for (var i = 0; i < all.length; i++) {
      if (col === 0 || col >= cols || all[i].head) { rows++; col = 0; }
      col++;
    }
    return rows;
  }

  // Pages of `rows` rows of `cols` columns, each team's heading starting a row; a team begun on an earlier page
  // starts the next one with its heading again (continued). Never a heading alone at the bottom of a page.
  function paginate(all, cols, rows) {
    pages = [];
    var current = [], row = 0, col = 0;
    function place() {
      if (col === 0 || col >= cols) { row++; col = 0; }
      col++;
    }
    for (var i = 0; i < all.length; i++) {
      var it = all[i];
      var starts = (it.head && !flowHeads) || col === 0 || col >= cols;
      var over = starts && (row + 1 > rows || (it.head && cols === 1 && rows > 1 && row + 1 === rows && all[i + 1] && !all[i + 1].head));
      if (over && current.length > 0) {
        pages.push(current);
        current = []; row = 0; col = 0;
        if (!it.head && rows * cols > 1) { current.push({ cont: true, team: it.team }); place(); }
      }
      if (it.head && !flowHeads) col = 0;
      place();
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
      // A heading cell in the grid as wide as its name and " (cont.)" need (planned so); a band has room for more.
      var compact = board.classList.contains("board--inline-heads") && list[k].plan;
      if (compact) applyHead(clone, list[k].plan, list[k].plan.span + ((pages.extra && pages.extra.get(list[k])) || 0));
      if (name) {
        // Not a second heading for the same team: the copy is for the eye only.
        var label = document.createElement("p");
        label.className = name.className;
        label.textContent = name.textContent + (compact ? HEAD_CONT : " (continued)");
        name.replaceWith(label);
      }
      clone.setAttribute("aria-hidden", "true");
      next.parentNode.insertBefore(clone, next);
    }
    // A dense page whose cells reach fewer columns than the screen has: as many, wider, columns.
    if (list.cols && board.classList.contains("board--dense")) board.style.setProperty("--cols", String(list.cols));
    document.body.setAttribute("data-page", String(page + 1));
    document.body.setAttribute("data-pages", String(pages.length));
    var at = screens();
    if (indicator) indicator.hidden = at.total <= 1;
    if (pageText) pageText.textContent = "Page " + at.screen + " of " + at.total;
    if (pageDots) {
      var dots = "";
      for (var d = 0; d < at.total && at.total <= 12; d++) dots += d === at.screen - 1 ? "●" : "○";
      pageDots.textContent = dots;
    }
  }

  // The screen on show and the screens in all, counting the server's other windows of the board
  // (`data-window` of `data-windows`): a window's screens are remembered for the tab once shown; one not
  // yet shown is taken to need as many as this one.
  var windowAt = Math.max(1, Number(document.body.getAttribute("data-window")) || 1);
  var windowCount = Math.max(windowAt, Number(document.body.getAttribute("data-windows")) || 1);
  var screensKey = "teamsview.kiosk.screens " + location.pathname + location.search.replace(/([?&])page=\d+&?/, "$1");

  function screens() {
    if (windowCount <= 1) return { screen: page + 1, total: pages.length };
    var known = {};
    try { known = JSON.parse(sessionStorage.getItem(screensKey) || "{}") || {}; } catch (e) { known = {}; }
    if (known[windowAt] !== pages.length) {
      known[windowAt] = pages.length;
      try { sessionStorage.setItem(screensKey, JSON.stringify(known)); } catch (e) { /* not kept: estimated again */ }
    }
    var before = 0, total = 0;
    for (var w = 1; w <= windowCount; w++) {
      var n = Number(known[w]) || pages.length;
      if (w < windowAt) before += n;
      total += n;
    }
    return { screen: before + page + 1, total: total };
  }

  function queueLayout() {
    if (layoutQueued) return;
    layoutQueued = true;
    requestAnimationFrame(layout);
  }

  // The server sends one window of the board at a time; after its last screen, the next one.
  var nextWindow = document.body.getAttribute("data-next-window");

  // Each screen stays rotateSeconds from when it is on screen (the frame after its layout), however
  // long a large floor took to lay out.
  function armRotation() {
    clearTimeout(rotateTimer);
    rotateTimer = null;
    requestAnimationFrame(function () {
      clearTimeout(rotateTimer);
      rotateTimer = setTimeout(rotate, rotateSeconds * 1000);
    });
  }

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
    armRotation();
  }

  document.addEventListener("teamsview:patched", queueLayout);
  document.addEventListener("teamsview:banner", queueLayout);
  window.addEventListener("resize", queueLayout);
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(queueLayout).observe(board);
  layout();
  armRotation();

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
