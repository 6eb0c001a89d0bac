"""The HTTP API: the project API over HTTP, for other front ends (a web app, a script, a
team's dashboard). `cinefile serve` runs it under /api; the studio can mount the same app.

    from cinefile.daemon.http import create_app, loopback_hosts
    app = create_app(api, token=token, allowed_hosts=loopback_hosts(port))

Routes live in `routes/`, one module per resource, each a conversion of arguments in and
results out: every rule is the project API's. See docs/http-api.md.
"""

from __future__ import annotations

from .app import create_app
from .guard import loopback_hosts
from .problems import http_problem
from .token_file import new_token, token_file

__all__ = ["create_app", "http_problem", "loopback_hosts", "new_token", "token_file"]
