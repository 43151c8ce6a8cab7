// seatcast election night: plain JavaScript over /api/night, drawn as inline SVG. No network beyond
// this server, no libraries. The server is stateless per request: the page keeps the night's clock and
// asks for "the state after N declarations" (replay) or "the file so far" (live). It never queues
// requests: when an answer arrives it asks for wherever the clock has got to, so a slow projection
// makes the page move in bigger steps rather than fall behind.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const FAST_BATCH = 50; // seats per step "as fast as possible": 13 steps for a whole night
const LIVE_POLL_MS = 3000;
const TICK_MS = 100;
const state = {
  meta: null, colours: {}, names: {}, hexmap: null, hexEls: new Map(), source: null, timeline: null,
  night: null, shown: -1, playing: false, clock: 0, lastTick: 0, inflight: false, timer: null,
  rendered: 0, selected: null, lastPoll: 0,
};

const $ = (id) => document.getElementById(id);
const colour = (p) => state.colours[p] || "#BBBBBB";
const pname = (p) => state.names[p] || String(p).toUpperCase();

function el(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}
function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
function status(msg, isError = false) {
  const s = $("status");
  s.textContent = msg;
  s.className = isError ? "error" : "";
}
async function api(path) {
  const r = await fetch(path);
  const data = await r.json();
  if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : r.statusText);
  return data;
}

// ---- start-up -----------------------------------------------------------------------------
async function init() {
  const meta = await api("/api/meta");
  state.colours = Object.fromEntries(meta.parties.map((p) => [p.code, p.colour]));
  state.names = Object.fromEntries(meta.parties.map((p) => [p.code, p.name]));
  state.meta = await api("/api/night");
  const src = $("night-source");
  if (state.meta.live) {
    const what = state.meta.live.feed ? "results feed" : "results file";
    src.append(el("option", { value: "live" }, `Live: ${what} (base ${state.meta.live.base})`));
  }
  for (const r of state.meta.replays) src.append(el("option", { value: r.election }, `Replay: ${r.name}`));
  const wanted = new URLSearchParams(window.location.search).get("night");
  if (wanted && [...src.options].some((o) => o.value === wanted)) src.value = wanted;
  else if (!state.meta.live && state.meta.replays.length) src.value = state.meta.replays[state.meta.replays.length - 1].election;
  src.addEventListener("change", () => choose(src.value));
  $("night-controls").addEventListener("submit", (ev) => ev.preventDefault()); // no inline script (CSP)
  $("night-play").addEventListener("click", () => (state.playing ? pause() : play()));
  $("night-step").addEventListener("click", step);
  $("night-restart").addEventListener("click", () => choose(state.source));
  $("night-speed").addEventListener("change", () => { state.lastTick = performance.now(); });
  $("night-jump").addEventListener("change", () => jump(Number($("night-jump").value)));
  if (!src.value) { status("No night to show: no bundled declaration times in this store and no live file.", true); return; }
  await choose(src.value);
  state.timer = setInterval(tick, TICK_MS);
}

async function useHexmap(boundaries) {
  if (state.hexmap && state.hexmap.boundaries === boundaries) return;
  state.hexmap = await api(`/api/hexmap/${encodeURIComponent(boundaries)}`);
  drawMap();
}

async function choose(source) {
  pause();
  state.source = source;
  state.night = null;
  state.shown = -1;
  state.clock = 0;
  state.selected = null;
  const live = source === "live";
  $("night-play").disabled = live;
  $("night-step").disabled = live;
  $("night-restart").disabled = live;
  $("night-speed").disabled = live;
  $("night-jump").disabled = live;
  try {
    if (live) {
      await useHexmap(state.meta.live.hexmap);
      state.timeline = null;
      await fetchState();
      return;
    }
    status(`Preparing the ${source} replay (the prior is fitted once; this can take a while)…`);
    state.timeline = await api(`/api/night/replay/${encodeURIComponent(source)}/timeline`);
    await useHexmap(state.timeline.hexmap);
    $("night-jump").max = String(state.timeline.order.length);
    await fetchState(0);
  } catch (err) {
    status(err.message, true);
  }
}

// ---- the night's clock ----------------------------------------------------------------------
function play() {
  if (!state.timeline) return;
  if (state.shown >= state.timeline.order.length) { choose(state.source).then(play); return; }
  state.playing = true;
  state.lastTick = performance.now();
  $("night-play").textContent = "Pause";
  $("night-play").setAttribute("aria-pressed", "true");
}
function pause() {
  state.playing = false;
  $("night-play").textContent = "Play";
  $("night-play").setAttribute("aria-pressed", "false");
}
function step() {
  if (!state.timeline || state.inflight) return;
  pause();
  const n = Math.min(state.timeline.order.length, Math.max(0, state.shown) + 1);
  state.clock = state.timeline.minutes[n - 1] || 0;
  fetchState(n);
}

function jump(n) {
  if (!state.timeline) return;
  pause();
  const target = Math.min(state.timeline.order.length, Math.max(0, n));
  state.clock = target > 0 ? state.timeline.minutes[target - 1] : 0;
  fetchState(target);
}

// Seats declared by a night-clock time (minutes after the first result).
function declaredBy(minutes) {
  const m = state.timeline.minutes;
  let lo = 0, hi = m.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (m[mid] <= minutes) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function tick() {
  const now = performance.now();
  if (state.source === "live") {
    if (!state.inflight && now - state.lastPoll >= LIVE_POLL_MS) fetchState();
    return;
  }
  if (!state.playing || !state.timeline) return;
  const total = state.timeline.order.length;
  const speed = $("night-speed").value;
  const dt = (now - state.lastTick) / 1000;
  state.lastTick = now;
  let target;
  if (speed === "fast") {
    target = Math.min(total, Math.max(0, state.shown) + FAST_BATCH);
  } else {
    // The replay starts at the first declaration: 10 pm to the first result is dead air.
    state.clock += (dt * Number(speed)) / 60;
    target = declaredBy(state.clock);
  }
  if (state.shown >= total) { pause(); return; }
  if (!state.inflight && target > state.shown) fetchState(target);
}

async function fetchState(n) {
  state.inflight = true;
  const t0 = performance.now();
  const live = state.source === "live";
  const source = state.source;
  try {
    const sims = state.meta.default_sims;
    const url = live ? `/api/night/live?sims=${sims}`
      : `/api/night/replay/${encodeURIComponent(source)}?declared=${n}&sims=${sims}`;
    const night = await api(url);
    if (source !== state.source) return; // the viewer switched nights meanwhile
    state.night = night;
    state.shown = night.declared;
    if (!live) $("night-jump").value = String(night.declared);
    if (!live && night.declared > 0) state.clock = Math.max(state.clock, state.timeline.minutes[night.declared - 1]);
    render();
    const ms = Math.round(performance.now() - t0);
    const total = night.order_length;
    if (!live && night.declared >= total) pause();
    status(live ? `Live: ${night.declared} of ${night.seats_total} declared (updated in ${ms} ms; polling every ${LIVE_POLL_MS / 1000} s)`
      : `${night.election}: ${night.declared} of ${total} declared in the real order (state in ${ms} ms)`);
  } catch (err) {
    status(err.message, true);
    pause();
  } finally {
    state.inflight = false;
    state.lastPoll = performance.now();
  }
}

// ---- drawing ------------------------------------------------------------------------------
function drawMap() {
  state.hexEls = drawHexMap($("hexmap"), state.hexmap, select);
}

function select(id) {
  if (state.selected && state.hexEls.get(state.selected)) state.hexEls.get(state.selected).classList.remove("selected");
  state.selected = id;
  const poly = state.hexEls.get(id);
  if (poly) poly.classList.add("selected");
  status(poly ? poly.getAttribute("aria-label") : "");
}

function render() {
  renderMap();
  renderTotals();
  renderBars();
  renderLatest();
  renderChanges();
  const n = state.night;
  $("night-progress").textContent = `${n.declared} of ${n.seats_total} seats declared`;
  const when = n.declared_at ? ` at ${n.declared_at.slice(11, 16)}` : "";
  $("night-clock").textContent = n.last_seat ? `Last result: ${n.last_seat}${when}` : "Before the first result: the prior.";
  $("night-notes").replaceChildren(...(n.notes || []).map((x) => el("li", {}, x)));
  state.rendered += 1;
  document.body.dataset.declared = String(n.declared);
  document.body.dataset.states = String(state.rendered);
}

function renderMap() {
  const n = state.night;
  const idx = new Map(n.seats.ids.map((id, i) => [id, i]));
  for (const [id, poly] of state.hexEls) {
    const i = idx.get(id);
    const name = poly.dataset.name;
    if (i === undefined) {
      poly.setAttribute("fill", "#ddd");
      poly.setAttribute("aria-label", `${name}: not in this night`);
      continue;
    }
    const w = n.seats.winner[i];
    const done = n.seats.declared[i] === 1;
    poly.setAttribute("fill", colour(w));
    poly.setAttribute("fill-opacity", done ? "1" : "0.3");
    poly.dataset.party = w;
    poly.dataset.declared = done ? "1" : "0";
    const label = done ? `${name}: declared, ${pname(w)}`
      : `${name}: not declared, projected ${pname(w)} (${Math.round(100 * n.seats.p[i])}% likely)`;
    poly.setAttribute("aria-label", label);
    poly.firstChild.textContent = label;
  }
  const box = $("legend");
  box.replaceChildren();
  for (const p of Object.keys(n.seats_projected)) {
    const item = el("span", { "data-party": p });
    item.append(el("span", { class: "sw", style: `background:${colour(p)}` }), document.createTextNode(pname(p)));
    box.append(item);
  }
  box.append(el("span", {}, "Solid: declared. Pale: projected."));
}

function partyOrder() {
  const n = state.night;
  const all = new Set([...Object.keys(n.seats_projected), ...Object.keys(n.seats_won)]);
  return [...all].sort((a, b) => (n.seats_projected[b] || 0) - (n.seats_projected[a] || 0) || a.localeCompare(b));
}

function renderTotals() {
  const n = state.night;
  const body = $("night-totals").querySelector("tbody");
  body.replaceChildren();
  const exitPoll = state.timeline && state.timeline.exit_poll;
  $("exit-head").hidden = !exitPoll;
  for (const p of partyOrder()) {
    const tr = el("tr", { "data-party": p });
    const name = el("td");
    name.append(el("span", { class: "sw", style: `background:${colour(p)}` }), document.createTextNode(pname(p)));
    const iv = n.seats_interval[p];
    tr.append(name, el("td", { "data-testid": `won-${p}` }, String(n.seats_won[p] || 0)),
      el("td", { "data-testid": `projected-${p}` }, (n.seats_projected[p] || 0).toFixed(1)),
      el("td", { "data-testid": `interval-${p}` }, iv ? `${iv[0]}–${iv[1]}` : ""));
    if (exitPoll) tr.append(el("td", { "data-testid": `exit-${p}` }, p in exitPoll ? String(exitPoll[p]) : ""));
    body.append(tr);
  }
}

function renderBars() {
  const n = state.night;
  const parties = partyOrder().filter((p) => (n.seats_projected[p] || 0) >= 1 || (n.seats_interval[p] || [0, 0])[1] >= 5).slice(0, 8);
  const box = $("night-bars");
  box.replaceChildren();
  const left = 84, right = 292, rowH = 20, top = 16;
  const height = top + rowH * parties.length + 6;
  box.setAttribute("viewBox", `0 0 300 ${height}`);
  const x = (v) => left + ((right - left) * v) / n.seats_total;
  parties.forEach((p, k) => {
    const y = top + k * rowH;
    const proj = n.seats_projected[p] || 0;
    const won = n.seats_won[p] || 0;
    const iv = n.seats_interval[p] || [won, won];
    const g = svg("g", { "data-party": p, role: "img",
      "aria-label": `${pname(p)}: ${won} won, ${proj.toFixed(1)} projected, 90% interval ${iv[0]} to ${iv[1]}` });
    const label = svg("text", { x: left - 4, y: y + 12, "text-anchor": "end", class: "barlabel" });
    label.textContent = pname(p).length > 13 ? p.toUpperCase() : pname(p);
    g.append(label,
      svg("rect", { x: left, y: y + 2, width: Math.max(0, x(proj) - left).toFixed(1), height: 12, fill: colour(p), "fill-opacity": "0.35" }),
      svg("rect", { x: left, y: y + 2, width: Math.max(0, x(won) - left).toFixed(1), height: 12, fill: colour(p) }),
      svg("line", { x1: x(iv[0]).toFixed(1), x2: x(iv[1]).toFixed(1), y1: y + 8, y2: y + 8, class: "whisker" }),
      svg("line", { x1: x(iv[0]).toFixed(1), x2: x(iv[0]).toFixed(1), y1: y + 4, y2: y + 12, class: "whisker" }),
      svg("line", { x1: x(iv[1]).toFixed(1), x2: x(iv[1]).toFixed(1), y1: y + 4, y2: y + 12, class: "whisker" }));
    box.append(g);
  });
  const mx = x(n.majority).toFixed(1);
  const line = svg("line", { x1: mx, x2: mx, y1: 4, y2: height - 2, class: "majority", "data-testid": "majority-line",
    "aria-label": `Majority: ${n.majority} seats` });
  const t = svg("text", { x: mx, y: 11, "text-anchor": "middle", class: "barlabel" });
  t.textContent = `majority ${n.majority}`;
  box.append(line, t);
}

function renderLatest() {
  const list = $("night-latest");
  list.replaceChildren();
  for (const d of state.night.latest) {
    const li = el("li", { "data-id": d.id, "data-party": d.winner });
    li.append(el("span", { class: "sw", style: `background:${colour(d.winner)}` }));
    const what = d.gain ? `${pname(d.winner)} gain from ${pname(d.from)}` : `${pname(d.winner)} hold`;
    li.append(el("strong", {}, d.name), document.createTextNode(` ${what}`));
    if (d.swing) li.append(el("span", { class: "swing" }, ` swing ${pname(d.swing.from)} to ${pname(d.swing.to)} ${d.swing.points.toFixed(1)} pts`));
    if (d.time) li.append(el("span", { class: "hint" }, ` ${d.time}`));
    list.append(li);
  }
  if (!state.night.latest.length) list.append(el("li", { class: "hint" }, "No results yet."));
}

function renderChanges() {
  const body = $("night-changes").querySelector("tbody");
  body.replaceChildren();
  const n = state.night;
  $("night-changes-none").hidden = n.likely_changes.length > 0;
  $("night-changes-none").textContent = n.declared >= n.seats_total ? "None: every seat has declared."
    : "None: no undeclared seat changes hands in any simulation.";
  for (const c of state.night.likely_changes) {
    const tr = el("tr", { "data-id": c.id });
    tr.append(el("td", {}, c.name), el("td", {}, pname(c.from)), el("td", {}, pname(c.likely)),
      el("td", {}, c.p_change >= 0.995 ? ">99%" : c.p_change < 0.005 ? "<1%" : `${Math.round(100 * c.p_change)}%`));
    body.append(tr);
  }
}

window.seatcastNight = { state };
init().catch((err) => status(err.message, true));
