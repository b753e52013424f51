namespace Lifeguard.AspNetCore.Pages;

/// <summary>The live pool page: a document with inline style and a script served beside it (so a site's
/// Content-Security-Policy of 'self' still lets it run), polling the JSON state endpoint once a second. No external asset.</summary>
internal static class LifeguardPage
{
    public const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lifeguard - diagnosis and connection pool</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2430;background:#f7f8fa}
h1{font-size:1.3rem;margin:0 0 .2rem} h2{font-size:1.05rem;margin:1.4rem 0 .4rem}
.tiles{display:flex;flex-wrap:wrap;gap:.6rem}
.tile{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:.5rem .9rem;min-width:7.5rem}
.tile b{display:block;font-size:1.5rem}
.bad{color:#b3261e} .warn{color:#9a6700} .ok{color:#1a7f37}
table{border-collapse:collapse;background:#fff;min-width:30rem} td,th{border:1px solid #d8dde6;padding:.25rem .6rem;text-align:right}
td:first-child,th:first-child{text-align:left}
pre{background:#fff;border:1px solid #d8dde6;padding:.5rem;max-height:14rem;overflow:auto;font-size:12px}
#status{font-weight:600}
#diagnosis{background:#fff;border:2px solid #d8dde6;border-radius:8px;padding:.8rem 1rem;margin:.8rem 0}
#diagnosis.cause-bad{border-color:#b3261e} #diagnosis.cause-ok{border-color:#1a7f37}
#cause{font-size:1.6rem;font-weight:700} #evidence li{margin:.15rem 0}
</style>
</head>
<body>
<h1>Lifeguard: <span id="pool">…</span></h1>
<section id="diagnosis">
 <div>diagnosis: <span id="cause">…</span> since <span id="since">–</span> · confidence <span id="confidence">–</span></div>
 <div id="summary"></div>
 <ul id="evidence"></ul>
 <div><b>Do:</b> <span id="remedy">–</span></div>
 <div><b>Don't:</b> <span id="avoid">–</span></div>
 <div id="consequences"></div>
 <div id="pooler"></div>
 <h2>The last 15 minutes (a shaded band for every second a cause was named, a line where it changed)</h2>
 <div id="charts" data-state="loading"></div>
 <h2>The last 15 seconds</h2>
 <table><thead><tr><th>time</th><th>cause</th><th>in use</th><th>waiting</th><th>wait p99 ms</th><th>hold p99 ms</th><th>failures</th><th>on CPU</th><th>lock waits</th><th>backends</th><th>rtt ms</th></tr></thead>
 <tbody id="history"></tbody></table>
</section>
<div>status: <span id="status">loading</span> · updated <span id="updated">never</span> · clock <span id="clock">–</span></div>
<div class="tiles">
 <div class="tile">in use<b id="inUse">–</b></div>
 <div class="tile">idle<b id="idle">–</b></div>
 <div class="tile">max<b id="max">–</b></div>
 <div class="tile">waiting<b id="waiters">–</b></div>
 <div class="tile">timeouts<b id="timeouts">–</b></div>
 <div class="tile">rejected<b id="rejections">–</b></div>
 <div class="tile">leaks<b id="leaks">–</b></div>
 <div class="tile">leases<b id="leases">–</b></div>
</div>
<h2>Pools</h2>
<table><thead><tr><th>pool</th><th>key</th><th>in use</th><th>max</th><th>waiting</th><th>timeouts</th><th>leaks</th><th>wait p99 ms</th><th>hold p99 ms</th></tr></thead>
<tbody id="pools"></tbody></table>
<h2>Wait and hold times (ms), <span id="primaryPool">this pool</span></h2>
<table><thead><tr><th></th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead>
<tbody id="latency"></tbody></table>
<h2>Top routes by hold time</h2>
<table><thead><tr><th>operation</th><th>leases</th><th>total s</th><th>p99 ms</th><th>max ms</th></tr></thead>
<tbody id="ops"></tbody></table>
<h2>Slowest statements (the database's view; refreshed every 30 s, same review as <code>lifeguard review</code>)</h2>
<table><thead><tr><th>source</th><th>calls</th><th>mean ms</th><th>total s</th><th>top finding</th><th>index advice</th><th>statement</th></tr></thead>
<tbody id="statements"></tbody></table>
<div id="statementNotes"></div>
<h2>Recent leaks</h2>
<div id="leakList">none</div>
<h2>Fleet (the instances sharing this database's server, from the registry)</h2>
<div id="fleetBudget">–</div>
<div id="fleetGovernor">–</div>
<table><thead><tr><th>instance</th><th>pool max</th><th>cap (claim)</th><th>in use</th><th>waiting</th><th>slots held</th><th>wait p99 ms</th><th>refused</th><th>diagnosis</th><th>heartbeat</th></tr></thead>
<tbody id="fleet"></tbody></table>
<script src="lifeguard/page.js"></script>
<script src="lifeguard/charts.js"></script>
</body>
</html>
""";

    /// <summary>The page's script, served at /lifeguard/page.js.</summary>
    public const string Script = """
(function () {
  var stateUrl = location.pathname.replace(/\/$/, '') + '/state';
  function $(id) { return document.getElementById(id); }
  function ms(s) { return (s * 1000).toFixed(s < 0.01 ? 2 : 1); }
  function cell(tr, text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); }
  function row(body, values) { var tr = document.createElement('tr'); values.forEach(function (v) { cell(tr, v); }); body.appendChild(tr); }
  function render(s) {
    $('pool').textContent = s.pool_name;
    $('clock').textContent = s.clock;
    // /lifeguard/state is snake_case (the contract's JSON); the tiles keep their ids.
    [['inUse', 'in_use'], ['idle', 'idle'], ['max', 'max'], ['waiters', 'waiters'], ['timeouts', 'timeouts'], ['rejections', 'rejections'], ['leaks', 'leaks'], ['leases', 'leases']]
      .forEach(function (k) { $(k[0]).textContent = s[k[1]]; });
    $('idle').title = s.idle_is_exact ? 'reported by the provider' : 'estimated';
    var st = s.recent_timeouts > 0 ? ['pool timeouts in the last minute', 'bad'] : s.waiters > 0 ? ['requests waiting for connections', 'warn'] : ['ok', 'ok'];
    $('status').textContent = st[0]; $('status').className = st[1];
    var lat = $('latency'); lat.textContent = '';
    [['wait', s.wait], ['hold', s.hold]].forEach(function (p) { row(lat, [p[0], p[1].count, ms(p[1].p50), ms(p[1].p90), ms(p[1].p99), ms(p[1].max)]); });
    // Every guarded pool (AddLifeguard(key) adds more); the tiles and tables below are the primary one's.
    var pools = $('pools'); pools.textContent = '';
    (s.pools || []).forEach(function (p) {
      row(pools, [p.pool_name, p.service_key === null ? '(unkeyed)' : p.service_key, p.in_use, p.max, p.waiters, p.timeouts, p.leaks, ms(p.wait.p99), ms(p.hold.p99)]);
    });
    $('primaryPool').textContent = s.pool_name;
    var ops = $('ops'); ops.textContent = '';
    s.operations.slice(0, 15).forEach(function (o) { row(ops, [o.operation, o.leases, o.total_hold_seconds.toFixed(3), ms(o.p99_hold_seconds), ms(o.max_hold_seconds)]); });
    var list = $('leakList'); list.textContent = s.recent_leaks.length ? '' : 'none';
    s.recent_leaks.forEach(function (l) {
      var h = document.createElement('div');
      h.textContent = '#' + l.id + ' ' + (l.operation || '(none)') + ' taken ' + l.acquired_at + (l.returned_at ? ', returned after ' + l.held_for : ', STILL HELD');
      h.className = l.returned_at ? 'warn' : 'bad';
      var pre = document.createElement('pre'); pre.textContent = l.stack_trace;
      list.appendChild(h); list.appendChild(pre);
    });
    $('updated').textContent = new Date().toLocaleTimeString();
  }
  var base = location.pathname.replace(/\/$/, '');
  function renderDiagnosis(d) {
    $('cause').textContent = d.cause;
    $('diagnosis').className = d.cause === 'healthy' ? 'cause-ok' : 'cause-bad';
    $('since').textContent = new Date(d.since).toLocaleTimeString();
    $('confidence').textContent = Math.round(d.confidence * 100) + '%';
    $('summary').textContent = d.summary;
    var ev = $('evidence'); ev.textContent = '';
    d.evidence.forEach(function (e) { var li = document.createElement('li'); li.textContent = e; ev.appendChild(li); });
    $('remedy').textContent = d.remedy || '–';
    $('avoid').textContent = d.avoid || '–';
    $('consequences').textContent = d.consequences.length ? 'also holding, as consequences: ' + d.consequences.join(', ') : '';
    // The pooler in front of the server (PgBouncer), when the diagnoser reads one: its queue is the second one.
    var q = d.signals && d.signals.pooler;
    $('pooler').textContent = !q ? '' : !q.reachable ? 'pooler (' + q.address + '): cannot be read: ' + q.error
      : 'pooler ' + q.kind + ' ' + q.address + ' ' + q.database + '/' + q.user + ' (' + q.pool_mode + '): ' + q.clients_waiting + ' waiting, oldest '
        + q.max_wait_seconds.toFixed(3) + ' s; server connections ' + q.servers_active + ' active, ' + q.servers_idle + ' idle of pool ' + q.pool_size
        + '; clients ' + q.client_connections + '/' + q.max_client_connections;
  }
  // charts.js holds the history (polled with ?since=) and hands each update to the table here.
  window.LifeguardHistoryTable = renderHistory;
  function renderHistory(h) {
    // The charts (charts.js) draw the whole history; this table is the last seconds' numbers.
    var body = $('history'); body.textContent = '';
    h.slice(-15).reverse().forEach(function (s) {
      row(body, [new Date(s.at).toLocaleTimeString(), s.cause, s.in_use + '/' + s.max, s.waiters, s.wait_p99_ms.toFixed(1), s.hold_p99_ms.toFixed(1),
        s.failures, s.active_on_cpu, s.lock_waiters, s.backends, s.round_trip_ms.toFixed(1)]);
    });
  }
  function pollDiagnosis() {
    fetch(base + '/diagnosis', { cache: 'no-store' }).then(function (r) { return r.json(); })
      .then(renderDiagnosis)
      .catch(function (e) { $('cause').textContent = 'diagnosis unavailable: ' + e; })
      .finally(function () { setTimeout(pollDiagnosis, 1000); });
  }
  pollDiagnosis();
  function pollStatements() {
    fetch(base + '/statements', { cache: 'no-store' }).then(function (r) { return r.json(); })
      .then(function (r) {
        var body = $('statements'); body.textContent = '';
        r.statements.forEach(function (s) {
          row(body, [s.source || '–', s.calls, s.meanMs.toFixed(2), (s.totalMs / 1000).toFixed(2), s.topFinding || '–', s.indexAdvice || '–',
            s.query.length > 160 ? s.query.slice(0, 160) + '…' : s.query]);
        });
        $('statementNotes').textContent = r.notes.join(' ');
      })
      .catch(function (e) { $('statementNotes').textContent = 'statements unavailable: ' + e; })
      .finally(function () { setTimeout(pollStatements, 30000); });
  }
  pollStatements();
  function pollFleet() {
    fetch(base + '/fleet', { cache: 'no-store' }).then(function (r) { return r.json(); })
      .then(function (r) {
        var body = $('fleet'); body.textContent = '';
        var f = r.fleet;
        if (!f) { $('fleetBudget').textContent = r.note; $('fleetGovernor').textContent = ''; return; }
        var b = f.budget;
        $('fleetBudget').textContent = b.instances + ' instance(s): pools may open ' + b.demand + ' of the ' + b.budget + ' slot(s) left for them (' +
          b.usable_slots + ' usable − ' + b.other_clients + ' held by other clients)' +
          (b.oversubscribed ? ': OVERSUBSCRIBED, a pool of at most ' + b.fits_per_instance + ' per instance fits' : '');
        $('fleetBudget').className = b.oversubscribed ? 'bad' : 'ok';
        var g = f.governor;
        $('fleetGovernor').textContent = g
          ? 'Governor: cap ' + g.cap + ' / share ' + g.share + ' / budget ' + g.budget + ' (claim ' + g.claim + ', wants ' + g.wanted + ', cap since ' +
            new Date(g.changed_at).toLocaleTimeString() + '): ' + g.reason
          : 'Governor: off on this instance (Lifeguard:Fleet:Governor)';
        f.instances.forEach(function (i) {
          var name = i.service + '/' + i.instance;
          row(body, [name + (name === f.self ? ' (this)' : ''), i.pool_max, i.cap == null ? '–' : i.cap + ' (' + i.claim + ')', i.in_use, i.waiting, i.slots_held, i.wait_p99_ms.toFixed(1), i.refused,
            i.cause || '–', new Date(i.heartbeat_at).toLocaleTimeString()]);
        });
      })
      .catch(function (e) { $('fleetBudget').textContent = 'fleet unavailable: ' + e; })
      .finally(function () { setTimeout(pollFleet, 2000); });
  }
  pollFleet();
  function poll() {
    fetch(stateUrl, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(render)
      .catch(function (e) { $('status').textContent = 'state unavailable: ' + e; $('status').className = 'bad'; })
      .finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
""";
}
