"""The real Telegram channel and Application on a test database, talking to `FakeBotApi`."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.app import App, build_app
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.component import telegram_component
from bot.config.settings import Config, Secret
from bot.storage.records import Contact
from bot.storage.telegram_sql import new_link_token
from tests.conftest import Clock
from tests.fakes.telegram_api import FakeBotApi, Updates, buttons

TOKEN = "7000000001:AAHtestTOKENforKlantstemOnlyXXXXXXXX"
CUSTOMER = 4242
ADMIN = 9001
STAFF_CHAT = -100777


@dataclass
class Telegram:
    """A running channel plus the means to act as Telegram users."""

    app: App
    channel: TelegramChannel
    api: FakeBotApi
    updates: Updates
    clock: Clock

    async def feed(self, update: dict[str, Any]) -> None:
        """Hand one update to the Application, as polling or a webhook would."""
        await self.channel.application.process_update(
            Update.de_json(update, self.channel.application.bot)
        )

    async def say(self, user: int, text: str, **kwargs: Any) -> None:
        """A user sends a message or a command."""
        await self.feed(self.updates.message(user, text, **kwargs))

    async def tap(self, user: int, label: str, *, chat: int | None = None) -> dict[str, Any]:
        """A user presses the button `label` on the newest message that has it."""
        message = self.with_button(chat or user, label)
        await self.feed(self.updates.press(user, message, buttons(message)[label]))
        return message

    def with_button(self, chat: int, label: str) -> dict[str, Any]:
        """The newest message in `chat` with a button labelled `label`."""
        for message in reversed(self.api.messages(str(chat))):
            if label in buttons(message):
                return message
        raise AssertionError(f"no button {label!r} in chat {chat}: {self.texts(chat)}")

    def texts(self, chat: int) -> list[str]:
        """The texts of a chat's bot messages as they look now."""
        return [m.get("text") or m.get("caption", "") for m in self.api.messages(str(chat))]

    async def link(self, ref: str, *, name: str = "Ann de Vries", **fields: Any) -> str:
        """Import a contact and make their personal link token."""
        now = self.clock()
        token = new_link_token()
        async with self.app.storage.transaction() as tx:
            await tx.upsert_contact(Contact(ref, name, **fields), now)
            contact_id = await tx.contact_id_by_ref(ref)
            assert contact_id is not None
            await tx.replace_link_token("telegram", contact_id, token, now)
        return token


def telegram_config(config: Config, **changes: Any) -> Config:
    """The test config with a bot token and an admin."""
    return dataclasses.replace(
        config,
        telegram_token=Secret(TOKEN),
        telegram_admin_ids=frozenset({str(ADMIN)}),
        **changes,
    )


class FakeTime:
    """Monotonic seconds that pass only when someone sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@asynccontextmanager
async def running(
    config: Config,
    clock: Clock,
    *,
    time: FakeTime | None = None,
    initialize: bool = True,
    **changes: Any,
) -> AsyncIterator[Telegram]:
    """The channel built by its factory, initialized against a fresh `FakeBotApi`; with
    `time`, its flood control and retries wait on that fake time instead."""
    app = await build_app(telegram_config(config, **changes), factories=[])
    app.service.clock = clock
    api = FakeBotApi()
    if time is None:
        channel = telegram_component(app, request=api)
    else:
        channel = telegram_component(app, request=api, sleep=time.sleep, clock=time)
    assert channel is not None
    if initialize:
        await channel.application.initialize()
    try:
        yield Telegram(app, channel, api, Updates(), clock)
    finally:
        await channel.application.shutdown()
        await app.storage.close()
