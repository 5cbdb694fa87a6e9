// The explorer's view: node names drawn on the canvas by importance without overlap (the most
// linked nodes first, more as one zooms in), nodes kept big enough to see, the zoom, fit and reset
// buttons, and the keyboard: arrow keys move to the linked node in that direction.
// explore.js owns the data and the filters and tells this file through events on #network.
(function () {
  "use strict";

  const api = window.dkgExplorer;
  const container = document.getElementById("network");
  const current = document.getElementById("network-current");
  const listBody = document.querySelector("#node-list tbody");
  if (!api || !container) return;

  const FONT = "13px system-ui, sans-serif";
  const BOLD = "600 14px system-ui, sans-serif";
  const LINE = 16;
  const MAX_CHARS = 34;
  const MAX_LABELS = 80;
  const NODE_SIZE = 14; // vis-network's own size, in canvas units
  const MIN_RADIUS = 6; // on-screen pixels: no node is drawn smaller
  const ZOOM_STEP = 1.4;

  let ranking = []; // visible node ids, most important first
  let rank = new Map();
  let focused = null; // the node the keyboard is on
  let hovered = null;
  let initialView = null;
  let drawnSize = NODE_SIZE;
  let lastScale = null;
  const widths = new Map();

  api.labelled = [];
  api.focused = () => focused;
  api.ranking = () => ranking.slice();
  api.nodeRadius = () => drawnSize * (api.network ? api.network.getScale() : 1);

  function network() {
    return api.network;
  }

  function shortName(label) {
    return label.length > MAX_CHARS ? label.slice(0, MAX_CHARS - 1).trimEnd() + "…" : label;
  }

  function degree(id) {
    let n = 0;
    for (const other of api.adjacency.get(id) || []) if (api.isShown(other)) n++;
    return n;
  }

  // Importance: links to other shown nodes, agreements first among equals.
  function rerank() {
    const ids = api.nodes.getIds({ filter: (n) => api.isShown(n.id) });
    const score = new Map(
      ids.map((id) => {
        const n = api.nodes.get(id);
        const weight = n.group === "agreement" ? 3 : n.group === "meeting" ? 1 : 0;
        return [id, degree(id) + weight];
      }),
    );
    ids.sort(
      (a, b) =>
        score.get(b) - score.get(a) || api.nodes.get(a).label.length - api.nodes.get(b).label.length,
    );
    ranking = ids;
    rank = new Map(ids.map((id, i) => [id, i]));
    if (focused && !api.isShown(focused)) focused = null;
  }

  function textWidth(ctx, text, font) {
    const key = font + "\u0000" + text;
    if (!widths.has(key)) {
      ctx.font = font;
      widths.set(key, ctx.measureText(text).width);
    }
    return widths.get(key);
  }

  function overlaps(box, boxes) {
    for (const b of boxes) {
      if (box.x < b.x + b.w && b.x < box.x + box.w && box.y < b.y + b.h && b.y < box.y + box.h) {
        return true;
      }
    }
    return false;
  }

  // Called by vis-network after each frame, with the canvas transformed to graph coordinates.
  function drawLabels(ctx) {
    const net = network();
    const width = container.clientWidth;
    const height = container.clientHeight;
    const scale = net.getScale();
    const radius = drawnSize * scale;
    if (scale !== lastScale) {
      // Zooms that fire no "zoom" event (focus on a found node, fit) resize after this frame.
      lastScale = scale;
      requestAnimationFrame(sizeNodes);
    }
    const first = [];
    for (const id of [focused, hovered, ...net.getSelectedNodes()]) {
      if (id && api.isShown(id) && !first.includes(id)) first.push(id);
    }
    const order = first.concat(ranking.filter((id) => !first.includes(id)));
    const positions = net.getPositions(order);
    const boxes = [];
    const placed = [];
    ctx.save();
    const ratio = net.canvas.pixelRatio || window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    for (const id of order) {
      if (placed.length >= MAX_LABELS) break;
      const at = positions[id];
      if (!at) continue;
      const p = net.canvasToDOM(at);
      if (p.x < -50 || p.y < -20 || p.x > width + 50 || p.y > height + 20) continue;
      const node = api.nodes.get(id);
      const strong = first.includes(id);
      const font = strong ? BOLD : FONT;
      const text = strong ? node.label : shortName(node.label);
      const w = textWidth(ctx, text, font) + 6;
      // A name in bold (selected, focused, under the pointer) is kept inside the canvas.
      const cx = strong ? Math.min(Math.max(p.x, w / 2), width - w / 2) : p.x;
      const box = { id: id, x: cx - w / 2, y: p.y + radius + 2, w: w, h: LINE + 2 };
      if (!strong && (overlaps(box, boxes) || box.x < 0 || box.x + w > width || box.y + box.h > height)) {
        continue;
      }
      boxes.push(box);
      ctx.font = font;
      ctx.lineWidth = 4;
      ctx.strokeStyle = "rgba(255, 255, 255, 0.92)";
      ctx.strokeText(text, cx, box.y + 1);
      ctx.fillStyle = "#1b1f24";
      ctx.fillText(text, cx, box.y + 1);
      placed.push(box);
    }
    if (focused && positions[focused]) {
      const p = net.canvasToDOM(positions[focused]);
      ctx.beginPath();
      ctx.arc(p.x, p.y, radius + 5, 0, 2 * Math.PI);
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#f5a623";
      ctx.stroke();
    }
    ctx.restore();
    api.labelled = placed;
  }

  // Nodes never shrink below MIN_RADIUS on screen: zoomed out on a phone they stay visible.
  function sizeNodes() {
    const want = Math.max(NODE_SIZE, Math.round(MIN_RADIUS / network().getScale()));
    if (Math.abs(want - drawnSize) / drawnSize > 0.1) {
      drawnSize = want;
      network().setOptions({ nodes: { size: want } });
    }
  }

  // ---- view buttons ---------------------------------------------------------------------------

  function zoom(factor) {
    const net = network();
    net.moveTo({
      position: net.getViewPosition(),
      scale: Math.min(8, Math.max(0.02, net.getScale() * factor)),
      animation: false,
    });
    sizeNodes();
  }

  function fit() {
    network().fit({ nodes: ranking, animation: false });
    sizeNodes();
  }

  function reset() {
    const net = network();
    net.unselectAll();
    focused = null;
    if (initialView) net.moveTo(Object.assign({ animation: false }, initialView));
    sizeNodes();
    net.redraw();
  }

  const actions = {
    "zoom-in": () => zoom(ZOOM_STEP),
    "zoom-out": () => zoom(1 / ZOOM_STEP),
    fit: fit,
    reset: reset,
  };
  document.querySelectorAll("[data-view]").forEach((button) => {
    button.addEventListener("click", () => {
      if (network()) actions[button.dataset.view]();
    });
  });

  // ---- keyboard -------------------------------------------------------------------------------

  const DIRECTIONS = {
    ArrowRight: [1, 0],
    ArrowLeft: [-1, 0],
    ArrowDown: [0, 1],
    ArrowUp: [0, -1],
  };

  function announce(id) {
    const node = api.nodes.get(id);
    const kind = (api.classNames && api.classNames[node.group]) || node.group;
    current.textContent = `${node.label} — ${kind}, ${degree(id)} ${api.strings.links || "links"}`;
  }

  function focusNode(id) {
    const net = network();
    focused = id;
    net.selectNodes([id]);
    const at = net.getPositions([id])[id];
    const p = net.canvasToDOM(at);
    const margin = 40;
    if (p.x < margin || p.y < margin || p.x > container.clientWidth - margin || p.y > container.clientHeight - margin) {
      net.moveTo({ position: at, animation: false });
    }
    announce(id);
    net.redraw();
  }
  api.focusNode = focusNode;

  // The node in the arrow's direction: a linked node if one lies that way, else the nearest.
  function neighbourTowards(id, [dx, dy]) {
    const positions = network().getPositions(ranking);
    const from = positions[id];
    const best = (candidates) => {
      let found = null;
      let score = Infinity;
      for (const other of candidates) {
        if (other === id || !positions[other]) continue;
        const vx = positions[other].x - from.x;
        const vy = positions[other].y - from.y;
        const dist = Math.hypot(vx, vy) || 1e-6;
        const cos = (vx * dx + vy * dy) / dist;
        if (cos < 0.38) continue; // within about 67° of the arrow
        const s = dist * (2 - cos);
        if (s < score) {
          score = s;
          found = other;
        }
      }
      return found;
    };
    const linked = [...(api.adjacency.get(id) || [])].filter((o) => api.isShown(o));
    return best(linked) || best(ranking);
  }

  container.addEventListener("focus", () => {
    // Only a keyboard focus picks a node; a click on the canvas picks its own.
    if (!network() || !ranking.length || !container.matches(":focus-visible")) return;
    if (!focused || !api.isShown(focused)) {
      const selected = network().getSelectedNodes();
      focusNode(selected.length ? selected[0] : ranking[0]);
    } else {
      announce(focused);
    }
  });
  container.addEventListener("blur", () => network() && network().redraw());

  container.addEventListener("keydown", (event) => {
    if (!network() || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    let handled = true;
    if (DIRECTIONS[key] && focused) {
      const next = neighbourTowards(focused, DIRECTIONS[key]);
      if (next) focusNode(next);
    } else if (DIRECTIONS[key] && ranking.length) {
      focusNode(ranking[0]);
    } else if (key === "PageDown" || key === "PageUp") {
      const i = focused ? rank.get(focused) : -1;
      const step = key === "PageDown" ? 1 : -1;
      const next = ranking[(i + step + ranking.length) % ranking.length];
      if (next) focusNode(next);
    } else if (key === "Home" && ranking.length) {
      focusNode(ranking[0]);
    } else if ((key === "Enter" || key === " ") && focused) {
      api.openPanel(focused);
    } else if (key === "+" || key === "=") {
      zoom(ZOOM_STEP);
    } else if (key === "-") {
      zoom(1 / ZOOM_STEP);
    } else if (key === "0") {
      fit();
    } else if (key === "Escape") {
      reset();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });

  // The text list: "Show in the graph" moves the keyboard into the graph at that node.
  if (listBody) {
    listBody.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-node]");
      if (!button || !network()) return;
      const id = button.dataset.node;
      if (!api.isShown(id)) return;
      focused = id;
      container.focus({ preventScroll: true });
      focusNode(id);
      container.scrollIntoView({ block: "center" });
    });
  }

  // ---- wiring to explore.js ---------------------------------------------------------------

  container.addEventListener("dkg:network", () => {
    const net = network();
    rerank();
    net.on("afterDrawing", drawLabels);
    net.on("zoom", sizeNodes);
    net.on("hoverNode", (params) => {
      hovered = params.node;
    });
    net.on("blurNode", () => {
      hovered = null;
    });
    net.on("click", (params) => {
      if (params.nodes.length) {
        focused = params.nodes[0];
        announce(focused);
      }
    });
  });
  container.addEventListener("dkg:settled", () => {
    rerank();
    // The layout runs along time, wide and flat: on a tall screen (a phone) the first view
    // shows the best-linked half of the nodes large enough to read; "Fit" shows them all.
    if (container.clientHeight > container.clientWidth && ranking.length > 40) {
      network().fit({ nodes: ranking.slice(0, Math.ceil(ranking.length / 2)), animation: false });
      sizeNodes();
    } else {
      fit();
    }
    initialView = { position: network().getViewPosition(), scale: network().getScale() };
  });
  container.addEventListener("dkg:filtered", () => {
    rerank();
    if (network()) network().redraw();
  });
})();
