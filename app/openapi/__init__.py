"""The OpenAPI document of /api/v1 and its browsable page (issue 19, "Open API").

- `operation.py`: the `@operation(...)` each /api/v1 route wears; its pydantic models are what
  the request is validated against (through app/params.py) and what the document publishes.
- `document.py`: the document, built from `app.url_map` and those declarations.
- `web.py`: read-endpoint conventions for every /api/v1 GET — ETag/If-None-Match, private
  caching, CORS for public reads, cursor pagination helpers.
- GET /api/v1/openapi.json (public, ETag) and GET /api/docs (Swagger UI, vendored under
  app/static/vendor/swagger-ui, no CDN, under the site's CSP).
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("openapi", __name__)

from . import routes, web  # noqa: E402,F401  (the routes register themselves)


def init_app(app: Flask) -> None:
    """Register the document's routes and the read-endpoint hooks."""
    app.register_blueprint(bp)
    web.init_app(app)
