// Recording forms: add another value or a new inline record without a round trip, and suggest
// existing records as an archivist types (from /record/lookup). Without JavaScript the same
// buttons submit the form and the server adds the input. Data is only ever set as text/values.
(() => {
  const form = document.getElementById("record-form");
  if (!form) return;
  const lookupUrl = form.dataset.lookupUrl;
  const formKey = form.dataset.form;
  let counter = 100;

  function addValue(key) {
    const box = form.querySelector(`[data-values="${CSS.escape(key)}"]`);
    if (!box) return;
    const inputs = box.querySelectorAll("input");
    const copy = inputs[inputs.length - 1].cloneNode(false);
    copy.value = "";
    copy.removeAttribute("id");
    box.appendChild(copy);
    copy.focus();
  }

  function addRow(key) {
    const template = document.getElementById(`tpl-${key}`);
    const rows = document.getElementById(`rows-${key}`);
    if (!template || !rows) return;
    const n = String(counter++);
    const fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("[name], [id], [for], [list]").forEach((el) => {
      for (const attr of ["name", "id", "for", "list"]) {
        const value = el.getAttribute(attr);
        if (value && value.includes("__n__")) el.setAttribute(attr, value.split("__n__").join(n));
      }
    });
    rows.appendChild(fragment);
    const first = rows.lastElementChild.querySelector("input[type=text]");
    if (first) first.focus();
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-add-value], button[data-add-row]");
    if (!button) return;
    event.preventDefault();
    if (button.dataset.addValue) addValue(button.dataset.addValue);
    else addRow(button.dataset.addRow);
  });

  async function suggest(input) {
    const q = input.value.trim();
    const list = document.getElementById(input.getAttribute("list"));
    if (!list || q.length < 2 || q.endsWith("]")) return;
    const params = new URLSearchParams({ q });
    if (input.dataset.lookupField) {
      params.set("form", formKey);
      params.set("field", input.dataset.lookupField);
    } else {
      params.set("class", input.dataset.lookupClass);
    }
    try {
      const response = await fetch(`${lookupUrl}?${params}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const { results } = await response.json();
      list.replaceChildren(
        ...results.map((r) => {
          const option = document.createElement("option");
          option.value = r.value;
          option.textContent = r.label;
          return option;
        }),
      );
    } catch (error) {
      // Suggestions are a help only: typing a name or picking nothing still works.
    }
  }

  const timers = new WeakMap();
  form.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    if (!input.dataset.lookupField && !input.dataset.lookupClass) return;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(() => suggest(input), 200));
  });
})();
