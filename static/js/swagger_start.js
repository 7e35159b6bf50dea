// Starts Swagger UI on /api/v1/docs (observo/web/templates/swagger_ui.html). A file rather than the
// usual inline snippet, so the page runs under the same script policy as every other page.
(function () {
  "use strict";

  window.addEventListener("load", function () {
    if (typeof window.SwaggerUIBundle !== "function") return; // asset_fallback.js has said why
    var settings = JSON.parse(document.getElementById("swagger-config").textContent);
    var config = {
      url: settings.url,
      dom_id: "#swagger-ui-container",
      // Never asks validator.swagger.io about the document: a closed network cannot reach it.
      validatorUrl: null,
    };
    Object.keys(settings.override || {}).forEach(function (name) {
      config[name] = settings.override[name];
    });
    window.ui = window.SwaggerUIBundle(config);
  });
})();
