"""SIGKILL in the middle of a wave of 1,000 invitations, then a restart: each contact gets one.

The bot runs as its own process (`tests/fakes/outbox_process.py`) against a recording
platform that keeps a journal on disk, as a real platform keeps its messages when the
bot dies. The first run is killed while messages are out but their outbox rows are not
finished; the second run must send the rest, and resend nothing.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from pathlib import Path

import pytest

from bot.config.settings import Config
from bot.conversations.service import Service
from bot.people.contacts import import_contacts, parse_contacts
from bot.storage import open_storage
from bot.waves.invitations import Invitations
from bot.waves.waves import Waves
from flows import builtin_surveys
from tests.support.followup_world import contacts_csv
from tests.support.processes import GUARD_SECONDS, launch, read_until

ROOT = Path(__file__).resolve().parent.parent
WAVE_SIZE = 1000
KILL_AFTER = 300


async def start_wave(db_url: str) -> None:
    config = Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": db_url,
            "KLANTSTEM_QUIET_HOURS": "off",
        }
    )
    storage = await open_storage(db_url)
    try:
        service = Service(storage, builtin_surveys(), config)
        async with storage.transaction() as tx:
            await import_contacts(
                tx, parse_contacts(contacts_csv(WAVE_SIZE, contact_person="")), service.clock()
            )
        started = await Waves(service, Invitations(service)).start("cvs", {}, None, "test")
        assert started is not None and started.invited == WAVE_SIZE
    finally:
        await storage.close()


@pytest.mark.slow
async def test_killed_mid_wave_and_restarted_every_contact_gets_exactly_one_invitation(
    tmp_path: Path, db_url: str
) -> None:
    await start_wave(db_url)
    journal = tmp_path / "platform.jsonl"

    first = await launch(db_url, journal, "--hold-after", str(KILL_AFTER))
    before = await asyncio.wait_for(read_until(first, "holding"), GUARD_SECONDS)
    assert before[-1] == "holding"
    first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL

    second = await launch(db_url, journal)
    after = await asyncio.wait_for(read_until(second, None), GUARD_SECONDS)
    assert await second.wait() == 0 and after[-1] == "done"

    messages = [json.loads(line) for line in journal.read_text().splitlines()]
    per_contact = Counter(m["address"] for m in messages if m["texts"][0] == "Customer Value Score")
    assert len(per_contact) == WAVE_SIZE
    assert set(per_contact.values()) == {1}
    # The rows that were out when the process died were found delivered, not sent again.
    assert any(line.startswith("already delivered invite:") for line in after)
    assert "repeats 0" in after
    storage = await open_storage(db_url)
    try:
        async with storage.transaction(write=False) as tx:
            progress = await tx.wave_progress((await tx.recent_waves(1))[0].id)
    finally:
        await storage.close()
    assert (progress.invited, progress.delivered) == (WAVE_SIZE, WAVE_SIZE)
