"""`klantstem run`: every configured component in one event loop until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import build_app
from bot.config.settings import Config

log = logging.getLogger(__name__)


async def run(config: Config) -> int:
    """Start the app, wait for a stop signal, stop cleanly (in-flight work is finished)."""
    app = await build_app(config)
    if not app.components:
        log.warning("nothing to run: no channel is configured")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await app.start()
        log.info("klantstem is running (%s)", ", ".join(c.name for c in app.components) or "-")
        await stop.wait()
        log.info("stopping")
    finally:
        await app.stop()
    return 0
