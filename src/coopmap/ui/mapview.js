// coopmap's map: a choropleth drawn as plain SVG from shapes the app serves as static files.
//
// `data` (built by coopmap.figures.map_spec and coopmap.ui.mapview) holds the picture's words,
// its legend and one row per place; the shapes (projected path data, see coopmap.projection)
// are fetched once per URL and kept for the page's life, so two maps share them and a filter
// change sends only colours and hover values. Text from the data is only ever set with
// textContent; the path markup carries nothing but numbers and contract colours.

const SVG = "http://www.w3.org/2000/svg";
const FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif";
const TEXT = "#262730";
const GREY = "#555555";
const shapesCache = (window.__coopmapShapes = window.__coopmapShapes || new Map());

function fetchShapes(url) {
  if (!shapesCache.has(url)) {
    const p = fetch(url).then((r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return r.json();
    });
    p.catch(() => shapesCache.delete(url)); // a failed fetch is tried again next time
    shapesCache.set(url, p);
  }
  return shapesCache.get(url);
}

let measurer = null;
function textWidth(text, font) {
  measurer = measurer || document.createElement("canvas").getContext("2d");
  measurer.font = font;
  return measurer.measureText(text).width;
}

function wrap(text, font, width) {
  if (!text) return [];
  const lines = [];
  let line = "";
  for (const word of String(text).split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, font) > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

function textBlock(parent, lines, x, y, size, lineHeight, attrs) {
  lines.forEach((line, i) => {
    parent.appendChild(el("text", { x, y: y + size + i * lineHeight, "font-size": size, ...attrs },
                          line));
  });
  return lines.length * lineHeight;
}

// The part of the shapes grid to show: the chosen states' boxes, or everything.
function viewBox(spec, outlines, shapes) {
  let box = null;
  const boxes = (outlines && outlines.boxes) || {};
  for (const id of spec.focus || []) {
    const b = boxes[id];
    if (!b) continue;
    box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]),
                 Math.max(box[3], b[3])] : b.slice();
  }
  box = box || shapes.bbox;
  const pad = Math.max(box[2] - box[0], box[3] - box[1]) * 0.03;
  return [box[0] - pad, box[1] - pad, box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad];
}

// Zoomed to some states, the map draws only their borders: a neighbour's border with none of
// its counties drawn would be a stray line (and Alaska's or Hawaii's frame would sit off Texas).
function showOutline(spec, outlines, k) {
  return !spec.focus || !spec.focus.length || spec.focus.includes(outlines.ids[k]);
}

// Builds the whole picture (title, subtitle, map, legend, source) at `width` x `height`
// CSS pixels; with `height` null the map takes the height its shape needs (the screen view).
// A `standalone` picture (a download) lists only the categories it shows and adds the data's
// terms and the site's name and address under the source line.
function picture(spec, shapes, outlines, width, height, standalone = false) {
  const pad = Math.round(Math.min(24, Math.max(8, width * 0.02)));
  const inner = width - 2 * pad;
  const titleFont = `bold 18px ${FONT}`;
  const subFont = `13px ${FONT}`;
  const legendFont = `13px ${FONT}`;
  const sourceFont = `11px ${FONT}`;
  const titleLines = wrap(spec.title, titleFont, inner);
  const subLines = wrap(spec.subtitle, subFont, inner);
  const footer = standalone ? [spec.source, spec.credit, spec.text.site] : [spec.source];
  const sourceLines = footer.filter(Boolean).flatMap((line) => wrap(line, sourceFont, inner));
  const used = new Set(spec.rows.map((row) => row[1]));
  const legend = standalone ? spec.legend.filter((_, i) => used.has(i)) : spec.legend;

  // The legend flows in rows: a swatch, its label, then the next item.
  const items = [];
  let lx = 0;
  let rows = 1;
  for (const [label, colour] of legend) {
    const w = 18 + textWidth(label, legendFont) + 16;
    if (lx > 0 && lx + w > inner) {
      rows += 1;
      lx = 0;
    }
    items.push({ label, colour, x: lx, row: rows - 1 });
    lx += w;
  }
  const headH = pad + titleLines.length * 22 + subLines.length * 17 + 8;
  const legendH = legend.length ? rows * 20 + 6 : 0;
  const footH = sourceLines.length * 14 + pad;
  const vb = viewBox(spec, outlines, shapes);
  let mapH;
  let top = 0; // a fixed-size picture with room to spare centres its content vertically
  if (height == null) {
    mapH = Math.min(inner * (vb[3] / vb[2]), Math.max(280, width * 0.7), 640);
    height = headH + mapH + 8 + legendH + footH;
  } else {
    const room = Math.max(50, height - headH - 8 - legendH - footH);
    mapH = Math.min(room, inner * (vb[3] / vb[2]));
    top = Math.round((room - mapH) / 2);
  }

  const svg = el("svg", {
    xmlns: SVG, width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "font-family": FONT, class: "cm-svg",
  });
  svg.appendChild(el("title", {}, [spec.title, spec.subtitle].filter(Boolean).join(". ")));
  svg.appendChild(el("rect", { x: 0, y: 0, width, height, fill: "#FFFFFF" }));
  let y = top + pad;
  y += textBlock(svg, titleLines, pad, y - 4, 18, 22,
                 { "font-weight": "bold", fill: TEXT, class: "cm-title" });
  textBlock(svg, subLines, pad, y - 2, 13, 17, { fill: GREY, class: "cm-subtitle" });

  const map = el("svg", {
    x: pad, y: top + headH, width: inner, height: mapH, viewBox: vb.join(" "),
    preserveAspectRatio: "xMidYMid meet", class: "cm-map",
  });
  // Line widths in the map's own units, so that they are the same number of pixels on the
  // screen and in the downloaded picture (whose SVG carries no page stylesheet).
  const px = 1 / Math.min(inner / vb[2], mapH / vb[3]);
  const areas = el("g", { class: "cm-areas", "fill-rule": "evenodd", "stroke-width": 0.4 * px });
  const index = shapes.index;
  const parts = [];
  spec.rows.forEach((row, i) => {
    const k = index.get(row[0]);
    if (k === undefined) return;
    const colour = spec.legend[row[1]][1];
    const edge = spec.legend[row[1]][2];
    parts.push(`<path class="cm-area" data-i="${i}" data-id="${row[0]}" d="${shapes.d[k]}" ` +
               `fill="${colour}" stroke="${edge}"/>`);
  });
  areas.innerHTML = parts.join("");
  map.appendChild(areas);
  if (outlines) {
    const ol = outlines.d.map((d, k) => (showOutline(spec, outlines, k)
      ? `<path data-id="${outlines.ids[k]}" d="${d}"/>` : "")).join("");
    const g = el("g", { class: "cm-outlines", fill: "none", stroke: "#7F7F7F",
                        "stroke-width": 0.8 * px, "pointer-events": "none" });
    g.innerHTML = ol;
    map.appendChild(g);
  }
  const marks = el("g", { class: "cm-highlight", fill: "none", stroke: spec.highlight_colour,
                          "stroke-width": 3 * px, "pointer-events": "none" });
  for (const id of spec.highlight || []) {
    const k = index.get(id);
    if (k !== undefined) marks.appendChild(el("path", { d: shapes.d[k] }));
  }
  map.appendChild(marks);
  map.appendChild(el("g", { class: "cm-hover", fill: "none", stroke: TEXT,
                            "stroke-width": 1.6 * px, "pointer-events": "none" }));
  svg.appendChild(map);
  svg.__base = { vb, px }; // the unzoomed view, for zoom and pan on the screen

  const legendY = top + headH + mapH + 8;
  const key = el("g", { class: "cm-legend", transform: `translate(${pad} ${legendY})` });
  for (const item of items) {
    key.appendChild(el("rect", {
      x: item.x, y: item.row * 20 + 2, width: 13, height: 13, fill: item.colour,
      stroke: "#8A8A8A", "stroke-width": 0.8,
    }));
    key.appendChild(el("text", { x: item.x + 18, y: item.row * 20 + 13, "font-size": 13,
                                 fill: TEXT }, item.label));
  }
  svg.appendChild(key);
  textBlock(svg, sourceLines, pad, legendY + legendH - 2, 11, 14,
            { fill: GREY, class: "cm-source" });
  return svg;
}

function withIndex(shapes) {
  if (!shapes.index) shapes.index = new Map(shapes.ids.map((id, k) => [id, k]));
  return shapes;
}

function save(blob, filename) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

async function download(spec, shapes, outlines, image) {
  const svg = picture(spec, shapes, outlines, image.width, image.height, true);
  if (image.format === "svg") {
    save(new Blob([new XMLSerializer().serializeToString(svg)], { type: "image/svg+xml" }),
         image.filename);
    return;
  }
  svg.setAttribute("width", image.width * spec.scale);
  svg.setAttribute("height", image.height * spec.scale);
  const xml = new XMLSerializer().serializeToString(svg);
  const url = URL.createObjectURL(new Blob([xml], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width * spec.scale;
    canvas.height = image.height * spec.scale;
    canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
    save(await new Promise((resolve) => canvas.toBlob(resolve, "image/png")), image.filename);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function showTip(root, spec, i, event) {
  const tip = root.querySelector(".cm-tip");
  const row = spec.rows[i];
  const lines = [row[2], ...spec.hover_labels.map((label, j) => `${label}: ${row[3 + j]}`)];
  tip.replaceChildren(...lines.map((line, j) => {
    const div = document.createElement("div");
    if (j === 0) div.className = "cm-tip-name";
    div.textContent = line;
    return div;
  }));
  const hint = document.createElement("div");
  hint.className = "cm-tip-hint";
  hint.textContent = spec.text.click;
  if (spec.clickable) tip.appendChild(hint);
  const box = root.getBoundingClientRect();
  const x = event.clientX - box.left;
  const y = event.clientY - box.top;
  tip.style.display = "block";
  const w = tip.offsetWidth;
  tip.style.left = `${Math.max(0, Math.min(x + 14, box.width - w - 4))}px`;
  tip.style.top = `${y + 18}px`;
}

// Zoom and pan change the inner map's viewBox; line widths are rescaled so borders stay as
// thin on the screen at every zoom. The downloaded picture is always the whole view.
const STROKES = { "cm-areas": 0.4, "cm-outlines": 0.8, "cm-highlight": 3, "cm-hover": 1.6 };
const MAX_ZOOM = 24;

function applyView(root, state) {
  const svg = root.querySelector("svg.cm-svg");
  const map = svg && svg.querySelector("svg.cm-map");
  if (!map || !svg.__base) return;
  const { vb, px } = svg.__base;
  const z = state.zoom || { k: 1, cx: vb[0] + vb[2] / 2, cy: vb[1] + vb[3] / 2 };
  const w = vb[2] / z.k;
  const h = vb[3] / z.k;
  // Keep the centre inside the map's box.
  z.cx = Math.min(Math.max(z.cx, vb[0] + w / 2), vb[0] + vb[2] - w / 2);
  z.cy = Math.min(Math.max(z.cy, vb[1] + h / 2), vb[1] + vb[3] - h / 2);
  state.zoom = z;
  map.setAttribute("viewBox", `${z.cx - w / 2} ${z.cy - h / 2} ${w} ${h}`);
  for (const [cls, width] of Object.entries(STROKES)) {
    const g = map.querySelector(`g.${cls}`);
    if (g) g.setAttribute("stroke-width", (width * px) / z.k);
  }
  root.dataset.zoom = String(Math.round(z.k * 100) / 100);
  const reset = root.querySelector(".cm-zoom-reset");
  if (reset) reset.disabled = z.k <= 1.001;
}

function zoomBy(root, state, factor, at) {
  const svg = root.querySelector("svg.cm-svg");
  if (!svg || !svg.__base) return;
  const { vb } = svg.__base;
  const z = state.zoom || { k: 1, cx: vb[0] + vb[2] / 2, cy: vb[1] + vb[3] / 2 };
  const k = Math.min(MAX_ZOOM, Math.max(1, z.k * factor));
  if (at) { // keep the point under the fingers (map units) where it is
    z.cx = at[0] - ((at[0] - z.cx) * z.k) / k;
    z.cy = at[1] - ((at[1] - z.cy) * z.k) / k;
  }
  z.k = k;
  state.zoom = z;
  applyView(root, state);
}

function panBy(root, state, dxPx, dyPx) {
  const map = root.querySelector("svg.cm-map");
  const svg = root.querySelector("svg.cm-svg");
  if (!map || !svg.__base || !state.zoom) return;
  const r = map.getBoundingClientRect();
  const [, , w, h] = map.getAttribute("viewBox").split(" ").map(Number);
  const unit = Math.max(w / r.width, h / r.height);
  state.zoom.cx -= dxPx * unit;
  state.zoom.cy -= dyPx * unit;
  applyView(root, state);
}

// A point of the screen in the inner map's units.
function mapPoint(root, clientX, clientY) {
  const map = root.querySelector("svg.cm-map");
  const ctm = map && map.getScreenCTM();
  if (!ctm) return null;
  const p = new DOMPoint(clientX, clientY).matrixTransform(ctm.inverse());
  return [p.x, p.y];
}

// On touch, a tap shows the place's card first: its name and values, and "Open profile".
function showCard(root, state, i) {
  const card = root.querySelector(".cm-card");
  const { spec } = state;
  const row = spec.rows[i];
  const lines = [row[2], ...spec.hover_labels.map((label, j) => `${label}: ${row[3 + j]}`)];
  const body = document.createElement("div");
  body.className = "cm-card-body";
  lines.forEach((line, j) => {
    const div = document.createElement("div");
    div.className = j === 0 ? "cm-card-name" : "cm-card-line";
    div.textContent = line;
    body.appendChild(div);
  });
  const buttons = document.createElement("div");
  buttons.className = "cm-card-actions";
  if (spec.clickable) {
    const open = document.createElement("button");
    open.type = "button";
    open.className = "cm-button cm-card-open";
    open.textContent = spec.text.open;
    open.addEventListener("click", () => state.setTriggerValue("clicked", row[0]));
    buttons.appendChild(open);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "cm-button cm-card-close";
  close.textContent = spec.text.close;
  close.addEventListener("click", () => hideCard(root));
  buttons.appendChild(close);
  card.replaceChildren(body, buttons);
  card.style.display = "block";
  const area = root.querySelector(`path.cm-area[data-i="${i}"]`);
  const hover = root.querySelector(".cm-hover");
  if (hover && area) hover.replaceChildren(el("path", { d: area.getAttribute("d") }));
}

function hideCard(root) {
  const card = root.querySelector(".cm-card");
  if (card) card.style.display = "none";
  const hover = root.querySelector(".cm-hover");
  if (hover) hover.replaceChildren();
}

function zoomControls(root, state) {
  const box = root.querySelector(".cm-zoom");
  const make = (cls, label, title, act) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `cm-button ${cls}`;
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", () => act());
    return b;
  };
  const t = state.spec.text;
  box.replaceChildren(
    make("cm-zoom-in", "+", t.zoom_in, () => zoomBy(root, root.__cm, 2)),
    make("cm-zoom-out", "\u2212", t.zoom_out, () => zoomBy(root, root.__cm, 0.5)),
    make("cm-zoom-reset", "\u21ba", t.zoom_reset, () => {
      root.__cm.zoom = null;
      applyView(root, root.__cm);
    }),
  );
}

function draw(root, state) {
  const { spec, shapes, outlines } = state;
  const width = Math.max(280, Math.floor(root.clientWidth || 800));
  const svg = picture(spec, shapes, outlines, width, null);
  root.querySelector(".cm-figure").replaceChildren(svg);
  root.dataset.drawn = String(spec.rows.length);
  state.width = width;
  zoomControls(root, state);
  applyView(root, state);
  // The zoom buttons sit on the map's top right corner.
  const map = svg.querySelector("svg.cm-map");
  const zoom = root.querySelector(".cm-zoom");
  zoom.style.top = `${Number(map.getAttribute("y")) + 4}px`;
}

function attachGestures(root) {
  const areaOf = (event) => event.target.closest && event.target.closest("path.cm-area");
  const pointers = new Map();
  let moved = false;
  let pinch = null;
  root.addEventListener("pointerdown", (event) => {
    if (!event.target.closest || !event.target.closest("svg.cm-map")) return;
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    moved = false;
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      pinch = { d: Math.hypot(a[0] - b[0], a[1] - b[1]) };
    }
  });
  root.addEventListener("pointermove", (event) => {
    const state = root.__cm;
    const last = pointers.get(event.pointerId);
    if (!state || !last) return;
    const dx = event.clientX - last[0];
    const dy = event.clientY - last[1];
    if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    if (pointers.size === 2 && pinch) {
      const [a, b] = [...pointers.values()];
      const d = Math.hypot(a[0] - b[0], a[1] - b[1]);
      const mid = mapPoint(root, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
      if (pinch.d > 0 && d > 0) zoomBy(root, state, d / pinch.d, mid);
      pinch.d = d;
    } else if (pointers.size === 1 && state.zoom && state.zoom.k > 1 && moved) {
      panBy(root, state, dx, dy);
    }
  });
  const up = (event) => {
    pointers.delete(event.pointerId);
    if (pointers.size < 2) pinch = null;
  };
  root.addEventListener("pointerup", up);
  root.addEventListener("pointercancel", up);
  root.addEventListener("click", (event) => {
    const state = root.__cm;
    const area = areaOf(event);
    if (!state || !area) return;
    if (moved) { // the end of a pan or a pinch is no click
      moved = false;
      return;
    }
    const touch = event.pointerType === "touch" || root.__lastPointer === "touch";
    if (touch) {
      showCard(root, state, Number(area.dataset.i));
    } else if (state.spec.clickable) {
      state.setTriggerValue("clicked", state.spec.rows[Number(area.dataset.i)][0]);
    }
  });
  root.addEventListener("pointerdown", (event) => { root.__lastPointer = event.pointerType; },
                        true);
  // Keyboard (the figure takes focus with Tab): N and P go to the next and previous place by
  // name and show its card (read out: the card is a live region), Enter opens its profile,
  // Escape closes the card; + and - zoom, arrows pan, 0 resets.
  root.querySelector(".cm-figure").addEventListener("keydown", (event) => {
    const state = root.__cm;
    if (!state) return;
    const step = 40;
    const go = (delta) => {
      if (!state.order) {
        const rows = state.spec.rows;
        state.order = rows.map((_, i) => i).sort((a, b) => rows[a][2].localeCompare(rows[b][2]));
      }
      const n = state.order.length;
      if (!n) return;
      state.place = state.place == null ? (delta > 0 ? 0 : n - 1) : (state.place + delta + n) % n;
      showCard(root, state, state.order[state.place]);
    };
    const keys = {
      n: () => go(1), N: () => go(1), p: () => go(-1), P: () => go(-1),
      Enter: () => {
        if (state.place != null && state.spec.clickable) {
          state.setTriggerValue("clicked", state.spec.rows[state.order[state.place]][0]);
        }
      },
      Escape: () => { state.place = null; hideCard(root); },
      "+": () => zoomBy(root, state, 2), "=": () => zoomBy(root, state, 2),
      "-": () => zoomBy(root, state, 0.5), "0": () => { state.zoom = null; applyView(root, state); },
      ArrowLeft: () => panBy(root, state, step, 0), ArrowRight: () => panBy(root, state, -step, 0),
      ArrowUp: () => panBy(root, state, 0, step), ArrowDown: () => panBy(root, state, 0, -step),
    };
    if (keys[event.key] && !event.ctrlKey && !event.metaKey && !event.altKey) {
      keys[event.key]();
      event.preventDefault();
      event.stopPropagation(); // not Streamlit's own shortcuts
    }
  });
}

export default function (component) {
  performance.mark("coopmap:map-mounted"); // read by bench/pageload.py's timeline
  const { data: spec, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".cm-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "cm-root";
    root.innerHTML = '<div class="cm-figure" tabindex="0"></div>' +
                     '<div class="cm-zoom" role="group"></div>' +
                     '<div class="cm-tip" role="tooltip"></div>' +
                     '<div class="cm-card" role="dialog" aria-live="polite"></div>' +
                     '<div class="cm-actions"></div>';
    parentElement.appendChild(root);
    const areaOf = (event) => event.target.closest && event.target.closest("path.cm-area");
    attachGestures(root);
    root.addEventListener("mousemove", (event) => {
      const state = root.__cm;
      if (root.__lastPointer === "touch") return;
      const area = areaOf(event);
      const hover = root.querySelector(".cm-hover");
      if (!state || !area) {
        root.querySelector(".cm-tip").style.display = "none";
        if (hover) hover.replaceChildren();
        return;
      }
      showTip(root, state.spec, Number(area.dataset.i), event);
      if (hover) hover.replaceChildren(el("path", { d: area.getAttribute("d") }));
    });
    root.addEventListener("mouseleave", () => {
      root.querySelector(".cm-tip").style.display = "none";
      const hover = root.querySelector(".cm-hover");
      if (hover) hover.replaceChildren();
    });
    new ResizeObserver(() => {
      const state = root.__cm;
      if (state && state.shapes && Math.floor(root.clientWidth) !== state.width) {
        draw(root, state);
      }
    }).observe(root);
  }

  // A rerun of the page sends the same view again: nothing to redraw then.
  const signature = JSON.stringify(spec);
  if (root.__cm && root.__signature === signature) {
    root.__cm.setTriggerValue = setTriggerValue;
    return;
  }
  root.__signature = signature;
  hideCard(root);
  const figure = root.querySelector(".cm-figure");
  figure.setAttribute("aria-label", `${spec.title}. ${spec.text.keys}`);
  // A widget with keys of its own: a screen reader hands N, P and Enter to it instead of
  // reading them as its own browse-mode commands.
  figure.setAttribute("role", "application");
  figure.setAttribute("aria-roledescription", spec.text.role);
  const actions = root.querySelector(".cm-actions");
  actions.replaceChildren(...spec.images.map((image) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cm-button";
    button.textContent = image.label;
    button.title = spec.text.download_help;
    button.addEventListener("click", () => {
      const state = root.__cm;
      if (state && state.shapes) {
        download(state.spec, state.shapes, state.outlines, image).catch((err) => {
          console.error("coopmap: image download failed", err);
        });
      }
    });
    return button;
  }));

  const token = {};
  root.__token = token;
  // Shapes come as URLs; a read-only install sends the documents themselves.
  const load = (s) => (typeof s === "string" ? fetchShapes(s) : Promise.resolve(s || null));
  root.classList.toggle("cm-clickable", Boolean(spec.clickable));
  Promise.all([load(spec.shapes), load(spec.outlines)])
    .then(([shapes, outlines]) => {
      if (root.__token !== token) return; // a newer view arrived meanwhile
      performance.mark("coopmap:shapes-ready");
      // A new view of the same level keeps the zoom; another extent starts whole.
      const keep = root.__cm && root.__cm.spec && root.__cm.spec.shapes === spec.shapes &&
        JSON.stringify(root.__cm.spec.focus) === JSON.stringify(spec.focus) ? root.__cm.zoom : null;
      root.__cm = { spec, shapes: withIndex(shapes), outlines, setTriggerValue, width: 0,
                    zoom: keep };
      draw(root, root.__cm);
      performance.mark("coopmap:map-drawn");
    })
    .catch((err) => {
      console.error("coopmap: map shapes could not be loaded", err);
      if (root.__token !== token) return;
      const note = document.createElement("p");
      note.className = "cm-error";
      note.textContent = spec.text.failed;
      figure.replaceChildren(note);
    });
}
