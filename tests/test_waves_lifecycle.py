"""Waves end to end: who is invited, what they receive, and what the wave's progress shows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.waves.waves import WaveError
from tests.conftest import Clock
from tests.support.followup_world import World, contacts_csv, make_world

RETAIL_AND_WHOLESALE = contacts_csv(4) + contacts_csv(
    2, segment="wholesale", first_id=800001, prefix="W", header=False
)


@pytest.fixture
async def world(db_url: str, clock: Clock) -> AsyncIterator[World]:
    w = await make_world(db_url, clock, contacts=RETAIL_AND_WHOLESALE)
    yield w
    await w.close()


async def rows(world: World, sql: str) -> list[tuple[object, ...]]:
    async with world.storage.transaction(write=False) as tx:
        return [tuple(r) for r in await tx.conn.fetchall(sql)]


async def test_a_wave_invites_each_matching_contact_exactly_once(world: World) -> None:
    started = await world.scheduler.waves.start("cvs", {"segment": "retail"}, None, "test")
    assert started is not None and started.invited == 4
    await world.sweep()
    await world.sweep()
    invited = sorted(p.address for p in world.telegram.posted)
    assert invited == ["900001", "900002", "900003", "900004"]
    first = world.telegram.to("900001")[0]
    assert first.broadcast and first.texts[0] == "Customer Value Score"
    assert "anonymously" in first.texts[1]
    assert world.telegram.to("800001") == []


async def test_progress_counts_answers_without_showing_them(world: World) -> None:
    started = await world.scheduler.waves.start("cvs", {"segment": "retail"}, None, "test")
    assert started is not None
    await world.sweep()
    await world.answer("900001", "named", "8", "9", "10")
    await world.answer("900002", "anonymous", "3", "2", "1", "")
    await world.answer("900003", "named")
    progress = await world.scheduler.waves.progress(started.wave.id)
    assert (progress.invited, progress.delivered, progress.started, progress.completed) == (
        4,
        4,
        3,
        2,
    )
    assert progress.response_rate == 0.5
    async with world.storage.transaction(write=False) as tx:
        statuses = await tx.invitation_statuses(started.wave.id)
    assert [(ref, status) for ref, _name, status in statuses] == [
        ("C-001", "done"),
        ("C-002", "done"),
        ("C-003", "started"),
        ("C-004", "sent"),
    ]
    answered = dict(
        await rows(
            world,
            "SELECT c.ref, i.answered_at FROM invitations i JOIN contacts c ON c.id = i.contact_id"
            " WHERE i.status = 'done'",
        )
    )
    assert answered["C-001"] == "2026-11-02T09:00:00Z"
    # The anonymous answer waits for its wave's release: shown done, stored nowhere as a
    # response, its invitation held without a time.
    assert "C-002" not in answered
    held = await rows(
        world,
        "SELECT c.ref, i.status, i.answered_at FROM invitations i"
        " JOIN contacts c ON c.id = i.contact_id WHERE c.ref = 'C-002'",
    )
    assert held == [("C-002", "held", None)]
    assert await rows(world, "SELECT COUNT(*) FROM responses WHERE anonymous = 1") == [(0,)]


async def test_a_wave_closing_with_too_few_anonymous_answers_withholds_them(world: World) -> None:
    started = await world.scheduler.waves.start("cvs", {"segment": "retail"}, None, "test")
    assert started is not None
    await world.sweep()
    await world.answer("900001", "named", "8", "9", "10")
    await world.answer("900002", "anonymous", "3", "2", "1", "")
    await world.scheduler.waves.close(started.wave.id, "test")
    progress = await world.scheduler.waves.progress(started.wave.id)
    assert progress.completed == 2  # the withheld answer counts as answered
    assert await rows(world, "SELECT COUNT(*) FROM responses") == [(1,)]
    assert await rows(world, "SELECT COUNT(*) FROM held_responses") == [(0,)]
    assert await rows(
        world, f"SELECT withheld_count FROM waves WHERE id = '{started.wave.id}'"
    ) == [(1,)]
    done = await rows(
        world,
        "SELECT c.ref, i.status, i.answered_at FROM invitations i"
        " JOIN contacts c ON c.id = i.contact_id WHERE c.ref = 'C-002'",
    )
    assert done == [("C-002", "done", None)]


async def test_an_unreachable_contact_is_marked_and_the_wave_goes_on(world: World) -> None:
    world.telegram.unreachable.add("900002")
    started = await world.scheduler.waves.start("cvs", {"segment": "retail"}, None, "test")
    assert started is not None
    await world.sweep()
    progress = await world.scheduler.waves.progress(started.wave.id)
    assert (progress.delivered, progress.unreachable) == (3, 1)
    assert sorted(p.address for p in world.telegram.posted) == ["900001", "900003", "900004"]
    blocked = await rows(
        world, "SELECT unreachable_at FROM identities WHERE external_id = '900002'"
    )
    assert blocked == [("2026-11-02T09:00:00Z",)]


async def test_a_failed_delivery_is_tried_again_later_and_arrives_once(world: World) -> None:
    world.telegram.failures["900003"] = 2
    started = await world.scheduler.waves.start("cvs", {"segment": "retail"}, None, "test")
    assert started is not None
    await world.sweep()
    assert world.telegram.to("900003") == []
    world.clock.advance(minutes=1)
    await world.sweep()
    assert world.telegram.to("900003") == []  # second failure: next try after 2 minutes
    world.clock.advance(minutes=2)
    await world.sweep()
    await world.wait(hours=2)
    assert len(world.telegram.to("900003")) == 1
    assert (await world.scheduler.waves.progress(started.wave.id)).delivered == 4


async def test_filters_that_match_nobody_change_nothing(world: World) -> None:
    with pytest.raises(WaveError, match="no contact matches region=north"):
        await world.scheduler.waves.start("cvs", {"region": "north"}, None, "test")
    with pytest.raises(WaveError, match="unknown survey"):
        await world.scheduler.waves.start("nope", {}, None, "test")
    assert await rows(world, "SELECT COUNT(*) FROM waves") == [(0,)]
    assert await rows(world, "SELECT COUNT(*) FROM outbox") == [(0,)]


async def test_an_employee_survey_goes_to_all_staff_and_takes_no_filters(world: World) -> None:
    with pytest.raises(WaveError, match="goes to all staff"):
        await world.scheduler.waves.start("mto", {"segment": "retail"}, None, "test")
    started = await world.scheduler.waves.start("mto", {}, None, "test")
    assert started is not None and started.invited == 3
    await world.sweep()
    # Staff with a chat get the first MTO question at once: no consent, always anonymous.
    assert sorted(p.address for p in world.telegram.posted) == ["5001", "5002"]
    assert "work here" in world.telegram.to("5001")[0].texts[1]
    progress = await world.scheduler.waves.progress(started.wave.id)
    assert (progress.delivered, progress.unreachable) == (2, 1)


async def test_a_closed_wave_sends_nothing_more(world: World) -> None:
    started = await world.scheduler.waves.start("cvs", {}, None, "test")
    assert started is not None
    await world.scheduler.waves.close(started.wave.id, "test")
    await world.wait(days=5)
    assert world.telegram.posted == []
    with pytest.raises(WaveError, match="closed already"):
        await world.scheduler.waves.close(started.wave.id, "test")


async def test_a_contact_on_a_platform_not_running_waits_before_counting_as_unreachable(
    db_url: str, clock: Clock
) -> None:
    slack_only = b"ref,name,slack\nS-001,Sam Slack,U024BE7LH\n"
    world = await make_world(db_url, clock, contacts=slack_only)
    try:
        started = await world.scheduler.waves.start("cvs", {}, None, "test")
        assert started is not None
        await world.wait(hours=2)
        progress = await world.scheduler.waves.progress(started.wave.id)
        assert (progress.pending, progress.unreachable) == (1, 0)
        await world.wait(days=1)
        progress = await world.scheduler.waves.progress(started.wave.id)
        assert (progress.pending, progress.unreachable) == (0, 1)
    finally:
        await world.close()
