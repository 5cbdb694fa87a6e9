// The query workbench: YASGUI pointed at this archive's /sparql, with the saved queries one click
// away. Configuration comes from the page's JSON block (the CSP allows no inline scripts).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("workbench-config").textContent);
  const Yasgui = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  const host = document.getElementById("yasgui");
  if (!Yasgui || !host) return;

  // Nothing leaves this site: the class and property autocompleters ask the LOV service at
  // lov.linkeddata.es, so they are switched off (prefixes and variables complete locally).
  const local = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(
    (name) => local.includes(name),
  );

  const endpoint = new URL(config.endpoint, window.location.href).href;
  const yasgui = new Yasgui(host, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    persistenceId: "dialogue-kg-workbench",
    populateFromUrl: false,
  });

  const byName = new Map(config.catalogue.map((item) => [item.name, item]));

  // A saved query opens in its own tab (reused when it is open already), so nothing the
  // visitor typed elsewhere is overwritten.
  function open(name, text) {
    let tab = yasgui.tabNameTaken(name);
    if (tab) {
      yasgui.selectTabId(tab.getId());
    } else {
      tab = yasgui.addTab(true, { name: name });
    }
    tab.setEndpoint(endpoint);
    tab.setQuery(text);
    host.dataset.loaded = name;
  }

  if (config.saved) open(config.saved.name, config.saved.text);

  // Result links to the archive's own resources open their pages here, in the same tab (YASR
  // links every IRI to itself, and w3id.org would lead away from this copy of the archive).
  function localise(link) {
    const iri = link.getAttribute("href") || "";
    for (const [prefix, path] of config.pages) {
      if (iri.startsWith(prefix) && iri.length > prefix.length) {
        const rest = iri.slice(prefix.length);
        if (path.endsWith("/changeset/") && !/^\d+$/.test(rest)) return;
        link.setAttribute("href", path + rest.split("/").map(encodeURIComponent).join("/"));
        link.removeAttribute("target");
        link.removeAttribute("rel");
        return;
      }
    }
  }
  // YASGUI's markup mended for assistive technology: its editor, endpoint and filter fields get
  // names, and its "add a tab" button, which sits in the tab list (a tab list holds only tabs),
  // is announced as the tab that adds a tab. Done once per frame, however many changes.
  let pending = false;
  function mendSoon() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      mend();
    });
  }
  function mend() {
    host.querySelectorAll(".yasr a[href^='http']").forEach(localise);
    for (const [selector, name] of [
      [".CodeMirror textarea", config.labels.editor],
      [".autocomplete", config.labels.endpoint],
      [".yasr .tableFilter, .yasr input[type=search]", config.labels.filter],
      [".tabsList input[type=text]", config.labels.tabName],
    ]) {
      host.querySelectorAll(selector).forEach((el) => {
        if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", name);
      });
    }
    host.querySelectorAll(".CodeMirror-scroll[tabindex='-1']").forEach((el) => el.setAttribute("tabindex", "0"));
    host.querySelectorAll(".tabsList .addTab:not([role])").forEach((button) => {
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", "false");
    });
  }
  mend();
  new MutationObserver(mendSoon).observe(host, { childList: true, subtree: true });

  document.querySelectorAll("[data-saved]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const item = byName.get(link.dataset.saved);
      if (!item) return;
      event.preventDefault();
      open(item.name, item.text);
      window.history.replaceState(null, "", link.href);
    });
  });
})();
