// The timeline page: draws the items of the #timeline-data block with vis-timeline, and filters
// them in place when a filter changes (the form also works without scripts). Labels are set as
// text, never as HTML.
(function () {
  "use strict";
  const container = document.getElementById("timeline");
  if (!container || typeof vis === "undefined") return;
  const data = JSON.parse(document.getElementById("timeline-data").textContent);
  const strings = JSON.parse(document.getElementById("timeline-strings").textContent);
  const form = document.getElementById("timeline-filters");
  const count = document.getElementById("timeline-count");

  function slug(iri) { return iri.split("/").pop(); }

  function nextDay(day) {
    const d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  function content(item) {
    const span = document.createElement("span");
    span.textContent = item.label;
    span.title = strings[item.kind] + ": " + item.label;
    return span;
  }

  const all = data.items.map(function (item, index) {
    const entry = {
      id: index,
      start: item.start,
      content: content(item),
      className: "kind-" + item.kind + " precision-" + item.precision,
      kind: item.kind,
      topics: item.topics.map(slug),
      href: item.href,
      type: item.end ? "range" : "point",
    };
    if (item.end) entry.end = nextDay(item.end);
    return entry;
  });
  // Axis labels in the page's language (the bundled moment.js speaks English only).
  const lang = strings.lang || "en";
  function formatter(options) {
    const intl = new Intl.DateTimeFormat(lang, Object.assign({ timeZone: "UTC" }, options));
    return (date) => intl.format(date.toDate ? date.toDate() : new Date(date));
  }
  const minor = {
    year: formatter({ year: "numeric" }),
    month: formatter({ month: "short" }),
    week: formatter({ day: "numeric" }),
    weekday: formatter({ weekday: "short", day: "numeric" }),
    day: formatter({ day: "numeric" }),
  };
  const major = {
    month: formatter({ year: "numeric" }),
    week: formatter({ month: "long", year: "numeric" }),
    weekday: formatter({ month: "long", year: "numeric" }),
    day: formatter({ month: "long", year: "numeric" }),
  };
  const time = formatter({ hour: "2-digit", minute: "2-digit" });
  const items = new vis.DataSet(all);
  // vis-timeline 8 has no keyboard option: the keys and the buttons below drive its public
  // moveTo/zoomIn/zoomOut/fit. Items stack downward from the axis at the top, so the first
  // rows of every year are in view without scrolling inside the timeline.
  const timeline = new vis.Timeline(container, items, {
    maxHeight: "60vh",
    verticalScroll: true,
    orientation: { axis: "top", item: "top" },
    zoomMin: 1000 * 60 * 60 * 24 * 7,
    stack: true,
    selectable: true,
    locale: "en",
    tooltip: { followMouse: true },
    format: {
      minorLabels: (date, scale) => (minor[scale] || time)(date),
      majorLabels: (date, scale) => (scale === "year" ? "" : (major[scale] || minor.day)(date)),
    },
  });
  container.setAttribute("data-ready", "true");

  function move(fraction) {
    const range = timeline.getWindow();
    const span = range.end - range.start;
    const start = range.start.valueOf() + span * fraction;
    timeline.setWindow(start, start + span, { animation: false });
  }
  const actions = {
    earlier: () => move(-0.25),
    later: () => move(0.25),
    "zoom-in": () => timeline.zoomIn(0.5, { animation: false }),
    "zoom-out": () => timeline.zoomOut(0.5, { animation: false }),
    fit: () => timeline.fit({ animation: false }),
  };
  const keys = {
    ArrowLeft: "earlier",
    ArrowRight: "later",
    "+": "zoom-in",
    "=": "zoom-in",
    "-": "zoom-out",
    Home: "fit",
    "0": "fit",
  };
  container.addEventListener("keydown", function (event) {
    const action = keys[event.key];
    if (!action || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    actions[action]();
  });
  document.querySelectorAll("[data-timeline]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { actions[button.dataset.timeline](); });
  });

  // Names are drawn once a year is wide enough to hold them; zoomed out, items are dots (their
  // names in tooltips and the list below), so every year shows its items in the first rows.
  // Zoomed out, the axis names every year (every second or fifth on a narrow screen) rather
  // than vis-timeline's own choice, which skipped to every fifth year on a 16-year span.
  const YEAR = 365.25 * 86400000;
  let axisKey = "null";
  function labelsFit() {
    const range = timeline.getWindow();
    const perYear = container.clientWidth / ((range.end - range.start) / YEAR);
    const off = perYear < 260;
    const axis = off ? { scale: "year", step: perYear >= 45 ? 1 : perYear >= 22 ? 2 : 5 } : null;
    if (JSON.stringify(axis) !== axisKey) {
      axisKey = JSON.stringify(axis);
      timeline.setOptions({ timeAxis: axis });
    }
    if (container.classList.contains("labels-off") !== off) {
      container.classList.toggle("labels-off", off);
      timeline.redraw();
    }
  }
  timeline.on("rangechange", labelsFit);
  timeline.on("rangechanged", labelsFit);
  labelsFit();

  timeline.on("select", function (props) {
    if (!props.items.length) return;
    const item = items.get(props.items[0]);
    if (item && item.href) window.location.href = item.href;
  });

  function apply() {
    const kinds = Array.from(form.querySelectorAll("input[name=kind]:checked")).map((e) => e.value);
    const topic = form.querySelector("select[name=topic]").value;
    const keep = all.filter((i) => kinds.includes(i.kind) && (!topic || i.topics.includes(topic)));
    items.clear();
    items.add(keep);
    if (keep.length) timeline.fit({ animation: false });
    count.textContent = strings.items.replace("{n}", String(keep.length));
    container.setAttribute("data-count", String(keep.length));
    document.querySelectorAll(".timeline-list tbody tr").forEach(function (row) {
      const topics = row.dataset.topics.split(" ");
      row.hidden = !(kinds.includes(row.dataset.kind) && (!topic || topics.includes(topic)));
    });
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  apply();
})();
