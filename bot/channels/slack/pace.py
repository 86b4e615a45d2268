"""Posting pace for Slack: about one message per second per channel, with short bursts.

Slack allows chat.postMessage roughly once per second per channel and tolerates short
bursts. `Pace` reserves a slot per key (a generic cell rate algorithm: a slot is taken
before waiting, so concurrent posts to one channel queue in order) and only ever waits
for that key, so a busy channel never slows down another one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

MAX_KEYS = 10_000


class Pace:
    """At most `burst` posts at once per key, then one per `interval` seconds."""

    def __init__(
        self,
        interval: float = 1.0,
        burst: int = 3,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._due: dict[str, float] = {}

    def reserve(self, key: str) -> float:
        """Take the next slot for `key`; returns how many seconds to wait for it."""
        now = self._clock()
        due = max(self._due.get(key, now), now)
        delay = max(0.0, due - now - (self.burst - 1) * self.interval)
        self._due[key] = due + self.interval
        if len(self._due) > MAX_KEYS:
            self._forget(now)
        return delay

    async def wait(self, key: str) -> None:
        """Wait until a post to `key` keeps to the pace."""
        delay = self.reserve(key)
        if delay > 0:
            await self._sleep(delay)

    def _forget(self, now: float) -> None:
        """Drop keys whose slots are all in the past: they have their full burst again."""
        for key in [k for k, due in self._due.items() if due <= now]:
            del self._due[key]
