"""Forgetting is one operation: `klantstem forget REF`, Telegram's /forget and Slack's
`/klantstem forget` go through `bot.conversations.person.forget` and leave the same state
behind, on every channel the person is linked to."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.config.settings import Config
from bot.conversations import person
from bot.conversations.service import Service
from bot.storage import Storage
from flows import builtin_surveys
from tests.conftest import Clock
from tests.support import slack_harness, telegram_harness
from tests.support.cli import main
from tests.support.slack_respondents import FORGOTTEN, answered, ask_to_forget, state

TELEGRAM_USER = str(telegram_harness.CUSTOMER)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[person.Person]:
    """Who `person.forget` was asked to forget, by any entry point."""
    seen: list[person.Person] = []
    real = person.forget

    async def spy(storage: Storage, who: person.Person, *args: Any, **kwargs: Any) -> Any:
        seen.append(who)
        return await real(storage, who, *args, **kwargs)

    monkeypatch.setattr(person, "forget", spy)
    return seen


async def forget_by_cli(storage: Storage, config: Config, clock: Clock) -> dict[str, Any]:
    await answered(
        Service(storage, builtin_surveys(), config, clock=clock), storage, telegram=TELEGRAM_USER
    )
    code = await asyncio.to_thread(main, ["forget", "C-1", "--db", storage.url])
    assert code == 0
    return await state(storage)


async def forget_in_telegram(config: Config, clock: Clock) -> dict[str, Any]:
    async with telegram_harness.running(config, clock) as tg:
        await answered(tg.app.service, tg.app.storage, telegram=TELEGRAM_USER)
        await tg.say(telegram_harness.CUSTOMER, "/forget")
        await tg.tap(telegram_harness.CUSTOMER, "Yes, delete my data")
        return await state(tg.app.storage)


async def forget_in_slack(db_url: str) -> dict[str, Any]:
    async with slack_harness.running(db_url) as bot:
        await answered(bot.app.service, bot.app.storage, telegram=TELEGRAM_USER)
        confirmation = await ask_to_forget(bot)
        await bot.slack.press(
            slack_harness.CUSTOMER,
            slack_harness.CUSTOMER_DM,
            confirmation,
            slack_harness.buttons(confirmation)[0],
        )
        await bot.settled()
        return await state(bot.app.storage)


@pytest.mark.parametrize("entry", ["cli", "telegram", "slack"])
async def test_every_entry_point_forgets_the_same_things(
    entry: str,
    config: Config,
    clock: Clock,
    db_url: str,
    calls: list[person.Person],
    storage: Storage,
) -> None:
    if entry == "cli":
        left = await forget_by_cli(storage, config, clock)
        assert calls == [person.ContactRef("C-1")]
    elif entry == "telegram":
        left = await forget_in_telegram(config, clock)
        assert calls == [person.ChatUser("telegram", TELEGRAM_USER)]
    else:
        left = await forget_in_slack(db_url)
        assert calls == [person.ChatUser("slack", slack_harness.CUSTOMER)]
    # The contact's identities on both channels go, whichever one asked.
    assert left == FORGOTTEN
