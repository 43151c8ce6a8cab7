// seatcast dashboard: plain JavaScript over the JSON API, drawn as inline SVG. No network beyond
// this server, no libraries. Every number shown comes from the API; the page only lays it out.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const state = {
  meta: null, base: null, baseline: null, hexmap: null, hexEls: new Map(),
  shares: {}, order: [], projection: null, forecast: null, steps: [], seat: null,
  seq: 0, drawn: 0, timer: null,
};

const $ = (id) => document.getElementById(id);
const colour = (p) => (state.colours && state.colours[p]) || "#BBBBBB";
const pname = (p) => (state.names && state.names[p]) || String(p).toUpperCase();
const pct = (x, d = 1) => (100 * x).toFixed(d) + "%";
// Notional votes (a result moved onto new boundaries) are fractional: people vote in whole numbers.
const wholeVotes = (v) => (v === null || v === undefined ? "-" : Math.round(Number(v)).toLocaleString("en-GB"));

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

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const r = await fetch(path, init);
  const data = await r.json();
  if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : r.statusText);
  return data;
}

// ---- start-up -----------------------------------------------------------------------------
async function init() {
  state.meta = await api("/api/meta");
  state.colours = Object.fromEntries(state.meta.parties.map((p) => [p.code, p.colour]));
  state.names = Object.fromEntries(state.meta.parties.map((p) => [p.code, p.name]));
  const { elections } = await api("/api/elections");
  const baseSel = $("base");
  for (const e of elections) baseSel.append(el("option", { value: e.id }, `${e.id}: ${e.name}`));
  baseSel.value = state.meta.default_base;
  const modelSel = $("model");
  // The API lists "auto" first; it is also what a request without a model gets, as on the CLI.
  for (const [m, d] of Object.entries(state.meta.models)) modelSel.append(el("option", { value: m }, `${m} (${d})`));
  if (state.meta.default_model && state.meta.default_model in state.meta.models) modelSel.value = state.meta.default_model;
  $("sims").max = String(state.meta.max_sims);
  baseSel.addEventListener("change", () => setBase(baseSel.value));
  modelSel.addEventListener("change", () => { state.forecast = null; schedule(0); });
  // The forms only group controls: never submitted (no inline handler, so the CSP can forbid them).
  for (const form of document.querySelectorAll("form")) form.addEventListener("submit", (e) => e.preventDefault());
  $("run-forecast").addEventListener("click", runForecast);
  $("reset").addEventListener("click", () => setBase(state.base));
  $("download-csv").addEventListener("click", downloadCsv);
  $("close-seat").addEventListener("click", closeSeat);
  $("step-kind").addEventListener("change", () => {
    const cand = $("step-kind").value === "candidate";
    $("candidate-fields").hidden = !cand;
    $("withdraw-fields").hidden = cand;
  });
  $("add-step").addEventListener("click", addStep);
  $("clear-steps").addEventListener("click", () => { state.steps = []; renderSteps(); rerun(); });
  if (!state.meta.features.forecast) $("run-forecast").disabled = true;
  if (!state.meta.features.steps) $("add-step").disabled = true;
  await setBase(baseSel.value);
}

async function setBase(base) {
  state.base = base;
  state.forecast = null;
  state.steps = [];
  renderSteps();
  state.baseline = await api(`/api/baseline/${encodeURIComponent(base)}`);
  if (!state.hexmap || state.hexmap.boundaries !== state.baseline.hexmap) {
    state.hexmap = await api(`/api/hexmap/${state.baseline.hexmap}`);
    drawMap();
  }
  buildSliders();
  closeSeat();
  await projectNow();
}

// ---- swingometer --------------------------------------------------------------------------
function buildSliders() {
  const box = $("sliders");
  box.replaceChildren();
  state.shares = {};
  state.order = [];
  let sum = 0;
  for (const p of state.baseline.parties) {
    state.shares[p.code] = p.share;
    state.order.push(p.code);
    sum += p.share;
  }
  state.shares.oth = Math.max(0, 100 - sum);
  state.touched = false;
  state.order.push("oth");
  for (const code of state.order) {
    const row = el("div", { class: "slider" });
    const label = el("label", { for: `slider-${code}` });
    label.append(el("span", { class: "swatch", style: `background:${colour(code)}` }),
      document.createTextNode(code === "oth" ? "Others" : pname(code)));
    const input = el("input", {
      type: "range", id: `slider-${code}`, "data-testid": `slider-${code}`, "data-party": code,
      min: "0", max: "100", step: "0.1", value: String(state.shares[code]),
      "aria-label": `${code === "oth" ? "Others" : pname(code)} national share, percent`,
    });
    const out = el("output", { id: `value-${code}`, "data-testid": `value-${code}` });
    input.addEventListener("input", () => moveSlider(code, parseFloat(input.value)));
    row.append(label, input, out);
    box.append(row);
  }
  syncSliders();
}

// Moving one share rescales the others in proportion, so the shares always add up to 100.
function moveSlider(code, value) {
  const v = Math.min(100, Math.max(0, value));
  const others = state.order.filter((p) => p !== code);
  const rest = others.reduce((a, p) => a + state.shares[p], 0);
  const left = 100 - v;
  for (const p of others) state.shares[p] = rest > 0 ? (state.shares[p] * left) / rest : left / others.length;
  state.shares[code] = v;
  state.touched = true;
  state.forecast = null;
  syncSliders(code);
  schedule(40);
}

function syncSliders(except = null) {
  for (const p of state.order) {
    if (p !== except) $(`slider-${p}`).value = String(state.shares[p]);
    $(`value-${p}`).textContent = state.shares[p].toFixed(1);
  }
}

function requestBody() {
  // Untouched sliders send no shares: the projection is then the base election itself.
  const shares = {};
  if (state.touched) for (const p of state.order) if (p !== "oth") shares[p] = Math.round(state.shares[p] * 100) / 100;
  // A step's "display" text is the page's own: strip it before sending.
  const steps = state.steps.map(({ display, ...step }) => step);
  return { base: state.base, model: $("model").value, shares, steps };
}

function schedule(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(projectNow, ms);
}

async function projectNow() {
  const seq = ++state.seq;
  const t0 = performance.now();
  try {
    const proj = await api("/api/project", requestBody());
    if (seq !== state.seq) return; // a newer request is on its way
    state.projection = proj;
    renderProjection();
    state.drawn += 1;
    const ms = Math.round(performance.now() - t0);
    document.body.dataset.lastMs = String(ms); // request to redrawn map, for the tests
    document.body.dataset.projections = String(state.drawn);
    const chosen = $("model").value; // "auto" names the model it resolved to
    const model = chosen && chosen !== proj.model ? `${chosen}: ${proj.model}` : proj.model;
    status(`Projected from ${proj.base} (${model}) in ${ms} ms`);
  } catch (err) {
    if (seq === state.seq) status(err.message, true);
  }
}

// ---- map ----------------------------------------------------------------------------------
function drawMap() {
  state.hexEls = drawHexMap($("hexmap"), state.hexmap, openSeat);
}

function forecastSeat(id) {
  if (!state.forecast || !state.forecast.seats) return null;
  if (!state.forecastIndex) state.forecastIndex = new Map(state.forecast.seats.map((x) => [x.id, x]));
  return state.forecastIndex.get(id) || null;
}

function renderProjection() {
  const proj = state.projection;
  const idx = new Map(proj.seat_ids.map((id, i) => [id, i]));
  for (const [id, poly] of state.hexEls) {
    const i = idx.get(id);
    const name = poly.dataset.name;
    if (i === undefined) {
      poly.setAttribute("fill", "#ddd");
      poly.setAttribute("aria-label", `${name}: no projection`);
      continue;
    }
    const w = proj.winners[i];
    poly.setAttribute("fill", colour(w));
    poly.dataset.party = w;
    const fs = forecastSeat(id);
    let label = `${name}: ${pname(w)}`;
    if (fs && fs.p_win) {
      const p = fs.p_win[w] || 0;
      poly.setAttribute("fill-opacity", (0.25 + 0.75 * p).toFixed(3));
      label += `, ${pct(p, 0)} chance`;
    } else {
      poly.removeAttribute("fill-opacity");
    }
    poly.setAttribute("aria-label", label);
    poly.firstChild.textContent = label;
  }
  renderTotals();
  renderLegend();
  const notes = $("notes");
  notes.replaceChildren(...(proj.notes || []).map((n) => el("li", {}, n)));
  if (state.seat) renderSeatProjection();
}

function renderLegend() {
  const proj = state.projection;
  const box = $("legend");
  box.replaceChildren();
  for (const p of Object.keys(proj.seats_predicted)) {
    const item = el("span", { "data-party": p });
    item.append(el("span", { class: "sw", style: `background:${colour(p)}` }), document.createTextNode(pname(p)));
    box.append(item);
  }
  if (state.forecast) box.append(el("span", {}, "Paler hexes: less certain winners."));
}

function renderTotals() {
  const proj = state.projection;
  const totals = proj.seats_predicted;
  const before = state.baseline.seats_won;
  const fparties = (state.forecast && state.forecast.parties) || {};
  const tbody = $("seat-totals").querySelector("tbody");
  tbody.replaceChildren();
  for (const [p, n] of Object.entries(totals)) {
    const tr = el("tr", { "data-party": p });
    const was = before[p] || 0;
    const diff = (n - was >= 0 ? "+" : "") + (n - was);
    const f = fparties[p];
    const range = f && f.seats_p05 !== undefined ? `${f.seats_p05}–${f.seats_p95}` : "";
    tr.append(el("td", {}, pname(p)), el("td", { "data-testid": `total-${p}` }, String(n)), el("td", {}, diff),
      el("td", {}, range));
    tbody.append(tr);
  }
  // Bar of seat totals with the majority line.
  const bar = $("seat-bar");
  bar.replaceChildren();
  const total = proj.seat_ids.length, W = 400;
  let x = 0;
  for (const [p, n] of Object.entries(totals)) {
    const w = (n / total) * W;
    const r = svg("rect", { x: x.toFixed(2), y: "14", width: w.toFixed(2), height: "30", fill: colour(p), "data-party": p });
    const t = svg("title");
    t.textContent = `${pname(p)}: ${n}`;
    r.append(t);
    bar.append(r);
    x += w;
  }
  const maj = state.meta.majority, mx = ((maj - 0.5) / total) * W;
  bar.append(svg("line", { x1: mx, x2: mx, y1: "8", y2: "50", stroke: "#000", "stroke-width": "1.5", "stroke-dasharray": "3 2" }));
  const lbl = svg("text", { x: mx + 3, y: "10", "font-size": "9" });
  lbl.textContent = `majority ${maj}`;
  bar.append(lbl);
  const lead = Object.entries(totals)[0];
  const s = $("forecast-summary");
  if (state.forecast) {
    const lp = fparties[lead[0]] || {};
    const pm = lp.p_majority !== undefined ? `${pname(lead[0])} majority: ${pct(lp.p_majority, 0)}` : "";
    const hung = state.forecast.p_hung !== undefined ? `; hung parliament: ${pct(state.forecast.p_hung, 0)}` : "";
    s.textContent = `Forecast (${state.forecast.n_sims} simulations, seed ${state.forecast.seed}). ${pm}${hung}`;
  } else {
    s.textContent = lead && lead[1] >= maj ? `${pname(lead[0])} majority of ${2 * lead[1] - total}` : "Hung parliament";
  }
}

// ---- forecast -----------------------------------------------------------------------------
async function runForecast() {
  const sims = parseInt($("sims").value, 10) || 2000;
  const body = { ...requestBody(), sims, seed: 0 };
  status(`Running ${sims} simulations…`);
  const t0 = performance.now();
  try {
    const f = await api("/api/forecast", body);
    state.forecast = f;
    state.forecastIndex = null;
    state.forecastRuns = (state.forecastRuns || 0) + 1;
    document.body.dataset.forecasts = String(state.forecastRuns);
    renderProjection();
    status(`Forecast: ${f.n_sims} simulations in ${Math.round(performance.now() - t0)} ms`);
  } catch (err) {
    status(err.message, true);
  }
}

async function rerun() {
  await projectNow();
  if (state.meta.features.forecast) await runForecast();
}

// ---- seat panel ---------------------------------------------------------------------------
function closeSeat() {
  state.seat = null;
  $("seat-panel").hidden = true;
  for (const p of document.querySelectorAll("#hexmap .hex.selected")) p.classList.remove("selected");
}

async function openSeat(id) {
  for (const p of document.querySelectorAll("#hexmap .hex.selected")) p.classList.remove("selected");
  const poly = state.hexEls.get(id);
  if (poly) poly.classList.add("selected");
  state.seat = id;
  const panel = $("seat-panel");
  panel.hidden = false;
  panel.dataset.seat = id;
  $("seat-name").textContent = poly ? poly.dataset.name : id;
  $("seat-history").replaceChildren(el("p", { class: "hint" }, "Loading…"));
  renderSeatProjection();
  const base = encodeURIComponent(state.base), seat = encodeURIComponent(id);
  try {
    const h = await api(`/api/seat/${base}/${seat}/history`);
    if (state.seat === id) renderHistory(h);
  } catch (err) {
    $("seat-history").replaceChildren(el("p", { class: "error" }, err.message));
  }
  const split = $("seat-split");
  if (!state.meta.features.split) {
    split.replaceChildren(el("p", { class: "hint" }, "The split-vote analysis is not installed on this server."));
    return;
  }
  try {
    const sp = await api(`/api/split/${base}/${seat}`);
    if (state.seat === id) renderSplit(sp);
  } catch (err) {
    split.replaceChildren(el("p", { class: "error" }, err.message));
  }
}

function shareBar(shares) {
  const row = el("div", { class: "barrow" });
  const items = Object.entries(shares).sort((a, b) => b[1] - a[1]);
  for (const [p, v] of items) {
    if (v <= 0) continue;
    const seg = el("span", { style: `width:${(100 * v).toFixed(2)}%;background:${colour(p)}`, title: `${pname(p)} ${pct(v)}` });
    row.append(seg);
  }
  return row;
}

function renderHistory(h) {
  const box = $("seat-history");
  box.replaceChildren();
  $("seat-meta").textContent = `${h.id}, base ${h.base}`;
  const grid = el("div", { class: "bars" });
  for (const e of h.history) {
    const label = el("span", { title: e.same_boundaries ? e.name : `${e.name} (${e.id}), on other boundaries` },
      e.election + (e.same_boundaries ? "" : "*"));
    const bar = shareBar(e.shares);
    bar.setAttribute("data-election", e.election);
    bar.setAttribute("data-testid", `history-${e.election}`);
    bar.setAttribute("aria-label", `${e.election}: won by ${pname(e.winner)}`);
    grid.append(label, bar);
  }
  box.append(grid);
  if (h.history.some((e) => !e.same_boundaries)) {
    box.append(el("p", { class: "hint" }, "* the seat of the same name on other boundaries."));
  }
}

function hbars(box, entries, testPrefix) {
  box.replaceChildren();
  for (const [p, v] of entries) {
    const row = el("div", { class: "hbar", "data-party": p, "data-testid": `${testPrefix}-${p}`, "data-value": String(v) });
    const track = el("div", { class: "track" });
    track.append(el("div", { class: "fill", style: `width:${(100 * v).toFixed(1)}%;background:${colour(p)}` }));
    row.append(el("span", {}, pname(p)), track, el("span", {}, pct(v)));
    box.append(row);
  }
}

function seatShares() {
  const proj = state.projection;
  if (!proj || !state.seat) return null;
  const i = proj.seat_ids.indexOf(state.seat);
  if (i < 0) return null;
  const out = {};
  proj.parties.forEach((p, j) => { if (proj.shares[i][j] > 0) out[p] = proj.shares[i][j]; });
  return out;
}

function renderSeatProjection() {
  const shares = seatShares();
  const box = $("seat-projected");
  if (!shares) { box.replaceChildren(el("p", { class: "hint" }, "Not projected.")); return; }
  const entries = Object.entries(shares).sort((a, b) => b[1] - a[1]);
  hbars(box, entries, "proj");
  for (const sel of [$("cand-from"), $("withdraw-party")]) {
    const keep = sel.value;
    sel.replaceChildren();
    if (sel.id === "cand-from") sel.append(el("option", { value: "" }, "every party, in proportion"));
    for (const [p] of entries) if (p !== "oth") sel.append(el("option", { value: p }, pname(p)));
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  }
  const probs = $("seat-probs");
  const fs = forecastSeat(state.seat);
  if (fs && fs.p_win) {
    hbars(probs, Object.entries(fs.p_win).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]), "prob");
  } else {
    probs.replaceChildren(el("p", { class: "hint" }, "Run a forecast to see them."));
  }
}

function renderSplit(sp) {
  const box = $("seat-split");
  box.replaceChildren();
  const t = el("table");
  const head = el("tr");
  for (const c of ["Candidate", "Votes", "Winner without them"]) head.append(el("th", {}, c));
  t.append(head);
  for (const c of sp.candidates || []) {
    const tr = el("tr");
    tr.append(el("td", {}, `${c.name || pname(c.party)} (${pname(c.party)})`),
      el("td", {}, wholeVotes(c.votes)),
      el("td", {}, c.winner_without ? pname(c.winner_without) : "-"));
    t.append(tr);
  }
  box.append(t);
}

function seatName() {
  const poly = state.hexEls.get(state.seat);
  return poly ? poly.dataset.name : state.seat;
}

function addStep() {
  if (!state.seat) return;
  let step;
  if ($("step-kind").value === "candidate") {
    const share = Math.min(80, Math.max(1, parseFloat($("cand-share").value) || 10)) / 100;
    step = { kind: "candidate", seat: state.seat, name: $("cand-name").value.slice(0, 60) || "Independent",
      label: "Independent", share };
    const from = $("cand-from").value;
    if (from) step.from = { [from]: 1.0 };
  } else {
    step = { kind: "withdraw", party: $("withdraw-party").value, seats: [state.seat] };
  }
  step.display = `${seatName()}: ${step.kind === "candidate" ? `${step.name} (${pct(step.share, 0)})` : `${pname(step.party)} withdraws`}`;
  state.steps.push(step);
  renderSteps();
  rerun();
}

function renderSteps() {
  const ul = $("steps");
  ul.replaceChildren(...state.steps.map((s, i) => el("li", { "data-testid": `step-${i}` }, s.display)));
}

// ---- CSV ----------------------------------------------------------------------------------
function csvCell(v) {
  let s = String(v === null || v === undefined ? "" : v);
  // Text a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading quote; numbers stay.
  if (typeof v !== "number" && /^[=+\-@\t\r]/.test(s) && !Number.isFinite(Number(s))) s = "'" + s;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function downloadCsv() {
  const proj = state.projection;
  if (!proj) return;
  const head = ["id", "name", "winner", ...proj.parties.map((p) => `share_${p}`)];
  if (state.forecast) head.push("p_win_winner");
  const lines = [head.join(",")];
  proj.seat_ids.forEach((id, i) => {
    const row = [id, proj.names[i], proj.winners[i], ...proj.shares[i]];
    if (state.forecast) {
      const fs = forecastSeat(id);
      row.push(fs && fs.p_win ? fs.p_win[proj.winners[i]] || 0 : "");
    }
    lines.push(row.map(csvCell).join(","));
  });
  const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
  const a = el("a", { href: URL.createObjectURL(blob), download: `seatcast-${proj.base}-${proj.model}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
}

window.seatcast = { state };
init().catch((err) => status(err.message, true));
