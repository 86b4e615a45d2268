"""Weeks pass on an injected clock: every deadline fires exactly when it should, and only once.

The clock starts on Monday 2 November 2026, 09:00 UTC (10:00 in Amsterdam); `World.wait`
sweeps every 30 minutes, so "exactly" means at the first sweep at or after the due time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot.jobs.scheduler import Scheduler
from bot.storage.records import StaffMember
from tests.conftest import Clock
from tests.support.followup_world import STAFF_CHAT, World, Worlds, contacts_csv

T0 = datetime.fromisoformat("2026-11-02T09:00:00+00:00")


@pytest.fixture
async def worlds(db_url: str, clock: Clock) -> AsyncIterator[Worlds]:
    built = Worlds(db_url, clock)
    yield built
    await built.close()


def sent_at(world: World, address: str) -> list[datetime]:
    return [datetime.fromisoformat(p.at) for p in world.telegram.to(address)]


def notices(world: World, address: str, starting: str) -> list[datetime]:
    return [
        datetime.fromisoformat(p.at)
        for p in world.telegram.to(address, "notice")
        if p.text.startswith(starting)
    ]


async def test_one_reminder_after_three_days_only_to_those_who_did_not_answer(
    worlds: Worlds, clock: Clock
) -> None:
    world = await worlds(contacts=contacts_csv(3))
    await world.scheduler.waves.start("cvs", {}, None, "test")
    await world.sweep()
    await world.answer("900001", "named", "8", "8", "8")
    await world.wait(days=3, hours=-0.5)
    assert all(len(world.telegram.to(a)) == 1 for a in ("900002", "900003"))
    await world.wait(hours=0.5)
    reminder = world.telegram.to("900002")[-1]
    assert reminder.texts[0].startswith("A friendly reminder")
    assert "anonymously" in reminder.texts[1]  # the question they are at, with its buttons
    await world.wait(days=10)
    for address in ("900002", "900003"):
        assert sent_at(world, address) == [T0, T0 + timedelta(days=3)]
    assert not any(p.texts[0].startswith("A friendly") for p in world.telegram.to("900001"))


async def test_no_reminder_once_the_wave_has_closed(worlds: Worlds, clock: Clock) -> None:
    world = await worlds(contacts=contacts_csv(2))
    started = await world.scheduler.waves.start(
        "cvs", {}, T0 + timedelta(days=2), "test", now=clock()
    )
    assert started is not None
    await world.wait(days=6)
    assert [len(world.telegram.to(a)) for a in ("900001", "900002")] == [1, 1]
    wave = await world.scheduler.waves.resolve(started.wave.id)
    assert wave.closed_at == T0 + timedelta(days=2)


async def test_quiet_hours_hold_invitations_until_morning_in_the_contacts_time_zone(
    worlds: Worlds, clock: Clock
) -> None:
    elsewhere = (
        b"N-001,Nora,700001,bram,retail,America/New_York\n"
        b"T-001,Taro,600001,bram,retail,Asia/Tokyo\n"
    )
    world = await worlds(contacts=contacts_csv(1) + elsewhere)
    clock.now = datetime.fromisoformat("2026-11-02T20:30:00+00:00")  # 21:30 in Amsterdam
    await world.scheduler.waves.start("cvs", {}, None, "test")
    await world.sweep()
    # 15:30 in New York: not quiet there.
    assert [p.address for p in world.telegram.posted] == ["700001"]
    await world.wait(hours=2)  # to 22:30 UTC: 07:30 in Tokyo
    assert sent_at(world, "600001") == []
    await world.wait(hours=8)  # to 06:30 UTC: 07:30 in Amsterdam
    assert sent_at(world, "600001") == [datetime.fromisoformat("2026-11-02T23:00:00+00:00")]
    assert sent_at(world, "900001") == []
    await world.wait(hours=1)
    assert sent_at(world, "900001") == [datetime.fromisoformat("2026-11-03T07:00:00+00:00")]


async def test_interaction_survey_waits_an_hour_and_respects_the_contact_frequency(
    worlds: Worlds, clock: Clock
) -> None:
    world = await worlds(
        contacts=contacts_csv(2),
        env={"KLANTSTEM_CONTACT_FREQUENCY_OVERRIDES": "ces=7"},
    )
    invitations = world.scheduler.invitations
    first = await invitations.record_interaction("C-001", "support", None, "test")
    assert first.due_at == T0 + timedelta(hours=1)
    await world.wait(hours=59 / 60, step_minutes=1)
    assert world.telegram.posted == []
    await world.wait(hours=1 / 60, step_minutes=1)
    assert sent_at(world, "900001") == [T0 + timedelta(hours=1)]
    assert world.telegram.to("900001")[0].texts[0] == "Contact satisfaction"

    await world.wait(days=1)
    again = await invitations.record_interaction("C-001", "delivery", None, "test")
    assert again.due_at is None and again.skipped_because == "contact-frequency"
    assert again.last_asked == T0 + timedelta(hours=1)
    await world.wait(days=5)
    assert (await invitations.record_interaction("C-001", "support", "ces", "test")).due_at is None
    await world.wait(days=1)  # CES is due 7 days after the last question: it may go
    ces = await invitations.record_interaction("C-001", "support", "ces", "test")
    assert ces.due_at is not None
    await world.wait(days=22)  # CSAT keeps the default 30 days, counted from the CES survey
    assert (await invitations.record_interaction("C-001", "x", None, "test")).due_at is None
    await world.wait(days=8)
    assert (await invitations.record_interaction("C-001", "x", None, "test")).due_at is not None


async def test_flag_deadlines_fire_on_day_5_7_21_and_30(worlds: Worlds, clock: Clock) -> None:
    world = await worlds(contacts=contacts_csv(1, contact_person=""))
    await world.scheduler.waves.start("cvs", {}, None, "test")
    await world.sweep()
    await world.answer("900001", "named", "3", "4", "2", "slow")
    await world.sweep()
    assert notices(world, STAFF_CHAT, "Detractor") == [T0]

    await world.wait(days=5, hours=-0.5)
    assert notices(world, STAFF_CHAT, "Reminder") == []
    await world.wait(days=2.5)
    assert notices(world, STAFF_CHAT, "Reminder") == [T0 + timedelta(days=5)]
    assert notices(world, "5001", "Escalation") == [T0 + timedelta(days=7)]

    anna = StaffMember("anna", "Anna de Vries", id=await staff_id(world, "anna"))
    (flag,) = await world.scheduler.flags.listing("open")
    await world.scheduler.flags.take(flag.id, anna, "staff:anna")
    await world.wait(days=23)
    assert notices(world, "5001", "Reminder") == [T0 + timedelta(days=21)]
    assert notices(world, "5001", "Escalation") == [
        T0 + timedelta(days=7),
        T0 + timedelta(days=30),
    ]
    await world.wait(days=30)
    assert len(world.telegram.to("5001")) == 3  # nothing fires twice


async def staff_id(world: World, ref: str) -> str:
    async with world.storage.transaction(write=False) as tx:
        member = next(m for m in await tx.staff() if m.ref == ref)
    assert member.id is not None
    return member.id


async def test_daily_digest_replaces_single_alerts(worlds: Worlds, clock: Clock) -> None:
    world = await worlds(contacts=contacts_csv(3), env={"KLANTSTEM_FLAG_DIGEST": "08:00"})
    await world.scheduler.followup.ensure_digest()
    await world.scheduler.waves.start("cvs", {}, None, "test")
    await world.sweep()
    await world.answer("900001", "named", "3", "4", "2", "")
    await world.answer("900002", "named", "9", "9", "10")
    await world.sweep()
    assert world.staff_chat() == []
    await world.wait(days=3)
    digests = world.telegram.to(STAFF_CHAT)
    assert [p.at for p in digests] == ["2026-11-03T07:00:00+00:00"]  # 08:00 in Amsterdam
    assert digests[0].text.startswith("2 new flags since the last digest:")
    assert "Customer C1" in digests[0].text and "Customer C2" in digests[0].text
    await world.answer("900003", "named", "1", "1", "1", "")
    await world.wait(days=1)
    assert [p.at for p in world.telegram.to(STAFF_CHAT)][-1] == "2026-11-06T07:00:00+00:00"
    assert world.telegram.to(STAFF_CHAT)[-1].text.startswith("1 new flag since")


async def test_a_scheduled_wave_starts_once_at_its_cron_time(worlds: Worlds, clock: Clock) -> None:
    world = await worlds(
        contacts=contacts_csv(2),
        env={"KLANTSTEM_WAVE_SCHEDULE": "cvs segment=retail @ 0 9 * * mon"},
    )
    await world.scheduler.waves.ensure_schedule()
    await world.wait(days=7, hours=-1.5)
    assert world.telegram.posted == []
    second = Scheduler(world.app.service)  # a restarted or second instance
    await second.waves.ensure_schedule()
    await world.wait(hours=1)
    await second.sweep()
    monday_9 = datetime.fromisoformat("2026-11-09T08:00:00+00:00")  # 09:00 in Amsterdam
    assert sent_at(world, "900001") == [monday_9]
    await world.wait(days=7)
    async with world.storage.transaction(write=False) as tx:
        waves = await tx.recent_waves()
    assert [w.opened_at for w in waves] == [monday_9 + timedelta(days=7), monday_9]
    assert waves[1].closes_at == monday_9 + timedelta(days=14)
