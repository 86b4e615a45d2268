"""The outbox: every scheduled action is a row with a due time and an idempotency key.

Invitations, reminders, owed replies, staff alerts, flag deadlines, action plans, wave
closings, scheduled waves, a published wave's results (one row per recipient,
`bot/reports/publish.py`) and the admins' notices of rows given up are all rows in
`outbox` (one row per intended action, ever: the key is unique). A sweep runs what is
due in three steps:

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

Tries are bounded: a row that keeps failing (the handler raises `Retry`, or anything
else) is tried again with growing waits (`backoff`) and given up after `max_attempts`
tries (`KLANTSTEM_OUTBOX_MAX_ATTEMPTS`, 8: about two hours). A `Retry(..., postpone=True)`
(quiet hours, a conversation under way) is waiting, not failing, and is not counted. The
transaction that ends a row as failed also adds one `admin.notice` row keyed by the
failed row's key (`bot/jobs/failure_notices.py` sends it): one notice per failed row, told
once even across crashes because the key exists once. A notice that is given up in its
turn is only logged.

Stopping (`stop()`) claims no more rows; the scheduler cancels a sweep that outlasts the
grace period, and rows cancelled mid-send keep their lease: they become due again when
it runs out, in doubt.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import OUTBOX_KEY, KeyedDelivery
from bot.outbox.kinds import SharedJob
from bot.storage import Storage, Transaction
from bot.storage.outbox_sql import Job

log = logging.getLogger(__name__)

BATCH = 20
"""Rows claimed and acted on together; the lease must cover one batch."""
MAX_ATTEMPTS = 8
"""Tries before a row is given up, unless the outbox is told otherwise
(`KLANTSTEM_OUTBOX_MAX_ATTEMPTS`)."""
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
    """Leave the row for later: it becomes due again at `at`.

    A retry is a failed try and counts towards the outbox's `max_attempts`, unless
    `postpone`: the row only waits (quiet hours, a conversation under way) and its claim
    is not counted.
    """

    def __init__(self, at: datetime, reason: str, *, postpone: bool = False) -> None:
        super().__init__(reason)
        self.at = at
        self.reason = reason
        self.postpone = postpone


Handler = Callable[[Job], Awaitable[Done]]


def notice_key(key: str) -> str:
    """The key of the admins' notice that the row with `key` was given up."""
    return f"{SharedJob.ADMIN_NOTICE}:{key}"


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
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.lease = lease
        self.claimer = claimer or uuid.uuid4().hex[:12]
        self.max_attempts = max_attempts
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
            if retry.postpone or job.attempts < self.max_attempts:
                async with self.storage.transaction() as tx:
                    await tx.retry_job(job.id, retry.at, retry.reason, counted=not retry.postpone)
            else:
                await self._give_up(job, retry.reason)
            return
        except Exception as exc:
            log.exception("outbox row %s (%s) failed", job.key, job.kind)
            if job.attempts < self.max_attempts:
                async with self.storage.transaction() as tx:
                    await tx.retry_job(job.id, backoff(job, self.clock()), str(exc))
            else:
                await self._give_up(job, str(exc) or type(exc).__name__)
            return
        async with self.storage.transaction() as tx:
            if done.apply is not None:
                await done.apply(tx)
            await tx.finish_job(job.id, self.clock(), done.outcome, done.message_ref)

    async def _give_up(self, job: Job, reason: str) -> None:
        """End a row as failed and, in the same transaction, queue the admins' notice of
        it (keyed by the row's key: once, whatever happens after)."""
        now = self.clock()
        log.warning(
            "outbox row %s (%s) given up after %d tries: %s",
            job.key,
            job.kind,
            job.attempts,
            reason,
        )
        async with self.storage.transaction() as tx:
            await tx.finish_job(job.id, now, f"failed: {reason}")
            if job.kind != SharedJob.ADMIN_NOTICE:
                notice = (notice_key(job.key), SharedJob.ADMIN_NOTICE, job.key, now)
                await tx.schedule_jobs([notice], now)

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
