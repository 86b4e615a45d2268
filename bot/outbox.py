"""The outbox: every scheduled action is a row with a due time and an idempotency key.

Invitations, reminders, staff alerts, flag deadlines, wave closings and scheduled waves
are all rows in `outbox` (one row per intended action, ever: the key is unique). A sweep
runs what is due in three steps:

1. **claim**, in one committed transaction: the row gets a lease (`claimed_until`) and
   its attempt count goes up. Another instance, or this one after a restart, skips a row
   whose lease has not run out; on PostgreSQL the claim takes `FOR UPDATE SKIP LOCKED`.
2. **act**: the handler sends the message with `OUTBOX_KEY` set to the row's key, so a
   platform that deduplicates by client key sees it.
3. **finish**, in one transaction together with the handler's own state change (the
   invitation becomes "sent", the flag "forwarded"): the row is never picked up again.

The guarantee: nothing is dropped, because a row is finished only after its action
succeeded or was judged pointless (the wave closed, the person is unreachable), and a
claim that ran out (the process died) makes the row due again. Nothing is repeated where
the platform can say whether a key went out (`KeyedDelivery`): a row whose earlier claim
ran out is *in doubt*, and the outbox asks the channel before sending again. A platform
that cannot tell (Telegram, Slack) may see the few messages that were in flight at the
moment of a crash twice: at most one batch, never more. Handlers also check the state
before acting (an invitation already "sent" is not sent again), so a crash between the
state change and the finish repeats nothing either.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.channels.base import OUTBOX_KEY, KeyedDelivery
from bot.storage import Storage, Transaction
from bot.storage.outbox_sql import Job

log = logging.getLogger(__name__)

BATCH = 20
"""Rows claimed and acted on together; the lease must cover one batch."""
MAX_ATTEMPTS = 8
RETRY_FIRST = timedelta(minutes=1)
RETRY_LONGEST = timedelta(hours=2)

Apply = Callable[[Transaction], Awaitable[None]]


@dataclass(frozen=True)
class Done:
    """What became of a row: an outcome word, the message reference, and the state change
    to store in the same transaction that finishes the row."""

    outcome: str
    message_ref: str | None = None
    apply: Apply | None = None


class Retry(Exception):
    """Leave the row for later: it becomes due again at `at`."""

    def __init__(self, at: datetime, reason: str) -> None:
        super().__init__(reason)
        self.at = at
        self.reason = reason


Handler = Callable[[Job], Awaitable[Done]]


def backoff(job: Job, now: datetime) -> datetime:
    """When to try a failed delivery again: 1 minute, doubling, at most 2 hours."""
    doublings = min(max(job.attempts - 1, 0), 16)
    return now + min(RETRY_FIRST * (1 << doublings), RETRY_LONGEST)


class Outbox:
    """Runs due outbox rows through the handler registered for their kind."""

    def __init__(
        self,
        storage: Storage,
        clock: Callable[[], datetime],
        lease: timedelta,
        *,
        claimer: str | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.lease = lease
        self.claimer = claimer or uuid.uuid4().hex[:12]
        self.stopping = False
        self.handlers: dict[str, Handler] = {}

    def register(self, kind: str, handler: Handler) -> None:
        """Handle rows of `kind`."""
        self.handlers[kind] = handler

    async def run_due(self) -> int:
        """Run due rows, at most `BATCH` at a time, until none is due or `stop()` was called;
        returns how many ran.

        A sliding window: as rows finish, more are claimed, so one slow row (waiting out a
        platform's retry_after) does not hold up the rest of a wave.
        """
        running: set[asyncio.Task[None]] = set()
        try:
            return await self._slide(running)
        except asyncio.CancelledError:
            for task in running:  # as gather would: the rows go back to due when leases end
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            raise

    async def _slide(self, running: set[asyncio.Task[None]]) -> int:
        ran = 0
        while True:
            claimed = 0
            if not self.stopping and len(running) < BATCH:
                now = self.clock()
                async with self.storage.transaction() as tx:
                    jobs = await tx.claim_due(
                        now, now + self.lease, self.claimer, BATCH - len(running)
                    )
                running.update(asyncio.create_task(self._run(job)) for job in jobs)
                claimed = len(jobs)
                ran += claimed
            if not running:
                return ran
            if not claimed or len(running) >= BATCH:
                done, _pending = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                running -= done

    def stop(self) -> None:
        """Finish the rows in hand and claim no more (rows left stay due for the next start
        or another instance)."""
        self.stopping = True

    async def _run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for outbox rows of kind {job.kind!r}")
            done = await handler(job)
        except Retry as retry:
            async with self.storage.transaction() as tx:
                await tx.retry_job(job.id, retry.at, retry.reason)
            return
        except Exception as exc:
            log.exception("outbox row %s (%s) failed", job.key, job.kind)
            await self._failed(job, exc)
            return
        async with self.storage.transaction() as tx:
            if done.apply is not None:
                await done.apply(tx)
            await tx.finish_job(job.id, self.clock(), done.outcome, done.message_ref)

    async def _failed(self, job: Job, exc: Exception) -> None:
        now = self.clock()
        async with self.storage.transaction() as tx:
            if job.attempts >= MAX_ATTEMPTS:
                await tx.finish_job(job.id, now, f"failed: {exc}")
            else:
                await tx.retry_job(job.id, backoff(job, now), str(exc))

    @staticmethod
    async def deliver(
        job: Job,
        channel: object,
        send: Callable[[], Awaitable[str | None]],
        *,
        part: str = "",
    ) -> str | None:
        """Send one message for `job` at most once where the channel can tell.

        An in-doubt row on a `KeyedDelivery` channel is first looked up by its key; a
        message found is not sent again. `part` tells apart the recipients of a row that
        goes to several chats. Returns the platform's message reference.
        """
        key = f"{job.key}>{part}" if part else job.key
        if job.in_doubt and isinstance(channel, KeyedDelivery):
            found = await channel.delivered(key)
            if found is not None:
                log.info("outbox message %s was delivered before a restart; not resent", key)
                return found
        token = OUTBOX_KEY.set(key)
        try:
            return await send()
        finally:
            OUTBOX_KEY.reset(token)
