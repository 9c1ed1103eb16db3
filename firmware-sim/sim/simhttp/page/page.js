'use strict';
// twin is what every control page shares. Pages reach the twin only through
// twin.api and twin.href with literal paths, and mark controls with a
// data-post attribute, so a test reads every path a page uses from its text
// (simtest.CheckPage):
//
//   a button with data-post and data-body POSTs that JSON body on click;
//   a form with data-post POSTs its named fields on submit: number inputs
//   as numbers, checkboxes as booleans, elements with data-json parsed as
//   JSON, empty fields left out.
const twin = (() => {
  const stateFns = [];
  const $ = (id) => document.getElementById(id);

  function say(text, bad) {
    const m = $('msg');
    m.textContent = text;
    m.className = 'msg ' + (bad ? 'bad' : 'ok');
  }

  // base is where the page is mounted: "" when a twin serves it at /, "/idreader" when
  // `kiosk --simulate` mounts the twin under /idreader/. Paths in pages are the twin's own.
  const base = location.pathname.replace(/\/$/, '');

  async function api(method, path, body) {
    const opt = { method, headers: {} };
    path = base + path;
    if (body !== undefined) {
      opt.body = JSON.stringify(body);
      opt.headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(path, opt);
    const text = await r.text();
    if (!r.ok) throw new Error(method + ' ' + path + ': ' + r.status + ' ' + text.trim());
    return text ? JSON.parse(text) : null;
  }

  // href fills {name} in a path from params, as twin.href with '/receipts/{n}.png' and {n: 3}.
  function href(path, params) {
    return base + path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(params[k]));
  }

  async function post(path, body) {
    try {
      await api('POST', path, body);
      say('✓ POST ' + path + ' ' + JSON.stringify(body));
    } catch (e) {
      say('✗ ' + e.message, true);
    }
    refresh();
  }

  function formBody(form) {
    const b = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled) continue;
      if (el.type === 'checkbox') b[el.name] = el.checked;
      else if (el.value === '') continue;
      else if ('json' in el.dataset) b[el.name] = JSON.parse(el.value);
      else if (el.type === 'number') b[el.name] = Number(el.value);
      else b[el.name] = el.value;
    }
    return b;
  }

  function wire() {
    for (const el of document.querySelectorAll('[data-post]')) {
      if (el.tagName === 'FORM') {
        el.addEventListener('submit', (e) => { e.preventDefault(); post(el.dataset.post, formBody(el)); });
      } else {
        el.addEventListener('click', (e) => { e.preventDefault(); post(el.dataset.post, JSON.parse(el.dataset.body || '{}')); });
      }
    }
  }

  let timer = null;
  async function refresh() {
    clearTimeout(timer);
    try {
      const s = await api('GET', '/state');
      $('state-json').textContent = JSON.stringify(s, null, 2);
      for (const fn of stateFns) fn(s);
      $('counters-json').textContent = JSON.stringify(await api('GET', '/counters'), null, 2);
      setConn(true);
    } catch (e) {
      setConn(false, e.message);
    }
    timer = setTimeout(refresh, 1000);
  }

  function setConn(ok, why) {
    const c = $('conn');
    c.textContent = ok ? '已连接 connected' : '无法连接 unreachable';
    c.className = 'badge ' + (ok ? 'ok' : 'bad');
    c.title = why || '';
  }

  // summary shows rows [label, value, good] in the <dl> with this id; good
  // true or false colours the value, undefined leaves it plain.
  function summary(id, rows) {
    const dl = $(id);
    dl.replaceChildren();
    for (const [label, value, good] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value === undefined || value === null || value === '' ? '—' : String(value);
      if (good !== undefined) dd.className = good ? 'ok' : 'bad';
      dl.append(dt, dd);
    }
  }

  // fill sets a <select>'s options to items ([value, label]) and keeps the
  // chosen value when it is still offered.
  function fill(id, items) {
    const sel = $(id);
    const keep = sel.value;
    sel.replaceChildren(...items.map(([v, l]) => new Option(l === undefined ? v : l, v)));
    if (items.some(([v]) => v === keep)) sel.value = keep;
  }

  document.addEventListener('DOMContentLoaded', () => { wire(); refresh(); });

  return { $, api, href, post, say, summary, fill, refresh, onState: (fn) => stateFns.push(fn) };
})();
