/* Cairn dashboard: renders each page from the JSON API (/api/v1).
 * Every text is put in the page with textContent (names are user-given), never as HTML.
 * The DAG is laid out by dagre (static/vendor/dagre.min.js). */
"use strict";

const API = "/api/v1";
const POLL_MS = 1000;
/** A step function called at least this many times in a run is drawn as one collapsed node. */
const FANOUT_MIN = 5;
const SVG_NS = "http://www.w3.org/2000/svg";

// ------------------------------------------------------------------ helpers
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "onclick" || k === "onchange" || k === "onsubmit") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

async function api(path) {
  const resp = await fetch(API + path, { headers: { Accept: "application/json" } });
  const body = await resp.json().catch(() => ({ detail: resp.statusText }));
  if (!resp.ok) throw new Error(body.detail || resp.statusText);
  return body;
}

function when(t) {
  if (t === null || t === undefined) return "–";
  const d = new Date(t * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function secs(v) {
  if (v === null || v === undefined) return "–";
  if (v < 60) return `${v.toFixed(2)}s`;
  const m = Math.floor(v / 60);
  return `${m}m ${Math.round(v - 60 * m)}s`;
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(1)} ${units[i]}`;
}

const badge = (status) => h("span", { class: `badge ${status}`, "data-status": status }, status);
const json = (value) => h("pre", { class: "json" }, JSON.stringify(value, null, 2));
const link = (href, text) => h("a", { href }, text);
const runLink = (id, name) => link(`/runs/${encodeURIComponent(id)}`, name);
const stepLink = (id, name) => link(`/steps/${encodeURIComponent(id)}`, name);
const artifactLink = (id, name) => link(`/artifacts/${encodeURIComponent(id)}`, name);

function facts(pairs) {
  return h("dl", { class: "facts" },
    pairs.filter((p) => p).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function table(headers, rows, rowAttrs) {
  return h("table", {},
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows.map((r, i) =>
      h("tr", rowAttrs ? rowAttrs(i) : {}, r.map((c) => h("td", {}, c))))));
}

function setMain(...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...children);
  return main;
}

function showError(err) {
  setMain(h("div", { class: "panel error-box" }, h("h1", {}, "Error"), h("p", {}, err.message)));
}

function reusedText(run) {
  return run.steps_total ? `${run.steps_reused}/${run.steps_total}` : "–";
}

function runsTable(runs, opts = {}) {
  const headers = ["run", "pipeline", "stack", "status", "created", "duration", "reused"];
  if (opts.select) headers.unshift("");
  return table(headers, runs.map((r) => {
    const row = [runLink(r.id, r.name), r.pipeline, r.stack || "–", badge(r.status),
      when(r.created), secs(r.duration), reusedText(r)];
    if (opts.select) {
      row.unshift(h("input", { type: "checkbox", class: "pick", value: r.name,
        "aria-label": `select ${r.name}` }));
    }
    return row;
  }), (i) => ({ "data-run": runs[i].name }));
}

// ------------------------------------------------------------------ overview
async function overviewPage() {
  const [stack, page] = await Promise.all([api("/stack"), api("/runs?limit=15")]);
  document.title = "Cairn · overview";
  const comps = table(["type", "name", "flavor", "state", "configuration"],
    stack.components.map((c) => [c.type, c.name, c.flavor, c.state || "–",
      Object.keys(c.config).length ? json(c.config) : h("span", { class: "muted" }, "–")]));
  setMain(
    h("h1", {}, "Overview"),
    h("div", { class: "panel", id: "stack" },
      h("h2", {}, `Stack '${stack.name}'`, stack.active ? " (active)" : ""), comps),
    h("div", { class: "panel", id: "recent-runs" },
      h("h2", {}, `Recent runs (${page.total} in all)`),
      page.items.length ? runsTable(page.items) : h("p", { class: "muted" }, "No run yet."),
      h("p", {}, link("/runs", "All runs →"))));
}

// ------------------------------------------------------------------ pipelines
async function pipelinesPage() {
  const pipelines = await api("/pipelines");
  document.title = "Cairn · pipelines";
  setMain(h("h1", {}, "Pipelines"), h("div", { class: "panel" },
    pipelines.length ? table(["pipeline", "runs", "steps", "updated"], pipelines.map((p) => [
      link(`/runs?pipeline=${encodeURIComponent(p.name)}`, p.name), String(p.run_count),
      String(p.step_names.length), when(p.updated)]))
      : h("p", { class: "muted" }, "No pipeline has run yet.")));
}

// ------------------------------------------------------------------ runs
function dayStart(value) { return value ? new Date(`${value}T00:00:00`).getTime() / 1000 : null; }

async function runsPage() {
  const params = new URLSearchParams(location.search);
  const limit = Math.min(Number(params.get("limit")) || 50, 500);
  const offset = Math.max(Number(params.get("offset")) || 0, 0);
  const [info, pipelines, stacks] = await Promise.all([api("/info"), api("/pipelines"),
    api("/stacks")]);
  const query = new URLSearchParams({ limit, offset });
  for (const key of ["pipeline", "status", "stack"]) {
    if (params.get(key)) query.set(key, params.get(key));
  }
  const from = dayStart(params.get("from"));
  const to = dayStart(params.get("to"));
  if (from !== null) query.set("created_after", from);
  if (to !== null) query.set("created_before", to + 86400);
  const page = await api(`/runs?${query}`);
  document.title = "Cairn · runs";

  const select = (name, options) => h("select", { name },
    h("option", { value: "" }, "any"),
    options.map((o) => h("option", { value: o, selected: params.get(name) === o }, o)));
  const form = h("form", { class: "filters", method: "get", action: "/runs" },
    h("label", {}, "pipeline", select("pipeline", pipelines.map((p) => p.name))),
    h("label", {}, "status", select("status", info.statuses)),
    h("label", {}, "stack", select("stack", stacks.map((x) => x.name))),
    h("label", {}, "from", h("input", { type: "date", name: "from", value: params.get("from") || "" })),
    h("label", {}, "to", h("input", { type: "date", name: "to", value: params.get("to") || "" })),
    h("button", { type: "submit" }, "Filter"));

  const goto = (newOffset) => {
    const next = new URLSearchParams(location.search);
    next.set("offset", newOffset);
    return `/runs?${next}`;
  };
  const last = Math.min(offset + page.items.length, page.total);
  const pager = h("div", { class: "pager" },
    offset > 0 ? link(goto(Math.max(0, offset - limit)), "← newer") : h("span", { class: "muted" }, "← newer"),
    h("span", { id: "range" }, page.total ? `${offset + 1}–${last} of ${page.total}` : "no run matches"),
    last < page.total ? link(goto(offset + limit), "older →") : h("span", { class: "muted" }, "older →"));
  const compareButton = h("button", { type: "button", id: "compare-selected", disabled: true,
    onclick: () => {
      const picked = [...document.querySelectorAll("input.pick:checked")].map((x) => x.value);
      location.href = `/compare?${picked.map((r) => `runs=${encodeURIComponent(r)}`).join("&")}`;
    } }, "Compare selected");
  const list = page.items.length ? runsTable(page.items, { select: true })
    : h("p", { class: "muted" }, "No run matches these filters.");
  setMain(h("h1", {}, "Runs"), h("div", { class: "panel" }, form, pager, list,
    h("div", { class: "pager" }, compareButton)));
  document.querySelectorAll("input.pick").forEach((box) => box.addEventListener("change", () => {
    const n = document.querySelectorAll("input.pick:checked").length;
    compareButton.disabled = n < 2;
  }));
}

// ------------------------------------------------------------------ run and its DAG
/** Nodes to draw: steps, with each fan-out (one step function called FANOUT_MIN+ times)
 *  collapsed into one node unless expanded. */
function graphOf(run, expanded) {
  const bySource = new Map();
  for (const st of run.steps) {
    if (!st.source) continue;
    if (!bySource.has(st.source)) bySource.set(st.source, []);
    bySource.get(st.source).push(st);
  }
  const nodeOf = new Map();
  const nodes = [];
  for (const st of run.steps) {
    const members = st.source ? bySource.get(st.source) : null;
    if (members && members.length >= FANOUT_MIN && !expanded.has(st.source)) {
      const key = `group:${st.source}`;
      nodeOf.set(st.name, key);
      if (!nodes.some((n) => n.key === key)) {
        nodes.push({ key, group: st.source, members,
          label: `${st.source.split(":").pop()} ×${members.length}` });
      }
    } else {
      nodeOf.set(st.name, st.name);
      nodes.push({ key: st.name, step: st, label: st.name });
    }
  }
  const edges = new Map();
  for (const e of run.edges) {
    const a = nodeOf.get(e.source), b = nodeOf.get(e.target);
    if (a && b && a !== b) edges.set(`${a}\u0000${b}`, { source: a, target: b, label: e.label });
  }
  return { nodes, edges: [...edges.values()] };
}

function groupStatus(members) {
  const order = ["failed", "running", "pending", "cancelled", "not_run", "completed", "cached"];
  const present = new Set(members.map((m) => m.status));
  if (present.size === 1) return members[0].status;
  return order.find((x) => present.has(x)) || "pending";
}

function groupCounts(members) {
  const counts = {};
  for (const m of members) counts[m.status] = (counts[m.status] || 0) + 1;
  return Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ");
}

/** Graphs with more nodes than this are ranked with dagre's faster "tight-tree" ranker
 *  (network simplex, the default, takes tens of seconds at 1,000 nodes). */
const LARGE_GRAPH = 150;
/** The last layout, reused while the graph's structure stays the same (a live run only
 *  changes statuses: no new layout every poll). */
let layoutCache = { key: null, g: null };

function layoutOf(nodes, edges) {
  const key = JSON.stringify([nodes.map((n) => [n.key, n.label]),
    edges.map((e) => [e.source, e.target])]);
  if (layoutCache.key === key) return layoutCache.g;
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 60, marginx: 16, marginy: 16,
    ranker: nodes.length > LARGE_GRAPH ? "tight-tree" : "network-simplex" });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) {
    const width = Math.min(260, Math.max(110, 7.2 * n.label.length + 28));
    g.setNode(n.key, { width, height: n.group ? 48 : 38 });
  }
  for (const e of edges) g.setEdge(e.source, e.target, { label: e.label });
  dagre.layout(g);
  layoutCache = { key, g };
  return g;
}

function drawDag(run, expanded, onToggle) {
  const { nodes, edges } = graphOf(run, expanded);
  const g = layoutOf(nodes, edges);
  const dataOf = new Map(nodes.map((n) => [n.key, n]));
  const graph = g.graph();
  const svg = s("svg", { class: "dag", width: Math.ceil(graph.width), height: Math.ceil(graph.height),
    viewBox: `0 0 ${Math.ceil(graph.width)} ${Math.ceil(graph.height)}`, role: "img",
    "aria-label": `DAG of run ${run.name}` });
  svg.append(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
  s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#a0aec0" }))));
  for (const e of g.edges()) {
    const pts = g.edge(e).points;
    const d = pts.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    svg.append(s("path", { class: "edge", d, "marker-end": "url(#arrow)",
      "data-edge": `${e.v}->${e.w}` }));
  }
  for (const key of g.nodes()) {
    const box = g.node(key);
    const n = dataOf.get(key);
    const status = n.group ? groupStatus(n.members) : n.step.status;
    const x = box.x - box.width / 2, y = box.y - box.height / 2;
    const node = s("g", { class: n.group ? "node group" : "node", "data-status": status,
      "data-step": n.group ? null : n.step.name, "data-group": n.group || null,
      transform: `translate(${x.toFixed(1)},${y.toFixed(1)})` });
    node.append(s("title", {}, n.group ? `${n.label}: ${groupCounts(n.members)} (click to expand)`
      : `${n.step.name}: ${status}${n.step.duration !== null ? `, ${secs(n.step.duration)}` : ""}`));
    node.append(s("rect", { width: box.width, height: box.height, rx: 6 }));
    node.append(s("text", { x: 10, y: 16 }, n.label));
    const sub = n.group ? groupCounts(n.members)
      : `${status}${n.step.duration !== null ? " · " + secs(n.step.duration) : ""}`;
    node.append(s("text", { class: "sub", x: 10, y: n.group ? 34 : 30 }, sub));
    node.addEventListener("click", () => {
      if (n.group) onToggle(n.group);
      else if (n.step.id) location.href = `/steps/${encodeURIComponent(n.step.id)}`;
    });
    svg.append(node);
  }
  return svg;
}

function stepsTable(run) {
  return table(["step", "status", "started", "duration", "attempts"], run.steps.map((st) => [
    st.id ? stepLink(st.id, st.name) : st.name, badge(st.status), when(st.started),
    secs(st.duration), st.attempts ? String(st.attempts) : "–"]),
  (i) => ({ "data-step-row": run.steps[i].name, "data-status": run.steps[i].status }));
}

async function runPage(ident) {
  const expanded = new Set();
  let run = await api(`/runs/${encodeURIComponent(ident)}`);
  const render = () => {
    document.title = `Cairn · ${run.name}`;
    const counts = {};
    for (const st of run.steps) counts[st.status] = (counts[st.status] || 0) + 1;
    const head = h("div", { class: "panel" },
      h("h1", {}, "Run ", h("span", { id: "run-name" }, run.name), " ", badge(run.status)),
      facts([["pipeline", link(`/runs?pipeline=${encodeURIComponent(run.pipeline)}`, run.pipeline)],
        ["stack", run.stack || "–"], ["created", when(run.created)],
        ["duration", secs(run.duration)], ["code version", run.code_version || "–"],
        ["steps", Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ") || "none"],
        ["compare", link(`/compare?runs=${encodeURIComponent(run.name)}`, "compare with…")]]));
    const dag = h("div", { class: "dag-wrap", id: "dag" }, drawDag(run, expanded, (group) => {
      if (expanded.has(group)) expanded.delete(group); else expanded.add(group);
      render();
    }));
    const parts = [head];
    if (run.error) parts.push(h("div", { class: "panel error-box" }, h("h2", {}, "Error"),
      h("pre", { class: "traceback" }, run.error)));
    parts.push(h("h2", {}, "DAG"),
      h("div", { class: "legend muted" }, "colours: ",
        ["completed", "cached", "running", "failed", "pending"].map((x) => badge(x)),
        ` · a step called ${FANOUT_MIN}+ times is one node: click it to expand`),
      dag,
      h("div", { class: "grid2" },
        h("div", {}, h("h2", {}, "Parameters"), json(run.parameters)),
        h("div", {}, h("h2", {}, "Stack used"), json(run.stack_snapshot))),
      h("h2", {}, "Steps"), h("div", { class: "panel" }, stepsTable(run)));
    setMain(...parts);
  };
  render();
  document.body.dataset.ready = "1";
  while (!["completed", "failed", "cached", "cancelled"].includes(run.status)) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    try {
      run = await api(`/runs/${encodeURIComponent(run.id)}`);
      render();
    } catch (err) { /* keep the last view; try again */ }
  }
}

// ------------------------------------------------------------------ step
function artifactRows(refs, withProducer) {
  const names = Object.keys(refs);
  if (!names.length) return h("p", { class: "muted" }, "none");
  return table(withProducer ? ["input", "artifact", "type", "size", "made by"]
    : ["output", "artifact", "type", "size"], names.map((k) => {
    const a = refs[k];
    const row = [k, artifactLink(a.id, a.content_hash ? a.content_hash.slice(0, 18) : a.id),
      h("code", {}, a.data_type), bytes(a.size)];
    if (withProducer) {
      row.push(a.producer_step_id ? h("span", {}, stepLink(a.producer_step_id, a.producer_step),
        " in ", runLink(a.producer_run_id, "its run")) : "–");
    }
    return row;
  }));
}

async function stepPage(ident) {
  const st = await api(`/steps/${encodeURIComponent(ident)}`);
  document.title = `Cairn · ${st.name}`;
  const logs = h("pre", { id: "logs" }, "");
  const meta = Object.keys(st.metadata);
  const parts = [
    h("div", { class: "panel" },
      h("h1", {}, "Step ", h("span", { id: "step-name" }, st.name), " ", badge(st.status)),
      facts([["run", runLink(st.run_id, st.run_name)], ["started", when(st.started)],
        ["duration", secs(st.duration)], ["attempts", String(st.attempts)],
        ["cache key", h("code", {}, st.cache_key || "–")],
        ["reused", st.cached ? "yes" : "no"],
        ["why", h("span", { id: "cache-reason" }, st.cache_reason || "–")],
        st.cached_from ? ["reused from", stepLink(st.cached_from, "the earlier step run")] : null])),
  ];
  if (st.error) {
    parts.push(h("div", { class: "panel error-box", id: "failure" }, h("h2", {}, "Failure"),
      h("pre", { class: "traceback", id: "traceback" }, st.error)));
  }
  parts.push(
    h("div", { class: "grid2" },
      h("div", {}, h("h2", {}, "Parameters"), json(st.parameters)),
      h("div", {}, h("h2", {}, "Metadata"), meta.length
        ? table(["key", "value"], meta.map((k) => [k, typeof st.metadata[k] === "object"
          ? json(st.metadata[k]) : String(st.metadata[k])]))
        : h("p", { class: "muted" }, "none"))),
    h("h2", {}, "Inputs"), h("div", { class: "panel" }, artifactRows(st.inputs, true)),
    h("h2", {}, "Outputs"), h("div", { class: "panel" }, artifactRows(st.outputs, false)),
    h("h2", {}, "Logs"), logs);
  setMain(...parts);
  let offset = 0;
  for (;;) {
    const chunk = await api(`/steps/${encodeURIComponent(st.id)}/logs?offset=${offset}`);
    if (chunk.text) logs.append(chunk.text);
    offset = chunk.next_offset;
    if (chunk.finished && !chunk.text) break;
    if (!chunk.text) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (!logs.textContent) logs.textContent = "(no output)";
  document.body.dataset.ready = "1";
}

// ------------------------------------------------------------------ artifact
function previewOf(p) {
  const note = p.truncated ? h("p", { class: "muted small" }, "(truncated)") : null;
  switch (p.kind) {
    case "dataframe":
      return h("div", {}, h("p", {}, p.summary),
        table(p.columns.map((c) => `${c.name} (${c.dtype})`), p.rows.map((r) => r.map(String))), note);
    case "array":
      return h("div", {}, facts([["shape", JSON.stringify(p.shape)], ["dtype", p.dtype]]),
        h("h2", {}, "Sample"), json(p.sample), note);
    case "number": return h("p", { class: "number" }, String(p.value));
    case "text": return h("div", {}, h("pre", { class: "json" }, p.value), note);
    case "image": return h("div", { class: "preview" }, h("img", { src: p.data_url, alt: p.summary }));
    case "json": return json(p.value);
    default: return h("p", { class: "muted" }, p.reason || "no preview");
  }
}

async function artifactPage(ident) {
  const [a, p] = await Promise.all([api(`/artifacts/${encodeURIComponent(ident)}`),
    api(`/artifacts/${encodeURIComponent(ident)}/preview`)]);
  document.title = `Cairn · ${a.name}`;
  const use = (u) => [stepLink(u.step_id, u.step), runLink(u.run_id, u.run), badge(u.status),
    u.input_name || "–"];
  setMain(
    h("div", { class: "panel" }, h("h1", {}, "Artifact ", a.name),
      facts([["type", h("code", {}, a.data_type)], ["size", bytes(a.size)],
        ["uri", h("code", {}, a.uri)], ["content hash", h("code", {}, a.content_hash || "–")],
        ["materializer", h("code", {}, a.materializer)], ["created", when(a.created)]])),
    h("h2", {}, "Preview", p.summary ? ` · ${p.summary}` : ""),
    h("div", { class: "panel preview", id: "preview" }, previewOf(p)),
    h("h2", {}, "Lineage"),
    h("div", { class: "panel" }, h("p", {}, "Made by: ",
      a.producer ? [stepLink(a.producer.step_id, a.producer.step), " in run ",
        runLink(a.producer.run_id, a.producer.run)] : "(its run was deleted)"),
    a.consumers.length ? table(["used by step", "run", "status", "as input"], a.consumers.map(use))
      : h("p", { class: "muted" }, "No run used it as an input.")),
    h("h2", {}, "Properties"), json(a.properties));
}

// ------------------------------------------------------------------ compare
function compareSection(title, rows, runs, fmt) {
  const differing = rows.filter((r) => r.differs).length;
  return h("div", { class: "panel", "data-section": title },
    h("h2", {}, title, h("span", { class: "muted small" },
      rows.length ? ` · ${differing} of ${rows.length} differ` : " · none")),
    rows.length ? table(["", ...runs.map((r) => r.name)],
      rows.map((r) => [r.key, ...r.values.map((v) => (v === null || v === undefined ? "–" : fmt(v)))]),
      (i) => ({ class: rows[i].differs ? "differs" : null, "data-key": rows[i].key,
        "data-differs": rows[i].differs ? "1" : "0" })) : null);
}

async function comparePage() {
  const params = new URLSearchParams(location.search);
  const names = params.getAll("runs").flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x);
  document.title = "Cairn · compare";
  const picker = h("form", { class: "filters", method: "get", action: "/compare" },
    h("label", {}, "runs (names or ids, comma separated)",
      h("input", { name: "runs", size: 80, value: names.join(", ") })),
    h("button", { type: "submit" }, "Compare"));
  if (names.length < 2) {
    setMain(h("h1", {}, "Compare runs"), h("div", { class: "panel" }, picker,
      h("p", { class: "muted" }, "Pick two runs or more here, or tick them in the run list.")));
    return;
  }
  const c = await api(`/compare?${names.map((n) => `runs=${encodeURIComponent(n)}`).join("&")}`);
  const plain = (v) => (typeof v === "object" ? JSON.stringify(v) : String(v));
  setMain(h("h1", {}, "Compare runs"), h("div", { class: "panel" }, picker, runsTable(c.runs)),
    compareSection("Parameters", c.parameters, c.runs, plain),
    compareSection("Metrics", c.metrics, c.runs, plain),
    compareSection("Step durations", c.durations, c.runs, (v) => secs(v)),
    compareSection("Cache reuse", c.cached, c.runs, (v) => (v ? "reused" : "ran")),
    compareSection("Outputs (content hash)", c.outputs, c.runs, (v) => String(v).slice(0, 22)));
  document.body.dataset.ready = "1";
}

// ------------------------------------------------------------------ router
const ROUTES = [
  [/^\/$/, overviewPage, "overview"],
  [/^\/pipelines$/, pipelinesPage, "pipelines"],
  [/^\/runs$/, runsPage, "runs"],
  [/^\/runs\/([^/]+)$/, runPage, "runs"],
  [/^\/steps\/([^/]+)$/, stepPage, "runs"],
  [/^\/artifacts\/([^/]+)$/, artifactPage, "runs"],
  [/^\/compare$/, comparePage, "compare"],
];

async function start() {
  api("/info").then((info) => {
    document.getElementById("stack-badge").textContent = `stack: ${info.stack} · read-only`;
  }).catch(() => {});
  for (const [pattern, page, nav] of ROUTES) {
    const match = location.pathname.match(pattern);
    if (!match) continue;
    document.querySelector(`[data-nav="${nav}"]`)?.classList.add("active");
    try {
      await page(...match.slice(1).map(decodeURIComponent));
    } catch (err) {
      showError(err);
    }
    document.body.dataset.ready = "1";
    return;
  }
  showError(new Error(`No page at ${location.pathname}`));
}

document.addEventListener("DOMContentLoaded", start);
