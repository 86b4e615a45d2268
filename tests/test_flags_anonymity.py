"""Anonymous answers are never flagged, and no staff message ever shows an anonymous respondent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import Clock
from tests.support.followup_world import STAFF_CHAT, Worlds, contacts_csv

SECRET = "The delivery man was rude to my wife"


@pytest.fixture
async def worlds(db_url: str, clock: Clock) -> AsyncIterator[Worlds]:
    built = Worlds(db_url, clock)
    yield built
    await built.close()


@pytest.mark.parametrize("digest", ["", "08:00"])
async def test_anonymous_detractors_and_promoters_raise_no_flag(
    worlds: Worlds, clock: Clock, digest: str
) -> None:
    world = await worlds(contacts=contacts_csv(3), env={"KLANTSTEM_FLAG_DIGEST": digest})
    await world.scheduler.followup.ensure_digest()
    await world.scheduler.waves.start("cvs", {}, None, "test")
    await world.sweep()
    await world.answer("900001", "anonymous", "0", "0", "0", SECRET)
    await world.answer("900002", "anonymous", "10", "10", "10")
    await world.answer("900003", "anonymous", "6", "2", "1", "")
    await world.wait(days=35)
    async with world.storage.transaction(write=False) as tx:
        assert await tx.flags() == []
        assert await tx.held_count("cvs") == 3  # waiting for the wave's release
    staff_chats = {STAFF_CHAT, "5001", "5002"}
    assert [p for p in world.telegram.posted if p.address in staff_chats] == []


async def test_the_alert_shows_the_named_respondent_and_nothing_of_an_anonymous_one(
    worlds: Worlds, clock: Clock
) -> None:
    world = await worlds(contacts=contacts_csv(2))
    await world.scheduler.waves.start("cvs", {}, None, "test")
    await world.sweep()
    await world.answer("900002", "anonymous", "1", "1", "1", SECRET)
    await world.answer("900001", "named", "4", "5", "3", "Slow answers on the phone")
    await world.wait(days=31)

    (alert,) = [p for p in world.telegram.to(STAFF_CHAT) if p.text.startswith("Detractor")]
    assert "Customer C1 (C-001)" in alert.text
    assert "Attributes: segment=retail" in alert.text
    assert "Contact person: Bram Smit" in alert.text
    assert "* How likely are you to recommend us to a friend or colleague?: 3" in alert.text
    assert "\u201cSlow answers on the phone\u201d" in alert.text
    assert [label for label, _value in alert.actions] == [
        "Forward to Bram Smit",
        "Take it myself",
        "Mark followed up",
    ]
    for message in world.telegram.posted:
        if message.address in {"900001", "900002"}:
            continue
        assert SECRET not in message.text
        assert "C-002" not in message.text and "Customer C2" not in message.text
        assert "900002" not in message.text


async def test_a_named_respondent_without_a_contact_record_is_flagged_by_platform_id(
    worlds: Worlds, clock: Clock
) -> None:
    world = await worlds()
    await world.app.service.begin("telegram", "4242", "4242", "nps")
    await world.answer("4242", "named", "2", "Nobody called back")
    await world.sweep()
    (alert,) = world.staff_chat()
    assert alert.startswith("Detractor: telegram user 4242")
    assert "Contact person: none on record" in alert
