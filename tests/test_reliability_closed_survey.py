"""A press on the survey of a wave that has closed, or on a survey left until it expired:
refused with a clear message, and nothing of it is stored."""

from __future__ import annotations

import pytest

from bot.config.settings import Config
from bot.waves.invitations import Invitations
from bot.waves.waves import Waves
from tests.conftest import Clock
from tests.support.telegram_harness import CUSTOMER, Telegram, running

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
CHAT = str(CUSTOMER)


async def nothing_stored(tg: Telegram) -> bool:
    async with tg.app.storage.transaction(write=False) as tx:
        answers = await tx.conn.fetchall("SELECT 1 FROM answers")
        responses = await tx.conn.fetchall("SELECT 1 FROM responses")
    return not answers and not responses


async def test_a_press_after_the_wave_closed_is_refused_and_nothing_is_stored(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        await tg.link("C-001", telegram=CHAT)
        waves = Waves(tg.app.service, Invitations(tg.app.service))
        started = await waves.start("cvs", {}, None, "test")
        assert started is not None
        await tg.app.service.begin(
            "telegram", CHAT, CHAT, "cvs", language="en", wave_id=started.wave.id
        )
        await tg.tap(CUSTOMER, "Named")
        await tg.tap(CUSTOMER, "8")
        await tg.tap(CUSTOMER, "9")
        await waves.close(started.wave.id, "admin")

        await tg.tap(CUSTOMER, "10")

        assert tg.texts(CUSTOMER)[-1] == (
            "This survey has closed, so your answers were not recorded. Thank you all the same!"
        )
        assert await tg.app.service.open_session("telegram", CHAT) is None
        assert await nothing_stored(tg)
        await tg.say(CUSTOMER, "10")  # typing the answer instead changes nothing either
        assert "no survey open" in tg.texts(CUSTOMER)[-1]
        assert await nothing_stored(tg)


async def test_a_press_on_an_expired_survey_is_refused_and_nothing_is_stored(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-002')}")
        await tg.tap(CUSTOMER, "Named")
        await tg.tap(CUSTOMER, "8")
        clock.advance(seconds=config.session_expiry.total_seconds() + 60)

        await tg.tap(CUSTOMER, "9")

        assert (
            "This survey has expired, so your earlier answers were not kept."
            in (tg.texts(CUSTOMER)[-1])
        )
        assert await tg.app.service.open_session("telegram", CHAT) is None
        assert await nothing_stored(tg)
