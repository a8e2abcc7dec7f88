// programme serve: the live proof page. The server sends its whole state as a
// server-sent event after every change; this script updates only what changed: page
// images whose fingerprint moved, pages added or removed at the end, the status, the
// problems. The reader's place (the page at the top of the window) is kept.
"use strict";

const $ = (id) => document.getElementById(id);
const PT_TO_PX = 96 / 72;            // 100 % zoom: the page at its printed size
const ZOOMS = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3];

const view = {
  spreads: true,        // chosen per kind on the first state: handouts print one-sided
  zoom: parseFloat(localStorage.getItem("programme-serve-zoom")) || 1,
  fitted: localStorage.getItem("programme-serve-zoom") !== null,  // else fit the first pages
  state: null,
  figures: new Map(),   // page number -> {figure, img, caption, item, src}
  current: 1,
  wanted: location.hash.startsWith("#page-") ? parseInt(location.hash.slice(6), 10) || null : null,
};

// ------------------------------------------------------------------------ helpers
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function pageLink(n, text) {
  const a = el("a", {href: `#page-${n}`, class: "page-link", "data-page": n, text: text || `p. ${n}`});
  a.addEventListener("click", (event) => { event.preventDefault(); goTo(n); });
  return a;
}

function sourceLink(url, text) {
  return el("a", {href: url, target: "_blank", rel: "noopener", class: "file-link", text});
}

// --------------------------------------------------------------------- the place
// The page nearest the top of the window, and how far into it the window is.
function place() {
  const main = $("pages");
  const top = main.getBoundingClientRect().top;
  let best = null;
  for (const [n, f] of view.figures) {
    const r = f.figure.getBoundingClientRect();
    if (r.bottom > top + 1) {
      if (!best || r.top < best.rect.top - 1 || (Math.abs(r.top - best.rect.top) <= 1 && r.left < best.rect.left)) {
        best = {n, rect: r};
      }
    }
  }
  if (!best) return null;
  return {n: best.n, fraction: (top - best.rect.top) / Math.max(best.rect.height, 1)};
}

function restore(saved) {
  if (!saved || !view.figures.has(saved.n)) return;
  const main = $("pages");
  const f = view.figures.get(saved.n).figure;
  const r = f.getBoundingClientRect();
  main.scrollTop += r.top - main.getBoundingClientRect().top + saved.fraction * r.height;
}

function goTo(n) {
  const f = view.figures.get(n);
  if (!f) return;
  f.figure.scrollIntoView({block: "start"});
  f.figure.classList.remove("flash");
  void f.figure.offsetWidth;
  f.figure.classList.add("flash");
  history.replaceState(null, "", `#page-${n}`);
}

// ------------------------------------------------------------------------ pages
function makeFigure(n) {
  const img = el("img", {alt: `Page ${n}`, decoding: "async", loading: n > 6 ? "lazy" : null});
  const caption = el("figcaption");
  const figure = el("figure", {class: "page", id: `page-${n}`, "data-page": n}, img, caption);
  const item = el("li", {"data-page": n});
  item.addEventListener("click", () => goTo(n));
  return {figure, img, caption, item, src: null, w: 0, h: 0};
}

function setImage(f, page) {
  if (!page.src || page.src === f.src) return;
  const first = f.src === null;
  f.src = page.src;
  if (first) { f.img.src = page.src; return; }
  // fetch the new image first, then swap: the old one stays until the new is there
  const next = new Image();
  next.onload = () => {
    if (f.src !== page.src) return;
    f.img.src = page.src;
    f.figure.classList.remove("updated");
    void f.figure.offsetWidth;
    f.figure.classList.add("updated");
    f.item.classList.add("updated");
    setTimeout(() => f.item.classList.remove("updated"), 4000);
  };
  next.src = page.src;
}

function setSize(f, page) {
  const w = page.w * PT_TO_PX * view.zoom, h = page.h * PT_TO_PX * view.zoom;
  if (w !== f.w || h !== f.h) {
    f.w = w; f.h = h;
    f.figure.style.width = `${w}px`;
    f.img.style.width = `${w}px`;
    f.img.style.height = `${h}px`;
  }
}

function caption(f, page, state) {
  const parts = [el("span", {class: "number", text: `${page.n}`})];
  if (page.labels.length) parts.push(el("span", {class: "label", text: page.labels.join(" · ")}));
  f.caption.replaceChildren(...parts);
  for (const slug of page.films) {
    const film = state.films[slug];
    if (!film) continue;
    const line = el("span", {class: "film"});
    if (film.source) line.append(sourceLink(film.source, film.file));
    else if (film.file) line.append(el("span", {text: film.file}));
    if (film.changed) line.append(el("span", {class: "changed", text: ` · ${film.changed}`}));
    f.caption.append(line);
  }
  const item = [el("span", {class: "n", text: `${page.n}`})];
  if (page.labels.length) item.push(el("span", {class: "t", text: page.labels.join(" · ")}));
  f.item.replaceChildren(...item);
  f.item.classList.toggle("pending", !page.ready);
  f.figure.classList.toggle("pending", !page.ready);
}

// Spreads: page 1 alone on the right, then 2–3, 4–5… (a saddle-stitched booklet).
function groups(count) {
  const out = [];
  if (!view.spreads) {
    for (let n = 1; n <= count; n++) out.push([n]);
    return out;
  }
  out.push([1]);
  for (let n = 2; n <= count; n += 2) out.push(n + 1 <= count ? [n, n + 1] : [n]);
  return out;
}

function layoutPages(count) {
  const holder = $("spreads");
  const wanted = groups(count);
  const key = wanted.map((g) => g.join("-")).join(",") + (view.spreads ? "s" : "p");
  if (holder.dataset.key === key) return;
  holder.dataset.key = key;
  const spreads = wanted.map((group) => {
    const spread = el("div", {class: "spread" + (group.length === 1 && group[0] === 1 && view.spreads ? " first" : "")});
    for (const n of group) spread.append(view.figures.get(n).figure);
    return spread;
  });
  holder.replaceChildren(...spreads);
  $("pagelist-items").replaceChildren(...wanted.flat().map((n) => view.figures.get(n).item));
  alignSingles();
}

// In spreads, a page alone keeps its side: page 1 on the right, an even last page on the left.
function alignSingles() {
  for (const spread of $("spreads").children) {
    spread.style.paddingLeft = spread.style.paddingRight = "";
    if (!view.spreads || spread.children.length !== 1) continue;
    const n = parseInt(spread.firstChild.dataset.page, 10);
    const f = view.figures.get(n);
    if (n % 2 === 1) spread.style.paddingLeft = `${f.w + 2}px`;
    else spread.style.paddingRight = `${f.w + 2}px`;
  }
}

function render(state) {
  const saved = place();
  view.state = state;
  const count = state.pages.length;
  for (const page of state.pages) {
    if (!view.figures.has(page.n)) view.figures.set(page.n, makeFigure(page.n));
  }
  for (const n of [...view.figures.keys()]) {
    if (n > count) { view.figures.get(n).figure.remove(); view.figures.get(n).item.remove(); view.figures.delete(n); }
  }
  for (const page of state.pages) {
    const f = view.figures.get(page.n);
    setSize(f, page);
    caption(f, page, state);
    setImage(f, page);
  }
  layoutPages(count);
  alignSingles();
  $("empty").hidden = count > 0;
  if (count === 0 && state.status === "error") $("empty").textContent = "No good build yet: fix the problems above.";
  restore(saved);
  renderStatus(state);
  renderProblems(state);
  renderErrors(state);
  const download = $("download");
  if (state.pdf) {
    download.hidden = false;
    download.href = state.pdf.url;
    download.setAttribute("download", state.pdf.name);
    download.textContent = `Download ${state.pdf.name}`;
  } else {
    download.hidden = true;
  }
  $("what").textContent = `${state.kind} · ${state.content}`;
}

// ----------------------------------------------------------------------- status
function renderStatus(state) {
  const status = $("status");
  status.dataset.status = state.status;
  document.body.dataset.status = state.status;
  let text;
  if (state.status === "starting") text = "Starting…";
  else if (state.status === "building") text = `Building… ${state.detail && state.detail !== "building" ? `(${state.detail})` : ""}`;
  else if (state.status === "rendering") text = "Rendering the changed pages…";
  else if (state.status === "error") text = `${state.errors.length} problem${state.errors.length === 1 ? "" : "s"}: showing the last good pages`;
  else {
    const when = state.built ? new Date(state.built * 1000).toLocaleTimeString() : "";
    text = `Up to date · ${state.pages.length} pages · built in ${state.seconds} s at ${when}`;
  }
  status.textContent = text;
  status.title = state.reason || "";
  document.title = `${state.status === "error" ? "✖ " : state.status === "ok" ? "" : "… "}${state.kind} – programme serve`;
}

function problemItem(problem) {
  const links = [];
  if (problem.page) links.push(pageLink(problem.page));
  if (problem.source) links.push(sourceLink(problem.source, "file"));
  return el("li", {class: `problem ${problem.severity}`},
    el("span", {class: "severity", text: problem.severity}),
    el("code", {class: "text", text: problem.text}),
    links.length ? el("span", {class: "links"}, ...links) : null);
}

function renderProblems(state) {
  const items = [...state.errors, ...state.problems];
  $("panel-items").replaceChildren(...items.map(problemItem));
  $("panel-none").hidden = items.length > 0;
  const errors = state.errors.length, warnings = state.problems.filter((p) => p.severity === "warning").length,
    missing = state.problems.filter((p) => p.severity === "missing").length;
  $("panel-count").textContent = `(${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}, ${missing} missing)`;
}

function renderErrors(state) {
  const box = $("errors");
  box.hidden = state.errors.length === 0;
  $("errors-items").replaceChildren(...state.errors.map(problemItem));
}

// ------------------------------------------------------------------------- zoom
function setZoom(zoom, fit) {
  const saved = place();
  view.zoom = Math.min(Math.max(zoom, 0.1), 4);
  localStorage.setItem("programme-serve-zoom", String(view.zoom));
  $("zoom-level").textContent = `${Math.round(view.zoom * 100)}%`;
  if (view.state) for (const page of view.state.pages) setSize(view.figures.get(page.n), page);
  alignSingles();
  restore(saved);
}

function fitWidth() {
  if (!view.state || !view.state.pages.length) return;
  const page = view.state.pages[Math.min(1, view.state.pages.length - 1)];
  const across = view.spreads ? 2 : 1;
  const room = $("pages").clientWidth - 48 - (across - 1) * 2;
  setZoom(room / (across * page.w * PT_TO_PX));
}

function step(direction) {
  const next = direction > 0 ? ZOOMS.find((z) => z > view.zoom + 0.001) : [...ZOOMS].reverse().find((z) => z < view.zoom - 0.001);
  if (next) setZoom(next);
}

function setView(spreads) {
  const saved = place();
  view.spreads = spreads;
  if (view.state) localStorage.setItem(`programme-serve-view-${view.state.kind}`, spreads ? "spreads" : "single");
  $("view-spreads").setAttribute("aria-pressed", String(spreads));
  $("view-single").setAttribute("aria-pressed", String(!spreads));
  if (view.state) layoutPages(view.state.pages.length);
  restore(saved);
}

// --------------------------------------------------------------- current page
function trackCurrent() {
  const here = place();
  if (!here || here.n === view.current) return;
  const old = view.figures.get(view.current);
  if (old) old.item.classList.remove("current");
  view.current = here.n;
  const f = view.figures.get(here.n);
  if (f) {
    f.item.classList.add("current");
    const list = $("pagelist");
    const r = f.item.getBoundingClientRect(), box = list.getBoundingClientRect();
    if (r.top < box.top || r.bottom > box.bottom) f.item.scrollIntoView({block: "nearest"});
  }
}

// ---------------------------------------------------------------------- events
function connect() {
  const source = new EventSource("/events");
  source.addEventListener("state", (event) => {
    document.body.classList.remove("disconnected");
    const first = view.state === null;
    const state = JSON.parse(event.data);
    if (first) {
      const chosen = localStorage.getItem(`programme-serve-view-${state.kind}`);
      view.spreads = chosen ? chosen === "spreads" : state.kind !== "handout";
      $("view-spreads").setAttribute("aria-pressed", String(view.spreads));
      $("view-single").setAttribute("aria-pressed", String(!view.spreads));
    }
    render(state);
    if (!view.fitted && view.state.pages.length) { view.fitted = true; fitWidth(); }
    // an address with #page-N opens at that page, once there is one
    if (view.wanted && view.figures.has(view.wanted)) { goTo(view.wanted); view.wanted = null; }
  });
  source.addEventListener("error", () => {
    document.body.classList.add("disconnected");
    $("status").dataset.status = "disconnected";
    $("status").textContent = "Not connected to programme serve (stopped?); retrying…";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("zoom-level").textContent = `${Math.round(view.zoom * 100)}%`;
  $("view-spreads").setAttribute("aria-pressed", String(view.spreads));
  $("view-single").setAttribute("aria-pressed", String(!view.spreads));
  $("zoom-in").addEventListener("click", () => step(1));
  $("zoom-out").addEventListener("click", () => step(-1));
  $("zoom-fit").addEventListener("click", fitWidth);
  $("view-spreads").addEventListener("click", () => setView(true));
  $("view-single").addEventListener("click", () => setView(false));
  $("pages").addEventListener("scroll", () => requestAnimationFrame(trackCurrent), {passive: true});
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea")) return;
    if (event.key === "+" || event.key === "=") step(1);
    else if (event.key === "-") step(-1);
    else if (event.key === "0") fitWidth();
  });
  connect();
});
