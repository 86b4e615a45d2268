"""The whole bot with its Slack channel in HTTP mode, between a fake Slack on both sides."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.app import App, build_app
from bot.channels.slack.channel import SlackChannel
from bot.channels.slack.component import slack_component
from bot.channels.slack.pace import Pace
from bot.config.settings import Config
from tests.fakes.slack_api import TOKEN, FakeSlackApi, serve
from tests.fakes.slack_platform import SIGNING_SECRET, SlackSender, serve_endpoint

ADMIN = "U0ADMIN001"
CUSTOMER = "U0CUSTOMER"
CUSTOMER_DM = "D0CUSTOMER"
USERS = {
    ADMIN: ("admin@example.com", "en-GB"),
    CUSTOMER: ("anna@example.com", "nl-NL"),
    "U0OTHER001": ("piet@example.com", "de-DE"),
}


@dataclass
class Harness:
    """The running bot, the fake Web API it calls and a sender acting as Slack."""

    app: App
    channel: SlackChannel
    api: FakeSlackApi
    slack: SlackSender

    async def settled(self) -> None:
        """Wait until the bot has finished all work it acknowledged."""
        await self.channel.idle()

    def last_post(self, channel: str = CUSTOMER_DM) -> dict[str, Any]:
        """The last message posted to a channel, as Slack would show it (with its ts)."""
        posts = self.api.posts(channel)
        assert posts, f"nothing was posted to {channel}"
        return posts[-1]

    async def press(self, label: str, user: str = CUSTOMER, channel: str = CUSTOMER_DM) -> int:
        """Press the button with `label` on the last message in `channel`; the HTTP status."""
        message = self.last_post(channel)
        action = button(message, label)
        answer = await self.slack.press(user, channel, message, action)
        return answer.status


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button in a message's blocks."""
    return [
        e
        for block in message["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["type"] == "button"
    ]


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    """The button with this label."""
    found = [b for b in buttons(message) if b["text"]["text"] == label]
    assert found, f"no button {label!r} in {[b['text']['text'] for b in buttons(message)]}"
    return found[0]


def texts(message: dict[str, Any]) -> str:
    """All text a person reads in a message's blocks."""
    out = []
    for block in message["blocks"]:
        if block["type"] == "section":
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out += [e["text"] for e in block["elements"]]
    return "\n".join(out)


@asynccontextmanager
async def running(db_url: str, **env: str) -> AsyncIterator[Harness]:
    """Start the bot with Slack configured against fresh fakes; stop it afterwards."""
    async with serve(USERS) as api:
        config = Config.from_env(
            {
                "KLANTSTEM_LANGUAGE": "en",
                "KLANTSTEM_DATABASE_URL": db_url,
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": api.url,
                "SLACK_ADMIN_IDS": ADMIN,
                **env,
            }
        )
        app = await build_app(config, factories=[slack_component])
        channel = app.components[0]
        assert isinstance(channel, SlackChannel)
        channel.pace = Pace(interval=0.0)
        await app.start()
        try:
            async with (
                serve_endpoint(channel.http_endpoint()) as url,
                aiohttp.ClientSession() as session,
            ):
                yield Harness(app, channel, api, SlackSender(url, session))
        finally:
            await app.stop()
