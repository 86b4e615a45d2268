"""The issue's scenario: a wave to 20 contacts, 3 named detractors, 2 named promoters, 5 anonymous
answers, and days pass. The flag histories show forwarding within 7 days and closure within 30
for the flags people acted on, and escalations for the ones nobody did.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.storage.flags_sql import CaseEvent, Flag
from tests.conftest import Clock
from tests.support.followup_world import CONTACTS_HEADER, STAFF_CSV, World, Worlds

STAFF = (STAFF_CSV + "dirk,Dirk Bos,5004,no,en\n").encode()
# ref, contact person, answers (consent, satisfaction, loyalty, recommendation, comment)
PEOPLE = {
    "C-001": ("bram", ["named", "3", "4", "2", "Late delivery, twice"]),
    "C-002": ("cor", ["named", "5", "5", "4", "Invoices are wrong"]),
    "C-003": ("", ["named", "2", "2", "1", ""]),
    "C-004": ("bram", ["named", "9", "9", "10"]),
    "C-005": ("dirk", ["named", "10", "9", "9"]),
    "C-006": ("bram", ["anonymous", "1", "1", "0", "Terrible"]),
    "C-007": ("bram", ["anonymous", "10", "10", "10"]),
    "C-008": ("cor", ["anonymous", "6", "6", "6", ""]),
    "C-009": ("dirk", ["anonymous", "9", "8", "9"]),
    "C-010": ("", ["anonymous", "2", "3", "3", "No"]),
}


def contacts() -> bytes:
    lines = [CONTACTS_HEADER]
    for i in range(1, 21):
        ref = f"C-{i:03d}"
        person = PEOPLE.get(ref, ("bram", []))[0]
        lines.append(f"{ref},Customer {i},{900000 + i},{person},retail,Europe/Amsterdam")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
async def worlds(db_url: str, clock: Clock) -> AsyncIterator[Worlds]:
    built = Worlds(db_url, clock)
    yield built
    await built.close()


async def flag_of(world: World, ref: str) -> tuple[Flag, list[CaseEvent]]:
    async with world.storage.transaction(write=False) as tx:
        contact_id = await tx.contact_id_by_ref(ref)
        (flag,) = [f for f in await tx.flags() if f.contact_id == contact_id]
        return flag, await tx.flag_events(flag.id)


def first(events: list[CaseEvent], *actions: str) -> CaseEvent | None:
    return next((e for e in events if e.action in actions), None)


async def test_wave_of_twenty_flags_followed_up_in_time_or_escalated(
    worlds: Worlds, clock: Clock
) -> None:
    world = await worlds(contacts=contacts(), staff=STAFF)
    started = await world.scheduler.waves.start("cvs", {}, None, "admin")
    assert started is not None and started.invited == 20
    await world.sweep()
    for ref, (_person, answers) in PEOPLE.items():
        await world.answer(str(900000 + int(ref[2:])), *answers)
    await world.sweep()

    async with world.storage.transaction(write=False) as tx:
        flags = await tx.flags()
        counts = await tx.response_counts()
        held = await tx.held_count("cvs")
    assert sorted(f.kind for f in flags) == ["detractor"] * 3 + ["promoter"] * 2
    assert [(c.named, c.anonymous) for c in counts] == [(5, 0)]
    assert held == 5, "the anonymous five wait for the wave's close"
    # One alert per named flag, at once; nothing in the staff chat names an anonymous one.
    alerts = [t for t in world.staff_chat() if t.startswith(("Detractor", "Promoter"))]
    assert len(alerts) == 5
    anonymous_refs = [f"C-{i:03d}" for i in range(6, 11)]
    assert not any(ref in text for text in world.staff_chat() for ref in anonymous_refs)

    # Day 3: Anna takes the flag whose contact person has no chat (auto-forward failed).
    await world.wait(days=3)
    c002, _events = await flag_of(world, "C-002")
    alert = next(p for p in world.telegram.to("-1001234") if "C-002" in p.text)
    take = next(value for label, value in alert.actions if label == "Take it myself")
    assert (await world.press("5001", take)).startswith("You own flag")
    # Day 10: Bram (staff, not an admin) closes his detractor in chat.
    await world.wait(days=7)
    c001, _events = await flag_of(world, "C-001")
    reply = await world.command("5002", "flags", "done", c001.ref, "Called;", "sent", "a", "credit")
    assert reply.startswith(f"Flag {c001.ref} is closed")
    # Day 20 and day 25: Anna and Dirk close theirs.
    await world.wait(days=10)
    await world.command("5001", "flags", "done", c002.ref, "Invoices corrected and explained")
    await world.wait(days=5)
    c005, _events = await flag_of(world, "C-005")
    await world.command("5004", "flags", "done", c005.ref, "Asked for a reference case")
    await world.wait(days=10)

    for ref in ("C-001", "C-002", "C-005"):
        flag, events = await flag_of(world, ref)
        handed = first(events, "forwarded", "taken")
        closed = first(events, "closed")
        assert handed is not None and handed.at - flag.raised_at <= timedelta(days=7), ref
        assert closed is not None and closed.at - flag.raised_at <= timedelta(days=30), ref
        assert closed.note, ref
        assert first(events, "escalated") is None, ref
    _flag, c002_events = await flag_of(world, "C-002")
    assert first(c002_events, "forward failed") is not None
    assert first(c002_events, "taken").actor == "staff:anna"  # type: ignore[union-attr]

    flag, events = await flag_of(world, "C-004")  # forwarded, never closed
    assert first(events, "forwarded").at == flag.raised_at  # type: ignore[union-attr]
    assert [(e.at - flag.raised_at, e.note) for e in events if e.action == "escalated"] == [
        (timedelta(days=30), "not followed up in time; told 1 admin chat(s)")
    ]
    flag, events = await flag_of(world, "C-003")  # no contact person, nobody acted
    assert first(events, "forwarded", "taken", "closed") is None
    assert [(e.at - flag.raised_at, e.note) for e in events if e.action == "escalated"] == [
        (timedelta(days=7), "not forwarded in time; told 1 admin chat(s)"),
        (timedelta(days=30), "not followed up in time; told 1 admin chat(s)"),
    ]
    overdue = await world.scheduler.flags.listing("overdue")
    assert sorted(f.id for f in overdue) == sorted(
        [(await flag_of(world, r))[0].id for r in ("C-003", "C-004")]
    )
