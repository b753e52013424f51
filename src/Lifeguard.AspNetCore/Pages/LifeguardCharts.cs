namespace Lifeguard.AspNetCore.Pages;

/// <summary>
/// The live page's charts: the diagnosis history (one row a second, the last <c>HistorySeconds</c>, 15 minutes by default)
/// drawn as SVG time series the way an SRE reads Grafana or Performance Insights — connections in use against the pool's
/// maximum, waiting requests, wait and hold p99, failures, and the server's active sessions by what they wait on against
/// its cores — with every second of a named cause shaded in its colour and each change of cause marked. Served beside the
/// page (CSP 'self'), no library, no CDN. <c>window.LifeguardCharts.render(element, history)</c> is the pure part.
/// </summary>
internal static class LifeguardCharts
{
    /// <summary>Served at /lifeguard/charts.js.</summary>
    public const string Script = """
(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var W = 960, H = 150, L = 48, R = 12, T = 22, B = 20;
  // One colour per cause (the bands), healthy none.
  var CAUSE = { pool_too_small: '#d1495b', slow_queries: '#8e44ad', database_cpu: '#e67e22', connection_leak: '#c0392b',
    lock_contention: '#b3261e', connection_limit: '#2c3e50', network_latency: '#16a085', database_unavailable: '#000000',
    pooler_saturated: '#7f5539', unknown: '#9a6700' };
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function clock(t) { return new Date(t).toLocaleTimeString(); }
  // The charts' shared frame: time on x (first to last second), value on y from 0 to the largest value shown.
  function frame(svg, rows, top, title, unit) {
    var t0 = rows[0].t, t1 = Math.max(rows[rows.length - 1].t, t0 + 1000);
    var x = function (t) { return L + (t - t0) / (t1 - t0) * (W - L - R); };
    var y = function (v) { return H - B - (top > 0 ? v / top : 0) * (H - T - B); };
    el('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fff', stroke: '#d8dde6' }, svg);
    // Cause bands: a run of seconds with the same non-healthy cause is one shaded rectangle; each change is a line with its label.
    var i = 0, changes = 0;
    while (i < rows.length) {
      var j = i;
      while (j + 1 < rows.length && rows[j + 1].cause === rows[i].cause) j++;
      var c = rows[i].cause;
      if (c !== 'healthy') {
        var end = j + 1 < rows.length ? rows[j + 1].t : rows[j].t + 1000;
        el('rect', { 'class': 'band', 'data-cause': c, x: x(rows[i].t), y: T, width: Math.max(1, x(end) - x(rows[i].t)), height: H - T - B,
          fill: CAUSE[c] || '#9a6700', 'fill-opacity': 0.16 }, svg).appendChild(document.createElementNS(NS, 'title')).textContent = c + ' from ' + clock(rows[i].t);
      }
      if (i > 0) {
        el('line', { 'class': 'change', x1: x(rows[i].t), x2: x(rows[i].t), y1: T, y2: H - B, stroke: CAUSE[c] || '#1a7f37', 'stroke-dasharray': '3 2' }, svg);
        // Alternate rows, so the labels of two close changes (a short incident) do not overwrite each other.
        el('text', { x: x(rows[i].t) + 3, y: T + 10 + (changes++ % 2) * 12, 'font-size': 10, fill: CAUSE[c] || '#1a7f37' }, svg).textContent = clock(rows[i].t) + ' ' + c;
      }
      i = j + 1;
    }
    [0, top / 2, top].forEach(function (v) {
      el('text', { x: L - 4, y: y(v) + 3, 'font-size': 10, 'text-anchor': 'end', fill: '#555' }, svg).textContent = (v >= 100 ? Math.round(v) : +v.toFixed(1)) + unit;
    });
    el('text', { x: L, y: H - 5, 'font-size': 10, fill: '#555' }, svg).textContent = clock(t0);
    el('text', { x: W - R, y: H - 5, 'font-size': 10, 'text-anchor': 'end', fill: '#555' }, svg).textContent = clock(t1);
    el('text', { x: L, y: 14, 'font-size': 12, 'font-weight': 600, fill: '#1d2430' }, svg).textContent = title;
    svg.legendX = L + title.length * 6.8 + 18; // legends follow the title
    return { x: x, y: y };
  }
  function line(svg, f, rows, key, colour, dash, label) {
    var d = rows.map(function (r, k) { return (k ? 'L' : 'M') + f.x(r.t).toFixed(1) + ' ' + f.y(r[key]).toFixed(1); }).join(' ');
    el('path', { 'class': 'series', 'data-series': key, d: d, fill: 'none', stroke: colour, 'stroke-width': 1.6, 'stroke-dasharray': dash || '' }, svg);
    legend(svg, colour, label);
  }
  function legend(svg, colour, label) {
    var at = svg.legendX;
    el('rect', { x: at, y: 6, width: 10, height: 10, fill: colour }, svg);
    el('text', { x: at + 14, y: 15, 'font-size': 11, fill: '#1d2430' }, svg).textContent = label;
    svg.legendX = at + 14 + label.length * 6.2 + 14;
  }
  // Stacked areas (active sessions by what they wait on), bottom first.
  function stack(svg, f, rows, keys, colours, labels) {
    var base = rows.map(function () { return 0; });
    keys.forEach(function (key, n) {
      var top = rows.map(function (r, k) { return base[k] + (r[key] || 0); });
      var d = rows.map(function (r, k) { return (k ? 'L' : 'M') + f.x(r.t).toFixed(1) + ' ' + f.y(top[k]).toFixed(1); }).join(' ')
        + ' ' + rows.slice().reverse().map(function (r, k) { return 'L' + f.x(r.t).toFixed(1) + ' ' + f.y(base[rows.length - 1 - k]).toFixed(1); }).join(' ') + ' Z';
      el('path', { 'class': 'series', 'data-series': key, d: d, fill: colours[n], 'fill-opacity': 0.75, stroke: 'none' }, svg);
      legend(svg, colours[n], labels[n]);
      base = top;
    });
    return base;
  }
  function max(rows, keys) {
    var m = 0;
    rows.forEach(function (r) { keys.forEach(function (k) { m = Math.max(m, r[k] || 0); }); });
    return m > 0 ? m * 1.1 : 1;
  }
  function chart(container, id) {
    var svg = container.querySelector('svg[data-chart="' + id + '"]');
    if (!svg) {
      svg = el('svg', { 'data-chart': id, viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img' });
      svg.style.display = 'block'; svg.style.maxWidth = W + 'px'; svg.style.margin = '.3rem 0';
      container.appendChild(svg);
    }
    svg.textContent = '';
    return svg;
  }
  // history: the rows of /lifeguard/diagnosis/history (snake_case), oldest first.
  function render(container, history) {
    var rows = history.map(function (h) {
      return { t: Date.parse(h.at), cause: h.cause, in_use: h.in_use, max: h.max, waiters: h.waiters, wait: h.wait_p99_ms, hold: h.hold_p99_ms,
        failures: h.failures, cpu: h.active_on_cpu, locks: h.lock_waiters, waiting: h.active_waiting || 0, cores: h.cores || 0 };
    });
    if (rows.length < 2) { container.setAttribute('data-state', 'waiting for data'); return; }
    var s = chart(container, 'pool'), f = frame(s, rows, max(rows, ['in_use', 'max', 'waiters']), 'connections', '');
    line(s, f, rows, 'max', '#888', '5 3', 'pool max'); line(s, f, rows, 'in_use', '#1f6feb', '', 'in use'); line(s, f, rows, 'waiters', '#e36209', '', 'waiting');
    s = chart(container, 'latency'); f = frame(s, rows, max(rows, ['wait', 'hold']), 'wait and hold p99', ' ms');
    line(s, f, rows, 'wait', '#e36209', '', 'wait p99'); line(s, f, rows, 'hold', '#1f6feb', '', 'hold p99');
    s = chart(container, 'failures'); f = frame(s, rows, max(rows, ['failures']), 'failures per second (timeouts and errors)', '');
    line(s, f, rows, 'failures', '#b3261e', '', 'failures');
    var serverRows = rows.filter(function (r) { return r.cores > 0 || r.cpu + r.locks + r.waiting > 0; });
    if (serverRows.length > 0) {
      s = chart(container, 'server'); f = frame(s, rows, Math.max(max(rows, ['cores']), max(rows, ['cpu']) + max(rows, ['locks']) + max(rows, ['waiting'])),
        'database: active sessions vs cores', '');
      stack(s, f, rows, ['cpu', 'locks', 'waiting'], ['#2da44e', '#b3261e', '#8250df'], ['on CPU', 'lock waits', 'other waits (I/O, ...)']);
      line(s, f, rows, 'cores', '#1d2430', '6 3', 'cores');
    }
    container.setAttribute('data-state', 'drawn ' + rows.length + ' s');
  }
  window.LifeguardCharts = { render: render };

  // The page: the whole history once, then only the seconds after the newest one held (?since=), trimmed to the server's window.
  var container = document.getElementById('charts');
  if (!container) return;
  var base = location.pathname.replace(/\/$/, '');
  var rows = [];
  function poll() {
    var since = rows.length ? '?since=' + encodeURIComponent(rows[rows.length - 1].at) : '';
    var keep = 900;
    fetch(base + '/diagnosis/history' + since, { cache: 'no-store' })
      .then(function (r) { keep = Number(r.headers.get('X-Lifeguard-History-Seconds')) || keep; return r.json(); })
      .then(function (fresh) {
        rows = rows.concat(fresh);
        if (rows.length > keep) rows = rows.slice(rows.length - keep);
        render(container, rows);
        if (window.LifeguardHistoryTable) window.LifeguardHistoryTable(rows);
      })
      .catch(function (e) { container.setAttribute('data-state', 'history unavailable: ' + e); })
      .finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
""";
}
