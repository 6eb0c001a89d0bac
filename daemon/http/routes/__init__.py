"""The routes, one module per resource; `ROUTERS` is every one, in the order the docs list them."""

from __future__ import annotations

from . import assets, block_actions, blocks, events, film, generations, project, reports

ROUTERS = [project.router, blocks.router, block_actions.router, reports.router, generations.router,
           film.router, assets.router, events.router]
