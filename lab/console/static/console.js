// OneStop lab console: login, jobs, a job's live run, results and reports.
// Plain ES2020, no framework, no external URLs. Every piece of server data reaches the page as
// text (textContent), never as markup. The API is described in docs/lab-api.md.
'use strict';

(() => {
  const $ = (sel, root = document) => root.querySelector(sel);

  const state = {
    me: null,            // {name, role, csrf}
    plans: [],
    job: null,           // the JobView on screen
    jobES: null,         // EventSource of that job
    listES: null,        // EventSource of every job, while the list is on screen
    readings: new Map(), // channel -> {last: ReadingEvent, series: [[t, v], …]}
    chartCh: '',
    agentsTimer: 0,
    drawPending: false,
    refetchTimer: 0,
    listTimer: 0,
    view: 0,             // bumped on every route change; stale async work checks it
  };

  const SERIES_MAX = 600;          // points per channel kept for the chart
  const SERIES_SPAN = 10 * 60e3;   // ms of history the chart shows
  const AGENTS_EVERY = 10e3;       // ms between agents list refreshes

  const ROLE_TEXT = { operator: '检测员 Operator', reviewer: '审核员 Reviewer' };
  const OUTCOME_CLASS = {
    'pass': 'pass', 'conditional pass': 'cpass', 'conditional fail': 'cfail',
    'fail': 'fail', 'not evaluated': 'ne', 'not judged': 'ne',
  };

  // ---- helpers ---------------------------------------------------------------------------

  // el builds an element: attrs may hold class, text, dataset and plain attributes; children
  // are nodes or strings (as text).
  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === undefined || c === null) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function fmtTime(s) {
    if (!s) return '—';
    const d = new Date(s);
    if (isNaN(d) || d.getFullYear() < 1971) return '—';
    return d.toLocaleString('zh-CN', { hour12: false });
  }

  function fmtClock(ms) {
    return new Date(ms).toLocaleTimeString('zh-CN', { hour12: false });
  }

  function fmtNum(v) {
    if (typeof v !== 'number' || !isFinite(v)) return String(v ?? '—');
    if (Number.isInteger(v)) return String(v);
    return String(Math.round(v * 1e4) / 1e4);
  }

  function text(t) { // a {zh, en} label
    if (!t) return '';
    return [t.zh, t.en].filter(Boolean).join(' ');
  }

  function setError(id, err) {
    const e = $(id);
    if (e) e.textContent = err ? (err.message || String(err)) : '';
  }

  class APIError extends Error {
    constructor(status, message, code) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // api calls the console's JSON API; POSTs carry the session's CSRF token.
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    const opts = { method, headers, credentials: 'same-origin' };
    if (method !== 'GET' && state.me) headers['X-CSRF-Token'] = state.me.csrf;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      throw new APIError(0, '无法连接工作站 Station unreachable');
    }
    if (res.status === 204) return null;
    let data = null;
    if ((res.headers.get('Content-Type') || '').includes('application/json')) {
      data = await res.json().catch(() => null);
    }
    if (!res.ok) {
      const msg = (data && data.error) || `${res.status} ${res.statusText}`;
      if (res.status === 401 && path !== '/api/login' && state.me) {
        loggedOut();
      }
      throw new APIError(res.status, msg, data && data.code);
    }
    return data;
  }

  // ---- login -----------------------------------------------------------------------------

  function showLogin() {
    $('#login-view').hidden = false;
    $('#app-view').hidden = true;
    $('#user-box').hidden = true;
    $('#login-name').focus();
  }

  function loggedOut() {
    state.me = null;
    state.view++;
    closeStreams();
    clearInterval(state.agentsTimer);
    showLogin();
  }

  async function onLogin(ev) {
    ev.preventDefault();
    setError('#login-error', null);
    const btn = $('#login-submit');
    btn.disabled = true;
    try {
      state.me = await api('POST', '/api/login', {
        name: $('#login-name').value,
        password: $('#login-password').value,
      });
      $('#login-password').value = '';
      await enterApp();
    } catch (e) {
      setError('#login-error', e);
    } finally {
      btn.disabled = false;
    }
  }

  async function onLogout() {
    try {
      await api('POST', '/api/logout');
    } catch (e) {
      // The session is gone either way.
    }
    loggedOut();
  }

  async function enterApp() {
    $('#login-view').hidden = true;
    $('#app-view').hidden = false;
    $('#user-box').hidden = false;
    $('#user-name').textContent = state.me.name;
    $('#user-role').textContent = ROLE_TEXT[state.me.role] || state.me.role;
    $('#user-role').dataset.role = state.me.role;
    $('#new-job-toggle').hidden = state.me.role !== 'operator';
    clearInterval(state.agentsTimer);
    state.agentsTimer = setInterval(loadAgents, AGENTS_EVERY);
    loadAgents();
    loadPlans();
    route();
  }

  // ---- routing ---------------------------------------------------------------------------

  function route() {
    if (!state.me) return;
    const m = location.hash.match(/^#\/jobs\/([A-Za-z0-9._-]{1,64})$/);
    closeStreams();
    state.view++;
    if (m) {
      showJob(m[1]);
    } else {
      showJobs();
    }
  }

  function closeStreams() {
    for (const k of ['jobES', 'listES']) {
      if (state[k]) state[k].close();
      state[k] = null;
    }
    clearTimeout(state.refetchTimer);
    clearTimeout(state.listTimer);
  }

  // ---- jobs list -------------------------------------------------------------------------

  async function showJobs() {
    $('#jobs-view').hidden = false;
    $('#job-view').hidden = true;
    state.job = null;
    const view = state.view;
    await loadJobs();
    if (view !== state.view) return;
    // Refresh the list when any job changes; readings are not needed here.
    const es = new EventSource('/api/events');
    const later = () => {
      clearTimeout(state.listTimer);
      state.listTimer = setTimeout(loadJobs, 300);
    };
    for (const t of ['job', 'step', 'report']) es.addEventListener(t, later);
    state.listES = es;
  }

  async function loadJobs() {
    setError('#jobs-error', null);
    let jobs;
    try {
      jobs = await api('GET', '/api/jobs');
    } catch (e) {
      setError('#jobs-error', e);
      return;
    }
    const tbody = $('#jobs tbody');
    tbody.replaceChildren(...jobs.map((j) => el('tr', { dataset: { id: j.id, state: j.state } },
      el('td', {}, el('a', { href: `#/jobs/${j.id}`, text: j.id })),
      el('td', {}, el('span', { class: 'badge', dataset: { state: j.state }, text: `${j.state_zh} ${j.state}` })),
      el('td', { text: j.customer }),
      el('td', { text: [j.product_type, j.model].filter(Boolean).join(' ') }),
      el('td', { text: j.operator }),
      el('td', { text: j.reviewer }),
      el('td', { class: OUTCOME_CLASS[j.overall] || '', text: j.overall || '' }),
      el('td', {}, j.report ? el('a', { href: reportURL(j.report), download: `${j.report}.pdf`, text: j.report }) : ''),
      el('td', { text: fmtTime(j.updated) }),
    )));
    $('#jobs-empty').hidden = jobs.length > 0;
  }

  async function loadPlans() {
    try {
      state.plans = await api('GET', '/api/plans');
    } catch (e) {
      setError('#new-job-error', e);
      return;
    }
    const sel = $('#new-job [name="product.type"]');
    const seen = new Map();
    for (const p of state.plans) {
      if (!seen.has(p.product_type)) seen.set(p.product_type, p);
    }
    sel.replaceChildren(...[...seen.values()].map((p) =>
      el('option', { value: p.product_type, text: `${text(p.title)} (${p.product_type})` })));
  }

  function toggleNewJob(show) {
    const form = $('#new-job');
    form.hidden = !show;
    if (show) {
      const received = form.elements['received'];
      if (!received.value) received.value = new Date().toLocaleDateString('sv-SE'); // YYYY-MM-DD
      form.elements['customer.name'].focus();
    }
  }

  // formJSON turns the form's fields, named like the JSON ("product.model"), into NewJob.
  function formJSON(form) {
    const out = {};
    for (const f of form.elements) {
      if (!f.name) continue;
      let v = f.value.trim();
      if (f.type === 'number') v = v === '' ? 0 : Number(v);
      const path = f.name.split('.');
      let o = out;
      for (const k of path.slice(0, -1)) o = (o[k] = o[k] || {});
      o[path[path.length - 1]] = v;
    }
    return out;
  }

  async function onNewJob(ev) {
    ev.preventDefault();
    setError('#new-job-error', null);
    const btn = $('#new-job-submit');
    btn.disabled = true;
    try {
      const job = await api('POST', '/api/jobs', formJSON(ev.target));
      ev.target.reset();
      toggleNewJob(false);
      location.hash = `#/jobs/${job.id}`;
    } catch (e) {
      setError('#new-job-error', e);
    } finally {
      btn.disabled = false;
    }
  }

  // ---- one job ---------------------------------------------------------------------------

  async function showJob(id) {
    $('#jobs-view').hidden = true;
    $('#job-view').hidden = false;
    setError('#job-error', null);
    state.readings = new Map();
    state.chartCh = '';
    renderReadings();
    const view = state.view;
    try {
      const j = await api('GET', `/api/jobs/${id}`);
      if (view !== state.view) return;
      renderJob(j);
    } catch (e) {
      if (view !== state.view) return;
      state.job = null;
      $('#job-title').textContent = `任务 Job ${id}`;
      setError('#job-error', e);
      return;
    }
    openJobStream(id);
  }

  function openJobStream(id) {
    const es = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
    state.jobES = es;
    const status = $('#live-status');
    es.onopen = () => { status.textContent = '已连接 connected'; };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        status.textContent = '连接断开 disconnected';
        // The server refused (e.g. the session ended): check, then try again.
        setTimeout(async () => {
          if (state.jobES !== es || !state.me) return;
          try {
            await api('GET', '/api/me');
            if (state.jobES === es) openJobStream(id);
          } catch (e) { /* api() shows the login on 401 */ }
        }, 5000);
      } else {
        status.textContent = '重新连接中 reconnecting…';
      }
    };
    es.addEventListener('reading', (e) => onReading(parse(e)));
    es.addEventListener('result', (e) => onResult(parse(e)));
    for (const t of ['step', 'job', 'report']) {
      es.addEventListener(t, () => refetchJob(id));
    }
  }

  function parse(e) {
    try {
      return JSON.parse(e.data);
    } catch (err) {
      return null;
    }
  }

  function refetchJob(id) {
    clearTimeout(state.refetchTimer);
    state.refetchTimer = setTimeout(async () => {
      if (!state.job || state.job.id !== id) return;
      try {
        renderJob(await api('GET', `/api/jobs/${id}`));
      } catch (e) {
        setError('#job-error', e);
      }
    }, 250);
  }

  function renderJob(j) {
    state.job = j;
    $('#job-title').textContent = `任务 Job ${j.id}`;
    const st = $('#job-state');
    st.textContent = `${j.state_zh} ${j.state}`;
    st.dataset.state = j.state;
    renderFields(j);
    renderActions(j);
    renderProgress(j.progress || {});
    renderManual(j);
    renderResults(j.results || []);
    renderSteps(j.steps || []);
    renderReports(j.reports || []);
    renderAudit(j.audit || []);
  }

  function renderFields(j) {
    const plan = j.plan || {};
    const rows = [
      ['委托单位 Customer', j.customer],
      ['统一社会信用代码 USCC', j.uscc],
      ['样品 Product', [j.product_type, j.model].filter(Boolean).join(' ')],
      ['批号 Batch', j.batch],
      ['样品编号 Sample ID', j.sample_id],
      ['收样日期 Received', j.received],
      ['检测地点 Location of testing', j.location],
      ['检测类型 Mode', j.mode],
      ['判定规则 Rule', j.rule],
      ['设备 Rig', [j.agent, j.dev].filter(Boolean).join(' / ')],
      ['检测方案 Plan', [text(plan.title), (plan.standards || []).join(', ')].filter(Boolean).join(' — ')],
      ['检测员 Operator', j.operator],
      ['审核员 Reviewer', j.reviewer],
      ['总体结论 Overall', j.overall],
    ];
    const dl = $('#job-fields');
    dl.replaceChildren();
    for (const [k, v] of rows) {
      if (!v) continue;
      dl.append(el('dt', { text: k }), el('dd', { text: v }));
    }
    for (const [k, id] of [['复测自 Retest of', j.retest_of], ['复测任务 Retest', j.retest]]) {
      if (id) dl.append(el('dt', { text: k }), el('dd', {}, el('a', { href: `#/jobs/${id}`, text: id })));
    }
  }

  function renderActions(j) {
    const role = state.me && state.me.role;
    const op = role === 'operator';
    const rev = role === 'reviewer';
    const running = !!(j.progress && j.progress.running);
    $('#job-start').hidden = !(op && j.state === 'registered');
    $('#job-submit').hidden = !(op && j.state === 'testing' && !running);
    $('#job-release').hidden = !(rev && j.state === 'to be verified');
    const inv = rev && (j.state === 'to be verified' || j.state === 'released');
    const reissue = rev && j.state === 'released';
    $('#job-invalidate').hidden = !inv;
    $('#job-reissue').hidden = !reissue;
    $('#job-reason').hidden = !(inv || reissue);
  }

  function renderProgress(p) {
    const bar = $('#progress');
    const total = p.steps_total || 0;
    bar.max = total > 0 ? total : 1;
    bar.value = Math.min(p.steps_done || 0, bar.max);
    bar.dataset.done = String(p.steps_done || 0);
    bar.dataset.total = String(total);
    bar.dataset.running = String(!!p.running);
    const parts = [`${p.steps_done || 0} / ${total}`];
    if (p.running) parts.push(`运行中 running${p.current ? `: ${p.current}` : ''}`);
    if (p.error) parts.push(`停止 stopped: ${p.error}`);
    $('#progress-text').textContent = parts.join(' · ');
  }

  function renderManual(j) {
    const items = ((j.plan && j.plan.items) || []).filter((it) => it.manual);
    const show = state.me && state.me.role === 'operator' && items.length > 0 &&
      (j.state === 'registered' || j.state === 'testing');
    const sec = $('#manual-entry');
    sec.hidden = !show;
    if (!show) return;
    const done = new Map((j.results || []).map((r) => [r.item, r]));
    $('tbody', sec).replaceChildren(...items.map((it) => {
      const r = done.get(it.id);
      const input = el('input', {
        type: 'number', step: 'any', dataset: { item: it.id },
        value: r ? r.value : '', 'aria-label': text(it.title),
      });
      const btn = el('button', { type: 'button', dataset: { item: it.id } }, '记录 ', el('span', { class: 'en', text: 'Record' }));
      btn.addEventListener('click', () => onManual(it.id, input));
      return el('tr', { dataset: { item: it.id } },
        el('td', { text: `${it.clause} ${text(it.title)}` }),
        el('td', { text: it.limit }),
        el('td', {}, input),
        el('td', {}, btn));
    }));
  }

  async function onManual(item, input) {
    setError('#job-error', null);
    if (input.value.trim() === '' || !isFinite(Number(input.value))) {
      setError('#job-error', new Error('请输入数值 Enter a number'));
      return;
    }
    try {
      renderJob(await api('POST', `/api/jobs/${state.job.id}/manual`, { item, value: Number(input.value) }));
    } catch (e) {
      setError('#job-error', e);
    }
  }

  function resultRow(r) {
    const oc = OUTCOME_CLASS[r.outcome] || '';
    return el('tr', { dataset: { item: r.item, outcome: r.outcome || '' } },
      el('td', { text: r.clause }),
      el('td', { text: text(r.title) || r.item }),
      el('td', { text: r.outcome === 'not evaluated' ? '—' : `${fmtNum(r.value)} ${r.unit || ''}` }),
      el('td', { text: r.limit }),
      el('td', { text: r.u ? fmtNum(r.u) : '' }),
      el('td', { class: oc, text: [r.outcome_zh, r.outcome].filter(Boolean).join(' ') }),
      el('td', { text: r.problem || '' }));
  }

  function renderResults(results) {
    $('#results tbody').replaceChildren(...results.map(resultRow));
  }

  function onResult(r) {
    if (!r || !r.item || !state.job) {
      if (state.job) refetchJob(state.job.id);
      return;
    }
    const list = state.job.results = state.job.results || [];
    const i = list.findIndex((x) => x.item === r.item);
    if (i >= 0) list[i] = r; else list.push(r);
    const row = resultRow(r);
    const old = $(`#results tbody tr[data-item="${CSS.escape(r.item)}"]`);
    if (old) old.replaceWith(row); else $('#results tbody').append(row);
  }

  function renderSteps(steps) {
    $('#steps tbody').replaceChildren(...steps.map((s) => el('tr', { dataset: { step: s.name, state: s.state } },
      el('td', { text: `${s.number}. ${s.name}` }),
      el('td', { text: s.state }),
      el('td', { text: fmtTime(s.from) }),
      el('td', { text: fmtTime(s.to) }),
      el('td', { text: String(s.readings) }),
      el('td', { text: [...(s.alarms || []), ...(s.problems || [])].join('; ') }))));
  }

  function reportURL(no) {
    return `/api/reports/${encodeURIComponent(no)}/pdf`;
  }

  function renderReports(reports) {
    $('#reports').replaceChildren(...reports.map((r, i) => el('li', { dataset: { report: r.number } },
      el('a', { id: i === 0 ? 'report-download' : null, href: reportURL(r.number), download: `${r.number}.pdf` },
        `下载 Download ${r.number}.pdf`),
      ' · ', fmtTime(r.issued),
      r.verify_url ? ' · ' : null,
      r.verify_url ? el('a', { id: i === 0 ? 'report-verify' : null, href: r.verify_url, target: '_blank', rel: 'noopener', text: '核验 Verify' }) : null,
      r.verify_url ? el('code', { class: 'url', text: r.verify_url }) : null,
      r.superseded_by ? el('span', { class: 'muted', text: ` 已被 ${r.superseded_by} 取代 superseded by ${r.superseded_by}` }) : null,
      r.reason ? el('span', { class: 'muted', text: ` (${r.reason})` }) : null)));
  }

  function renderAudit(audit) {
    $('#audit tbody').replaceChildren(...audit.map((a) => el('tr', {},
      el('td', { text: fmtTime(a.when) }), el('td', { text: a.who }),
      el('td', { text: a.what }), el('td', { text: a.note || '' }))));
  }

  async function onAction(action) {
    if (!state.job) return;
    setError('#job-error', null);
    let body;
    if (action === 'invalidate' || action === 'reissue') {
      const reason = $('#job-reason').value.trim();
      if (!reason) {
        setError('#job-error', new Error('请填写原因 Enter a reason'));
        $('#job-reason').focus();
        return;
      }
      body = { reason };
    }
    const btn = $(`#job-${action}`);
    btn.disabled = true;
    try {
      const j = await api('POST', `/api/jobs/${state.job.id}/${action}`, body);
      $('#job-reason').value = '';
      renderJob(j);
    } catch (e) {
      setError('#job-error', e);
    } finally {
      btn.disabled = false;
    }
  }

  // ---- live readings and chart -----------------------------------------------------------

  function onReading(r) {
    if (!r || !r.ch) return;
    let c = state.readings.get(r.ch);
    if (!c) {
      c = { last: r, series: [] };
      state.readings.set(r.ch, c);
      if (!state.chartCh) state.chartCh = r.ch;
    }
    c.last = r;
    if (typeof r.v === 'number' && isFinite(r.v)) {
      c.series.push([r.t, r.v]);
      const from = r.t - SERIES_SPAN;
      let drop = 0;
      while (drop < c.series.length && (c.series[drop][0] < from || c.series.length - drop > SERIES_MAX)) drop++;
      if (drop) c.series.splice(0, drop);
    }
    if (!state.drawPending) {
      state.drawPending = true;
      requestAnimationFrame(() => {
        state.drawPending = false;
        renderReadings();
      });
    }
  }

  function renderReadings() {
    const chans = [...state.readings.keys()].sort();
    const tbody = $('#live-readings tbody');
    for (const ch of chans) {
      const r = state.readings.get(ch).last;
      let row = $(`tr[data-ch="${CSS.escape(ch)}"]`, tbody);
      if (!row) {
        row = el('tr', { dataset: { ch } }, el('td', { text: ch }), el('td', { class: 'num' }), el('td'), el('td'), el('td'));
        row.addEventListener('click', () => selectChannel(ch));
        tbody.append(row);
      }
      const cells = row.children;
      cells[1].textContent = fmtNum(r.v);
      cells[2].textContent = r.unit || '';
      cells[3].textContent = r.q || '';
      cells[3].className = r.q && r.q !== 'good' ? 'bad' : '';
      cells[4].textContent = r.t ? fmtClock(r.t) : '';
      row.classList.toggle('selected', ch === state.chartCh);
    }
    if (chans.length === 0) tbody.replaceChildren();
    const sel = $('#chart-channel');
    if (sel.options.length !== chans.length) {
      sel.replaceChildren(...chans.map((ch) => el('option', { value: ch, text: ch })));
    }
    sel.value = state.chartCh;
    drawChart();
  }

  function selectChannel(ch) {
    state.chartCh = ch;
    renderReadings();
  }

  function drawChart() {
    const canvas = $('#chart');
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || canvas.width;
    const h = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const c = state.readings.get(state.chartCh);
    canvas.dataset.ch = state.chartCh;
    canvas.dataset.points = String(c ? c.series.length : 0);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#57606a';
    if (!c || c.series.length === 0) {
      ctx.fillText('等待读数 Waiting for readings…', 12, h / 2);
      return;
    }
    const pts = c.series;
    const pad = { l: 56, r: 12, t: 18, b: 24 };
    const t1 = pts[pts.length - 1][0];
    const t0 = Math.min(pts[0][0], t1 - 1000);
    let lo = Infinity;
    let hi = -Infinity;
    for (const [, v] of pts) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    const m = (hi - lo) * 0.08;
    lo -= m; hi += m;
    const x = (t) => pad.l + (t - t0) / (t1 - t0) * (w - pad.l - pad.r);
    const y = (v) => h - pad.b - (v - lo) / (hi - lo) * (h - pad.t - pad.b);

    // Grid and labels.
    ctx.strokeStyle = '#d0d7de';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const v = lo + (hi - lo) * i / 4;
      const yy = Math.round(y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(pad.l, yy); ctx.lineTo(w - pad.r, yy); ctx.stroke();
      ctx.fillText(fmtNum(Number(v.toPrecision(4))), pad.l - 6, yy);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let i = 0; i <= 3; i++) {
      const t = t0 + (t1 - t0) * i / 3;
      ctx.fillText(fmtClock(t), Math.min(Math.max(x(t), pad.l + 24), w - pad.r - 24), h - pad.b + 6);
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`${state.chartCh} (${c.last.unit || ''})`, pad.l, 2);

    // The line.
    ctx.strokeStyle = '#1f6feb';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    pts.forEach(([t, v], i) => (i ? ctx.lineTo(x(t), y(v)) : ctx.moveTo(x(t), y(v))));
    ctx.stroke();
    const [lt, lv] = pts[pts.length - 1];
    ctx.fillStyle = '#1f6feb';
    ctx.beginPath(); ctx.arc(x(lt), y(lv), 3, 0, 2 * Math.PI); ctx.fill();
  }

  // ---- agents ----------------------------------------------------------------------------

  async function loadAgents() {
    if (!state.me) return;
    let body;
    try {
      const res = await fetch('/api/agents', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      body = await res.json();
    } catch (e) {
      setError('#agents-error', new Error(`代理列表不可用 Agents unavailable (${e.message})`));
      return;
    }
    setError('#agents-error', null);
    const agents = (body && body.agents) || [];
    $('#agents tbody').replaceChildren(...agents.map((a) => el('tr',
      { class: a.lagging ? 'lagging' : undefined, dataset: { agent: a.agent, online: String(!!a.online), lagging: String(!!a.lagging) } },
      el('td', { text: a.agent }),
      el('td', { class: a.online ? 'pass' : 'fail', text: a.online ? '在线 online' : '离线 offline' }),
      el('td', { class: 'num', text: a.readings === undefined ? '' : String(a.readings) }),
      el('td', { class: 'num lag', text: lagText(a), title: lagTitle(a) }),
      el('td', { text: fmtTime(a.last_seen) }))));
    const lagging = agents.filter((a) => a.lagging);
    const thr = body && body.stats && body.stats.lag_threshold_s;
    const warn = $('#agents-lag');
    warn.hidden = lagging.length === 0;
    warn.textContent = lagging.length === 0 ? '' :
      `数据滞后 Lagging (> ${thr} s): ${lagging.map((a) => `${a.agent} ${lagText(a)}`).join(', ')} — 报告等待在途读数 reports wait for readings in flight`;
  }

  // lagText is how far behind an agent is: the larger of its newest stored reading's age and the
  // age of the oldest reading it still holds (docs/lab-api.md); '—' while neither is known.
  function lagText(a) {
    if (!a.newest_sample && !a.lag_at) return '—';
    return `${Math.max(a.lag_s || 0, a.oldest_age_s || 0).toFixed(1)} s`;
  }

  function lagTitle(a) {
    const parts = [];
    if (a.newest_sample) parts.push(`newest stored reading ${(a.lag_s || 0).toFixed(1)} s old`);
    if (a.lag_at) parts.push(`${a.depth || 0} waiting in the agent's outbox, oldest ${(a.oldest_age_s || 0).toFixed(1)} s`);
    return parts.join('; ') || undefined;
  }

  // ---- start -----------------------------------------------------------------------------

  async function init() {
    $('#login-form').addEventListener('submit', onLogin);
    $('#logout').addEventListener('click', onLogout);
    $('#jobs-refresh').addEventListener('click', loadJobs);
    $('#new-job-toggle').addEventListener('click', () => toggleNewJob($('#new-job').hidden));
    $('#new-job-cancel').addEventListener('click', () => toggleNewJob(false));
    $('#new-job').addEventListener('submit', onNewJob);
    for (const a of ['start', 'submit', 'release', 'invalidate', 'reissue']) {
      $(`#job-${a}`).addEventListener('click', () => onAction(a));
    }
    $('#chart-channel').addEventListener('change', (e) => selectChannel(e.target.value));
    window.addEventListener('hashchange', route);
    window.addEventListener('resize', () => { if (state.job) drawChart(); });
    try {
      state.me = await api('GET', '/api/me');
    } catch (e) {
      showLogin();
      return;
    }
    await enterApp();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
