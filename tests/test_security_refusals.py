"""Every refusal at the web server lands in the audit log, and no token, secret or signing
key appears in any log line, response or audit row while the bot serves Telegram, Slack
and the API (right and wrong credentials alike)."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import httpx
import pytest

from bot.api.tokens import create_token
from bot.app import App, build_app
from bot.channels.slack.component import slack_component
from bot.channels.telegram.channel import webhook_secret
from bot.channels.telegram.component import telegram_component
from bot.config.settings import Config, Secret
from bot.timeutil import utc_now
from bot.web.component import web_component
from bot.web.server import WebServer
from tests.fakes.slack_api import TOKEN as SLACK_TOKEN
from tests.fakes.slack_api import serve as slack_api
from tests.fakes.slack_platform import SIGNING_SECRET, SlackSender
from tests.fakes.telegram_api import FakeBotApi, Updates
from tests.support.telegram_harness import CUSTOMER, TOKEN

HOOK = "https://bot.example.com/telegram/hook"


@dataclass
class Running:
    """A bot serving Telegram webhooks, Slack over HTTP and the API, with its secrets."""

    app: App
    url: str
    read_token: str
    write_token: str

    @property
    def secrets(self) -> dict[str, str]:
        """Every secret the process holds, by what it is."""
        return {
            "telegram token": TOKEN,
            "telegram token's secret part": TOKEN.split(":", 1)[1],
            "telegram webhook secret": webhook_secret(TOKEN),
            "slack bot token": SLACK_TOKEN,
            "slack signing secret": SIGNING_SECRET,
            "api read token": self.read_token,
            "api write token": self.write_token,
        }


@asynccontextmanager
async def running(config: Config) -> AsyncIterator[Running]:
    """Start the bot with both channels and the web server on a free port."""
    api = FakeBotApi()
    async with slack_api() as slack:
        settings = dataclasses.replace(
            config,
            telegram_token=Secret(TOKEN),
            telegram_webhook_url=HOOK,
            slack_bot_token=Secret(SLACK_TOKEN),
            slack_signing_secret=Secret(SIGNING_SECRET),
            slack_api_url=slack.url,
            http_host="127.0.0.1",
            http_port=0,
        )
        app = await build_app(
            settings,
            factories=[
                lambda a: telegram_component(a, request=api),
                slack_component,
                web_component,
            ],
        )
        read = await create_token(app.storage, "dashboard", "read", utc_now())
        write = await create_token(app.storage, "helpdesk", "write", utc_now())
        await app.start()
        try:
            web = next(c for c in app.components if isinstance(c, WebServer))
            yield Running(app, f"http://127.0.0.1:{web.port}", read.secret, write.secret)
        finally:
            await app.stop()


async def refused(app: App) -> list[tuple[str, dict[str, object]]]:
    """(action, detail) of every refusal in the audit log, oldest first."""
    async with app.storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall(
            "SELECT action, detail FROM audit_log WHERE action = 'http.refused' ORDER BY at"
        )
    return [(r[0], json.loads(r[1])) for r in rows]


async def knock_with_bad_credentials(bot: Running) -> list[int]:
    """One request per way in, each with a missing, wrong or insufficient credential."""
    update = json.dumps(Updates().message(CUSTOMER, "hello")).encode()
    verification = json.dumps({"type": "url_verification", "challenge": "c-1", "token": "x"})
    statuses = []
    async with httpx.AsyncClient(base_url=bot.url) as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"}):
            statuses.append(await http.post("/telegram/hook", content=update, headers=headers))
        statuses.append(await http.get("/api/v1/contacts"))
        statuses.append(
            await http.get("/api/v1/contacts", headers={"Authorization": "Bearer ks_guessed"})
        )
        statuses.append(
            await http.post(
                "/api/v1/contacts",
                json={"ref": "C-1", "name": "Anna"},
                headers={"Authorization": f"Bearer {bot.read_token}"},
            )
        )
    codes = [r.status_code for r in statuses]
    async with aiohttp.ClientSession() as session:
        url = f"{bot.url}/slack/events"
        forged = await SlackSender(url, session, secret="wrong").post(
            verification, "application/json"
        )
        stale = await SlackSender(url, session).post(
            verification, "application/json", timestamp=int(time.time()) - 3600
        )
    return [*codes, forged.status, stale.status]


async def test_every_refusal_is_answered_and_in_the_audit_log(config: Config) -> None:
    async with running(config) as bot:
        statuses = await knock_with_bad_credentials(bot)
        assert statuses == [403, 403, 401, 401, 403, 401, 401]
        audited = await refused(bot.app)
    assert [(d["status"], d["method"], d["path"]) for _, d in audited] == [
        (403, "POST", "/telegram/hook"),
        (403, "POST", "/telegram/hook"),
        (401, "GET", "/api/v1/contacts"),
        (401, "GET", "/api/v1/contacts"),
        (403, "POST", "/api/v1/contacts"),
        (401, "POST", "/slack/events"),
        (401, "POST", "/slack/events"),
    ]


async def test_accepted_requests_are_not_audited_as_refusals(config: Config) -> None:
    async with running(config) as bot:
        async with httpx.AsyncClient(base_url=bot.url) as http:
            ok = await http.get(
                "/api/v1/contacts", headers={"Authorization": f"Bearer {bot.read_token}"}
            )
        assert ok.status_code == 200
        assert await refused(bot.app) == []


async def test_no_secret_reaches_a_log_line_a_response_or_the_audit_log(
    config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    async with running(config) as bot:
        await knock_with_bad_credentials(bot)
        update = json.dumps(Updates().message(CUSTOMER, "/start")).encode()
        async with httpx.AsyncClient(base_url=bot.url) as http:
            for response in (
                await http.post(
                    "/telegram/hook",
                    content=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": webhook_secret(TOKEN)},
                ),
                await http.get(
                    "/api/v1/contacts", headers={"Authorization": f"Bearer {bot.write_token}"}
                ),
                await http.get("/healthz"),
                await http.get("/metrics"),
                await http.get("/api/v1/nowhere"),
            ):
                outputs.append(response.text)
        async with bot.app.storage.transaction(write=False) as tx:
            outputs += [str(r[0]) for r in await tx.conn.fetchall("SELECT detail FROM audit_log")]
        secrets = bot.secrets
        outputs.append(repr(bot.app.config))
    logged = [record.getMessage() for record in caplog.records]
    logged += [str(record.exc_info[1]) for record in caplog.records if record.exc_info]
    assert len(logged) > 10, "the bot paths ran and logged"
    leaks = [
        (what, line)
        for what, secret in secrets.items()
        for line in [*logged, *outputs]
        if secret in line
    ]
    assert leaks == []
