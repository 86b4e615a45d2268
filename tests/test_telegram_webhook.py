"""Webhook mode: what the web server gets back from `process_webhook` for each request."""

from __future__ import annotations

import json

from bot.channels.telegram.channel import webhook_secret
from bot.config.settings import Config
from tests.conftest import Clock
from tests.support.telegram_harness import CUSTOMER, TOKEN, running

URL = "https://bot.example.com/telegram/hook"


async def test_only_requests_with_the_secret_header_are_processed(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock, telegram_webhook_url=URL) as tg:
        token = await tg.link("C-040")
        body = json.dumps(tg.updates.message(CUSTOMER, f"/start {token}")).encode()

        assert await tg.channel.process_webhook(body, None) == 403
        assert await tg.channel.process_webhook(body, "guessed") == 403
        assert tg.api.messages(str(CUSTOMER)) == []

        assert await tg.channel.process_webhook(body, webhook_secret(TOKEN)) == 200
        assert tg.texts(CUSTOMER)[0].startswith("Customer Value Score")
        assert await tg.channel.process_webhook(body, webhook_secret(TOKEN)) == 200
        assert len(tg.api.messages(str(CUSTOMER))) == 1  # a redelivery changes nothing
        assert tg.channel.webhook_path == "/telegram/hook"


async def test_a_body_that_is_not_an_update_is_a_bad_request(config: Config, clock: Clock) -> None:
    async with running(config, clock, telegram_webhook_url=URL) as tg:
        secret = webhook_secret(TOKEN)
        for body in (b"", b"{not json", b"[1, 2]", b'{"update_id": "x", "message": 5}'):
            assert await tg.channel.process_webhook(body, secret) == 400


async def test_without_a_webhook_url_the_endpoint_is_off(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        body = json.dumps(tg.updates.message(CUSTOMER, "/start")).encode()
        assert await tg.channel.process_webhook(body, webhook_secret(TOKEN)) == 404
