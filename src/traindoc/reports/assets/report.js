/* traindoc report charts: canvas line charts with findings drawn on them.
 * Reads the JSON in #td-data; writes text only through textContent. No dependencies. */
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('td-data').textContent);
  var root = document.documentElement;
  var PAD0 = { l: 54, r: 14, t: 20, b: 40 };
  var FONT = '11px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';
  var charts = [];

  function cssVar(name) { return getComputedStyle(root).getPropertyValue(name).trim(); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /* ---------- numbers ---------- */
  function fmt(v) {
    if (v == null) return '–';
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2).replace('e+', 'e');
    return String(+v.toPrecision(4));
  }
  function fmtTick(v, log) {
    var a = Math.abs(v);
    if (v === 0) return '0';
    if (log && (a >= 1e4 || a < 1e-2)) return '1e' + Math.round(Math.log10(a));
    if (a >= 1e7) return v.toExponential(1).replace('e+', 'e').replace('.0e', 'e');
    if (a >= 1e6) return +(v / 1e6).toPrecision(3) + 'M';
    if (a >= 1e4) return +(v / 1e3).toPrecision(3) + 'k';
    if (a < 1e-3) return v.toExponential(0).replace('e+', 'e');
    return String(+v.toPrecision(3));
  }
  /* Labels for a set of ticks: the fewest digits that keep every label distinct, so a constant
   * 1e-5 never reads "1e-5 1e-5 1e-5" and a one-point axis never reads "350 351 351". */
  function tickLabels(ticks, log) {
    var labels = ticks.map(function (v) { return fmtTick(v, log); });
    for (var p = 3; p <= 12 && new Set(labels).size < labels.length; p++) {
      labels = ticks.map(function (v) {
        if (v === 0) return '0';
        var a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) return v.toExponential(p - 1).replace('e+', 'e').replace(/\.?0+e/, 'e');
        return String(+v.toPrecision(p));
      });
    }
    return labels;
  }
  function niceStep(span, n) {
    var raw = span / n, p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
  }
  function linTicks(lo, hi, n, minStep) {
    if (!(hi > lo)) return [lo];
    var st = Math.max(niceStep(hi - lo, n), minStep || 0), out = [];
    for (var v = Math.ceil(lo / st) * st; v <= hi + st * 1e-9; v += st) out.push(Math.abs(v) < st * 1e-9 ? 0 : v);
    return out;
  }
  function logTicks(lo, hi) { /* lo, hi: values > 0 */
    var a = Math.log10(lo), b = Math.log10(hi), out = [];
    if (b - a < 1.2) return linTicks(lo, hi, 4).filter(function (v) { return v > 0; });
    var step = Math.max(1, Math.ceil((b - a) / 6));
    for (var e = Math.ceil(a - 1e-9); e <= b + 1e-9; e += step) out.push(Math.pow(10, e));
    return out;
  }
  function bisect(xs, x) { /* index of the nearest x */
    var lo = 0, hi = xs.length - 1;
    if (hi < 0) return -1;
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid; else hi = mid; }
    return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
  }

  /* Exponential smoothing run forwards then backwards (no lag behind a falling loss), with a
   * time constant in steps (a share of the x range), so it does not depend on how densely
   * points were logged; nulls restart it. Mirrors plotdata.smooth. */
  function emaPass(xs, ys, tau, reverse) {
    var n = xs.length, out = new Array(n), acc = null, prev = 0;
    for (var k = 0; k < n; k++) {
      var i = reverse ? n - 1 - k : k, y = ys[i];
      if (y == null) { acc = null; out[i] = null; continue; }
      if (acc == null || tau <= 0) acc = y;
      else acc += (1 - Math.exp(-Math.abs(xs[i] - prev) / tau)) * (y - acc);
      prev = xs[i];
      out[i] = acc;
    }
    return out;
  }
  function smooth(xs, ys, frac) {
    var n = xs.length;
    if (!n) return [];
    var tau = frac * (xs[n - 1] - xs[0]);
    return emaPass(xs, emaPass(xs, ys, tau, false), tau, true);
  }

  /* ---------- a group: charts of one run that share zoom, smoothing and hover ---------- */
  function Group(section) {
    this.section = section;
    this.charts = [];
    this.x = {};
    this.frac = DATA.smoothing;
    this.raw = true;
  }
  Group.prototype.drawAll = function () { this.charts.forEach(function (c) { c.draw(); }); };
  Group.prototype.setX = function (axis, range) {
    this.x[axis] = range;
    this.charts.forEach(function (c) { if (c.p.axis === axis) c.draw(); });
    this.updateReset();
  };
  Group.prototype.reset = function () {
    this.x = {};
    this.charts.forEach(function (c) { c.yRange = null; });
    this.drawAll();
    this.updateReset();
  };
  Group.prototype.updateReset = function () {
    if (!this.section) return;
    var btn = this.section.querySelector('.reset-zoom');
    var zoomed = Object.keys(this.x).some(function (k) { return this.x[k]; }, this) ||
      this.charts.some(function (c) { return c.yRange; });
    if (btn) btn.hidden = !zoomed;
  };
  Group.prototype.hover = function (axis, step, source, py) {
    this.charts.forEach(function (c) { c.drawHover(c.p.axis === axis ? step : null, c === source, py); });
  };

  /* ---------- one chart ---------- */
  function Chart(host, panel, group) {
    this.host = host; this.p = panel; this.group = group;
    this.scale = panel.scale; this.hidden = {}; this.yRange = null; this.drag = null; this.pad = PAD0;
    host.id = 'chart-' + panel.id;
    var head = el('div', 'chart-head');
    head.appendChild(el('h3', null, panel.title));
    var toggle = el('div', 'scale-toggle');
    var self = this;
    ['linear', 'log'].forEach(function (s) {
      var b = el('button', s === self.scale ? 'on' : '', s === 'linear' ? 'lin' : 'log');
      b.type = 'button';
      b.addEventListener('click', function () {
        self.scale = s; self.yRange = null;
        toggle.querySelectorAll('button').forEach(function (x) { x.className = x === b ? 'on' : ''; });
        self.draw();
      });
      toggle.appendChild(b);
    });
    head.appendChild(toggle);
    host.appendChild(head);
    this.plot = el('div', 'plot');
    this.plot.setAttribute('role', 'img');
    this.plot.setAttribute('aria-label', panel.title + ': ' + panel.series.map(function (s) { return s.name; }).join(', '));
    this.cGrid = el('canvas', 'grid-layer');
    this.cData = el('canvas', 'data-layer');
    this.cOver = el('canvas', 'over-layer');
    this.marks = el('div', 'marks');
    this.tip = el('div', 'tip'); this.tip.hidden = true;
    [this.cGrid, this.cData, this.cOver, this.marks, this.tip].forEach(function (c) { self.plot.appendChild(c); });
    host.appendChild(this.plot);
    this.legend = el('div', 'legend');
    panel.series.forEach(function (s, i) {
      var b = el('button');
      b.type = 'button';
      var sw = el('span', 'sw' + (s.val ? ' val' : ''));
      sw.dataset.c = s.c;
      b.appendChild(sw);
      b.appendChild(el('span', 'name', s.name));
      var nf = (s.nf || []).reduce(function (t, r) { return t + r[3]; }, 0);
      if (nf) b.appendChild(el('span', 'nf', nf + ' non-finite'));
      b.title = s.name + (s.mx ? ' — ' + s.n.toLocaleString('en') + ' points, drawn as min/max per bucket' : '');
      b.addEventListener('click', function () {
        self.hidden[i] = !self.hidden[i];
        b.classList.toggle('off', !!self.hidden[i]);
        self.draw();
      });
      self.legend.appendChild(b);
    });
    host.appendChild(this.legend);
    this.full = this.fullX();
    this.bindEvents();
  }

  Chart.prototype.color = function (s) { return cssVar('--c' + (s.c % 10)); };
  Chart.prototype.visible = function () {
    var self = this;
    return this.p.series.filter(function (s, i) { return !self.hidden[i]; });
  };
  Chart.prototype.fullX = function () {
    var lo = Infinity, hi = -Infinity;
    this.p.series.forEach(function (s) {
      if (s.x.length) { lo = Math.min(lo, s.x[0]); hi = Math.max(hi, s.x[s.x.length - 1]); }
      (s.nf || []).forEach(function (r) { lo = Math.min(lo, r[0]); hi = Math.max(hi, r[1]); });
    });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi === lo) { lo -= 2; hi += 2; }
    return [lo, hi];
  };
  Chart.prototype.xRange = function () { return this.group.x[this.p.axis] || this.full; };
  /* On a log axis the average is taken of the logarithms: a blow-up then does not drag the
   * smoothed line up long before the raw curve rises. */
  Chart.prototype.smoothed = function (s) {
    var frac = this.group.frac, log = this.scale === 'log';
    if (!s._sm || s._sm.frac !== frac || s._sm.log !== log) {
      var xs = s.mx || s.x, ys = s.my || s.y, out;
      if (log) {
        out = smooth(xs, ys.map(function (v) { return v != null && v > 0 ? Math.log(v) : null; }), frac)
          .map(function (v) { return v == null ? null : Math.exp(v); });
      } else {
        out = smooth(xs, ys, frac);
      }
      s._sm = { frac: frac, log: log, x: xs, y: out };
    }
    return s._sm;
  };
  /* Which lines to draw for a series: [{x, y, alpha, width}] */
  Chart.prototype.lines = function (s) {
    /* Schedules are not noisy: smoothing the learning rate would only shift it. */
    var sm = this.group.frac > 0 && s.role !== 'lr' && (s.mx || s.x.length > 30);
    var out = [];
    if (this.group.raw || !sm) out.push({ x: s.x, y: s.y, alpha: sm ? 0.45 : 1, width: sm ? 1 : 1.6, main: !sm });
    if (sm) { var m = this.smoothed(s); out.push({ x: m.x, y: m.y, alpha: 1, width: 1.9, main: true }); }
    return out;
  };
  Chart.prototype.yExtent = function (x0, x1) {
    var lo = Infinity, hi = -Infinity, log = this.scale === 'log', self = this;
    function take(v) { if (v == null || (log && v <= 0)) return; if (v < lo) lo = v; if (v > hi) hi = v; }
    this.visible().forEach(function (s) {
      self.lines(s).forEach(function (ln) {
        for (var i = 0; i < ln.x.length; i++) if (ln.x[i] >= x0 && ln.x[i] <= x1) take(ln.y[i]);
      });
    });
    this.p.marks.forEach(function (m) { if (m.kind === 'point' && m.start >= x0 && m.start <= x1) take(m.y); });
    if (!isFinite(lo)) return log ? [0.1, 10] : [0, 1];
    if (log) {
      if (hi / lo < 1.0001) { lo /= 1.5; hi *= 1.5; }
      var pad = Math.pow(hi / lo, 0.06);
      return [lo / pad, hi * pad];
    }
    if (hi === lo) { var d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
    var p = (hi - lo) * 0.06;
    return [lo - p, hi + p];
  };

  Chart.prototype.layout = function () {
    var w = this.plot.clientWidth, h = this.plot.clientHeight, dpr = window.devicePixelRatio || 1;
    [this.cGrid, this.cData, this.cOver].forEach(function (c) {
      c.width = Math.max(1, Math.round(w * dpr)); c.height = Math.max(1, Math.round(h * dpr));
      c.getContext('2d').setTransform(dpr, 0, 0, dpr, 0, 0);
    });
    this.w = w; this.h = h;
    var xr = this.xRange(), yr = this.yRange || this.yExtent(xr[0], xr[1]), log = this.scale === 'log';
    /* The left margin fits the widest y tick label. */
    this.yticks = log ? logTicks(yr[0], yr[1]) : linTicks(yr[0], yr[1], 5);
    var mctx = this.cGrid.getContext('2d'), widest = 0;
    mctx.font = FONT;
    this.yticks.forEach(function (v) { widest = Math.max(widest, mctx.measureText(fmtTick(v, log)).width); });
    /* ... plus room for the rotated y axis title. */
    var PAD = this.pad = { l: Math.max(46, Math.ceil(widest) + 14) + 16, r: PAD0.r, t: PAD0.t, b: PAD0.b };
    var pw = w - PAD.l - PAD.r, ph = h - PAD.t - PAD.b;
    var ly0 = log ? Math.log10(yr[0]) : yr[0], ly1 = log ? Math.log10(yr[1]) : yr[1];
    this.xr = xr; this.yr = yr;
    this.sx = function (x) { return PAD.l + (x - xr[0]) / (xr[1] - xr[0]) * pw; };
    this.ix = function (px) { return xr[0] + (px - PAD.l) / pw * (xr[1] - xr[0]); };
    this.sy = function (y) { var v = log ? Math.log10(y) : y; return PAD.t + (1 - (v - ly0) / (ly1 - ly0)) * ph; };
    this.iy = function (py) { var v = ly0 + (1 - (py - PAD.t) / ph) * (ly1 - ly0); return log ? Math.pow(10, v) : v; };
  };

  Chart.prototype.draw = function () {
    if (!this.plot.clientWidth) return;
    this.layout();
    this.drawGrid();
    this.drawData();
    this.drawMarks();
    this.drawHover(null);
    /* What was drawn, where: for tests and for anyone checking the picture against the data. */
    this.host.dataset.layout = JSON.stringify(this.drawn);
  };

  Chart.prototype.drawGrid = function () {
    var PAD = this.pad;
    var ctx = this.cGrid.getContext('2d'), w = this.w, h = this.h, self = this, log = this.scale === 'log';
    ctx.clearRect(0, 0, w, h);
    ctx.font = FONT;
    ctx.strokeStyle = cssVar('--grid'); ctx.fillStyle = cssVar('--muted'); ctx.lineWidth = 1;
    var yt = this.yticks, ylab = tickLabels(yt, log), drawn = { y: [], x: [] };
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    yt.forEach(function (v, i) {
      var y = Math.round(self.sy(v)) + 0.5;
      if (y < PAD.t - 1 || y > h - PAD.b + 1) return;
      ctx.beginPath(); ctx.moveTo(PAD.l, y); ctx.lineTo(w - PAD.r, y); ctx.stroke();
      ctx.fillText(ylab[i], PAD.l - 6, y);
      drawn.y.push({ label: ylab[i], px: y });
    });
    /* Steps and epochs are whole numbers: never a tick between two of them. */
    var xt = linTicks(this.xr[0], this.xr[1], Math.max(2, Math.floor((w - PAD.l - PAD.r) / 90)), 1);
    var xlab = tickLabels(xt, false);
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    xt.forEach(function (v, i) {
      var x = Math.round(self.sx(v)) + 0.5;
      if (x < PAD.l - 1 || x > w - PAD.r + 1) return;
      ctx.beginPath(); ctx.moveTo(x, PAD.t); ctx.lineTo(x, h - PAD.b); ctx.stroke();
      ctx.fillText(xlab[i], x, h - PAD.b + 6);
      drawn.x.push({ label: xlab[i], px: x });
    });
    ctx.strokeStyle = cssVar('--axis');
    ctx.beginPath(); ctx.moveTo(PAD.l, h - PAD.b + 0.5); ctx.lineTo(w - PAD.r, h - PAD.b + 0.5); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(PAD.l + 0.5, PAD.t); ctx.lineTo(PAD.l + 0.5, h - PAD.b); ctx.stroke();
    /* Axis titles: the x one under the tick labels at the right, the y one rotated at the left. */
    ctx.fillStyle = cssVar('--text') || ctx.fillStyle;
    ctx.textAlign = 'right'; ctx.textBaseline = 'bottom';
    ctx.fillText(this.p.axis + ' →', w - PAD.r, h - 2);
    ctx.save();
    ctx.translate(11, PAD.t + (h - PAD.t - PAD.b) / 2); ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
    ctx.fillText((this.p.ylabel || '') + (log ? ' (log)' : ''), 0, 0);
    ctx.restore();
    this.drawn = { plot: { l: PAD.l, t: PAD.t, r: w - PAD.r, b: h - PAD.b }, yticks: drawn.y, xticks: drawn.x,
                   xtitle: this.p.axis, ytitle: this.p.ylabel || '', scale: this.scale, marks: [], labels: [] };
  };

  Chart.prototype.clip = function (ctx) {
    var PAD = this.pad;
    ctx.save();
    ctx.beginPath(); ctx.rect(PAD.l, PAD.t - 2, this.w - PAD.l - PAD.r, this.h - PAD.t - PAD.b + 4); ctx.clip();
  };

  Chart.prototype.drawData = function () {
    var PAD = this.pad;
    var ctx = this.cData.getContext('2d'), self = this, log = this.scale === 'log';
    var x0 = this.xr[0], x1 = this.xr[1];
    ctx.clearRect(0, 0, this.w, this.h);
    this.clip(ctx);
    ctx.lineJoin = 'round'; ctx.lineCap = 'round';
    this.visible().forEach(function (s) {
      var color = self.color(s);
      self.lines(s).forEach(function (ln) {
        ctx.strokeStyle = color; ctx.globalAlpha = ln.alpha; ctx.lineWidth = ln.width;
        ctx.setLineDash(s.val && ln.main ? [6, 4] : []);
        var first = Math.max(0, bisect(ln.x, x0) - 1), last = Math.min(ln.x.length - 1, bisect(ln.x, x1) + 1);
        var pen = false, n = 0, lx = 0, ly = 0;
        ctx.beginPath();
        for (var i = first; i <= last; i++) {
          var y = ln.y[i];
          if (y == null || (log && y <= 0)) { pen = false; continue; }
          var px = self.sx(ln.x[i]), py = self.sy(y);
          if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
          pen = true; n++; lx = px; ly = py;
        }
        ctx.stroke();
        if (n === 1) { ctx.beginPath(); ctx.arc(lx, ly, 3.5, 0, 2 * Math.PI); ctx.fillStyle = color; ctx.fill(); }
      });
      ctx.setLineDash([]); ctx.globalAlpha = 1;
      /* Non-finite values: a red bar along the top where they sit, a notch at each start. */
      if (s.nf) {
        ctx.fillStyle = cssVar('--error');
        s.nf.forEach(function (r) {
          if (r[1] < x0 || r[0] > x1) return;
          var a = self.sx(r[0]), b = Math.max(a + 2, self.sx(r[1]));
          ctx.globalAlpha = 0.85; ctx.fillRect(a - 1, PAD.t - 2, b - a + 2, 4);
          ctx.beginPath(); ctx.moveTo(a - 4, PAD.t - 2); ctx.lineTo(a + 4, PAD.t - 2); ctx.lineTo(a, PAD.t + 6);
          ctx.closePath(); ctx.fill();
        });
        ctx.globalAlpha = 1;
      }
    });
    ctx.restore();
  };

  /* Findings' marks are DOM elements over the canvas: clickable, with tooltips, easy to test. */
  Chart.prototype.drawMarks = function () {
    var PAD = this.pad;
    var layer = this.marks, self = this, rows = [];
    while (layer.firstChild) layer.removeChild(layer.firstChild);
    var left = PAD.l, right = this.w - PAD.r, top = PAD.t, bottom = this.h - PAD.b;
    var labelled = {};
    function finding(m) { return m.finding == null ? null : DATA.runs[self.group.run].findings[m.finding]; }
    function place(node, m) {
      node.classList.add('sev-' + m.sev);
      if (m.finding != null) node.dataset.finding = m.finding;
      var f = finding(m);
      node.title = m.label + (f && f.title !== m.label ? ' — ' + f.title : '') + (f ? ' [' + f.id + ']' : '');
      if (m.finding != null) node.addEventListener('click', function () { self.group.focusCard(m.finding); });
      layer.appendChild(node);
    }
    function label(m, x, anchor) {
      var key = m.finding + '|' + m.kind + '|' + m.label, near = m.label + '@' + Math.round(anchor / 24);
      if (labelled[key] || labelled[near]) return; /* the same words at the same place: once */
      labelled[key] = labelled[near] = true;
      var width = Math.min(220, m.label.length * 6.4 + 10), row = 0;
      /* Near the right edge the label goes to the left of its mark instead. */
      if (x + width > right) x = Math.max(left, x - (x > anchor ? 2 * (x - anchor) : 0) - width);
      while (rows[row] && rows[row].some(function (iv) { return x < iv[1] && x + width > iv[0]; })) row++;
      (rows[row] = rows[row] || []).push([x, x + width]);
      var lab = el('div', 'mark-label', m.label);
      lab.style.left = x + 'px'; lab.style.top = (2 + row * 16) + 'px';
      place(lab, m);
      if (self.drawn) self.drawn.labels.push({ text: m.label, x: x, y: 2 + row * 16, w: lab.offsetWidth || width, h: 14 });
    }
    this.p.marks.forEach(function (m) {
      var sx = self.sx(m.start);
      if (m.kind === 'span') {
        var ex = self.sx(m.end == null ? m.start : m.end);
        var a = Math.max(left, Math.min(sx, ex)), b = Math.min(right, Math.max(sx, ex));
        if (b < left || a > right) return;
        var sp = el('div', 'mark mark-span');
        sp.style.left = a + 'px'; sp.style.width = Math.max(2, b - a) + 'px';
        sp.style.top = top + 'px'; sp.style.bottom = (self.h - bottom) + 'px';
        place(sp, m); label(m, a + 3, a);
      } else if (m.kind === 'line') {
        if (sx < left - 1 || sx > right + 1) return;
        var ln = el('div', 'mark mark-line');
        ln.style.left = sx + 'px'; ln.style.top = top + 'px'; ln.style.bottom = (self.h - bottom) + 'px';
        place(ln, m); label(m, sx + 3, sx);
      } else {
        if (sx < left - 1 || sx > right + 1) return;
        var atTop = m.y == null || (self.scale === 'log' && m.y <= 0);
        var py = atTop ? top : self.sy(m.y);
        if (py < top - 1 || py > bottom + 1) { atTop = true; py = top; }
        var pt = el('button', 'mark mark-point' + (atTop ? ' at-top' : ''));
        pt.type = 'button';
        pt.style.left = sx + 'px'; pt.style.top = py + 'px';
        place(pt, m);
        if (self.drawn) self.drawn.marks.push({ label: m.label, kind: 'point', x: sx, y: py, atTop: atTop, step: m.start,
                                                value: m.y == null ? null : m.y, series: m.series });
        var key = m.finding + '|point';
        if (!labelled[key]) { labelled[key] = true; label(m, sx + 8, sx); }
      }
    });
  };

  Chart.prototype.drawHover = function (step, source, py) {
    var PAD = this.pad;
    if (!this.xr) return; /* not laid out yet (e.g. inside a closed <details>) */
    var ctx = this.cOver.getContext('2d'), self = this;
    ctx.clearRect(0, 0, this.w || 0, this.h || 0);
    if (this.drag) {
      ctx.fillStyle = cssVar('--accent'); ctx.globalAlpha = 0.12;
      var d = this.drag;
      ctx.fillRect(Math.min(d.x0, d.x1), Math.min(d.y0, d.y1), Math.abs(d.x1 - d.x0), Math.abs(d.y1 - d.y0));
      ctx.globalAlpha = 1;
    }
    if (step == null || step < this.xr[0] || step > this.xr[1]) { this.tip.hidden = true; return; }
    var x = Math.round(this.sx(step)) + 0.5;
    ctx.strokeStyle = cssVar('--axis'); ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(x, PAD.t); ctx.lineTo(x, this.h - PAD.b); ctx.stroke();
    var rows = [];
    this.visible().forEach(function (s) {
      var lines = self.lines(s), main = lines[lines.length - 1], raw = lines[0];
      var i = bisect(main.x, step);
      if (i < 0 || main.y[i] == null) return;
      if (!(self.scale === 'log' && main.y[i] <= 0)) {
        ctx.fillStyle = self.color(s);
        ctx.beginPath(); ctx.arc(self.sx(main.x[i]), self.sy(main.y[i]), 3.5, 0, 2 * Math.PI); ctx.fill();
      }
      var j = bisect(raw.x, step);
      rows.push({ s: s, v: main.y[i], raw: lines.length > 1 && j >= 0 ? raw.y[j] : null });
    });
    if (!source) { this.tip.hidden = true; return; }
    var tip = this.tip;
    while (tip.firstChild) tip.removeChild(tip.firstChild);
    tip.appendChild(el('div', 'step', this.p.axis + ' ' + fmt(step)));
    rows.forEach(function (r) {
      var row = el('div', 'row');
      var sw = el('span', 'sw'); sw.style.cssText = 'width:10px;height:3px;border-radius:2px;background:' + self.color(r.s);
      row.appendChild(sw);
      row.appendChild(el('span', 'name', r.s.name));
      row.appendChild(el('span', 'v', fmt(r.v) + (r.raw != null ? ' (raw ' + fmt(r.raw) + ')' : '')));
      tip.appendChild(row);
    });
    var near = (this.xr[1] - this.xr[0]) * 0.01;
    this.p.marks.forEach(function (m) {
      var hit = m.kind === 'span' ? step >= m.start - near && step <= (m.end == null ? m.start : m.end) + near
        : Math.abs(step - m.start) <= near;
      if (hit) { var mk = el('div', 'mk sev-' + m.sev, '● ' + m.label); tip.appendChild(mk); }
    });
    (this.p.series.some(function (s) { return s.nf; }) ? this.p.series : []).forEach(function (s) {
      (s.nf || []).forEach(function (r) {
        if (step >= r[0] - near && step <= r[1] + near) {
          tip.appendChild(el('div', 'mk sev-error', s.name + ': ' + r[2] + ' × ' + r[3] + ' from ' + fmt(r[0])));
        }
      });
    });
    tip.hidden = false;
    var tw = tip.offsetWidth, th = tip.offsetHeight;
    var tx = x + 14 + tw > this.w ? x - 14 - tw : x + 14;
    tip.style.left = Math.max(0, tx) + 'px';
    tip.style.top = Math.max(0, Math.min(this.h - th, (py || PAD.t) - th / 2)) + 'px';
  };

  Chart.prototype.bindEvents = function () {
    var self = this, plot = this.plot;
    function pos(e) { var r = plot.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    plot.addEventListener('mousemove', function (e) {
      if (!self.sx) return;
      var p = pos(e);
      if (self.drag) { self.drag.x1 = p[0]; self.drag.y1 = p[1]; }
      self.group.hover(self.p.axis, self.ix(p[0]), self, p[1]);
    });
    plot.addEventListener('mouseleave', function () { self.drag = null; self.group.hover(null, null, null); });
    plot.addEventListener('mousedown', function (e) {
      if (e.button !== 0 || e.target.closest('.mark, .mark-label')) return;
      var p = pos(e);
      self.drag = { x0: p[0], y0: p[1], x1: p[0], y1: p[1] };
      e.preventDefault();
    });
    plot.addEventListener('mouseup', function () {
      var d = self.drag;
      self.drag = null;
      if (!d || Math.abs(d.x1 - d.x0) < 6) { self.drawHover(null); return; }
      var a = self.ix(Math.min(d.x0, d.x1)), b = self.ix(Math.max(d.x0, d.x1));
      if (Math.abs(d.y1 - d.y0) > 18) self.yRange = [self.iy(Math.max(d.y0, d.y1)), self.iy(Math.min(d.y0, d.y1))];
      self.group.setX(self.p.axis, [a, b]);
    });
    plot.addEventListener('dblclick', function () { self.group.reset(); });
    var pending = false;
    function later() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; self.draw(); });
    }
    if (window.ResizeObserver) new ResizeObserver(later).observe(plot);
    else window.addEventListener('resize', later);
  };

  Group.prototype.focusCard = function (fi) {
    var card = document.getElementById('run-' + this.run + '-f' + fi);
    if (!card) return;
    card.scrollIntoView({ behavior: 'smooth', block: 'center' });
    card.classList.add('highlight');
    setTimeout(function () { card.classList.remove('highlight'); }, 1800);
  };

  /* ---------- wiring ---------- */
  function swatches() {
    document.querySelectorAll('.legend .sw').forEach(function (sw) {
      if (sw.dataset.c != null) sw.style.backgroundColor = cssVar('--c' + (sw.dataset.c % 10));
    });
  }
  function redrawAll() { swatches(); charts.forEach(function (c) { c.draw(); }); }

  document.querySelectorAll('section.run').forEach(function (section) {
    var ri = +section.dataset.run, run = DATA.runs[ri], group = new Group(section);
    group.run = ri;
    section.querySelectorAll('.chart[data-panel]').forEach(function (host) {
      var c = new Chart(host, run.panels[+host.dataset.panel], group);
      group.charts.push(c); charts.push(c);
    });
    var controls = section.querySelector('.controls');
    if (controls) {
      var slider = controls.querySelector('.smooth'), raw = controls.querySelector('.show-raw');
      var shown = controls.querySelector('.smooth-value');
      slider.addEventListener('input', function () {
        group.frac = +slider.value;
        if (shown) shown.textContent = (group.frac * 100).toFixed(1) + '%';
        group.drawAll();
      });
      raw.addEventListener('change', function () { group.raw = raw.checked; group.drawAll(); });
      controls.querySelector('.reset-zoom').addEventListener('click', function () { group.reset(); });
    }
    section.querySelectorAll('.show-on-chart').forEach(function (btn) {
      var sel = '.mark[data-finding="' + btn.dataset.finding + '"], .mark-label[data-finding="' + btn.dataset.finding + '"]';
      btn.addEventListener('click', function () {
        var marks = section.querySelectorAll(sel);
        if (!marks.length) {
          /* the marks may sit on a panel under "Other logged series", or outside the zoom */
          section.querySelectorAll('details.others').forEach(function (d) { d.open = true; });
          group.reset();
          marks = section.querySelectorAll(sel);
        }
        if (!marks.length) return;
        marks[0].closest('.chart').scrollIntoView({ behavior: 'smooth', block: 'center' });
        marks.forEach(function (m) {
          m.classList.remove('flash'); void m.offsetWidth; m.classList.add('flash');
        });
      });
    });
    /* A section's "other series" charts draw when opened (they have no size while closed). */
    section.querySelectorAll('details.others').forEach(function (d) {
      d.addEventListener('toggle', function () { if (d.open) group.drawAll(); });
    });
  });
  var overlayHost = document.querySelector('.chart[data-overlay]');
  if (overlayHost && DATA.overlay) {
    var og = new Group(null);
    og.run = null;
    var oc = new Chart(overlayHost, DATA.overlay, og);
    og.charts.push(oc); charts.push(oc);
  } else if (overlayHost) {
    overlayHost.remove();
  }

  var toggle = document.getElementById('theme-toggle');
  if (toggle) toggle.addEventListener('click', function () {
    var dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme = dark ? 'light' : 'dark';
    redrawAll();
  });
  if (window.matchMedia) {
    var mq = matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', redrawAll);
  }
  redrawAll();
  window.traindocCharts = charts;
})();
