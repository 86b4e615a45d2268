"""Slack's HTTP mode as a plain ASGI app, so any web server can mount it.

The bot's web server routes `POST /slack/events` here (e.g. Starlette
`Route("/slack/events", endpoint)`); the endpoint answers whatever path it is given, so
it works under `Route` and `Mount` alike. Bolt checks the signature and timestamp
(a bad signature or one older than five minutes gets 401) and answers
`url_verification` itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

PATH = "/slack/events"
MAX_BODY = 1_000_000
"""Bytes; Slack's payloads are a few kilobytes."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class SlackHttpEndpoint:
    """An ASGI app that hands each POST to a Bolt app and returns Bolt's answer."""

    def __init__(self, bolt: AsyncApp) -> None:
        self.bolt = bolt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _reply(send, 405, b"only POST", {"allow": "POST"})
            return
        body = await _body(receive)
        if body is None:
            await _reply(send, 413, b"request too large")
            return
        headers: dict[str, str | Sequence[str]] = {}
        for name, value in scope["headers"]:
            headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        response = await self.bolt.async_dispatch(
            AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=headers,
            )
        )
        out = {name: ", ".join(values) for name, values in response.headers.items()}
        await _reply(send, response.status, response.body.encode("utf-8"), out)


async def _body(receive: Receive) -> bytes | None:
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(chunks)
        chunks += message.get("body", b"")
        if len(chunks) > MAX_BODY:
            return None
        if not message.get("more_body", False):
            return bytes(chunks)


async def _reply(
    send: Send, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    given = {k.lower(): v for k, v in (headers or {}).items() if k.lower() != "content-length"}
    given.setdefault("content-type", "text/plain; charset=utf-8")
    given["content-length"] = str(len(body))
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in given.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
