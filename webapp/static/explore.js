// The graph explorer: draws /explore/graph.json with vis-network, filters it (class, topic,
// agreement type, years, the dialogue as it stood on a date), finds nodes, fills the side panel
// and the text list. Data is only ever written with textContent, never parsed as HTML.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("explore-config").textContent);
  const S = config.strings;
  const DAY = 86400000;
  const api = (window.dkgExplorer = {
    timings: { start: performance.now() },
    network: null,
    nodes: null,
    edges: null,
    ready: false,
    isShown: (id) => visible.has(id),
    classNames: config.classNames,
    strings: config.strings,
  });

  const form = document.getElementById("explore-controls");
  const container = document.getElementById("network");
  const statusEl = document.getElementById("status");
  const asOf = document.getElementById("as-of");
  const slider = document.getElementById("time-slider");
  const playButton = document.getElementById("play");
  const panelBody = document.getElementById("panel-body");
  const panelTitle = document.getElementById("panel-title");
  const panelEmpty = document.getElementById("panel-empty");
  const listWrap = document.getElementById("node-list-wrap");
  const listBody = document.querySelector("#node-list tbody");

  const adjacency = (api.adjacency = new Map());
  let visible = new Set();
  // The network sees views of the data: filtered-out nodes and edges are not in it at all, so
  // vis-network neither lays them out nor draws them.
  let nodeView = null;
  let edgeView = null;
  let playing = null;

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
  }
  function say(text) {
    statusEl.textContent = text;
  }
  function dayOf(iso) {
    return Math.floor(Date.parse(iso + "T00:00:00Z") / DAY);
  }
  function isoOf(day) {
    return new Date(day * DAY).toISOString().slice(0, 10);
  }
  function tip(text) {
    // vis-network shows an element as given; a string might be read as HTML in some versions.
    const el = document.createElement("div");
    el.className = "dkg-tip";
    el.textContent = text;
    return el;
  }
  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  function safePath(path) {
    return typeof path === "string" && path.startsWith("/") && !path.startsWith("//") ? path : null;
  }

  // ---- filters ------------------------------------------------------------------------------

  function filters() {
    const data = new FormData(form);
    const from = parseInt(data.get("from"), 10);
    const to = parseInt(data.get("to"), 10);
    return {
      classes: new Set(data.getAll("class")),
      topic: data.get("topic") || "",
      nature: data.get("nature") || "",
      from: Number.isNaN(from) ? null : from,
      to: Number.isNaN(to) ? null : to,
      asOf: asOf.value || null,
    };
  }

  function passes(node, f) {
    if (f.asOf && node.date && node.date > f.asOf) return false;
    if (node.expanded) return true;
    if (!f.classes.has(node.group)) return false;
    if (node.date) {
      const year = parseInt(node.date.slice(0, 4), 10);
      if (f.from !== null && year < f.from) return false;
      if (f.to !== null && year > f.to) return false;
    }
    if (f.nature && (node.group === "agreement" || node.group === "subagreement")) {
      if (f.nature === "none" ? node.nature : node.nature !== f.nature) return false;
    }
    return true;
  }

  function computeVisible() {
    const f = filters();
    const base = new Set();
    api.nodes.forEach((n) => {
      if (passes(n, f)) base.add(n.id);
    });
    if (!f.topic) return base;
    // A topic keeps the nodes about it, and the untagged nodes (actors, sources…) linked to them.
    const matching = new Set();
    for (const id of base) {
      const n = api.nodes.get(id);
      if (n.expanded || (n.topics || []).includes(f.topic)) matching.add(id);
    }
    const result = new Set(matching);
    for (const id of base) {
      const n = api.nodes.get(id);
      if ((n.topics || []).length) continue;
      for (const other of adjacency.get(id) || []) {
        if (matching.has(other)) {
          result.add(id);
          break;
        }
      }
    }
    return result;
  }

  function applyFilters() {
    if (!api.nodes) return;
    visible = computeVisible();
    nodeView.refresh();
    edgeView.refresh();
    say(fmt(S.visible, { n: visible.size, total: api.nodes.length }));
    if (listWrap.open) renderList();
    container.dispatchEvent(new CustomEvent("dkg:filtered"));
  }

  function renderList() {
    const rows = [];
    for (const id of visible) rows.push(api.nodes.get(id));
    rows.sort((a, b) => a.label.localeCompare(b.label));
    const fragment = document.createDocumentFragment();
    for (const n of rows) {
      const tr = document.createElement("tr");
      const name = document.createElement("td");
      const path = safePath(n.page);
      if (path) name.appendChild(el("a", n.label, { href: path }));
      else name.textContent = n.label;
      tr.appendChild(name);
      tr.appendChild(el("td", config.classNames[n.group] || n.group));
      tr.appendChild(el("td", n.date || "—"));
      const show = document.createElement("td");
      show.appendChild(el("button", S.showInGraph, { type: "button", "data-node": n.id }));
      tr.appendChild(show);
      fragment.appendChild(tr);
    }
    listBody.replaceChildren(fragment);
  }

  // ---- time ---------------------------------------------------------------------------------

  function setDate(iso, fromSlider) {
    asOf.value = iso;
    if (!fromSlider && iso) slider.value = String(dayOf(iso));
    applyFilters();
  }

  function stopPlaying() {
    if (playing) clearInterval(playing);
    playing = null;
    playButton.textContent = S.play;
    playButton.setAttribute("aria-pressed", "false");
  }

  function play() {
    if (playing) return stopPlaying();
    if (!config.firstDate) return;
    const first = parseInt(config.firstDate.slice(0, 4), 10);
    const last = parseInt(config.lastDate.slice(0, 4), 10);
    const steps = [];
    for (let y = first + 1; y <= last; y++) steps.push(y + "-01-01");
    steps.push(config.lastDate);
    let i = 0;
    playButton.textContent = S.pause;
    playButton.setAttribute("aria-pressed", "true");
    setDate(config.firstDate, false);
    playing = setInterval(() => {
      if (i >= steps.length) return stopPlaying();
      setDate(steps[i++], false);
    }, 1200);
  }

  // ---- panel --------------------------------------------------------------------------------

  function section(title, items) {
    const wrap = document.createDocumentFragment();
    if (!items.length) return wrap;
    wrap.appendChild(el("h3", title));
    const ul = document.createElement("ul");
    for (const item of items) {
      const li = document.createElement("li");
      const path = safePath(item.page);
      if (path) li.appendChild(el("a", item.label, { href: path }));
      else li.textContent = item.label;
      ul.appendChild(li);
    }
    wrap.appendChild(ul);
    return wrap;
  }

  async function openPanel(id) {
    const response = await fetch(config.nodeUrl + "&iri=" + encodeURIComponent(id));
    if (!response.ok) return;
    const about = await response.json();
    panelEmpty.hidden = true;
    panelTitle.textContent = about.label;
    const body = document.createDocumentFragment();
    body.appendChild(el("p", config.classNames[about.class] || "", { class: "panel-class" }));
    const dl = document.createElement("dl");
    dl.appendChild(el("dt", S.date));
    dl.appendChild(el("dd", about.date || S.noDate));
    if (about.nature) {
      dl.appendChild(el("dt", S.nature));
      dl.appendChild(el("dd", about.nature));
    }
    body.appendChild(dl);
    if (about.summary) {
      // Marked when the summary is in another language than the page (an English fallback).
      const attrs = { class: "panel-summary" };
      if (about.summaryLanguage && about.summaryLanguage !== document.documentElement.lang) {
        attrs.lang = about.summaryLanguage;
      }
      body.appendChild(el("p", about.summary, attrs));
    }
    body.appendChild(section(S.topics, about.topics || []));
    body.appendChild(section(S.sources, about.sources || []));
    if (about.history && about.history.length) {
      body.appendChild(el("h3", S.history));
      const ol = document.createElement("ol");
      for (const a of about.history) {
        const li = el("li", null, { class: "side-" + a.side });
        const side = S.sides[a.side] || a.side;
        li.textContent = [a.when, side, a.status_label, a.label].filter(Boolean).join(" · ");
        ol.appendChild(li);
      }
      body.appendChild(ol);
    }
    const actions = el("p", null, { class: "panel-actions" });
    const page = safePath(about.page);
    if (page) actions.appendChild(el("a", S.openPage, { href: page, id: "panel-page" }));
    if (about.historyUrl && safePath(about.historyUrl)) {
      actions.appendChild(el("a", S.history, { href: about.historyUrl, id: "panel-history" }));
    }
    const expand = el("button", S.expand, { type: "button", id: "panel-expand" });
    expand.addEventListener("click", () => expandNode(id));
    actions.appendChild(expand);
    body.appendChild(actions);
    panelBody.replaceChildren(body);
    document.getElementById("panel").dataset.iri = id;
  }

  api.openPanel = openPanel;

  // ---- neighbourhood ------------------------------------------------------------------------

  async function expandNode(id) {
    const response = await fetch(config.neighboursUrl + "&iri=" + encodeURIComponent(id));
    if (!response.ok) return;
    const data = await response.json();
    const centre = api.network.getPositions([id])[id] || { x: 0, y: 0 };
    const fresh = data.nodes.filter((n) => !api.nodes.get(n.id));
    const known = data.nodes.filter((n) => api.nodes.get(n.id)).map((n) => ({ id: n.id, expanded: true }));
    fresh.forEach((n, i) => {
      const angle = (2 * Math.PI * i) / Math.max(fresh.length, 1);
      n.x = centre.x + 160 * Math.cos(angle);
      n.y = centre.y + 160 * Math.sin(angle);
      n.expanded = true;
    });
    api.nodes.update(known);
    api.nodes.add(fresh.map(prepareNode));
    api.edges.add(data.edges.filter((e) => !api.edges.get(e.id)).map(prepareEdge));
    indexEdges(data.edges);
    applyFilters();
    say(fmt(S.added, { n: fresh.length }));
  }

  // ---- search -------------------------------------------------------------------------------

  async function searchHits(query) {
    // The archive's search (names and other names in every language and script, best first).
    try {
      const response = await fetch(config.searchUrl + "&q=" + encodeURIComponent(query));
      if (!response.ok) return null;
      return (await response.json()).results;
    } catch (error) {
      return null;
    }
  }

  async function find(query) {
    const q = query.trim();
    if (!q) return;
    const results = await searchHits(q);
    let target = null;
    let count = 0;
    if (results) {
      count = results.length;
      if (results.length && !api.nodes.get(results[0].iri)) {
        // The best hit is not drawn yet: bring it in with its neighbours, if it is a node.
        await expandNode(results[0].iri);
      }
      const drawn = results.find((r) => api.nodes.get(r.iri));
      target = drawn ? api.nodes.get(drawn.iri) : null;
    } else {
      // No search service: match the labels drawn.
      const lower = q.toLowerCase();
      const hits = api.nodes.get({ filter: (n) => n.label.toLowerCase().includes(lower) });
      hits.sort((a, b) => visible.has(b.id) - visible.has(a.id) || a.label.length - b.label.length);
      count = hits.length;
      target = hits[0] || null;
    }
    if (!target) return say(S.noMatch);
    if (!visible.has(target.id)) {
      api.nodes.update({ id: target.id, expanded: true });
      applyFilters();
    }
    api.network.selectNodes([target.id]);
    api.network.focus(target.id, { scale: 1.2, animation: false });
    say(fmt(S.matches, { n: count }));
    openPanel(target.id);
  }

  // ---- building -----------------------------------------------------------------------------

  function prepareNode(n) {
    n.title = tip(n.title || n.label);
    return n;
  }
  function prepareEdge(e) {
    if (e.title) e.title = tip(e.title);
    return e;
  }
  function indexEdges(edges) {
    for (const e of edges) {
      if (!adjacency.has(e.from)) adjacency.set(e.from, new Set());
      if (!adjacency.has(e.to)) adjacency.set(e.to, new Set());
      adjacency.get(e.from).add(e.to);
      adjacency.get(e.to).add(e.from);
    }
  }

  function keepPositions(ids) {
    // A node filtered out and back in returns where it was, not to its seed position.
    if (!ids.length) return;
    const positions = api.network.getPositions(ids);
    api.nodes.update(ids.map((id) => ({ id: id, x: positions[id].x, y: positions[id].y })));
  }

  function setUpTime() {
    if (!config.firstDate) {
      slider.disabled = true;
      playButton.disabled = true;
      return;
    }
    slider.min = String(dayOf(config.firstDate));
    slider.max = String(dayOf(config.lastDate));
    slider.value = String(dayOf(asOf.value || config.lastDate));
  }

  async function start() {
    say(S.loading);
    let data;
    try {
      const response = await fetch(config.graphUrl);
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (error) {
      say(S.failed);
      return;
    }
    api.timings.dataLoaded = performance.now();
    api.timings.nodes = data.nodes.length;
    api.timings.edges = data.edges.length;
    indexEdges(data.edges);
    api.nodes = new vis.DataSet(data.nodes.map(prepareNode));
    api.edges = new vis.DataSet(data.edges.map(prepareEdge));
    visible = computeVisible();
    nodeView = new vis.DataView(api.nodes, { filter: (n) => visible.has(n.id) });
    edgeView = new vis.DataView(api.edges, {
      filter: (e) => visible.has(e.from) && visible.has(e.to),
    });
    api.timings.dataSets = performance.now();

    const network = new vis.Network(container, { nodes: [], edges: [] }, data.options);
    api.network = network;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      // The layout is kept as it settled: no physics while filtering, zooming or dragging.
      network.setOptions({ physics: { enabled: false } });
      api.timings.stable = performance.now();
      if (physics) keepPositions(Object.keys(network.getPositions()));
      container.dispatchEvent(new CustomEvent("dkg:settled"));
    };
    const physics = data.options.physics && data.options.physics.enabled !== false;
    network.once("afterDrawing", () => {
      api.timings.firstDraw = performance.now();
      // Without physics (large graphs) the seed layout is the layout: stable when drawn.
      if (!physics || !data.nodes.length) settle();
    });
    network.once("stabilizationIterationsDone", settle);
    network.on("afterDrawing", () => {
      if (settled && !api.ready && api.timings.firstDraw) {
        api.ready = true;
        api.timings.ready = performance.now();
      }
    });
    network.on("click", (params) => {
      if (params.nodes.length) openPanel(params.nodes[0]);
    });
    network.on("dragEnd", (params) => keepPositions(params.nodes));
    container.dispatchEvent(new CustomEvent("dkg:network"));
    network.setData({ nodes: nodeView, edges: edgeView });
    api.timings.setData = performance.now();

    const names = document.getElementById("node-names");
    const seen = new Set();
    const options = document.createDocumentFragment();
    for (const n of data.nodes) {
      if (seen.has(n.label) || seen.size >= 5000) continue;
      seen.add(n.label);
      options.appendChild(el("option", null, { value: n.label }));
    }
    names.replaceChildren(options);
    setUpTime();
    say(fmt(S.visible, { n: visible.size, total: api.nodes.length }));
  }

  // ---- wiring -------------------------------------------------------------------------------

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = document.getElementById("search").value;
    if (query.trim()) find(query);
    else applyFilters();
  });
  // The date and the slider sit under the graph, outside the form's element (form="…").
  asOf.addEventListener("change", () => {
    if (asOf.value) setDate(asOf.value, false);
  });
  form.addEventListener("change", (event) => {
    if (event.target.id !== "search" && event.target !== slider) applyFilters();
  });
  form.addEventListener("reset", () => {
    stopPlaying();
    setTimeout(() => {
      asOf.value = config.lastDate || "";
      setUpTime();
      applyFilters();
    }, 0);
  });
  slider.addEventListener("input", () => setDate(isoOf(parseInt(slider.value, 10)), true));
  playButton.addEventListener("click", play);
  listWrap.addEventListener("toggle", () => {
    if (listWrap.open) renderList();
  });

  start();
})();
