"""The interactive docs (Swagger UI) at /api/docs. The page itself holds no data, so it is
open; every call it makes, the schema's first, carries the token, which it takes from the
address's fragment (`/api/docs#token=...`, as `cinefile serve` prints it: a fragment never
reaches the server, so never a log), else asks for it; it stays in the tab's session only."""

from __future__ import annotations

import json

from starlette.responses import HTMLResponse

SWAGGER_JS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"
SWAGGER_CSS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cinefile HTTP API</title>
<link rel="stylesheet" href="%(css)s"></head>
<body><div id="swagger-ui"></div>
<script src="%(js)s"></script>
<script>
const fromAddress = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromAddress) { sessionStorage.setItem("cinefile-token", fromAddress); history.replaceState(null, "", location.pathname); }
const token = sessionStorage.getItem("cinefile-token") || prompt("The token `cinefile serve` printed:") || "";
sessionStorage.setItem("cinefile-token", token);
SwaggerUIBundle({url: %(schema)s, dom_id: "#swagger-ui",
  requestInterceptor: (request) => { request.headers.Authorization = "Bearer " + token; return request; }});
</script></body></html>
"""


def docs_page(schema_url: str) -> HTMLResponse:
    return HTMLResponse(_PAGE % {"css": SWAGGER_CSS, "js": SWAGGER_JS, "schema": json.dumps(schema_url)},
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
