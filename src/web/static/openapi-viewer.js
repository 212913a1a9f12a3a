// The interactive API page (/open-data/viewer): Swagger UI on the public OpenAPI document,
// GET requests only. Swagger UI leaves its selects without a name and its scrolling code
// blocks unreachable by keyboard (WCAG 2.1 AA: select-name, scrollable-region-focusable);
// both are mended as it renders.
"use strict";

function mendViewer(root) {
  for (const select of root.querySelectorAll("select:not([aria-label])")) {
    const row = select.closest("tr");
    const name = row && row.querySelector(".parameter__name");
    select.setAttribute("aria-label", name ? name.textContent.replace("*", "").trim() : select.id || "keuze");
  }
  for (const block of root.querySelectorAll("pre, .microlight")) {
    if (!block.hasAttribute("tabindex")) block.setAttribute("tabindex", "0");
  }
}

(function () {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: false,
    docExpansion: "list",
    supportedSubmitMethods: ["get"],
    validatorUrl: null,
    onComplete: () => {
      mendViewer(root);
      new MutationObserver(() => mendViewer(root)).observe(root, { childList: true, subtree: true });
    },
  });
})();
