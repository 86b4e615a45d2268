"""Stopping the app (what SIGTERM does in `klantstem run`) lets a request in flight finish
and keep what it saved, and only then stops the channels."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bot.app import STOP_MARGIN, App, build_app
from bot.config.settings import Config
from bot.storage import Storage
from bot.timeutil import utc_now
from bot.web.component import web_component
from bot.web.server import WebServer


class SlowWebhookChannel:
    """A channel whose webhook saves an update only when the test lets it."""

    name = "slowhook"
    webhook_path = "/slowhook"

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.stopped_after_request = False
        self.finished = False

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Record whether the request had finished before the channel was stopped."""
        self.stopped_after_request = self.finished

    async def process_webhook(self, body: bytes, secret_header: str | None) -> int:
        """Wait for the test, then save the update id."""
        self.entered.set()
        await self.release.wait()
        async with self.storage.transaction() as tx:
            await tx.mark_update(self.name, body.decode(), utc_now())
        self.finished = True
        return 200


async def refusing(port: int | None) -> None:
    """Return once the server refuses new connections (polled: nothing to await)."""
    assert port is not None
    while True:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except (ConnectionRefusedError, ConnectionResetError):
            # A listener closing under a pending connect resets it instead of refusing.
            return
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.01)


async def test_stop_waits_for_the_request_in_flight(tmp_path: Path) -> None:
    config = Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
            "KLANTSTEM_HTTP_HOST": "127.0.0.1",
            "KLANTSTEM_HTTP_PORT": "0",
        }
    )
    channels: list[SlowWebhookChannel] = []

    def slow(app: App) -> SlowWebhookChannel:
        channels.append(SlowWebhookChannel(app.storage))
        return channels[0]

    app = await build_app(config, factories=[slow, web_component])
    await app.start()
    channel = channels[0]
    web = next(c for c in app.components if isinstance(c, WebServer))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{web.port}") as client:
        request = asyncio.create_task(client.post("/slowhook", content=b"update-1"))
        await asyncio.wait_for(channel.entered.wait(), 30)
        stopping = asyncio.create_task(app.stop())
        await asyncio.wait_for(refusing(web.port), 30)  # stopping, the request still held
        assert not stopping.done()
        channel.release.set()
        response = await asyncio.wait_for(request, 30)
        await asyncio.wait_for(stopping, 30)
    assert response.status_code == 200
    assert channel.stopped_after_request

    reopened = await build_app(config, factories=[])
    try:
        async with reopened.storage.transaction() as tx:
            assert not await tx.mark_update("slowhook", "update-1", utc_now())
    finally:
        await reopened.storage.close()


class StuckChannel:
    """A component whose stop never returns (a platform client hanging on close)."""

    name = "stuck"

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Wait for ever."""
        await asyncio.Event().wait()


async def test_stop_is_bounded_even_when_a_component_hangs(tmp_path: Path) -> None:
    config = Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
            "KLANTSTEM_HTTP_SHUTDOWN_SECONDS": "1",
        }
    )
    app = await build_app(config, factories=[lambda app: StuckChannel()])
    await app.start()
    # The bound the README promises: the shutdown grace plus a few seconds, not for ever.
    await asyncio.wait_for(app.stop(), 1 + STOP_MARGIN + 2)
