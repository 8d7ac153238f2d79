// The Resources webview: live CPU and memory per sandbox over the last minutes.
// Plain script, no libraries (the CSP allows only this file). Messages are described by src/protocol/webview.ts;
// the checks below mirror those schemas by hand because zod is not loaded here.
(function () {
  'use strict';

  const vscode = acquireVsCodeApi();
  const SVG_NS = 'http://www.w3.org/2000/svg';
  // Chart coordinates: the SVG stretches these to its box (preserveAspectRatio="none"), strokes stay crisp via CSS.
  const W = 300;
  const H = 100;
  const PAD = 6; // room above the scale's top so a limit drawn there is not clipped
  const MAX_POINTS = 600; // a bound in case the tick is faster than the host's ring assumes
  const LIVE = ['created', 'starting', 'running', 'suspended', 'stopping'];
  const STOPPABLE = ['created', 'starting', 'running', 'suspended'];
  const STATES = LIVE.concat(['exited', 'failed', 'killed']);
  const LIMITS = ['memory', 'cpu', 'wall', 'processes', 'output', 'fileSize'];
  const RESOURCES = ['memory', 'cpu', 'processes', 'output'];
  // A `cpu` warning is about the CPU-time limit (seconds), not the momentary percentage.
  const RESOURCE_NAMES = { memory: 'Memory', cpu: 'CPU time', processes: 'Process count', output: 'Output' };

  // ---- validation (mirrors hostMessageSchema) ----
  const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isStr = (v) => typeof v === 'string';
  const isId = (v) => isStr(v) && v.length > 0;
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const isNonNeg = (v) => isNum(v) && v >= 0;
  const nullable = (check) => (v) => v === null || check(v);
  const optional = (check) => (v) => v === undefined || check(v);
  const oneOf = (list) => (v) => list.includes(v);
  const arrayOf = (check) => (v) => Array.isArray(v) && v.every(check);
  /** True when `v` is an object with exactly the fields of `shape`, each passing its check. */
  const shaped = (shape) => (v) =>
    isObj(v) && Object.keys(v).every((k) => k in shape) && Object.entries(shape).every(([k, check]) => check(v[k]));

  const isView = shaped({
    id: isId, tool: isStr, state: oneOf(STATES), startedAt: isNum,
    memoryLimitBytes: nullable(isNonNeg), cpuSecondsLimit: nullable(isNonNeg),
    limit: nullable(oneOf(LIMITS)), exitCode: nullable(isNum), signal: nullable(isStr),
  });
  const isPoint = shaped({ at: isNum, cpuPercent: isNonNeg, memoryBytes: isNonNeg, cpuSeconds: isNonNeg });
  const isMark = shaped({ at: isNum, resource: oneOf(RESOURCES), percent: isNonNeg });
  const isHistory = shaped({ id: isId, points: arrayOf(isPoint), warnings: arrayOf(isMark) });
  const validators = {
    snapshot: shaped({
      type: isStr, at: isNum, windowMs: (v) => Number.isInteger(v) && v > 0,
      sandboxes: arrayOf(isView), history: arrayOf(isHistory),
    }),
    usage: shaped({
      type: isStr, at: isNum,
      samples: arrayOf(shaped({ id: isId, cpuPercent: isNonNeg, memoryBytes: isNonNeg, cpuSeconds: isNonNeg })),
    }),
    state: shaped({
      type: isStr, id: isId, state: oneOf(STATES), limit: optional(nullable(oneOf(LIMITS))),
      exitCode: optional(nullable(isNum)), signal: optional(nullable(isStr)), message: optional(isStr),
    }),
    warning: shaped({ type: isStr, id: isId, at: isNum, resource: oneOf(RESOURCES), percent: isNonNeg }),
  };
  const isValid = (m) => isObj(m) && Object.hasOwn(validators, m.type) && validators[m.type](m);

  // ---- model ----
  /** @type {{ at: number, windowMs: number, sandboxes: Map<string, { view: any, points: any[], warnings: any[], message?: string }> }} */
  let model = { at: 0, windowMs: 5 * 60_000, sandboxes: new Map() };
  let received = false; // false until a snapshot (saved or fresh) arrives: shows "waiting" rather than "none"
  /** Ids whose Stop or Kill was clicked, so the button stays disabled until the state changes. */
  const pending = new Set();

  function applySnapshot(m) {
    const history = new Map(m.history.map((h) => [h.id, h]));
    const sandboxes = new Map();
    for (const view of m.sandboxes) {
      const h = history.get(view.id);
      const old = model.sandboxes.get(view.id);
      sandboxes.set(view.id, { view, points: h ? h.points : [], warnings: h ? h.warnings : [], message: old && old.message });
    }
    model = { at: Math.max(m.at, ...m.history.flatMap((h) => h.points.map((p) => p.at))), windowMs: m.windowMs, sandboxes };
    received = true;
  }

  const handlers = {
    snapshot: applySnapshot,
    usage(m) {
      model.at = Math.max(model.at, m.at);
      for (const s of m.samples) {
        const sb = model.sandboxes.get(s.id);
        if (!sb) continue; // new sandbox: the host sends a snapshot with its view model
        const last = sb.points[sb.points.length - 1];
        if (last && last.at >= m.at) continue;
        sb.points.push({ at: m.at, cpuPercent: s.cpuPercent, memoryBytes: s.memoryBytes, cpuSeconds: s.cpuSeconds });
      }
      const cutoff = model.at - model.windowMs;
      for (const sb of model.sandboxes.values()) {
        while (sb.points.length && (sb.points[0].at < cutoff || sb.points.length > MAX_POINTS)) sb.points.shift();
      }
    },
    state(m) {
      const sb = model.sandboxes.get(m.id);
      if (!sb) return;
      const { view } = sb;
      view.state = m.state;
      if (m.limit !== undefined) view.limit = m.limit;
      if (m.exitCode !== undefined) view.exitCode = m.exitCode;
      if (m.signal !== undefined) view.signal = m.signal;
      if (m.message !== undefined) sb.message = m.message;
      pending.delete(m.id);
      announce(`${view.tool}: ${stateText(view)}`);
    },
    warning(m) {
      const sb = model.sandboxes.get(m.id);
      if (!sb) return;
      sb.warnings.push({ at: m.at, resource: m.resource, percent: m.percent });
      announce(`${sb.view.tool}: ${RESOURCE_NAMES[m.resource]} at ${percent(m.percent)} of its limit`);
    },
  };

  /** Saved in the webview's state so a re-shown panel paints at once; the host's snapshot then replaces it. */
  function save() {
    const sandboxes = [...model.sandboxes.values()];
    vscode.setState({
      type: 'snapshot', at: model.at, windowMs: model.windowMs,
      sandboxes: sandboxes.map((s) => s.view),
      history: sandboxes.map((s) => ({ id: s.view.id, points: s.points, warnings: s.warnings })),
    });
  }

  // ---- formatting ----
  function bytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    const digits = n >= 100 || i === 0 || Number.isInteger(n) ? 0 : 1;
    return `${n.toFixed(digits)} ${units[i]}`;
  }
  const percent = (n) => `${Math.round(n)}%`;
  const seconds = (n) => `${n < 10 ? n.toFixed(1) : Math.round(n)} s`;

  function stateText(view) {
    const limitNames = { memory: 'memory limit', cpu: 'CPU time limit', wall: 'timeout', processes: 'process limit', output: 'output limit', fileSize: 'file size limit' };
    if (view.limit) return `${view.state} (${limitNames[view.limit]})`;
    if (view.state === 'exited' && view.exitCode !== null) return `exited with code ${view.exitCode}`;
    if (view.signal && (view.state === 'exited' || view.state === 'killed')) return `${view.state} by ${view.signal}`;
    return view.state;
  }

  // ---- DOM helpers ----
  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  let announceText = '';
  function announce(text) {
    // Only state changes and warnings: a live region that spoke every tick would drown everything else.
    announceText = text;
  }

  // ---- charts ----
  /** Builds a chart once; `update` redraws it in place so nothing (focus, hover) is lost every tick. */
  function createChart(kind, caption) {
    const figure = el('figure', `chart ${kind}`);
    const cap = el('figcaption');
    const title = el('span', 'chart-title', caption);
    const limitText = el('span', 'chart-limit');
    cap.append(title, limitText);
    const box = el('div', 'chart-box');
    const top = el('span', 'chart-top');
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
    const area = svg('path', { class: 'area' });
    const line = svg('polyline', { class: 'line' });
    const limit = svg('line', { class: kind === 'cpu' ? 'reference' : 'limit', x1: 0, x2: W });
    const marks = svg('g', { class: 'marks' });
    root.append(area, line, limit, marks);
    box.append(top, root);
    const axis = el('div', 'chart-axis');
    figure.append(cap, box, axis);
    return { figure, root, area, line, limit, marks, top, limitText, axis };
  }

  /**
   * @param chart from createChart
   * @param values [{ at, v }] oldest first
   * @param opts { max, limit (same unit as v, or null), marks: [{ at, label }], label }
   */
  function updateChart(chart, values, opts) {
    const start = model.at - model.windowMs;
    const x = (at) => ((at - start) / model.windowMs) * W;
    const y = (v) => H - (Math.min(v, opts.max) / opts.max) * (H - PAD);
    const pts = values.map((p) => `${x(p.at).toFixed(1)},${y(p.v).toFixed(1)}`);
    chart.line.setAttribute('points', pts.join(' '));
    chart.area.setAttribute('d', pts.length > 1
      ? `M${x(values[0].at).toFixed(1)},${H} L${pts.join(' L')} L${x(values[values.length - 1].at).toFixed(1)},${H} Z`
      : '');
    if (opts.limit === null) {
      chart.limit.setAttribute('visibility', 'hidden');
    } else {
      const ly = y(opts.limit).toFixed(1);
      chart.limit.setAttribute('y1', ly);
      chart.limit.setAttribute('y2', ly);
      chart.limit.setAttribute('visibility', 'visible');
    }
    chart.marks.replaceChildren(...opts.marks.map((m) => {
      const mx = x(m.at).toFixed(1);
      const mark = svg('line', { class: 'mark', x1: mx, x2: mx, y1: 0, y2: H });
      const tip = svg('title');
      tip.textContent = m.label;
      mark.append(tip);
      return mark;
    }));
    chart.top.textContent = opts.topLabel;
    chart.limitText.textContent = opts.limitLabel;
    chart.root.setAttribute('aria-label', opts.label);
    chart.axis.replaceChildren(el('span', '', `−${Math.round(model.windowMs / 60_000)} min`), el('span', '', 'now'));
  }

  // ---- cards ----
  const cards = new Map();

  function createCard(id) {
    const section = el('section', 'sandbox');
    const head = el('div', 'head');
    const heading = el('h2');
    const tool = el('span', 'tool');
    const idText = el('span', 'id', id);
    heading.append(tool, idText);
    const badge = el('span', 'badge');
    const actions = el('div', 'actions');
    const stop = el('button', 'stop', 'Stop');
    const kill = el('button', 'kill', 'Kill');
    stop.title = 'Stop gracefully: SIGTERM, then SIGKILL after the grace period';
    kill.title = 'Kill the whole process tree now';
    stop.addEventListener('click', () => act('stop', id));
    kill.addEventListener('click', () => act('kill', id));
    actions.append(stop, kill);
    head.append(heading, badge, actions);
    const figures = el('p', 'figures');
    const notes = el('p', 'notes');
    const charts = el('div', 'charts');
    const cpu = createChart('cpu', 'CPU (% of one core)');
    const memory = createChart('memory', 'Memory');
    charts.append(cpu.figure, memory.figure);
    section.append(head, figures, notes, charts);
    section.dataset.id = id;
    return { section, tool, badge, stop, kill, figures, notes, cpu, memory };
  }

  function act(type, id) {
    pending.add(id);
    vscode.postMessage({ type, id });
    render();
  }

  function updateCard(card, sb) {
    const { view, points, warnings } = sb;
    const last = points[points.length - 1];
    const live = LIVE.includes(view.state);
    card.section.dataset.state = view.state;
    card.tool.textContent = view.tool;
    card.badge.textContent = stateText(view);
    card.stop.hidden = card.kill.hidden = !live;
    card.stop.disabled = pending.has(view.id) || !STOPPABLE.includes(view.state);
    card.kill.disabled = pending.has(view.id);
    card.stop.setAttribute('aria-label', `Stop ${view.tool} (${view.id})`);
    card.kill.setAttribute('aria-label', `Kill ${view.tool} (${view.id})`);

    const cpuNow = last ? last.cpuPercent : 0;
    const memNow = last ? last.memoryBytes : 0;
    const cpuTime = `CPU time ${last ? seconds(last.cpuSeconds) : '–'} ${view.cpuSecondsLimit === null ? '(no limit)' : `of ${seconds(view.cpuSecondsLimit)}`}`;
    const memLimit = view.memoryLimitBytes === null ? '(no limit)' : `of ${bytes(view.memoryLimitBytes)}`;
    card.figures.textContent = last
      ? `CPU ${percent(cpuNow)} · ${cpuTime} · Memory ${bytes(memNow)} ${memLimit}`
      : `No usage yet · ${cpuTime} · Memory limit ${memLimit}`;
    const notes = warnings.map((w) => `${RESOURCE_NAMES[w.resource]} reached ${percent(w.percent)} of its limit at ${new Date(w.at).toLocaleTimeString()}`);
    if (sb.message) notes.unshift(sb.message);
    card.notes.textContent = notes.join(' · ');
    card.notes.hidden = notes.length === 0;

    const markFor = (w) => ({ at: w.at, label: `${RESOURCE_NAMES[w.resource]} warning: ${percent(w.percent)} of the limit` });
    const cpuPeak = Math.max(0, ...points.map((p) => p.cpuPercent));
    // One core is the reference line; the scale grows in whole cores when a tool uses several.
    const cpuMax = Math.max(100, Math.ceil(cpuPeak / 100) * 100);
    updateChart(card.cpu, points.map((p) => ({ at: p.at, v: p.cpuPercent })), {
      max: cpuMax,
      limit: 100,
      marks: warnings.filter((w) => w.resource !== 'memory').map(markFor),
      topLabel: percent(cpuMax),
      limitLabel: 'dashed: one core',
      label: `CPU of ${view.tool}: ${percent(cpuNow)} of one core now, peak ${percent(cpuPeak)} in the chart; ${cpuTime}`,
    });
    const memPeak = Math.max(0, ...points.map((p) => p.memoryBytes));
    // Scaled to the limit when there is one, so the distance to it is what the chart shows.
    const memMax = Math.max(view.memoryLimitBytes || 0, memPeak * 1.25, 1024 * 1024);
    updateChart(card.memory, points.map((p) => ({ at: p.at, v: p.memoryBytes })), {
      max: memMax,
      limit: view.memoryLimitBytes,
      marks: warnings.filter((w) => w.resource === 'memory').map(markFor),
      topLabel: bytes(memMax),
      limitLabel: view.memoryLimitBytes === null ? 'no limit' : `dashed: limit ${bytes(view.memoryLimitBytes)}`,
      label: `Memory of ${view.tool}: ${bytes(memNow)} now, peak ${bytes(memPeak)} in the chart, ${view.memoryLimitBytes === null ? 'no limit' : `limit ${bytes(view.memoryLimitBytes)}`}`,
    });
  }

  // ---- render ----
  const totals = document.getElementById('totals');
  const list = document.getElementById('sandboxes');
  const status = document.getElementById('announce');

  function render() {
    const all = [...model.sandboxes.values()];
    const live = all.filter((s) => LIVE.includes(s.view.state));
    const latest = (s) => s.points[s.points.length - 1];
    const cpu = live.reduce((sum, s) => sum + (latest(s) ? latest(s).cpuPercent : 0), 0);
    const mem = live.reduce((sum, s) => sum + (latest(s) ? latest(s).memoryBytes : 0), 0);
    totals.replaceChildren(
      ...[['Running', String(live.length)], ['CPU', percent(cpu)], ['Memory', bytes(mem)]].map(([name, value]) => {
        const item = el('div', 'total');
        item.append(el('span', 'total-name', name), el('span', 'total-value', value));
        return item;
      }),
    );

    // Live sandboxes first, then finished ones; each oldest first, so cards do not jump around.
    all.sort((a, b) => (LIVE.includes(b.view.state) - LIVE.includes(a.view.state)) || a.view.startedAt - b.view.startedAt);
    for (const [id, card] of cards) {
      if (!model.sandboxes.has(id)) { card.section.remove(); cards.delete(id); }
    }
    const wanted = all.map((s) => {
      let card = cards.get(s.view.id);
      if (!card) { card = createCard(s.view.id); cards.set(s.view.id, card); }
      updateCard(card, s);
      return card.section;
    });
    // Move nodes only when the order changed: moving a node takes the keyboard focus away from its buttons.
    const current = [...list.children].filter((n) => n.classList.contains('sandbox'));
    if (wanted.length !== current.length || wanted.some((n, i) => n !== current[i])) list.replaceChildren(...wanted);

    if (!all.length) list.replaceChildren(el('p', 'empty', received ? 'No sandboxes in the last few minutes.' : 'Waiting for the sandbox supervisor…'));
    if (status.textContent !== announceText) status.textContent = announceText;
  }

  let frame = 0;
  function scheduleRender() {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); });
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!isValid(m)) {
      console.warn('resources: dropped a malformed message', isObj(m) ? m.type : typeof m);
      return;
    }
    handlers[m.type](m);
    save();
    scheduleRender();
  });

  const saved = vscode.getState();
  if (isValid(saved) && saved.type === 'snapshot') applySnapshot(saved);
  render();
  vscode.postMessage({ type: 'ready' });
})();
