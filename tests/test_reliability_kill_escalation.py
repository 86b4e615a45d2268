"""SIGKILL while the follow-up of flags is being sent, then a restart: every alert, reminder
and escalation reaches its chat exactly once.

Ten named detractors answered forty days ago and nobody acted, so every flag row is due
at once: the staff-chat alert, the day-5 and day-21 reminders and the day-7 and day-30
escalations to the admin. The bot's scheduler runs as its own process
(`tests/fakes/outbox_process.py`) against a journaled recording platform and is killed
while notices are out but their outbox rows are not finished; a second process sends the rest.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.flags.flags import FlagJob
from bot.storage import open_storage
from tests.conftest import Clock
from tests.support.followup_world import STAFF_CHAT, contacts_csv, make_world
from tests.support.processes import GUARD_SECONDS, launch, read_until

pytestmark = pytest.mark.slow

DETRACTORS = 10
KINDS = tuple(kind for kind in FlagJob if kind is not FlagJob.DIGEST)
ADMIN = "5001"  # anna in tests/support/followup_world.py's staff list
KILL_AFTER = 23  # within the second batch of rows


async def flags_left_unattended(db_url: str) -> None:
    """Detractors answered 40 days ago; no flag was alerted, forwarded or closed since."""
    clock = Clock(datetime.now(UTC) - timedelta(days=40))
    world = await make_world(
        db_url,
        clock,
        env={"KLANTSTEM_QUIET_HOURS": "off"},
        contacts=contacts_csv(DETRACTORS, contact_person=""),
    )
    try:
        started = await world.scheduler.waves.start("cvs", {}, None, "test")
        assert started is not None and started.invited == DETRACTORS
        await world.sweep()
        for user in range(900001, 900001 + DETRACTORS):
            await world.answer(str(user), "named", "2", "3", "1", "")
        async with world.storage.transaction(write=False) as tx:
            assert len(await tx.flags()) == DETRACTORS
            assert await tx.unfinished_jobs([FlagJob.ALERT]) == DETRACTORS
    finally:
        await world.close()


async def test_killed_mid_escalation_every_notice_arrives_exactly_once(
    tmp_path: Path, db_url: str
) -> None:
    await flags_left_unattended(db_url)
    journal = tmp_path / "platform.jsonl"
    settings = ["--set", f"KLANTSTEM_STAFF_CHAT=telegram:{STAFF_CHAT}"]
    for kind in KINDS:
        settings += ["--until", kind]

    first = await launch(db_url, journal, "--hold-after", str(KILL_AFTER), *settings)
    before = await asyncio.wait_for(read_until(first, "holding"), GUARD_SECONDS)
    assert before[-1] == "holding"
    first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL

    second = await launch(db_url, journal, *settings)
    after = await asyncio.wait_for(read_until(second, None), GUARD_SECONDS)
    assert await second.wait() == 0 and after[-1] == "done"

    notices = [json.loads(line) for line in journal.read_text().splitlines()]
    per_key = Counter(n["key"] for n in notices)
    assert set(per_key.values()) == {1}, "no alert, reminder or escalation twice"
    kinds = Counter(n["key"].split(":", 1)[0] for n in notices)
    assert kinds == {
        FlagJob.ALERT: DETRACTORS,
        FlagJob.FORWARD_REMINDER: DETRACTORS,
        FlagJob.FORWARD_ESCALATION: DETRACTORS,
        FlagJob.FOLLOWUP_REMINDER: DETRACTORS,
        FlagJob.FOLLOWUP_ESCALATION: DETRACTORS,
    }
    to_admin = Counter(n["key"].split(":", 1)[0] for n in notices if n["address"] == ADMIN)
    assert to_admin == {
        FlagJob.FORWARD_ESCALATION: DETRACTORS,
        FlagJob.FOLLOWUP_ESCALATION: DETRACTORS,
    }
    assert any(line.startswith("already delivered flag.") for line in after)
    assert "repeats 0" in after
    storage = await open_storage(db_url)
    try:
        async with storage.transaction(write=False) as tx:
            histories = [await tx.flag_events(f.id) for f in await tx.flags()]
            left = await tx.unfinished_jobs(KINDS)
    finally:
        await storage.close()
    assert left == 0
    for events in histories:  # each flag's history tells of each step once
        assert Counter(e.action for e in events if e.action in ("escalated", "reminded")) == {
            "escalated": 2,
            "reminded": 2,
        }
