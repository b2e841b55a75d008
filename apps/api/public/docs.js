// /docs: Swagger UI over this API's own /openapi.json, served from the npm package
// swagger-ui-dist (no CDN, no validator badge that would call out to the internet).
window.addEventListener('DOMContentLoaded', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#reference',
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: true,
    persistAuthorization: true,
    displayRequestDuration: true,
  });
});
