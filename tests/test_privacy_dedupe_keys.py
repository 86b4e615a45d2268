"""What the dedupe keys keep of a person, and for how long: no user id, only the hour.

Every platform update is recorded once so that a redelivery changes nothing; the key must
not say who pressed when (Slack's used to hold the user id and the second of every press),
the sweep deletes keys once no platform redelivers, and /forget leaves nothing of the person.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from pathlib import Path

import pytest

from bot.cli import main as cli
from bot.config.settings import Config
from bot.conversations.service import Inbound
from bot.storage import Storage
from bot.storage.migrate import available, migrate
from bot.storage.sqlite import SqliteDriver
from flows import Event, EventKind
from tests.conftest import Clock
from tests.support.followup_world import make_world
from tests.support.slack_harness import CUSTOMER, CUSTOMER_DM, button
from tests.support.slack_harness import running as slack_running
from tests.support.telegram_harness import running as telegram_running


async def _updates(storage: Storage) -> list[tuple[str, str, str]]:
    async with storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall(
            "SELECT channel, update_id, seen_at FROM processed_updates ORDER BY update_id"
        )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


async def test_a_slack_survey_leaves_no_user_id_and_no_second_in_the_dedupe_keys(
    db_url: str,
) -> None:
    async with slack_running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        for label in ("Anonymous", "8"):
            assert await bot.press(label) == 200
            await bot.settled()
        assert (await bot.slack.dm(CUSTOMER, CUSTOMER_DM, "9")).status == 200
        await bot.settled()
        for label in ("5", "Skip"):
            assert await bot.press(label) == 200
            await bot.settled()
        assert await bot.app.service.open_session("slack", CUSTOMER) is None  # all answered

        keys = await _updates(bot.app.storage)
    assert len(keys) == 5, keys  # four presses and one typed answer, each recorded once
    for _channel, key, seen_at in keys:
        assert CUSTOMER not in key and CUSTOMER_DM not in key, key
        assert seen_at.endswith(":00:00Z"), seen_at  # the hour, not the second


async def test_a_redelivered_slack_press_is_applied_once(db_url: str) -> None:
    async with slack_running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        consent = bot.last_post()
        for _ in range(2):  # the same payload twice: same trigger id, same action time
            same = dataclasses.replace(bot.slack, _ids=itertools.count(700))
            answer = await same.press(CUSTOMER, CUSTOMER_DM, consent, button(consent, "Named"))
            assert answer.status == 200
            await bot.settled()
        posts = [p["text"] for p in bot.api.to("chat.postMessage")]
        assert sum("How satisfied" in text for text in posts) == 1
        assert not any("no longer active" in text for text in posts)
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.anonymous is False


async def test_the_sweep_deletes_dedupe_keys_after_48_hours_and_keeps_recent_ones(
    db_url: str, clock: Clock
) -> None:
    world = await make_world(db_url, clock)
    try:
        service = world.app.service

        async def typed(update_id: str) -> bool:
            """Whether the bot took this update as new (False: a redelivery, ignored)."""
            handled = await service.handle(
                Inbound("telegram", "5550001", "5550001", Event(EventKind.TEXT, "hi"), update_id)
            )
            return not handled.duplicate

        assert await typed("1001")
        await world.wait(hours=30)
        assert await typed("1002")
        await world.wait(hours=20)  # 1001 is 50 hours old, 1002 20 hours

        assert [key for _c, key, _s in await _updates(world.storage)] == ["1002"]
        assert not await typed("1002")  # still within Telegram's redelivery window: ignored
    finally:
        await world.close()


async def test_upgrading_drops_the_old_slack_press_keys_and_keeps_only_the_hour(
    tmp_path: Path,
) -> None:
    driver = await SqliteDriver.open("sqlite:///k.db", tmp_path / "k.db")
    try:
        await migrate(driver, [m for m in available() if m.name != "0010_dedupe_keys.sql"])
        async with driver.transaction(write=True) as tx:
            for key in ("press:U0CUSTOMER:1700001000.000001", "Ev0000001", "view:V0001"):
                await tx.execute(
                    "INSERT INTO processed_updates VALUES ('slack', ?, '2026-11-02T09:14:27Z')",
                    (key,),
                )
        assert await migrate(driver) == ["0010_dedupe_keys.sql"]
        async with driver.transaction(write=False) as tx:
            rows = await tx.fetchall("SELECT update_id, seen_at FROM processed_updates")
    finally:
        await driver.close()
    assert sorted((str(r[0]), str(r[1])) for r in rows) == [
        ("Ev0000001", "2026-11-02T09:00:00Z"),
        ("view:V0001", "2026-11-02T09:00:00Z"),
    ]


# -- forgetting -------------------------------------------------------------------------------


async def test_forget_removes_a_held_anonymous_answer_and_every_key_of_the_person(
    config: Config, clock: Clock, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    person = 7730100
    async with telegram_running(config, clock, telegram_open_enrolment=True) as tg:
        await tg.say(person, "/start")
        for label in ("Anonymous", "3", "4", "5"):
            await tg.tap(person, label)
        await tg.say(person, "/skip")
        async with tg.app.storage.transaction(write=False) as tx:
            assert await tx.held_count("cvs") == 1  # waiting for k-1 more before release

        await tg.say(person, "/forget")
        await tg.tap(person, "Yes, delete my data")

        async with tg.app.storage.transaction(write=False) as tx:
            assert await tx.held_count("cvs") == 0
            assert await tx.identity("telegram", str(person)) is None
        assert not any(str(person) in key for _c, key, _s in await _updates(tg.app.storage))
    capsys.readouterr()
    env = {"KLANTSTEM_LANGUAGE": "en"}
    assert await asyncio.to_thread(cli.main, ["stats", "--db", db_url], env) == 0
    assert "No responses yet" in capsys.readouterr().out  # nothing waits for release either
