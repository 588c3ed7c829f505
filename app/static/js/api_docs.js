// The API reference page (/api/docs): Swagger UI over /api/v1/openapi.json. A file, not an
// inline script, so the site's Content-Security-Policy (script-src 'self') holds here too.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    // No "Try it out" against the live site from the reference page, and no validator badge
    // (it would call an outside service).
    supportedSubmitMethods: [],
    validatorUrl: null,
  });
})();
