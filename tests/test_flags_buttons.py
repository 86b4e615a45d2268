"""Flag buttons and the `/flags` and `/wave` chat commands: who may do what, and bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import Clock
from tests.support.followup_world import STAFF_CHAT, World, Worlds, contacts_csv


@pytest.fixture
async def worlds(db_url: str, clock: Clock) -> AsyncIterator[Worlds]:
    built = Worlds(db_url, clock)
    yield built
    await built.close()


async def flagged(
    worlds: Worlds, env: dict[str, str] | None = None
) -> tuple[World, dict[str, str]]:
    """A world with one open detractor flag; returns it and its alert's buttons by label."""
    world = await worlds(contacts=contacts_csv(1), env=env)
    await world.scheduler.waves.start("cvs", {}, None, "test")
    await world.sweep()
    await world.answer("900001", "named", "2", "2", "2", "")
    await world.sweep()
    (alert,) = world.telegram.to(STAFF_CHAT)
    return world, {label.split(" ")[0]: value for label, value in alert.actions}


async def history(world: World) -> list[tuple[str, str, str | None]]:
    async with world.storage.transaction(write=False) as tx:
        (flag,) = await tx.flags()
        return [(e.actor, e.action, e.note) for e in await tx.flag_events(flag.id)]


async def test_only_staff_can_press_flag_buttons(worlds: Worlds) -> None:
    world, buttons = await flagged(worlds, {"KLANTSTEM_FLAG_AUTO_FORWARD": "no"})
    before = await history(world)
    assert await world.press("900001", buttons["Take"]) == "Only staff members can act on flags."
    assert await world.press("5001", "flag:take:" + "0" * 32) == (
        "Nothing was changed: this flag no longer exists"
    )
    assert await world.press("5001", "flag:burn:x") == "This button is not valid."
    assert await history(world) == before


async def test_forward_button_sends_the_flag_to_the_contact_person_once(worlds: Worlds) -> None:
    world, buttons = await flagged(worlds, {"KLANTSTEM_FLAG_AUTO_FORWARD": "no"})
    assert world.telegram.to("5002") == []
    assert await world.press("5001", buttons["Forward"]) == (
        f"Forwarding flag {buttons['Forward'][9:17]} to Bram Smit."
    )
    await world.sweep()
    (forwarded,) = world.telegram.to("5002")
    assert forwarded.text.startswith("A flag for you to follow up:")
    assert "/flags done" in forwarded.text
    again = await world.press("5001", buttons["Forward"])
    assert again == "Nothing was changed: this flag was forwarded already"
    await world.sweep()
    assert len(world.telegram.to("5002")) == 1
    assert [(actor, action) for actor, action, _note in await history(world)][-2:] == [
        ("staff:anna", "forward requested"),
        ("klantstem", "forwarded"),
    ]


async def test_closing_a_flag_needs_a_note(worlds: Worlds) -> None:
    world, buttons = await flagged(worlds)
    ref = buttons["Mark"][10:18]
    assert await world.press("5002", buttons["Mark"]) == (
        f"To close flag {ref}, send: /flags done {ref} <what you did>"
    )
    refused = await world.command("5002", "flags", "done", ref)
    assert refused == "Nothing was changed: write what was done: a note is required"
    assert (await world.scheduler.flags.find(ref)).status == "forwarded"
    await world.command("5002", "flags", "done", ref, "Called", "back")
    closed = await world.scheduler.flags.find(ref)
    assert (closed.status, closed.outcome) == ("closed", "Called back")
    assert "closed: Called back" in await world.command("5002", "flags", "show", ref)


async def test_only_admins_run_wave_commands(worlds: Worlds) -> None:
    world = await worlds(contacts=contacts_csv(3))
    assert await world.command("5002", "wave", "start", "cvs") == (
        "Sorry, only administrators can use this command."
    )
    refused = await world.command("5001", "wave", "start", "cvs", "region")
    assert refused == "Nothing was changed: 'region' is not a filter: write attribute=value"
    started = await world.command("5001", "wave", "start", "cvs", "segment=retail")
    assert started.startswith("Wave ") and "3 invitations go out now" in started
    await world.sweep()
    status = await world.command("5001", "wave", "status")
    assert "invited 3, delivered 3, unreachable 0, waiting 0" in status
    assert "[##############################] 3 of 3 invitations handled" in status


async def test_the_same_wave_again_in_chat_within_the_window_needs_again(
    worlds: Worlds,
) -> None:
    world = await worlds(contacts=contacts_csv(3))
    started = await world.command("5001", "wave", "start", "cvs", "segment=retail")
    wave_id = started.split()[1].rstrip(":")
    refused = await world.command("5001", "wave", "start", "cvs", "segment=retail")
    assert refused.startswith(
        f"Nothing was changed: wave {wave_id} of cvs for segment=retail was started at "
    )
    assert "again" in refused
    async with world.app.storage.transaction(write=False) as tx:
        assert len(await tx.recent_waves()) == 1
    again = await world.command("5001", "wave", "start", "cvs", "segment=retail", "again")
    assert again.startswith("Wave ") and "3 invitations go out now" in again
    await world.wait(days=1)
    later = await world.command("5001", "wave", "start", "cvs", "segment=retail")
    assert later.startswith("Wave ")


async def test_staff_list_open_and_overdue_flags_in_chat(worlds: Worlds, clock: Clock) -> None:
    world, _buttons = await flagged(worlds)
    listing = await world.command("5002", "flags")
    assert "detractor  Customer C1 (C-001)  forwarded, owner Bram Smit" in listing
    assert await world.command("5002", "flags", "overdue") == "No flags to show."
    await world.wait(days=30)
    assert "OVERDUE: not followed up" in await world.command("5002", "flags", "overdue")
