/* Renders the OpenAPI document with Swagger UI. */
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) { return; }
  node.innerHTML = "";
  window.SwaggerUIBundle({ url: node.getAttribute("data-spec-url"), domNode: node, deepLinking: true });
})();
