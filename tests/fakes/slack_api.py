"""A local stand-in for Slack's Web API that records every call and answers like Slack.

Serves on 127.0.0.1 (aiohttp); point `AsyncWebClient(base_url=fake.url)` at it. It
answers the methods the bot uses the way Slack does (`chat.postMessage` returns a `ts`
and the DM's channel id, `users.info` a locale, ...), `unknown_method` for anything
else, `invalid_auth` for a wrong token, and, when told to, a 429 with `Retry-After`, a
5xx, or a connection closed without an answer (what a client sees when Slack's edge
times out). `changed()` waits for a call after the one counted in `version`. Response
URLs (slash commands, button presses) can point at `hook_url`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
BOT_USER = "UKLANTBOT"
TEAM = "T0KLANTST"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    status: int = 200
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeSlackApi:
    """The recorder; `users` maps user id -> (email, locale)."""

    users: dict[str, tuple[str, str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    hooks: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    socket_acks: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _connected: asyncio.Event = field(default_factory=asyncio.Event)
    _throttle: dict[str, list[int]] = field(default_factory=dict)
    _faults: dict[str, list[int]] = field(default_factory=dict)
    _called: asyncio.Condition = field(default_factory=asyncio.Condition)
    version: int = 0
    """How many calls have been answered so far."""
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def throttle(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After`."""
        self._throttle[method] = [retry_after] * times

    def fail(self, method: str, status: int, *, times: int = 1) -> None:
        """Fail the next `times` calls of `method` with `status` (a 5xx), or with 0 by
        closing the connection without an answer; nothing is recorded as done."""
        self._faults.setdefault(method, []).extend([status] * times)

    async def changed(self, since: int, within: float) -> bool:
        """Wait until a call is answered after `since` (a `version`); False when none came
        within `within` seconds."""
        async with self._called:
            try:
                async with asyncio.timeout(within):
                    await self._called.wait_for(lambda: self.version > since)
            except TimeoutError:
                return False
            return True

    def to(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every successful call of `method`, in order."""
        return [c.params for c in self.calls if c.method == method and c.answer.get("ok")]

    def answers(self, method: str) -> list[dict[str, Any]]:
        """What the fake answered to every successful call of `method`, in order."""
        return [c.answer for c in self.calls if c.method == method and c.answer.get("ok")]

    def posts(self, channel: str) -> list[dict[str, Any]]:
        """Messages posted to a channel (by its id or its user's id), with their `ts`."""
        return [
            {**c.params, "channel": c.answer["channel"], "ts": c.answer["ts"]}
            for c in self.calls
            if c.method == "chat.postMessage"
            and c.answer.get("ok")
            and c.answer["channel"] == channel
        ]

    @property
    def hook_url(self) -> str:
        """A response_url that records what the bot responds."""
        return f"{self.url.removesuffix('/api/')}/hooks/response"

    async def _api(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._answer(request)
        finally:
            async with self._called:
                self.version += 1
                self._called.notify_all()

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _params(request)
        faults = self._faults.get(method)
        if faults:
            status = faults.pop(0)
            self.calls.append(Call(method, params, status))
            if status == 0:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=599)  # never reaches the client
            return web.json_response({"ok": False, "error": "fatal_error"}, status=status)
        pending = self._throttle.get(method)
        if pending:
            retry_after = pending.pop(0)
            self.calls.append(Call(method, params, 429))
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        if method == "apps.connections.open":
            answer = self._apps_connections_open(request.headers.get("Authorization", ""))
        elif request.headers.get("Authorization") != f"Bearer {TOKEN}":
            answer = {"ok": False, "error": "invalid_auth"}
        else:
            known = getattr(self, "_" + method.replace(".", "_"), None)
            answer = known(params) if known else {"ok": False, "error": "unknown_method"}
        self.calls.append(Call(method, params, 200, answer))
        return web.json_response(answer)

    def _apps_connections_open(self, authorization: str) -> dict[str, Any]:
        if authorization != f"Bearer {APP_TOKEN}":
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": self.url.replace("http://", "ws://").replace("/api/", "/link")}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self._sockets.append(ws)
        self._connected.set()
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                await self.socket_acks.put(json.loads(message.data))
        return ws

    async def push(self, kind: str, payload: dict[str, Any], envelope_id: str) -> dict[str, Any]:
        """Deliver an envelope over Socket Mode; returns the app's acknowledgement."""
        await self._connected.wait()
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return await self.socket_acks.get()

    async def _hook(self, request: web.Request) -> web.Response:
        self.hooks.append(await request.json())
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="OK - 1")

    # -- methods, answered as Slack answers them ------------------------------------

    def _auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://klantstem-test.slack.com/",
            "team": "Klantstem test",
            "user": "klantstem",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": "BKLANTBOT",
            "is_enterprise_install": False,
        }

    def _chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = _dm(p["channel"])
        ts = f"1700000000.{next(self._ts):06d}"
        message = {"type": "message", "user": BOT_USER, "ts": ts, "text": p.get("text", "")}
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": p["channel"], "ts": p["ts"], "text": p.get("text", "")}

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {**p["view"], "id": f"V{next(self._ts):08d}"}}

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": _dm(p["users"])}}

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = p["user"]
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        found: dict[str, Any] = {"id": user, "name": user.lower(), "team_id": TEAM}
        if str(p.get("include_locale", "")).lower() in ("1", "true"):
            found["locale"] = self.users[user][1]
        return {"ok": True, "user": found}

    def _users_lookupByEmail(self, p: dict[str, Any]) -> dict[str, Any]:
        for user, (email, _locale) in self.users.items():
            if email.lower() == str(p["email"]).lower():
                return {"ok": True, "user": {"id": user, "team_id": TEAM}}
        return {"ok": False, "error": "users_not_found"}

    def _files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ts):08d}"
        base = self.url.removesuffix("/api/")
        return {"ok": True, "upload_url": f"{base}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(p["files"]) if isinstance(p["files"], str) else p["files"]
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}


def _dm(channel: str) -> str:
    """Posting to a user id posts to the DM with them, whose id Slack returns."""
    return "D" + channel[1:] if channel[:1] in ("U", "W") else channel


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            text = str(value)
            params[key] = json.loads(text) if key in ("blocks", "view") and text else text
    return params


@asynccontextmanager
async def serve(users: dict[str, tuple[str, str]] | None = None) -> AsyncIterator[FakeSlackApi]:
    """Run a fake Web API on a free local port for the duration of the block."""
    fake = FakeSlackApi(users=dict(users or {}))
    app = web.Application()
    app.router.add_post("/api/{method}", fake._api)
    app.router.add_get("/api/{method}", fake._api)
    app.router.add_post("/hooks/response", fake._hook)
    app.router.add_get("/link", fake._socket)
    app.router.add_post("/upload/{file_id}", fake._upload)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}/api/"
    try:
        yield fake
    finally:
        for ws in fake._sockets:
            await ws.close()
        await runner.cleanup()


async def _main(users: int) -> None:
    """Serve until killed, with `users` users U00000000...; prints the API URL first."""
    known = {f"U{n:08d}": (f"u{n}@example.com", "nl-NL") for n in range(users)}
    async with serve(known) as fake:
        print(fake.url, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    import sys

    asyncio.run(_main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
