"""Delivering Bot API calls: flood control for broadcasts, retries for everything.

Telegram allows a bot about 30 messages a second overall, one a second per chat and 20 a
minute per group, and answers 429 with `retry_after` when a bot goes faster. Broadcasts
(wave invitations, reminders, staff alerts in a group) wait their turn in `FloodControl`;
interactive replies (the next question after a tap) bypass it, so they never queue behind
a running wave. python-telegram-bot's AIORateLimiter is not used because it throttles
every call, edits and callback answers included.

Every call is retried: after a 429 once `retry_after` has passed (a paced call pauses all
broadcasts for that long, as the limit is the bot's), after a timeout or a 5xx with
exponential backoff. A 403 (the user blocked the bot) and "chat not found" raise
`Unreachable`; other refusals, and giving up, raise `DeliveryFailed`. A timeout may hide
a message that did arrive, so a retried timeout can deliver twice; a 429 never does.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.delivery import DeliveryFailed, Unreachable

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

FIRST_BACKOFF = 0.5
"""Seconds before the first retry after a timeout or 5xx; doubles each time."""
MAX_BACKOFF = 30.0
MAX_FLOOD_WAITS = 20
"""429s one call may meet before it is given up (each one is waited out first)."""
_PRUNE_ABOVE = 10_000


def retry_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_group(chat: str) -> bool:
    """Group and channel chat ids are negative; private chats are the user's id."""
    return chat.startswith("-")


@dataclass
class _ChatTurn:
    lock: asyncio.Lock
    next_at: float = 0.0
    waiting: int = 0


class FloodControl:
    """Paces broadcast calls: an overall rate shared with replies (which never wait), a
    minimum gap per chat, pauses after a 429."""

    def __init__(
        self,
        per_second: float,
        chat_interval: float,
        group_per_minute: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.gap = 1.0 / per_second
        self.chat_interval = chat_interval
        self.group_interval = 60.0 / group_per_minute
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._global = asyncio.Lock()
        self._chats: dict[str, _ChatTurn] = {}

    def spend(self) -> None:
        """Count a call that went out unpaced (a reply to a respondent) against the overall
        rate: it goes at once, and the next broadcast call waits one gap longer."""
        self._next_slot = max(self._next_slot, self._clock()) + self.gap

    def pause(self, seconds: float) -> None:
        """Hold every paced call for `seconds` (Telegram said to wait)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def turn(self, chat: str) -> None:
        """Wait until a call to `chat` may go out; calls to one chat keep their order."""
        entry = self._chats.get(chat)
        if entry is None:
            entry = self._chats[chat] = _ChatTurn(asyncio.Lock())
        entry.waiting += 1
        try:
            async with entry.lock:
                await self._until(lambda: entry.next_at)
                await self._global_turn()
                interval = self.group_interval if is_group(chat) else self.chat_interval
                entry.next_at = self._clock() + interval
        finally:
            entry.waiting -= 1
        if len(self._chats) > _PRUNE_ABOVE:
            self._prune()

    async def _global_turn(self) -> None:
        async with self._global:
            await self._until(lambda: max(self._next_slot, self._paused_until))
            self._next_slot = self._clock() + self.gap

    async def _until(self, moment: Callable[[], float]) -> None:
        # Re-read the moment after each sleep: a 429 may have extended a pause meanwhile.
        while (wait := moment() - self._clock()) > 0:
            await self._sleep(wait)

    def _prune(self) -> None:
        now = self._clock()
        for chat in [c for c, e in self._chats.items() if not e.waiting and e.next_at <= now]:
            del self._chats[chat]


class Sender:
    """Runs Bot API calls with retries, paced (broadcasts) or straight away (replies)."""

    def __init__(self, flood: FloodControl, attempts: int, *, sleep: Sleep = asyncio.sleep):
        self.flood = flood
        self.attempts = attempts
        self._sleep = sleep

    async def deliver(self, chat: str, call: Callable[[], Awaitable[T]], *, paced: bool) -> T:
        """Run `call` for `chat` until it succeeds; raises `Unreachable` or `DeliveryFailed`."""
        failures = 0
        floods = 0
        backoff = FIRST_BACKOFF
        while True:
            if paced:
                await self.flood.turn(chat)
            else:
                self.flood.spend()
            try:
                return await call()
            except RetryAfter as exc:
                floods += 1
                if floods > MAX_FLOOD_WAITS:
                    raise DeliveryFailed(f"still flood-limited after {floods} waits") from exc
                wait = retry_seconds(exc)
                log.info("Telegram asked to wait %.1f s before sending again", wait)
                if paced:
                    self.flood.pause(wait)
                else:
                    await self._sleep(wait)
            except Forbidden as exc:
                raise Unreachable(exc.message) from exc
            except BadRequest as exc:
                if "chat not found" in exc.message.lower():
                    raise Unreachable(exc.message) from exc
                raise DeliveryFailed(exc.message) from exc
            except ChatMigrated as exc:
                raise DeliveryFailed(f"the group moved to chat {exc.new_chat_id}") from exc
            except NetworkError as exc:  # timeouts, connection errors and 5xx
                failures += 1
                if failures >= self.attempts:
                    raise DeliveryFailed(f"gave up after {failures} attempts: {exc}") from exc
                log.info("Telegram call failed (%s); retrying in %.1f s", exc, backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            except TelegramError as exc:
                raise DeliveryFailed(exc.message) from exc
