// The API reference page (/api/docs): the server-rendered reference is the page; this adds, on
// request, the interactive explorer (Swagger UI, vendored) over /api/v1/openapi.json. A file,
// not an inline script, so the site's Content-Security-Policy (script-src 'self') holds here.
(function () {
  "use strict";
  var button = document.getElementById("api-explorer-open");
  var root = document.getElementById("swagger-ui");
  if (!button || !root) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    var script = document.createElement("script");
    script.src = button.getAttribute("data-bundle");
    script.onload = function () {
      window.SwaggerUIBundle({
        url: button.getAttribute("data-spec-url"),
        domNode: root,
        deepLinking: false,
        // No "Try it out" from the reference page, and no validator badge (an outside service).
        supportedSubmitMethods: [],
        validatorUrl: null,
      });
      button.hidden = true;
    };
    document.body.appendChild(script);
  });
})();
