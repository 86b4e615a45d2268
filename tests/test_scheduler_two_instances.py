"""Two bot instances on one database sweep the same wave at once: nobody is invited twice.

Each instance has its own database connection, as two processes would; they share the
chat platform. Run with KLANTSTEM_TEST_BACKEND=postgresql to check the claim on
PostgreSQL (`FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.app import App, build_app
from bot.config.settings import Config
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.people.contacts import import_contacts, parse_contacts
from tests.conftest import Clock
from tests.support.followup_world import contacts_csv, make_world

WAVE_SIZE = 200


async def test_two_instances_never_send_the_same_invitation(db_url: str, clock: Clock) -> None:
    first = await make_world(db_url, clock)
    platform = first.telegram
    config = Config.from_env({"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_DATABASE_URL": db_url})

    def attach(app: App) -> None:
        app.service.attach(platform)

    second_app = await build_app(config, factories=[attach, scheduler_component], clock=clock)
    second = next(c for c in second_app.components if isinstance(c, Scheduler))
    try:
        async with first.storage.transaction() as tx:
            await import_contacts(
                tx, parse_contacts(contacts_csv(WAVE_SIZE, contact_person="")), clock()
            )
        await first.scheduler.waves.start("cvs", {}, None, "test")
        ran = await asyncio.gather(first.sweep(), second.sweep(), first.sweep(), second.sweep())
        assert sum(ran) == WAVE_SIZE
        per_contact = Counter(p.address for p in platform.posted)
        assert len(per_contact) == WAVE_SIZE and set(per_contact.values()) == {1}
        assert platform.repeats == []
    finally:
        await second_app.storage.close()
        await first.close()
