"""A real Klantstem app with its uvicorn web server on 127.0.0.1 (a free port), running in
its own thread and event loop, so plain blocking HTTP clients (httpx, schemathesis) can
talk to it while the test waits."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx

from bot.api.tokens import create_token
from bot.app import App, ComponentFactory, build_app
from bot.config.settings import Config
from bot.timeutil import utc_now
from bot.web.component import web_component
from bot.web.server import WebServer

T = TypeVar("T")
START_TIMEOUT = 30.0


@dataclass
class LiveApp:
    """A running app: its URL, a read and a write token, and a way into its loop."""

    app: App
    loop: asyncio.AbstractEventLoop
    url: str
    read_token: str
    write_token: str

    def auth(self, scope: str = "write") -> dict[str, str]:
        """The Authorization header of the read or write token."""
        token = self.write_token if scope == "write" else self.read_token
        return {"Authorization": f"Bearer {token}"}

    def run(self, work: Callable[[App], Awaitable[T]]) -> T:
        """Run `work(app)` in the app's event loop and return its result."""

        async def call() -> T:
            return await work(self.app)

        future: Future[T] = asyncio.run_coroutine_threadsafe(call(), self.loop)
        return future.result(timeout=START_TIMEOUT)


def live_config(db_url: str, extra: Mapping[str, str] | None = None) -> Config:
    """Settings for a test app: the test's database and a free port on 127.0.0.1."""
    return Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": db_url,
            "KLANTSTEM_HTTP_HOST": "127.0.0.1",
            "KLANTSTEM_HTTP_PORT": "0",
            **(extra or {}),
        }
    )


@contextmanager
def serve(
    config: Config,
    factories: tuple[ComponentFactory, ...] = (),
    clock: Callable[[], datetime] = utc_now,
) -> Iterator[LiveApp]:
    """Start the app (the given components, then the web server) on `clock` and stop it
    afterwards; the tokens are made at the clock's time."""
    ready: Future[LiveApp] = Future()
    stopping: dict[str, Any] = {}

    async def main() -> None:
        app = await build_app(config, factories=[*factories, web_component], clock=clock)
        stop = asyncio.Event()
        stopping.update(loop=asyncio.get_running_loop(), event=stop)
        try:
            read = await create_token(app.storage, "test-read", "read", clock())
            write = await create_token(app.storage, "test-write", "write", clock())
            await app.start()
            web = next(c for c in app.components if isinstance(c, WebServer))
            url = f"http://127.0.0.1:{web.port}"
            ready.set_result(
                LiveApp(app, asyncio.get_running_loop(), url, read.secret, write.secret)
            )
            await stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise
        finally:
            await app.stop()

    thread = threading.Thread(target=lambda: asyncio.run(main()), name="live-app", daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=START_TIMEOUT)
    finally:
        if "loop" in stopping:
            stopping["loop"].call_soon_threadsafe(stopping["event"].set)
        thread.join(timeout=START_TIMEOUT)
        assert not thread.is_alive(), "the app did not stop"


def scrape(live: LiveApp) -> dict[str, float]:
    """`/metrics` as name -> value, each line checked against its declared type."""
    response = httpx.get(f"{live.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    values = {}
    for line in response.text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            assert kind == ("counter" if name.endswith("_total") else "gauge")
        elif line and not line.startswith("#"):
            name, value = line.split()
            values[name] = float(value)
    return values
