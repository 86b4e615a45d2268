"""A chat platform that can tell whether a keyed message went out, as a separate server.

`KeyedPlatform` is a small HTTP server in the test process. It records every message a
bot instance sends (with the instance's pid and the outbox key the message carries) and
answers "was the message with this key delivered?". It can hold the answer to the n-th
message, so a test can kill the instance that sent it while the message is in flight.

Run as `python -m tests.fakes.keyed_platform` this is `klantstem run` with a channel
named "telegram" that talks to that server (`KLANTSTEM_FAKE_PLATFORM_URL`) instead of
Telegram; everything else (database, scheduler, outbox) is the real bot.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from bot.delivery import OUTBOX_KEY, Notice
from flows import Reply

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class Sent:
    """One message as the platform received it."""

    instance: int
    address: str
    key: str | None
    texts: tuple[str, ...]


@dataclass
class KeyedPlatform:
    """The server side: records messages and answers delivery look-ups."""

    hold_at: int | None = None
    sent: list[Sent] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    instances: set[int] = field(default_factory=set)
    held: asyncio.Future[Sent] | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def start(self) -> None:
        """Listen on a free local port."""
        self.held = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)

    async def stop(self) -> None:
        """Release a held answer and stop listening."""
        self._release.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def release(self) -> None:
        """Answer the held message (its sender may be gone by now)."""
        self._release.set()

    async def until(self, condition: Callable[[KeyedPlatform], bool]) -> None:
        """Wait until `condition(self)` holds; re-checked on every request."""
        while not condition(self):
            self._changed.clear()
            await self._changed.wait()

    def per_address(self) -> Counter[str]:
        """How many messages each address received."""
        return Counter(s.address for s in self.sent)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode()
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            body = json.loads(await reader.readexactly(length) or b"{}")
            answer = await self._answer(path, body)
            payload = json.dumps(answer).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the sender was killed while waiting for us
        finally:
            writer.close()
            self._changed.set()

    async def _answer(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/hello":
            self.instances.add(int(body["instance"]))
            return {"ok": True}
        if path == "/delivered":
            key = body["key"]
            self.lookups.append(key)
            found = next((i for i, s in enumerate(self.sent) if s.key == key), None)
            return {"ref": None if found is None else f"m{found}"}
        sent = Sent(int(body["instance"]), body["address"], body.get("key"), tuple(body["texts"]))
        self.sent.append(sent)
        if len(self.sent) == self.hold_at and self.held is not None:
            self.held.set_result(sent)
            self._changed.set()
            await self._release.wait()
        return {"ref": f"m{len(self.sent) - 1}"}


class KeyedChannel:
    """The bot side: a channel that sends through the platform and can ask it about keys."""

    name = "telegram"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        """Post the replies as one message, carrying the outbox key if there is one."""
        await self._post(
            "/send", address=address, key=OUTBOX_KEY.get(), texts=[r.text for r in replies]
        )

    async def notify(self, address: str, notice: Notice) -> str:
        """Post a staff notice."""
        answer = await self._post(
            "/send", address=address, key=OUTBOX_KEY.get(), texts=[notice.text]
        )
        return str(answer["ref"])

    async def delivered(self, key: str) -> str | None:
        """The platform's reference of the message sent with `key`, if it went out."""
        ref = (await self._post("/delivered", key=key))["ref"]
        return None if ref is None else str(ref)

    async def _post(self, path: str, **body: Any) -> dict[str, Any]:
        response = await self._client.post(path, json={"instance": os.getpid(), **body})
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


class PlatformComponent:
    """Attaches the channel to the service and says hello once the other components run."""

    name = "keyed-platform"

    def __init__(self, app: App, url: str) -> None:
        self._client = httpx.AsyncClient(base_url=url, timeout=None)
        app.service.attach(KeyedChannel(self._client))

    async def start(self) -> None:
        await self._client.post("/hello", json={"instance": os.getpid()})

    async def stop(self) -> None:
        await self._client.aclose()


def main() -> int:
    """`klantstem run` with the fake platform as its only channel."""
    from bot import app as composition
    from bot.cli.main import main as klantstem

    url = os.environ["KLANTSTEM_FAKE_PLATFORM_URL"]
    # last, so its hello means the scheduler is running already
    composition.FACTORIES.append(lambda app: PlatformComponent(app, url))
    return klantstem(["run"])


if __name__ == "__main__":
    raise SystemExit(main())
