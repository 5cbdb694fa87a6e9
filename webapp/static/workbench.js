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
