"""Slack's side of HTTP mode: serves the bot's endpoint and sends it signed requests.

`serve_endpoint` runs an ASGI app with uvicorn on 127.0.0.1 (the socket is listening
before the server task starts, so requests need no waiting for start-up). `SlackSender`
posts what Slack posts (interaction payloads, slash commands, Events API callbacks),
signed with the app's signing secret the way Slack signs them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
import uvicorn
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@asynccontextmanager
async def serve_endpoint(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app; yields its `/slack/events` URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass(frozen=True)
class Answer:
    """The bot's HTTP answer."""

    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class SlackSender:
    """Sends requests to the bot as Slack would; `secret` may be wrong on purpose."""

    url: str
    session: aiohttp.ClientSession
    secret: str = SIGNING_SECRET
    team: str = "T0KLANTST"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Post a raw body with Slack's signature headers."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(self.secret).generate_signature(timestamp=stamp, body=body)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return Answer(response.status, await response.text())

    async def interaction(self, payload: dict[str, Any], **kw: Any) -> Answer:
        """An interactivity payload (block_actions, view_submission), form-encoded."""
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def press(
        self, user: str, channel: str, message: dict[str, Any], action: dict[str, Any], **kw: Any
    ) -> Answer:
        """A press on a button of a message the bot posted (as recorded by the fake API)."""
        response_url = kw.pop("response_url", "https://hooks.slack.invalid/actions/1")
        payload = self.press_payload(user, channel, message, action, response_url=response_url)
        return await self.interaction(payload, **kw)

    def press_payload(
        self,
        user: str,
        channel: str,
        message: dict[str, Any],
        action: dict[str, Any],
        *,
        response_url: str = "https://hooks.slack.invalid/actions/1",
    ) -> dict[str, Any]:
        """The `block_actions` payload of one press (new trigger id), to send or resend."""
        n = next(self._ids)
        return {
            "type": "block_actions",
            "team": {"id": self.team},
            "user": {"id": user, "team_id": self.team},
            "api_app_id": "A0KLANTST",
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
            "channel": {"id": channel},
            "message": {
                "type": "message",
                "ts": message["ts"],
                "text": message["text"],
                "blocks": message["blocks"],
            },
            "trigger_id": f"{n}.trigger",
            "response_url": response_url,
            "actions": [
                {
                    "type": "button",
                    "action_id": action["action_id"],
                    "block_id": f"b{n}",
                    "value": action["value"],
                    "text": action["text"],
                    "action_ts": f"1700001000.{n:06d}",
                }
            ],
        }

    async def submit_view(self, user: str, view: dict[str, Any], value: str) -> Answer:
        """Submit a modal the bot opened, with `value` typed into its input."""
        block = view["blocks"][0]
        state = {block["block_id"]: {block["element"]["action_id"]: {"value": value}}}
        payload = {
            "type": "view_submission",
            "team": {"id": self.team},
            "user": {"id": user, "team_id": self.team},
            "view": {**view, "state": {"values": state}, "team_id": self.team},
        }
        return await self.interaction(payload)

    def command_body(
        self, user: str, text: str, *, channel: str = "C0STAFF01", response_url: str
    ) -> str:
        """The form body of a `/klantstem` slash command, to post (or replay) as it is."""
        return urlencode(
            {
                "token": "legacy",
                "team_id": self.team,
                "channel_id": channel,
                "user_id": user,
                "command": "/klantstem",
                "text": text,
                "response_url": response_url,
                "trigger_id": f"{next(self._ids)}.trigger",
                "api_app_id": "A0KLANTST",
            }
        )

    async def command(
        self, user: str, text: str, *, channel: str = "C0STAFF01", response_url: str
    ) -> Answer:
        """The `/klantstem` slash command."""
        body = self.command_body(user, text, channel=channel, response_url=response_url)
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], *, event_id: str = "", **kw: Any) -> Answer:
        """An Events API callback; pass the same `event_id` to send a retry."""
        envelope = {
            "token": "legacy",
            "team_id": self.team,
            "api_app_id": "A0KLANTST",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "event": event,
        }
        return await self.post(json.dumps(envelope), "application/json", **kw)

    async def dm(self, user: str, channel: str, text: str, **kw: Any) -> Answer:
        """A person typing `text` in their DM with the bot."""
        n = next(self._ids)
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": f"1700002000.{n:06d}",
            "event_ts": f"1700002000.{n:06d}",
        }
        return await self.event(event, **kw)
