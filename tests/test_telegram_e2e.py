"""End to end against telegram-test-api: the bot as its own process, and a wave with 429s."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import signal
from pathlib import Path

import pytest

from bot.app import build_app
from bot.channels.telegram.component import telegram_component
from bot.config.settings import Config, Secret
from bot.storage import open_storage
from bot.storage.records import Contact
from tests.conftest import Clock
from tests.fakes.telegram_emulator import emulator
from tests.support.telegram_harness import FakeTime
from tests.support.telegram_process import CUSTOMER, KLANTSTEM, TOKEN, answer, bot_env, klantstem

pytestmark = [
    pytest.mark.slow,
    # python-telegram-bot's own RetryAfter warns about its future timedelta type.
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


async def test_a_customer_answers_from_a_personal_link_to_the_thank_you(
    tmp_path: Path, db_url: str
) -> None:
    async with emulator(TOKEN) as users:
        env = bot_env(users.url, db_url)
        contacts = tmp_path / "contacts.csv"
        contacts.write_text("ref,name,segment\nC-001,Ann de Vries,retail\n")
        klantstem(env, "contacts", "import", str(contacts))
        printed = klantstem(env, "contacts", "link", "C-001", "--channel", "telegram").stdout
        link = re.fullmatch(r"https://t\.me/TestNameBot\?start=([A-Za-z0-9_-]{20,64})\n", printed)
        assert link, printed

        with (tmp_path / "bot.log").open("w") as log:
            bot = await asyncio.create_subprocess_exec(KLANTSTEM, "run", env=env, stderr=log)
            try:
                await users.command(CUSTOMER, f"/start {link.group(1)}")
                await answer(users, 1, "Named")
                await answer(users, 2, "8")
                await answer(users, 3, "9")
                await answer(users, 4, "10")
                messages = await users.wait(CUSTOMER, 5)
            finally:
                bot.send_signal(signal.SIGTERM)
                code = await bot.wait()
        assert code == 0, (tmp_path / "bot.log").read_text()[-2000:]

    assert messages[-1]["text"] == "Thank you! Your answers have been saved."
    assert [m["text"].rsplit("\n", 1)[-1] for m in messages[:4]] == [
        "Your answer: Named",
        "Your answer: 8",
        "Your answer: 9",
        "Your answer: 10",
    ]
    assert not any("reply_markup" in m for m in messages)
    assert TOKEN not in (tmp_path / "bot.log").read_text()

    storage = await open_storage(db_url)
    try:
        async with storage.transaction(write=False) as tx:
            rows = await tx.conn.fetchall(
                "SELECT r.anonymous, c.ref, r.attributes, a.question_id, a.score FROM responses r"
                " JOIN contacts c ON c.id = r.contact_id JOIN answers a ON a.response_id = r.id"
                " ORDER BY a.question_id"
            )
    finally:
        await storage.close()
    assert [tuple(r) for r in rows] == [
        (0, "C-001", '{"segment":"retail"}', "loyalty", 9),
        (0, "C-001", '{"segment":"retail"}', "recommendation", 10),
        (0, "C-001", '{"segment":"retail"}', "satisfaction", 8),
    ]


async def test_a_wave_of_100_with_a_429_on_every_fifth_send_delivers_each_once(
    config: Config, clock: Clock
) -> None:
    async with emulator(TOKEN) as users:
        config = dataclasses.replace(
            config, telegram_token=Secret(TOKEN), telegram_api_url=users.url
        )
        time = FakeTime()  # the 429s' retry_after and the pacing pass on it, not for real
        app = await build_app(
            config,
            factories=[lambda app: telegram_component(app, sleep=time.sleep, clock=time)],
        )
        chats = [str(10_001 + i) for i in range(100)]
        try:
            async with app.storage.transaction() as tx:
                for i, chat in enumerate(chats):
                    contact = Contact(f"C-{i:03}", f"Customer {i}", telegram=chat)
                    await tx.upsert_contact(contact, clock())
            await users.flood("sendMessage", every=5, retry_after=1)
            await app.start()
            await asyncio.gather(
                *(app.service.begin("telegram", c, c, "cvs", broadcast=True) for c in chats)
            )
        finally:
            await app.stop()
        delivered = await users.messages()
        stats = await users.stats()

    assert sorted(delivered) == chats
    assert all(len(messages) == 1 for messages in delivered.values())
    assert all(m[0]["text"].startswith("Customer Value Score") for m in delivered.values())
    assert stats["injected_429"]["sendmessage"] == 24
    assert stats["calls"]["sendmessage"] == 124
