"""G-F4: closing a mirror wave and its KTO wave turns each large gap into a tracked action item."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.storage.flags_sql import ActionItem
from tests.conftest import Clock
from tests.support.followup_world import STAFF_CHAT, World, Worlds, contacts_csv

DIMENSIONS = 9
STAFF = (
    "ref,name,telegram,admin,language\n"
    + "".join(f"s{i},Staff {i},{5000 + i},{'yes' if i == 1 else 'no'},en\n" for i in range(1, 6))
).encode()


@pytest.fixture
async def worlds(db_url: str, clock: Clock) -> AsyncIterator[Worlds]:
    built = Worlds(db_url, clock)
    yield built
    await built.close()


def grades(service: int, rest: int) -> list[str]:
    """The nine dimension grades: service first, the other eight alike."""
    return [str(service)] + [str(rest)] * (DIMENSIONS - 1)


async def run_waves(world: World, customers: int) -> None:
    """A KTO wave answered by `customers` contacts and a mirror wave answered by 5 staff."""
    kto = await world.scheduler.waves.start("kto", {}, None, "test")
    mirror = await world.scheduler.waves.start("mirror", {}, None, "test")
    assert kto is not None and mirror is not None
    await world.sweep()
    for i in range(customers):
        # Customers grade service 6 and the rest 7; staff expect 9 for service, 7.5 for the rest.
        await world.answer(str(900001 + i), "anonymous", "7", "7", "7", *grades(6, 7), "1", "")
    for i in range(1, 6):
        await world.answer(str(5000 + i), "8", "8", "8", *grades(9, 7 + i % 2), "")
    await world.scheduler.waves.close(kto.wave.id, "test")
    await world.scheduler.waves.close(mirror.wave.id, "test")
    await world.sweep()


async def items(world: World) -> list[ActionItem]:
    async with world.storage.transaction(write=False) as tx:
        return await tx.action_items()


async def test_a_large_gap_becomes_an_action_item_with_owner_and_due_date(
    worlds: Worlds, clock: Clock
) -> None:
    world = await worlds(contacts=contacts_csv(5, contact_person="s2"), staff=STAFF)
    await run_waves(world, customers=5)
    (item,) = await items(world)
    assert (item.dimension, item.staff_mean, item.customer_mean) == ("service", 9.0, 6.0)
    assert item.due_at == clock() + timedelta(days=30)
    plan = [t for t in world.staff_chat() if t.startswith("Action plan")]
    assert len(plan) == 1
    assert "service: staff expect 9.0, customers give 6.0; owner Staff 1" in plan[0]

    await world.wait(days=30)
    escalations = [p for p in world.telegram.to("5001") if p.text.startswith("Escalation")]
    assert len(escalations) == 1 and item.ref in escalations[0].text
    reply = await world.command("5001", "flags", "done", item.ref, "Service", "training", "held")
    assert reply == f"Action item {item.ref} is closed."
    (closed,) = await items(world)
    assert (closed.status, closed.outcome) == ("closed", "Service training held")
    assert f"{item.ref}  service" in await world.command("5001", "flags", "actions")


async def test_no_action_item_from_groups_too_small_to_show(worlds: Worlds) -> None:
    world = await worlds(contacts=contacts_csv(4, contact_person="s2"), staff=STAFF)
    await run_waves(world, customers=4)
    assert await items(world) == []
    assert not any(t.startswith("Action plan") for t in world.staff_chat())


async def test_closing_again_adds_no_second_plan(worlds: Worlds) -> None:
    world = await worlds(contacts=contacts_csv(5, contact_person="s2"), staff=STAFF)
    await run_waves(world, customers=5)
    before = len(world.telegram.to(STAFF_CHAT))
    async with world.storage.transaction() as tx:
        waves = await tx.recent_waves()
        jobs = [(f"again:{w.id}", "wave.closed", w.id, world.clock()) for w in waves]
        await tx.schedule_jobs(jobs, world.clock())
    await world.sweep()
    assert len(await items(world)) == 1
    assert len(world.telegram.to(STAFF_CHAT)) == before
