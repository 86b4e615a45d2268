"""The scheduler component: APScheduler drives the clock, the database holds the truth.

An `AsyncIOScheduler` in the bot's own event loop runs a sweep every
`KLANTSTEM_SWEEP_SECONDS` (default 30) that works off whatever the outbox has due:
invitations, reminders, owed replies, staff alerts, flag deadlines, wave closings,
scheduled waves, the daily digest, published results and the admins' notices of rows
given up. Cron jobs from `KLANTSTEM_WAVE_SCHEDULE` (and the digest time) only wake the
sweep at the right moment; what to do is a row in the database, so nothing is pickled,
a restart loses nothing and two instances never do the same row twice.

Stopping is bounded: from the moment the app begins to stop (`wind_down`), a sweep in
progress gets `KLANTSTEM_HTTP_SHUTDOWN_SECONDS` to finish the rows in hand, the same
grace the web server gives its requests, and is then cancelled. A row cancelled mid-send
keeps its lease: after the next start it is due again once the lease ran out, in doubt.

The factory wires the area into the app: the completion steps (invitation done, flag
raised) run inside the transaction that stores a response, `/wave` and `/flags` are
registered as chat commands, and `flag:` buttons are routed here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.conversations.replies import Replies
from bot.conversations.service import Service
from bot.flags.action_plan import ActionPlan
from bot.flags.chat import FlagChat
from bot.flags.deadlines import FollowUp
from bot.flags.flags import Flags
from bot.flags.staff_reach import StaffReach
from bot.jobs.failure_notices import FailureNotices
from bot.outbox.queue import Outbox
from bot.reports.publish import Results
from bot.timeutil import hour_text
from bot.waves.chat import WaveChat
from bot.waves.invitations import Invitations
from bot.waves.waves import Waves

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SWEEP_JOB = "sweep"
CANCEL_WAIT = 2.0
"""Seconds a cancelled sweep gets to unwind (roll back its transactions) on stop."""
UPDATE_RETENTION = timedelta(hours=48)
"""How long a processed-update id is kept against redelivery: Telegram keeps an unconfirmed
update up to 24 hours, Slack retries within minutes. Older ids are deleted by the sweep."""


class Scheduler:
    """Sends what is due, when it is due, from the outbox."""

    name = "scheduler"

    def __init__(self, service: Service) -> None:
        self.service = service
        self.config = service.config
        self.sweep_steps: list[Callable[[], Awaitable[object]]] = []
        """Housekeeping of other areas run at the end of every sweep (the composition
        root adds them: the API's expired idempotency keys)."""
        self.outbox = Outbox(
            service.storage,
            service.clock,
            self.config.outbox_lease,
            max_attempts=self.config.outbox_max_attempts,
        )
        self.invitations = Invitations(service)
        self.waves = Waves(service, self.invitations)
        self.flags = Flags(service)
        self.reach = StaffReach(service)
        self.followup = FollowUp(service, self.flags, self.reach)
        self.plan = ActionPlan(service, self.reach)
        self.replies = Replies(service)
        self.results = Results(service)
        self.failures = FailureNotices(service, self.reach)
        for part in (
            self.invitations,
            self.waves,
            self.followup,
            self.plan,
            self.replies,
            self.results,
            self.failures,
        ):
            part.register(self.outbox)
        self._lock = asyncio.Lock()
        self._aps: AsyncIOScheduler | None = None
        self._forgot_before: str | None = None
        self._sweeping: asyncio.Task[object] | None = None
        self._stop_by: float | None = None
        self._cut_off = False

    async def start(self) -> None:
        """Queue the next scheduled waves and digest, then start the interval and cron jobs."""
        await self.waves.ensure_schedule()
        await self.followup.ensure_digest()
        zone = ZoneInfo(self.config.timezone)
        aps = AsyncIOScheduler(timezone=zone)
        aps.add_job(
            self.sweep,
            IntervalTrigger(seconds=self.config.sweep_interval.total_seconds(), timezone=zone),
            id=SWEEP_JOB,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        for entry in self.config.wave_schedule:
            aps.add_job(self.sweep, entry.trigger(self.config.timezone), id=f"wave:{entry.key}")
        if self.config.flag_digest is not None:
            at = self.config.flag_digest
            aps.add_job(self.sweep, CronTrigger(hour=at.hour, minute=at.minute, timezone=zone))
        aps.start()
        self._aps = aps

    def wind_down(self) -> None:
        """Start no more sweeps and claim no more rows; the grace period of `stop` starts
        now (`App.stop` calls this on every component before stopping any)."""
        if self._aps is not None and self._aps.running:
            self._aps.pause()
        self.outbox.stop()
        if self._stop_by is None:
            grace = self.config.http_shutdown.total_seconds()
            self._stop_by = asyncio.get_running_loop().time() + grace

    async def stop(self) -> None:
        """Stop the jobs; a sweep in progress may finish the rows in hand until the grace
        period (`KLANTSTEM_HTTP_SHUTDOWN_SECONDS` from `wind_down`) is over, and is then
        cancelled: what it had claimed is due again when the leases run out."""
        # APScheduler's asyncio executor cancels running jobs on shutdown, whatever `wait`
        # says: stop new runs first, let a sweep in progress finish, then shut down.
        self.wind_down()
        sweep = self._sweeping
        if sweep is not None and not sweep.done():
            assert self._stop_by is not None
            left = max(self._stop_by - asyncio.get_running_loop().time(), 0.0)
            done, _ = await asyncio.wait({sweep}, timeout=left)
            if not done:
                log.warning(
                    "a sweep was still running at the end of the grace period; its"
                    " unfinished rows are due again once their leases run out"
                )
                self._cut_off = True
                sweep.cancel()
                await asyncio.wait({sweep}, timeout=CANCEL_WAIT)
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    async def sweep(self) -> int:
        """Run every due outbox row; one sweep at a time. Returns how many ran (none once
        stopping)."""
        async with self._lock:
            if self._stop_by is not None:
                return 0
            self._sweeping = asyncio.current_task()
            try:
                ran = await self.outbox.run_due()
                await self.waves.release_due()
                await self._forget_old_updates()
                for step in self.sweep_steps:
                    await step()
                return ran
            except asyncio.CancelledError:
                if not self._cut_off:
                    raise
                current = asyncio.current_task()  # cut off by `stop`: an end, not an error
                if current is not None:
                    current.uncancel()
                return 0
            except Exception:
                log.exception("sweep failed; the next one tries again")
                return 0
            finally:
                self._sweeping = None

    async def _forget_old_updates(self) -> None:
        """Delete processed-update ids once no platform redelivers them (`UPDATE_RETENTION`);
        their time is kept to the hour, so once an hour is enough."""
        cutoff = self.service.clock() - UPDATE_RETENTION
        hour = hour_text(cutoff)
        if hour == self._forgot_before:
            return
        async with self.service.storage.transaction() as tx:
            await tx.forget_updates_before(cutoff)
        self._forgot_before = hour

    def kick(self) -> None:
        """Sweep now rather than at the next interval (after a button press or a command)."""
        if self._aps is not None and self._aps.running:
            self._aps.modify_job(SWEEP_JOB, next_run_time=datetime.now(UTC))


def scheduler_component(app: App) -> Scheduler:
    """Build the scheduler and register its completion steps, commands and buttons."""
    scheduler = Scheduler(app.service)
    app.service.completion_steps.extend(
        [scheduler.invitations.mark_done, scheduler.flags.raise_flag]
    )
    app.admin.register("wave", WaveChat(scheduler.waves, scheduler.kick).run)
    flag_chat = FlagChat(
        scheduler.flags,
        scheduler.followup,
        scheduler.plan,
        lambda channel: app.admin.admin_ids.get(channel, ()),
        scheduler.kick,
    )
    app.admin.register("flags", flag_chat.run, staff=True)
    app.on_action("flag", flag_chat.press)
    return scheduler
