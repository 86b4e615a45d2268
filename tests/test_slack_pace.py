"""Posting pace: a burst goes out at once, then one message per second per channel."""

from __future__ import annotations

from bot.channels.slack.pace import Pace


class _Time:
    """A clock that moves only when the pace sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


async def test_a_burst_goes_out_at_once_then_one_message_a_second() -> None:
    t = _Time()
    pace = Pace(1.0, burst=3, clock=t.clock, sleep=t.sleep)
    for _ in range(5):
        await pace.wait("D1")
    assert t.slept == [1.0, 1.0]


async def test_a_busy_channel_never_delays_another() -> None:
    t = _Time()
    pace = Pace(1.0, burst=1, clock=t.clock, sleep=t.sleep)
    await pace.wait("D1")
    assert pace.reserve("D1") == 1.0
    assert pace.reserve("D2") == 0.0


async def test_a_quiet_channel_gets_its_burst_back() -> None:
    t = _Time()
    pace = Pace(1.0, burst=2, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        await pace.wait("D1")
    t.now += 10
    assert [pace.reserve("D1"), pace.reserve("D1")] == [0.0, 0.0]
