"""Delivery: blocked users, 429s, timeouts, 5xx, and flood control that spares replies."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.telegram.sender import FloodControl
from bot.config.settings import Config
from bot.delivery import DeliveryFailed, Unreachable
from tests.conftest import Clock
from tests.support.telegram_harness import CUSTOMER, FakeTime, Telegram, running

CHATS = [str(7_000 + i) for i in range(5)]
# python-telegram-bot's own RetryAfter warns about its future timedelta type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def invite(tg: Telegram, chat: str) -> None:
    await tg.app.service.begin("telegram", chat, chat, "cvs", broadcast=True)


async def test_a_blocked_user_is_unreachable_and_the_wave_goes_on(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock, time=FakeTime()) as tg:
        tg.api.blocked.add(CHATS[1])
        outcomes: dict[str, str] = {}
        for chat in CHATS:
            try:
                await invite(tg, chat)
                outcomes[chat] = "sent"
            except Unreachable as exc:
                outcomes[chat] = f"unreachable: {exc}"

        assert outcomes[CHATS[1]] == "unreachable: Forbidden: bot was blocked by the user"
        assert [c for c, o in outcomes.items() if o == "sent"] == CHATS[:1] + CHATS[2:]
        assert all(len(tg.api.messages(c)) == 1 for c in CHATS if c != CHATS[1])


async def test_a_429_is_waited_out_and_the_invitation_goes_out_once(
    config: Config, clock: Clock
) -> None:
    time = FakeTime()
    async with running(config, clock, time=time) as tg:
        tg.api.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
        await invite(tg, CHATS[0])

        assert len(tg.api.messages(CHATS[0])) == 1
        assert len(tg.api.sent("sendMessage")) == 2
        assert time.now >= 7


async def test_timeouts_and_server_errors_are_retried_with_growing_waits(
    config: Config, clock: Clock
) -> None:
    time = FakeTime()
    async with running(config, clock, time=time) as tg:
        tg.api.fail("sendMessage", 0, "", timeout=True)
        tg.api.fail("sendMessage", 502, "Bad Gateway")
        tg.api.fail("sendMessage", 500, "Internal Server Error")
        await invite(tg, CHATS[0])

        assert len(tg.api.messages(CHATS[0])) == 1
        assert len(tg.api.sent("sendMessage")) == 4
        assert time.now >= 0.5 + 1.0 + 2.0


async def test_giving_up_after_the_configured_attempts_raises_delivery_failed(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock, time=FakeTime(), telegram_send_attempts=3) as tg:
        for _ in range(3):
            tg.api.fail("sendMessage", 500, "Internal Server Error")
        with pytest.raises(DeliveryFailed, match="gave up after 3 attempts"):
            await invite(tg, CHATS[0])
        assert tg.api.messages(CHATS[0]) == []


async def test_interactive_replies_do_not_wait_for_a_paused_broadcast(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-030')}")
        tg.channel.sender.flood.pause(3600)  # as after a 429 asking for an hour
        wave = asyncio.create_task(invite(tg, CHATS[0]))

        await tg.tap(CUSTOMER, "Anonymous")
        await tg.tap(CUSTOMER, "9")

        assert tg.api.last(str(CUSTOMER))["text"].startswith("Question 2 of 3")
        assert not wave.done() and tg.api.messages(CHATS[0]) == []
        wave.cancel()


async def test_flood_control_paces_chats_groups_and_the_whole_bot() -> None:
    time = FakeTime()
    flood = FloodControl(30, 1.0, 20, clock=time, sleep=time.sleep)
    starts: dict[str, list[float]] = {}

    async def send(chat: str) -> None:
        await flood.turn(chat)
        starts.setdefault(chat, []).append(round(time.now, 3))

    for chat in [str(100 + i) for i in range(60)]:
        await send(chat)
    assert starts["159"] == [round(59 / 30, 3)]

    for _ in range(3):
        await send("555")
    first = starts["555"][0]
    assert starts["555"] == [first, first + 1.0, first + 2.0]

    for _ in range(2):
        await send("-100200")
    group = starts["-100200"]
    assert group[1] - group[0] == pytest.approx(3.0)

    flood.pause(10)
    paused_at = time.now
    await send("777")
    assert starts["777"][0] == pytest.approx(paused_at + 10, abs=1e-3)


async def test_replies_share_the_overall_rate_without_waiting() -> None:
    # 10 a second: three replies go out at once, then the next broadcast waits 0.3 s,
    # so replies and broadcasts together never exceed the platform's overall limit.
    time = FakeTime()
    flood = FloodControl(10, 1.0, 20, clock=time, sleep=time.sleep)
    for _ in range(3):
        flood.spend()
    assert time.now == 0
    await flood.turn("100")
    assert time.now == pytest.approx(0.3)
