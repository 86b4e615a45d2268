"""The scheduler inside a running bot: APScheduler's sweep in the bot's own event loop."""

from __future__ import annotations

import asyncio

from bot.admin.commands import AdminRequest
from bot.app import App, build_app
from bot.config.settings import Config
from bot.jobs.scheduler import scheduler_component
from bot.people.contacts import import_contacts, import_staff, parse_contacts, parse_staff
from bot.storage import open_storage
from bot.timeutil import utc_now
from tests.fakes.recording_channel import Posted, RecordingChannel
from tests.support.followup_world import STAFF_CSV, contacts_csv

GUARD_SECONDS = 30


async def test_a_running_bot_sends_a_wave_started_from_chat(db_url: str) -> None:
    config = Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": db_url,
            "KLANTSTEM_QUIET_HOURS": "off",
            "KLANTSTEM_SWEEP_SECONDS": "0.05",
            "KLANTSTEM_WAVE_SCHEDULE": "cvs @ 0 9 1 1,4,7,10 *",
        }
    )
    three_sent = asyncio.Event()
    telegram = RecordingChannel("telegram")

    def count(posted: Posted) -> None:
        if len(telegram.posted) == 3:
            three_sent.set()

    telegram.on_posted = count

    def attach(app: App) -> None:
        app.service.attach(telegram)

    app = await build_app(config, factories=[attach, scheduler_component])
    async with app.storage.transaction() as tx:
        await import_staff(tx, parse_staff(STAFF_CSV.encode()), utc_now())
        await import_contacts(tx, parse_contacts(contacts_csv(3)), utc_now())
    await app.start()
    try:
        reply = await app.admin.run(
            AdminRequest("telegram", "5001", "5001", "wave", ("start", "cvs"), "en")
        )
        assert "3 invitations go out now" in reply.text
        await asyncio.wait_for(three_sent.wait(), GUARD_SECONDS)
    finally:
        await app.stop()
    assert sorted(p.address for p in telegram.posted) == ["900001", "900002", "900003"]
    # The next quarterly wave waits in the database, not in the stopped scheduler.
    storage = await open_storage(db_url)
    try:
        async with storage.transaction(write=False) as tx:
            assert await tx.unfinished_jobs(["wave.scheduled"]) == 1
    finally:
        await storage.close()
