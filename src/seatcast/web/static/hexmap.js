// The hex cartogram of the 650 seats, shared by the dashboard (app.js) and the night view (night.js).
// One global, drawHexMap; everything else stays inside it, so neither page's names can clash.
"use strict";

// Draw `hexmap` (HexJSON: odd-r offset hexes, r growing northwards) into the <svg> `map`. Each hex
// is focusable, labelled with its seat's name, and calls onSelect(id) on a click, Enter or Space.
// Returns the polygons by seat id, for the page to colour.
function drawHexMap(map, hexmap, onSelect) {
  const ns = "http://www.w3.org/2000/svg";
  const make = (tag, attrs = {}) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  map.replaceChildren();
  const els = new Map();
  const s = 10, w = Math.sqrt(3) * s;
  const pts = [];
  for (let k = 0; k < 6; k++) {
    const a = (Math.PI / 180) * (60 * k + 30);
    pts.push([s * Math.cos(a), s * Math.sin(a)]);
  }
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const h of hexmap.hexes) {
    const x = w * (h.q + 0.5 * (h.r & 1));
    const y = -1.5 * s * h.r; // r grows northwards: flip for the screen
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    const poly = make("polygon", {
      class: "hex", points: pts.map(([dx, dy]) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`).join(" "),
      "data-id": h.id, "data-name": h.name, tabindex: "0", role: "button", "aria-label": h.name, fill: "#ddd",
    });
    const title = make("title");
    title.textContent = h.name;
    poly.append(title);
    poly.addEventListener("click", () => onSelect(h.id));
    poly.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); onSelect(h.id); }
    });
    map.append(poly);
    els.set(h.id, poly);
  }
  map.setAttribute("viewBox", `${minX - s} ${minY - s} ${maxX - minX + 2 * s} ${maxY - minY + 2 * s}`);
  return els;
}
