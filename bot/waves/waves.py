"""Waves: one round of a survey sent to a population, started by an admin or by schedule.

Starting a wave writes the wave, one invitation per person and one outbox row per
invitation in a single transaction, and returns at once; the scheduler's sweep sends them
at the platform's pace (a wave of thousands does not block the admin). Closing a wave ends
its unsent invitations and reminders and queues "wave closed" for the action plan.
Scheduled waves are outbox rows too, one per cron fire time, so a restart or a second
instance never starts the same wave twice, and a wave missed while the bot was down
starts once when it comes back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.config.schedule import ScheduledWave
from bot.conversations.release import release_due, release_wave
from bot.conversations.service import Service
from bot.outbox.kinds import SharedJob
from bot.outbox.queue import Done, Outbox
from bot.people.population import Population
from bot.references import only_match
from bot.storage import Transaction, new_id
from bot.storage.outbox_sql import Job, NewJob
from bot.storage.waves_sql import Invitation, Wave, WaveProgress
from bot.timeutil import to_text
from bot.waves.invitations import InvitationJob, Invitations

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class WaveJob(StrEnum):
    """The outbox kinds of a wave; the values are what `outbox.kind` holds."""

    CLOSE = "wave.close"
    SCHEDULED = "wave.scheduled"


class WaveError(ValueError):
    """A wave that cannot be started, found or closed; the message says why."""


@dataclass(frozen=True)
class StartedWave:
    """A wave just started and how many people it invites."""

    wave: Wave
    invited: int


def parse_closing(text: str, timezone: str, now: datetime) -> datetime:
    """`2026-12-31` (the end of that day) or `2026-12-31T17:00`, in the configured time zone."""
    text = text.strip()
    try:
        if _DATE.match(text):
            local = datetime.fromisoformat(text) + timedelta(days=1)
        else:
            local = datetime.fromisoformat(text)
    except ValueError:
        raise WaveError(f"{text!r} is not a date such as 2026-12-31") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    if local <= now:
        raise WaveError(f"the closing date {text} has passed already")
    return local


class Waves:
    """Starting, closing and following waves."""

    def __init__(self, service: Service, invitations: Invitations) -> None:
        self.service = service
        self.config = service.config
        self.invitations = invitations

    def register(self, outbox: Outbox) -> None:
        """Handle wave closing times and scheduled waves."""
        outbox.register(WaveJob.CLOSE, self.close_due)
        outbox.register(WaveJob.SCHEDULED, self.start_scheduled)

    async def start(
        self,
        survey_id: str,
        filters: Mapping[str, str],
        closes_at: datetime | None,
        actor: str,
        *,
        schedule_key: str | None = None,
        now: datetime | None = None,
        label: str | None = None,
    ) -> StartedWave | None:
        """Start a wave; None when the scheduled wave with `schedule_key` exists already.
        Its label is `label`, else the survey and the local day (`kto 2026-11-02`).

        Employee surveys (MTO, mirror) go to all staff; customer surveys to the contacts
        matching every filter. Raises `WaveError`, changing nothing, when the survey is
        unknown, filters are given for staff, or nobody matches.
        """
        survey = self.service.surveys.get(survey_id)
        if survey is None:
            known = ", ".join(sorted(self.service.surveys))
            raise WaveError(f"unknown survey {survey_id!r}; choose one of: {known}")
        if survey.always_anonymous and filters:
            raise WaveError(f"{survey_id!r} is an employee survey: it goes to all staff")
        now = now or self.service.clock()
        if closes_at is not None and closes_at <= now:
            raise WaveError("the closing time has passed already")
        population = Population(staff=survey.always_anonymous, filters=dict(filters))
        local_day = now.astimezone(ZoneInfo(self.config.timezone)).date().isoformat()
        wave = Wave(
            id=new_id(),
            survey_id=survey.id,
            survey_version=survey.version,
            label=label or f"{survey.id} {local_day}",
            population=population.to_dict(),
            opened_at=now,
            closes_at=closes_at,
            created_by=actor,
        )
        async with self.service.storage.transaction() as tx:
            people = await self._people(tx, population)
            if not people:
                raise WaveError(f"nobody to invite: no contact matches {population.describe()}")
            if not await tx.insert_wave(wave, schedule_key):
                return None
            invitations = [
                Invitation(
                    id=new_id(),
                    survey_id=survey.id,
                    due_at=self.invitations.allowed_at(now, timezone),
                    created_at=now,
                    wave_id=wave.id,
                    contact_id=None if population.staff else person_id,
                    staff_id=person_id if population.staff else None,
                )
                for person_id, timezone in people
            ]
            await tx.insert_invitations(invitations)
            invite = InvitationJob.INVITE
            jobs: list[NewJob] = [(f"{invite}:{i.id}", invite, i.id, i.due_at) for i in invitations]
            if closes_at is not None:
                jobs.append((f"{WaveJob.CLOSE}:{wave.id}", WaveJob.CLOSE, wave.id, closes_at))
            await tx.schedule_jobs(jobs, now)
            await tx.audit(
                actor,
                "wave.start",
                {
                    "wave": wave.id,
                    "survey": survey.id,
                    "population": population.describe(),
                    "invited": len(invitations),
                    "closes_at": to_text(closes_at) if closes_at else None,
                },
                now,
            )
        return StartedWave(wave, len(invitations))

    async def _people(
        self, tx: Transaction, population: Population
    ) -> list[tuple[str, str | None]]:
        if population.staff:
            return [(m.id, None) for m in await tx.staff() if m.id]
        return [
            (contact_id, timezone)
            for contact_id, timezone, attributes in await tx.contact_population()
            if population.matches(attributes)
        ]

    async def resolve(self, text: str | None) -> Wave:
        """The wave whose id starts with `text`, or the latest wave when `text` is None."""
        async with self.service.storage.transaction(write=False) as tx:
            if text is None:
                latest = await tx.recent_waves(1)
                if not latest:
                    raise WaveError("there are no waves yet")
                return latest[0]
            found = await tx.waves_starting_with(text.strip().lower())
        return only_match(found, text, "wave", WaveError)

    async def started_like(self, survey_id: str, filters: Mapping[str, str]) -> Wave | None:
        """The latest wave of this survey and filters opened less than
        `KLANTSTEM_WAVE_REPEAT_MINUTES` ago: `wave start` refuses it again without `--again`."""
        survey = self.service.surveys.get(survey_id)
        if survey is None or not self.config.wave_repeat:
            return None
        population = Population(staff=survey.always_anonymous, filters=dict(filters))
        since = self.service.clock() - self.config.wave_repeat
        async with self.service.storage.transaction(write=False) as tx:
            recent = await tx.waves_opened_since(survey.id, since)
        return next((w for w in recent if w.population == population.to_dict()), None)

    async def progress(self, wave_id: str) -> WaveProgress:
        """Invited, delivered, unreachable, started and completed counts of a wave."""
        async with self.service.storage.transaction(write=False) as tx:
            return await tx.wave_progress(wave_id)

    async def close(self, wave_id: str, actor: str) -> Wave:
        """Close a wave now: nothing more goes out for it; raises `WaveError` if closed."""
        now = self.service.clock()
        async with self.service.storage.transaction() as tx:
            if not await tx.close_wave(wave_id, now):
                raise WaveError("this wave is closed already")
            released = await self._closed(tx, wave_id, actor, now)
            wave = await tx.wave(wave_id)
        assert wave is not None
        if released:
            await self.service.storage.scrub()
        return wave

    async def _closed(self, tx: Transaction, wave_id: str, actor: str, now: datetime) -> bool:
        """What a closing wave does in its closing transaction; True when its anonymous
        answers were released or withheld (then the files are scrubbed after the commit)."""
        await tx.cancel_wave_jobs(wave_id, now)
        closed = SharedJob.WAVE_CLOSED
        await tx.schedule_jobs([(f"{closed}:{wave_id}", closed, wave_id, now)], now)
        await tx.audit(actor, "wave.close", {"wave": wave_id}, now)
        wave = await tx.wave(wave_id)
        if wave is None:
            return False
        outcome = await release_wave(tx, wave.survey_id, wave_id, self.config.min_group_size, now)
        return outcome.changed

    async def release_due(self) -> None:
        """Sweep step: release what is due (`bot.conversations.release`), finish an owed scrub."""
        now = self.service.clock()
        async with self.service.storage.transaction() as tx:
            outcome = await release_due(tx, self.config.min_group_size, now)
        if outcome.changed:
            await self.service.storage.scrub()
        else:
            await self.service.storage.scrub_if_owed()

    async def close_due(self, job: Job) -> Done:
        """Outbox handler: a wave reached its closing time."""
        now = self.service.clock()
        async with self.service.storage.transaction() as tx:
            if not await tx.close_wave(job.subject, now):
                return Done("skipped: closed already")
            released = await self._closed(tx, job.subject, "schedule", now)
        if released:
            await self.service.storage.scrub()
        return Done("closed")

    # -- scheduled waves --------------------------------------------------------------

    def _entries(self) -> dict[str, ScheduledWave]:
        return {entry.key: entry for entry in self.config.wave_schedule}

    async def ensure_schedule(self, after: datetime | None = None) -> None:
        """Make sure each scheduled wave has a row for its next fire time."""
        now = self.service.clock()
        after = max(after or now, now)
        jobs = []
        for entry in self.config.wave_schedule:
            fire = entry.trigger(self.config.timezone).get_next_fire_time(None, after)
            if fire is not None:
                key = f"{WaveJob.SCHEDULED}:{entry.key}:{to_text(fire)}"
                jobs.append((key, WaveJob.SCHEDULED, entry.key, fire))
        if jobs:
            async with self.service.storage.transaction() as tx:
                await tx.schedule_jobs(jobs, now)

    async def start_scheduled(self, job: Job) -> Done:
        """Outbox handler: a cron fire time of a scheduled wave came."""
        entry = self._entries().get(job.subject)
        if entry is None:
            return Done("skipped: no longer in KLANTSTEM_WAVE_SCHEDULE")
        closes = max(job.due_at, self.service.clock()) + self.config.scheduled_wave_days
        try:
            started = await self.start(
                entry.survey, dict(entry.filters), closes, "schedule", schedule_key=job.key
            )
        except WaveError as exc:
            outcome = f"skipped: {exc}"
        else:
            outcome = f"started {started.wave.id}" if started else "skipped: started already"
        await self.ensure_schedule(after=job.due_at + timedelta(seconds=1))
        return Done(outcome)
