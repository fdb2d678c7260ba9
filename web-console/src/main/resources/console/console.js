'use strict';
// The console page. Every value from the API is written with textContent (never innerHTML): topic names, keys
// and payloads are data, not markup. The Content-Security-Policy forbids inline script; this file is the only script
// besides Chart.js.

const REFRESH_MS = 3000;
const state = { session: null, timer: null, charts: {}, route: null, overviewRows: null };

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (key === 'data') Object.assign(node.dataset, value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// One formatter each, made once: toLocaleString makes a new one per call, which costs more than the rest of a row
// (the overview of 500 tables took 0.8 s to render with it).
const INT_FORMAT = new Intl.NumberFormat('en-US');
const RATE_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
function fmtInt(n) { return n === null || n === undefined || n < 0 ? '—' : INT_FORMAT.format(Number(n)); }
function fmtRate(n) { return n === null || n === undefined ? '—' : RATE_FORMAT.format(Number(n)); }
function fmtBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0; let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}
function fmtAge(seconds) {
  if (seconds === null || seconds === undefined) return 'never';
  if (seconds < 60) return Math.round(seconds) + ' s ago';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min ago';
  return (seconds / 3600).toFixed(1) + ' h ago';
}
function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return seconds.toFixed(seconds < 10 ? 1 : 0) + ' s';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min';
  return (seconds / 3600).toFixed(1) + ' h';
}
// An ISO-8601 duration as Java writes it (PT1H, PT10M, PT30S) in short form: 1h, 10m, 30s.
function fmtIsoDuration(iso) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso || '');
  if (!m) return iso;
  return [[m[1], 'h'], [m[2], 'm'], [m[3], 's']].filter(([v]) => v).map(([v, u]) => v + u).join(' ') || '0s';
}
function fmtTime(iso) { return iso ? TIME_FORMAT.format(new Date(iso)) : '—'; }
function stateBadge(s) { return el('span', { class: 'state state-' + s, data: { testid: 'state' } }, s); }

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: 'same-origin', headers: {} }, options || {}));
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    const error = new Error(body && body.error ? body.error : response.status + ' ' + response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

function showMessage(text, bad) {
  const box = document.getElementById('message');
  box.textContent = text;
  box.className = bad ? 'bad' : '';
  box.hidden = false;
}

// ---- session ----

async function loadSession() {
  state.session = await api('/api/session');
  renderSession();
}

function renderSession() {
  const box = document.getElementById('session');
  box.replaceChildren();
  const s = state.session;
  if (!s.loginRequired) {
    box.append(el('span', { class: 'muted', id: 'read-only' }, 'read-only console'));
  } else if (s.authenticated) {
    box.append(el('span', { id: 'whoami' }, s.user + ' (' + s.role.toLowerCase() + ')'),
      el('button', { id: 'logout', type: 'button', on: { click: logout } }, 'Log out'));
  } else {
    const user = el('input', { id: 'login-user', name: 'user', placeholder: 'user', autocomplete: 'username' });
    const password = el('input', { id: 'login-password', name: 'password', type: 'password', placeholder: 'password',
      autocomplete: 'current-password' });
    const form = el('form', { id: 'login-form', on: { submit: (e) => { e.preventDefault(); login(user.value, password.value); } } },
      user, password, el('button', { id: 'login', type: 'submit' }, 'Log in'));
    box.append(form);
  }
}

async function login(user, password) {
  try {
    state.session = await api('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user, password }) });
    renderSession();
    showMessage('Logged in as ' + state.session.user);
    refresh();
  } catch (e) { showMessage(e.message, true); }
}

async function logout() {
  await api('/api/logout', { method: 'POST' });
  await loadSession();
  refresh();
}

async function act(path, label) {
  try {
    const headers = {};
    if (state.session && state.session.csrfToken) headers['X-CSRF-Token'] = state.session.csrfToken;
    const result = await api(path, { method: 'POST', headers });
    showMessage(result.message);
    refresh();
  } catch (e) {
    showMessage(label + ' refused: ' + e.message, true);
  }
}

// Only an operator's session can act: a read-only console (no users) and a viewer get no buttons to be refused.
function canOperate() {
  const s = state.session;
  return !!(s && s.loginRequired && s.authenticated && s.role === 'OPERATOR');
}

function actionButtons(row) {
  if (!canOperate()) return null;
  const name = encodeURIComponent(row.name);
  const pause = row.paused
    ? el('button', { type: 'button', class: 'resume', on: { click: () => act('/api/pipelines/' + name + '/resume', 'Resume') } }, 'Resume')
    : el('button', { type: 'button', class: 'pause', on: { click: () => act('/api/pipelines/' + name + '/pause', 'Pause') } }, 'Pause');
  const compact = el('button', { type: 'button', class: 'compact', on: { click: () => act('/api/tables/' + name + '/compact', 'Compact') } }, 'Compact now');
  return el('div', { class: 'actions' }, pause, compact);
}

// ---- views ----

function destroyCharts() {
  for (const chart of Object.values(state.charts)) chart.destroy();
  state.charts = {};
}

function crumbs(name) {
  const nav = document.getElementById('crumbs');
  nav.replaceChildren(el('a', { href: '#/' }, 'Overview'));
  if (name) {
    const n = encodeURIComponent(name);
    nav.append(el('a', { href: '#/table/' + n }, 'Table ' + name), el('a', { href: '#/lag/' + n }, 'Lag'),
      el('a', { href: '#/audit/' + n }, 'Audit'));
  }
}

// The overview's filter and order live in the address (#/?q=orders&sort=lag), so a reload or a shared link keeps
// them; the controls are made once and kept across the 3-second refreshes, which replace only the rows.
const SORTS = {
  name: { label: 'name', compare: (a, b) => a.name.localeCompare(b.name) },
  lag: { label: 'lag, largest first', compare: (a, b) => b.totalLag - a.totalLag || a.name.localeCompare(b.name) },
  freshness: { label: 'freshness, stalest first', compare: (a, b) => staleness(b) - staleness(a) || a.name.localeCompare(b.name) },
  failures: { label: 'failures first', compare: (a, b) => trouble(b) - trouble(a) || b.totalLag - a.totalLag || a.name.localeCompare(b.name) },
};
// A table that never committed is the stalest of all.
function staleness(row) { return row.freshnessSeconds === null || row.freshnessSeconds === undefined ? Infinity : row.freshnessSeconds; }
// Failed before retrying before anything with an error or dead letters before the healthy.
function trouble(row) {
  const rank = { FAILED: 4, STOPPED: 3, RETRYING: 2 }[row.state] || 0;
  return rank * 2 + (row.error || (row.pendingDeadLetters || row.deadLetteredSinceStart) > 0 ? 1 : 0);
}

function overviewQuery() {
  const query = new URLSearchParams((location.hash.split('?')[1]) || '');
  const sort = SORTS[query.get('sort')] ? query.get('sort') : 'name';
  return { q: query.get('q') || '', sort };
}

function setOverviewQuery(q, sort) {
  const query = new URLSearchParams();
  if (q) query.set('q', q);
  if (sort !== 'name') query.set('sort', sort);
  const text = query.toString();
  // replaceState: typing a filter is not a page to go back to, and no hashchange re-renders the controls.
  history.replaceState(null, '', text ? '#/?' + text : '#/');
  if (state.overviewRows) renderOverviewRows(state.overviewRows);
}

function overviewControls() {
  const { q, sort } = overviewQuery();
  const search = el('input', { id: 'table-search', type: 'search', placeholder: 'Filter by table or topic', value: q,
    'aria-label': 'Filter tables by name or topic' });
  const order = el('select', { id: 'table-sort', 'aria-label': 'Order tables by' },
    Object.entries(SORTS).map(([key, s]) => el('option', { value: key }, 'Order by ' + s.label)));
  order.value = sort;
  search.addEventListener('input', () => setOverviewQuery(search.value.trim(), order.value));
  order.addEventListener('change', () => setOverviewQuery(search.value.trim(), order.value));
  return el('div', { id: 'overview-controls', class: 'controls' }, search, order, el('span', { id: 'overview-count', class: 'muted' }));
}

// The table's freshness objective under its freshness: the share of records in time over the window.
function objectiveLine(objective) {
  if (!objective) { return null; }
  const share = objective.ratio === null ? 'no records yet' : (objective.ratio * 100).toFixed(objective.ratio >= 0.999 ? 2 : 1) + ' %';
  return el('div', { class: objective.met ? 'muted' : 'error', data: { testid: 'objective' },
    title: 'objective ' + objective.objective + ' over ' + fmtIsoDuration(objective.window) + '; error budget burning at ' + objective.burnRate.toFixed(2) + 'x' },
    share + ' of ' + objective.objective);
}

function overviewRow(row) {
  return el('tr', { data: { pipeline: row.name }, class: 'table-row' },
    el('td', {}, el('a', { href: '#/table/' + encodeURIComponent(row.name), class: 'table-link' }, row.name),
      el('div', { class: 'muted mono' }, row.topics.join(', '))),
    el('td', {}, stateBadge(row.state), row.error ? el('div', { class: 'error' }, row.error) : null),
    el('td', { class: 'num', data: { testid: 'version' }, title: row.figuresReadAt ? 'as read at ' + fmtTime(row.figuresReadAt) : 'not read yet' },
      row.figuresReadAt ? fmtInt(row.tableVersion) : 'reading…'),
    el('td', {}, fmtAge(row.lastCommitAgeSeconds)),
    el('td', { data: { testid: 'freshness' }, title: 'age of the newest committed record (now minus its Kafka timestamp)' },
      fmtDuration(row.freshnessSeconds), objectiveLine(row.freshnessObjective)),
    el('td', { class: 'num' }, fmtRate(row.inputRowsPerSecond)),
    el('td', { class: 'num' }, fmtRate(row.processedRowsPerSecond)),
    el('td', { class: 'num' + (row.totalLag > 10000 ? ' lag-high' : ''), data: { testid: 'lag' } },
      el('a', { href: '#/lag/' + encodeURIComponent(row.name), class: 'lag-link' }, fmtInt(row.totalLag))),
    el('td', { class: 'num' }, fmtInt(row.files)),
    el('td', { class: 'num' }, fmtInt(row.smallFiles)),
    el('td', { class: 'num' }, fmtBytes(row.totalBytes)),
    el('td', {}, row.lastCompaction ? [row.lastCompaction.outcome, el('div', { class: 'muted' }, fmtTime(row.lastCompaction.startedAt))] : '—'),
    el('td', { class: 'num', data: { testid: 'dead-letters' } }, row.pendingDeadLetters !== null ? fmtInt(row.pendingDeadLetters)
      : [fmtInt(row.deadLetteredSinceStart), el('div', { class: 'muted' }, 'since start')]),
    el('td', {}, actionButtons(row)));
}

function renderOverviewRows(rows) {
  const { q, sort } = overviewQuery();
  const needle = q.toLowerCase();
  const shown = rows.filter((row) => !needle || row.name.toLowerCase().includes(needle)
    || row.topics.some((t) => t.toLowerCase().includes(needle))).sort(SORTS[sort].compare);
  const byState = {};
  rows.forEach((row) => { byState[row.state] = (byState[row.state] || 0) + 1; });
  const states = Object.entries(byState).sort().map(([s, n]) => n + ' ' + s.toLowerCase()).join(', ');
  document.getElementById('overview-count').textContent = (shown.length === rows.length ? rows.length + ' tables'
    : shown.length + ' of ' + rows.length + ' tables') + (states ? ' · ' + states : '');
  document.getElementById('overview-body').replaceChildren(...(shown.length ? shown.map(overviewRow)
    : [el('tr', {}, el('td', { colspan: 14, class: 'muted' }, rows.length ? 'no table matches the filter' : 'no table yet'))]));
}

async function renderOverview(view) {
  const rows = await api('/api/overview');
  state.overviewRows = rows;
  if (!document.getElementById('overview-body')) {
    const head = el('tr', {}, ['Pipeline', 'State', 'Version', 'Last commit', 'Freshness', 'Input/s', 'Process/s', 'Lag', 'Files', 'Small',
      'Size', 'Last compaction', 'Dead letters', 'Actions'].map((h, i) => el('th', { class: i >= 5 && i <= 10 ? 'num' : '' }, h)));
    view.replaceChildren(el('h1', {}, 'Tables'), overviewControls(),
      el('table', { id: 'overview' }, el('thead', {}, head), el('tbody', { id: 'overview-body' })));
  }
  renderOverviewRows(rows);
}

function simpleTable(id, headers, rows) {
  return el('table', { id }, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.length ? rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c))))
      : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'none'))));
}

function card(label, value, id) {
  return el('div', { class: 'card' }, el('div', { class: 'label' }, label), el('div', { class: 'value', id }, value));
}

function offsetsText(offsets) {
  if (!offsets) return '';
  return offsets.map((o) => o.topic + '-' + o.partition + ' ' + o.startOffset + '→' + o.nextOffset).join(', ');
}

// Pending letters by reason when the dead-letter table is readable, beside what this process sent since it started.
function deadLetterReasons(dl) {
  const reasons = Object.keys(Object.assign({}, dl.pendingByReason || {}, dl.sentSinceStartByReason)).sort();
  const headers = dl.pendingByReason === null ? ['Reason', 'Sent since start'] : ['Reason', 'Pending', 'Sent since start'];
  const rows = reasons.map((r) => {
    const sent = fmtInt(dl.sentSinceStartByReason[r] || 0);
    return dl.pendingByReason === null ? [r, sent] : [r, fmtInt(dl.pendingByReason[r] || 0), sent];
  });
  return [
    dl.pendingByReason === null ? el('p', { class: 'muted' }, 'No dead-letter table: counts are since this process started, and the examples are the newest messages of the dead-letter topic, if there is one.') : null,
    simpleTable('dead-letter-reasons', headers, rows)];
}

async function renderTable(view, name) {
  const [detail, overview] = await Promise.all([api('/api/tables/' + encodeURIComponent(name)), api('/api/overview')]);
  const row = overview.find((r) => r.name === name);
  const dl = detail.deadLetters;
  const parts = [
    el('h1', {}, 'Table ', el('span', { class: 'mono' }, detail.name), ' ', row ? stateBadge(row.state) : null),
    el('p', { class: 'muted mono' }, detail.location),
    el('p', { class: 'muted', id: 'commit-coordination' }, 'Commits coordinated by ', el('span', { class: 'mono' }, detail.commitCoordination),
      detail.commitCoordination === 'conditional-put' ? ' (several appliances may write this table)'
        : detail.commitCoordination === 'writer-lease' ? ' (one appliance writes this table)' : ''),
    row ? actionButtons(row) : null,
    el('div', { class: 'cards' },
      card('Version', fmtInt(detail.version)), card('Files', row ? fmtInt(row.files) : '—'),
      card('Small files', row ? fmtInt(row.smallFiles) : '—'), card('Size', row ? fmtBytes(row.totalBytes) : '—'),
      card('Rows', row ? fmtInt(row.records) : '—'), card('Lag', row ? fmtInt(row.totalLag) : '—')),
    el('h2', {}, 'Schema'),
    simpleTable('schema', ['Column', 'Type', 'Nullable'], detail.schema.map((f) => [el('span', { class: 'mono' }, f.name), el('span', { class: 'mono' }, f.type), f.nullable ? 'yes' : 'no'])),
    el('h2', {}, 'Schema history'),
    simpleTable('schema-history', ['Version', 'When', 'Operation', 'Added columns', 'Writer schema', 'Columns'],
      detail.schemaHistory.map((c) => [fmtInt(c.version), fmtTime(c.timestamp), c.operation, c.addedColumns.join(', '), c.writerSchema || '', fmtInt(c.columnCount)])),
    el('h2', {}, 'Partitions'),
    simpleTable('partitions', ['Partition', 'Files', 'Size', 'Rows'], detail.partitions.map((p) => [
      el('span', { class: 'mono' }, Object.entries(p.values).map(([k, v]) => k + '=' + (v === null ? 'null' : v)).join(', ') || '(unpartitioned)'),
      fmtInt(p.files), fmtBytes(p.bytes), fmtInt(p.records)])),
    el('h2', {}, 'File sizes'),
    el('div', { class: 'chart' }, el('canvas', { id: 'chart-file-sizes' })),
    el('h2', {}, 'Commits'),
    simpleTable('commits', ['Version', 'When', 'Operation', 'Batch', 'Offsets', 'Rows', 'Files'], detail.commits.map((c) => [
      fmtInt(c.version), fmtTime(c.timestamp), c.operation, c.batchId === null ? '' : c.batchId,
      el('span', { class: 'mono' }, offsetsText(c.offsets)), c.rows || '', c.files || ''])),
    el('h2', {}, 'Compaction and vacuum runs'),
    simpleTable('compactions', ['Started', 'Kind', 'Outcome', 'Files before → after', 'Bytes before → after', 'Duration', 'Detail'],
      detail.compactions.map((r) => [fmtTime(r.startedAt), r.kind, r.outcome, fmtInt(r.filesBefore) + ' → ' + fmtInt(r.filesAfter),
        fmtBytes(r.bytesBefore) + ' → ' + fmtBytes(r.bytesAfter), (r.durationMs / 1000).toFixed(1) + ' s', r.detail])),
    el('h2', {}, 'Dead letters'),
    el('p', { class: 'muted' }, 'Destination: ' + dl.destination),
    deadLetterReasons(dl),
    el('h3', {}, 'Latest examples'),
    simpleTable('dead-letter-examples', ['Where', 'Reason', 'Message', 'Key', 'Value', 'State'], dl.examples.map((x) => [
      el('span', { class: 'mono' }, x.topic + '-' + x.partition + '@' + x.offset), x.reason, x.message,
      el('div', { class: 'payload mono' }, x.key === null ? 'null' : x.key),
      el('div', { class: 'payload mono' }, x.value === null ? 'null' : x.value), x.replayState])),
  ];
  view.replaceChildren(...parts.flat().filter(Boolean));
  destroyCharts();
  state.charts.fileSizes = new Chart(document.getElementById('chart-file-sizes'), {
    type: 'bar',
    data: { labels: detail.fileSizes.map((b) => b.label), datasets: [{ label: 'files', data: detail.fileSizes.map((b) => b.files), backgroundColor: '#4e79a7' }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

function lineChart(canvasId, labels, datasets) {
  const existing = state.charts[canvasId];
  if (existing) {
    existing.data.labels = labels;
    existing.data.datasets.forEach((d, i) => { d.data = datasets[i].data; });
    existing.update('none');
    return;
  }
  // A dataset on the 'percent' axis (the objective's share in time) gets a 0-100 axis on the right.
  const scales = { y: { beginAtZero: true } };
  if (datasets.some((d) => d.yAxisID === 'percent')) {
    scales.percent = { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false } };
  }
  state.charts[canvasId] = new Chart(document.getElementById(canvasId), {
    type: 'line',
    data: { labels, datasets: datasets.map((d) => Object.assign({ pointRadius: 0, borderWidth: 2, tension: 0.2 }, d)) },
    options: { animation: false, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false }, scales },
  });
}

async function renderLag(view, name) {
  const lag = await api('/api/tables/' + encodeURIComponent(name) + '/lag');
  const sameView = state.route === 'lag:' + name && document.getElementById('chart-lag');
  const partitions = simpleTable('partitions-lag', ['Topic', 'Partition', 'Log-end offset', 'Next offset in table', 'Lag'],
    lag.partitions.map((p) => [el('span', { class: 'mono' }, p.topic), fmtInt(p.partition), fmtInt(p.logEndOffset), fmtInt(p.tableNextOffset),
      el('span', { class: 'lag-value' }, fmtInt(p.lag))]));
  // A keyed table's batches say what their merge did: rows inserted / updated / deleted, and the files rewritten
  // with the rows copied from them (the write amplification).
  const merged = (m) => m ? fmtInt(m.inserted) + ' / ' + fmtInt(m.updated) + ' / ' + fmtInt(m.deleted) + ', '
    + fmtInt(m.filesRewritten) + ' files (' + fmtInt(m.copied) + ' rows) rewritten' : '';
  const batches = simpleTable('batches', ['Batch', 'Finished', 'Outcome', 'Version', 'Rows', 'Dead letters', 'Input/s', 'Process/s', 'Duration',
    'Merged: inserted / updated / deleted'],
    lag.recentBatches.slice().reverse().slice(0, 30).map((b) => [fmtInt(b.batchId), fmtTime(b.timestamp), b.outcome, fmtInt(b.tableVersion),
      fmtInt(b.numInputRows), fmtInt(b.deadLetters), fmtRate(b.inputRowsPerSecond), fmtRate(b.processedRowsPerSecond), b.durationMs.total + ' ms',
      merged(b.merge)]));
  if (!sameView) {
    destroyCharts();
    view.replaceChildren(
      el('h1', {}, 'Lag of ', el('span', { class: 'mono' }, lag.name), ' ', el('span', { id: 'lag-state' })),
      el('div', { class: 'cards' }, card('Total lag', '', 'total-lag')),
      el('div', { class: 'charts' },
        el('div', { class: 'chart' }, el('canvas', { id: 'chart-lag' })),
        el('div', { class: 'chart' }, el('canvas', { id: 'chart-rates' })),
        el('div', { class: 'chart' }, el('canvas', { id: 'chart-freshness' }))),
      el('h2', {}, 'Partitions'), el('div', { id: 'partitions-box' }),
      el('h2', {}, 'Recent batches'), el('div', { id: 'batches-box' }));
  }
  document.getElementById('lag-state').replaceChildren(stateBadge(lag.state));
  document.getElementById('total-lag').textContent = fmtInt(lag.totalLag);
  document.getElementById('partitions-box').replaceChildren(partitions);
  document.getElementById('batches-box').replaceChildren(batches);
  const labels = lag.series.map((s) => new Date(s.epochMillis).toLocaleTimeString());
  lineChart('chart-lag', labels, [{ label: 'lag (records)', data: lag.series.map((s) => Math.max(0, s.totalLag)), borderColor: '#e15759' }]);
  lineChart('chart-rates', labels, [
    { label: 'input rows/s', data: lag.series.map((s) => s.inputRowsPerSecond), borderColor: '#4e79a7' },
    { label: 'processed rows/s', data: lag.series.map((s) => s.processedRowsPerSecond), borderColor: '#59a14f' }]);
  // Freshness: how old the newest committed record is; with an objective, the share of records in time too.
  const freshness = [{ label: 'freshness (s)', data: lag.series.map((s) => s.freshnessSeconds), borderColor: '#f28e2b' }];
  if (lag.objective) {
    freshness.push({ label: '% in time (' + lag.objective + ')', data: lag.series.map((s) => s.objectivePercent),
      borderColor: '#76b7b2', yAxisID: 'percent' });
  }
  lineChart('chart-freshness', labels, freshness);
}

// The audit page: the freshness objective, and the last offset audit of the table's log (run in the background).
async function renderAudit(view, name) {
  const audit = await api('/api/tables/' + encodeURIComponent(name) + '/audit');
  const o = audit.objective;
  const objective = o
    ? el('div', { class: 'cards', id: 'audit-objective' },
      card('Objective', o.objective + ' over ' + fmtIsoDuration(o.window)),
      card('In time', o.ratio === null ? 'no records yet' : (o.ratio * 100).toFixed(2) + ' %'),
      card('Error budget burn rate', o.burnRate.toFixed(2) + 'x'),
      card('Status', o.met ? 'met' : 'breached'))
    : el('p', { class: 'muted', id: 'audit-objective' }, 'No freshness objective (table.freshness-objective).');
  let verdict;
  if (audit.state === 'RUNNING') {
    verdict = el('p', { id: 'audit-verdict', class: 'muted' }, 'Auditing the log…');
  } else if (audit.state === 'FAILED') {
    verdict = el('p', { id: 'audit-verdict', class: 'error' }, 'The audit failed: ' + audit.error);
  } else {
    verdict = el('p', { id: 'audit-verdict', class: audit.ok ? '' : 'error' },
      (audit.ok ? 'Every offset taken is in the table exactly once' : 'NOT WHOLE: see the problems below')
      + ': versions ' + fmtInt(audit.fromVersion) + ' to ' + fmtInt(audit.toVersion) + ', ' + fmtInt(audit.commits)
      + ' commits audited' + (audit.logTruncated ? ' (earlier versions are no longer in the log)' : '')
      + ', finished ' + fmtTime(audit.finishedAt) + (audit.renewing ? ' (a newer audit is running)' : '') + '.');
  }
  const partitions = simpleTable('audit-partitions', ['Topic', 'Partition', 'Offsets', 'Commits', 'Skipped', 'Start-overs', 'Result'],
    audit.partitions.map((p) => [el('span', { class: 'mono' }, p.topic), fmtInt(p.partition),
      fmtInt(p.firstOffset) + ' to ' + fmtInt(p.nextOffset - 1), fmtInt(p.commits), fmtInt(p.skippedOffsets), fmtInt(p.startOvers),
      p.problems.length ? el('span', { class: 'error' }, p.problems.length + ' problems') : 'every offset once']));
  const problems = audit.partitions.flatMap((p) => p.problems);
  view.replaceChildren(...[
    el('h1', {}, 'Audit of ', el('span', { class: 'mono' }, audit.name)),
    el('h2', {}, 'Freshness objective'), objective,
    el('h2', {}, 'Offsets'), verdict, partitions,
    problems.length ? el('ul', { id: 'audit-problems', class: 'error' }, problems.map((p) => el('li', {}, p))) : null,
    el('p', { class: 'muted' }, 'From the table\'s log only; ', el('code', {}, 'lakehouse audit --deep'),
      ' also reads the topic and matches every record with a row or a dead letter.')].filter((n) => n !== null));
}

async function refresh() {
  const view = document.getElementById('view');
  const hash = location.hash || '#/';
  const match = hash.match(/^#\/(table|lag|audit)\/(.+)$/);
  const name = match ? decodeURIComponent(match[2]) : null;
  const route = match ? match[1] + ':' + name : 'overview';
  crumbs(name);
  try {
    if (state.session && state.session.loginRequired && !state.session.authenticated) {
      destroyCharts();
      view.replaceChildren(el('p', { id: 'login-needed' }, 'Log in to see the tables.'));
    } else if (!match) {
      destroyCharts();
      if (state.route !== 'overview') view.replaceChildren();
      await renderOverview(view);
    } else if (match[1] === 'table') {
      await renderTable(view, name);
    } else if (match[1] === 'audit') {
      destroyCharts();
      await renderAudit(view, name);
    } else {
      await renderLag(view, name);
    }
    state.route = route;
  } catch (e) {
    if (e.status === 401) { await loadSession(); }
    destroyCharts();
    state.route = null;
    view.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

function schedule() {
  clearInterval(state.timer);
  state.timer = setInterval(refresh, REFRESH_MS);
}

window.addEventListener('hashchange', () => { state.route = null; refresh(); });
window.addEventListener('DOMContentLoaded', async () => {
  try { await loadSession(); } catch (e) { showMessage(e.message, true); }
  await refresh();
  schedule();
});
