"""Builds the web server for `klantstem run` (enabled unless KLANTSTEM_HTTP_ENABLED=no).

Kept apart from `bot.web.server` so commands that never serve HTTP do not load Starlette and
uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App
    from bot.web.server import WebServer


def web_component(app: App) -> WebServer | None:
    """The web server, or None when it is switched off."""
    if not app.config.http_enabled:
        return None
    from bot.web.server import WebServer

    return WebServer(app)
