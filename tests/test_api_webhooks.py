"""The channels' webhooks served by the bot's own web server (`klantstem run`'s uvicorn):
Telegram's at the path of its webhook URL, guarded by the secret token header, and
Slack's at `/slack/events`, guarded by Bolt's request signature."""

from __future__ import annotations

import dataclasses
import json

import aiohttp
import httpx

from bot.app import App, build_app
from bot.channels.telegram.channel import TelegramChannel, webhook_secret
from bot.channels.telegram.component import telegram_component
from bot.config.settings import Config, Secret
from bot.web.component import web_component
from bot.web.server import WebServer
from tests.fakes.slack_api import TOKEN as SLACK_TOKEN
from tests.fakes.slack_api import serve as slack_api
from tests.fakes.slack_platform import SIGNING_SECRET, SlackSender
from tests.fakes.telegram_api import FakeBotApi, Updates
from tests.support.telegram_harness import CUSTOMER, TOKEN

HOOK = "https://bot.example.com/telegram/hook"


def web_port(app: App) -> int:
    web = next(c for c in app.components if isinstance(c, WebServer))
    assert web.port is not None
    return web.port


async def test_telegram_updates_need_the_secret_header(config: Config) -> None:
    api = FakeBotApi()
    settings = dataclasses.replace(
        config,
        telegram_token=Secret(TOKEN),
        telegram_webhook_url=HOOK,
        http_host="127.0.0.1",
        http_port=0,
    )
    app = await build_app(
        settings, factories=[lambda a: telegram_component(a, request=api), web_component]
    )
    await app.start()
    try:
        channel = app.channels["telegram"]
        assert isinstance(channel, TelegramChannel)
        update = json.dumps(Updates().message(CUSTOMER, "hello")).encode()
        url = f"http://127.0.0.1:{web_port(app)}/telegram/hook"
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, content=update)
            forged = await client.post(
                url, content=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guessed"}
            )
            assert (refused.status_code, forged.status_code) == (403, 403)
            assert api.messages(str(CUSTOMER)) == []

            accepted = await client.post(
                url,
                content=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": webhook_secret(TOKEN)},
            )
        assert accepted.status_code == 200
        assert api.messages(str(CUSTOMER)), "the update was not answered"
    finally:
        await app.stop()


async def test_slack_events_are_served_at_slack_events(db_url: str) -> None:
    async with slack_api() as api:
        config = Config.from_env(
            {
                "KLANTSTEM_LANGUAGE": "en",
                "KLANTSTEM_DATABASE_URL": db_url,
                "SLACK_BOT_TOKEN": SLACK_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": api.url,
                "KLANTSTEM_HTTP_HOST": "127.0.0.1",
                "KLANTSTEM_HTTP_PORT": "0",
            }
        )
        app = await build_app(config)
        await app.start()
        try:
            url = f"http://127.0.0.1:{web_port(app)}/slack/events"
            body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"})
            async with aiohttp.ClientSession() as session:
                signed = await SlackSender(url, session).post(body, "application/json")
                forged = await SlackSender(url, session, secret="wrong").post(
                    body, "application/json"
                )
            assert signed.status == 200
            assert signed.json()["challenge"] == "c-123"
            assert forged.status == 401
        finally:
            await app.stop()
