"""The Telegram Bot API cannot be reached (connection refused): the wave's invitations are
retried with growing waits, then left for a later sweep; the bot keeps running, and once
the API is back every contact gets exactly one invitation."""

from __future__ import annotations

import dataclasses
import logging
import socket
from collections import Counter

import pytest

from bot.app import build_app
from bot.channels.telegram.component import telegram_component
from bot.config.settings import Config, Secret
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.people.contacts import import_contacts, parse_contacts
from tests.conftest import Clock
from tests.fakes.telegram_emulator import emulator, need_emulator
from tests.support.followup_world import contacts_csv
from tests.support.telegram_process import TOKEN

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

CONTACTS = 5


def closed_port() -> int:
    """A local port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_connection_refused_is_retried_and_the_wave_finishes_once_the_api_is_back(
    config: Config, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    need_emulator()
    caplog.set_level(logging.INFO)
    port = closed_port()
    config = dataclasses.replace(
        config,
        telegram_token=Secret(TOKEN),
        telegram_api_url=f"http://127.0.0.1:{port}",
        telegram_send_attempts=3,
        quiet_hours=None,
    )
    app = await build_app(config, factories=[telegram_component, scheduler_component], clock=clock)
    scheduler = next(c for c in app.components if isinstance(c, Scheduler))
    try:
        async with app.storage.transaction() as tx:
            await import_contacts(
                tx, parse_contacts(contacts_csv(CONTACTS, contact_person="")), clock()
            )
        started = await scheduler.waves.start("cvs", {}, None, "test")
        assert started is not None and started.invited == CONTACTS

        await scheduler.sweep()  # the API is down: nothing goes out, nothing crashes
        async with app.storage.transaction(write=False) as tx:
            down = await tx.wave_progress(started.wave.id)
        waits = Counter(
            m.rsplit(" ", 2)[-2]
            for m in (r.getMessage() for r in caplog.records)
            if m.startswith("Telegram call failed (httpx.ConnectError")
        )
        assert waits == {"0.5": CONTACTS, "1.0": CONTACTS}, "each call retried, waiting longer"
        assert (down.pending, down.delivered) == (CONTACTS, 0)

        async with emulator(TOKEN, port) as users:
            await scheduler.sweep()  # before the retry is due: still nothing
            assert await users.messages() == {}
            clock.advance(minutes=2)
            await scheduler.sweep()
            delivered = await users.messages()
        async with app.storage.transaction(write=False) as tx:
            up = await tx.wave_progress(started.wave.id)
    finally:
        await app.storage.close()

    assert len(delivered) == CONTACTS
    assert all(len(messages) == 1 for messages in delivered.values())
    assert all(m[0]["text"].startswith("Customer Value Score") for m in delivered.values())
    assert (up.pending, up.delivered) == (0, CONTACTS)
