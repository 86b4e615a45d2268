"""A conversation never stalls and nothing answered is thrown away.

The platform refuses the reply that follows a stored answer (a 5xx past the channel's own
retries); an update is redelivered after a crash; an invitation is sent again after its
lease ran out while the person was answering; an invitation to another survey arrives
in the middle of one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.conversations.service import Inbound
from flows import Event, EventKind
from tests.conftest import Clock
from tests.support.followup_world import World, contacts_csv, make_world

USER = "900001"


@pytest.fixture
async def world(db_url: str, clock: Clock) -> AsyncIterator[World]:
    w = await make_world(db_url, clock, contacts=contacts_csv(2))
    yield w
    await w.close()


async def _invited(world: World) -> str:
    started = await world.scheduler.waves.start("cvs", {}, None, "test")
    assert started is not None
    await world.sweep()
    return started.wave.id


def _last(world: World) -> str:
    return world.telegram.to(USER)[-1].text


async def test_a_reply_the_platform_refuses_is_sent_by_the_sweep(world: World) -> None:
    await _invited(world)
    await world.answer(USER, "named")
    world.telegram.failures[USER] = 1  # the reply after "8" fails
    handled = await world.answer(USER, "8")
    assert handled.completion is None
    assert "How likely" not in _last(world) and "keep buying" not in _last(world)
    stored = await world.app.service.open_session("telegram", USER)
    assert stored is not None and stored.session.answers.get("satisfaction") == 8
    world.clock.advance(seconds=61)
    await world.sweep()
    assert "keep buying" in _last(world) or "loyal" in _last(world).lower()
    sent = len(world.telegram.to(USER))
    world.clock.advance(minutes=5)
    await world.sweep()
    assert len(world.telegram.to(USER)) == sent, "sent once, not on every sweep"


async def test_a_reply_that_went_out_is_not_owed(world: World) -> None:
    await _invited(world)
    await world.answer(USER, "named", "8")
    sent = len(world.telegram.to(USER))
    world.clock.advance(minutes=2)
    await world.sweep()
    assert len(world.telegram.to(USER)) == sent
    await world.app.service.settled()
    async with world.storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall("SELECT COUNT(*) FROM outbox WHERE kind = 'reply'")
    assert rows[0][0] == 0, "an owed row is deleted once its replies went out"


async def test_the_thank_you_refused_is_sent_later_and_the_answer_stays(world: World) -> None:
    await _invited(world)
    await world.answer(USER, "named", "8", "9")
    world.telegram.failures[USER] = 1
    handled = await world.answer(USER, "10")
    assert handled.completion is not None
    world.clock.advance(seconds=61)
    await world.sweep()
    assert _last(world) == "Thank you! Your answers have been saved."


async def test_a_redelivered_update_whose_reply_failed_asks_the_question_again(
    world: World,
) -> None:
    await _invited(world)
    await world.answer(USER, "named")
    service = world.app.service
    world.telegram.failures[USER] = 1
    press = Inbound("telegram", USER, USER, Event(EventKind.TEXT, "8"), update_id="77")
    await service.handle(press)
    again = await service.handle(press)  # the platform redelivers: not processed twice
    assert again.duplicate
    assert "keep buying" in _last(world) or "loyal" in _last(world).lower()
    stored = await service.open_session("telegram", USER)
    assert stored is not None and stored.session.answers == {"satisfaction": 8}
    await service.settled()
    sent = len(world.telegram.to(USER))
    world.clock.advance(seconds=61)
    await world.sweep()
    assert len(world.telegram.to(USER)) == sent, "asked again once: the sweep does not repeat it"


async def test_an_invitation_sent_again_goes_on_where_the_person_is(world: World) -> None:
    await _invited(world)
    await world.answer(USER, "named", "8", "9")
    stored = await world.app.service.open_session("telegram", USER)
    assert stored is not None and stored.invitation_id is not None
    # The invitation's row was not finished (a crash): after its lease it goes again.
    await world.app.service.begin(
        "telegram", USER, USER, "cvs", invitation_id=stored.invitation_id, broadcast=True
    )
    after = await world.app.service.open_session("telegram", USER)
    assert after is not None and after.session.answers == {"satisfaction": 8, "loyalty": 9}
    assert "recommend" in _last(world)


async def test_an_invitation_to_another_survey_waits_for_the_one_under_way(
    world: World,
) -> None:
    await _invited(world)
    await world.answer(USER, "named", "8")
    await world.scheduler.waves.start("ces", {}, None, "test")
    await world.sweep()
    stored = await world.app.service.open_session("telegram", USER)
    assert stored is not None and stored.survey_id == "cvs"
    assert stored.session.answers == {"satisfaction": 8}
    await world.answer(USER, "9", "10")  # finishes the CVS
    world.clock.advance(hours=1, minutes=1)
    await world.sweep()
    now_open = await world.app.service.open_session("telegram", USER)
    assert now_open is not None and now_open.survey_id == "ces"


async def test_an_expired_conversation_does_not_hold_back_a_new_invitation(world: World) -> None:
    await _invited(world)
    await world.answer(USER, "named", "8")
    world.clock.advance(days=15)  # past KLANTSTEM_SESSION_EXPIRY_HOURS (14 days)
    await world.scheduler.waves.start("ces", {}, None, "test")
    await world.sweep()
    now_open = await world.app.service.open_session("telegram", USER)
    assert now_open is not None and now_open.survey_id == "ces"


async def test_a_person_whose_question_never_came_gets_it_when_they_write(world: World) -> None:
    await _invited(world)
    await world.answer(USER, "named")
    world.telegram.failures[USER] = 1  # the question after "8" never arrives
    await world.answer(USER, "8")
    await world.answer(USER, "hello?")  # no answer to anything on their screen
    texts = [m.text for m in world.telegram.to(USER)[-2:]]
    assert "whole number" in texts[0] and "keep buying" in texts[1], texts
    await world.app.service.settled()
    sent = len(world.telegram.to(USER))
    world.clock.advance(seconds=61)
    await world.sweep()
    assert len(world.telegram.to(USER)) == sent, "the sweep does not ask a second time"
