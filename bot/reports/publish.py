"""Aggregated results back to the people of a wave (G-R4).

Customer and MTO waves go back to everyone invited and to all staff; a mirror wave only
to the staff who were asked. Publishing adds, in the transaction that records the
publication and its audit entry, one outbox row of kind `result` per person who has a
chat on a configured channel (`result:<wave>:<recipient>`); the scheduler's sweep sends
them (`Results`), so `klantstem wave publish` works while the bot runs elsewhere, and the
outbox's lease, bounded tries and admin notice hold for results as for every message.
Publishing again queues nobody twice: a person who got the results, or whose row is
still on its way, is counted and left alone; a person whose row was given up or who
could not be reached gets a new row (`...#2`, `#3`: the key stays derived from the wave
and the person, so two publications at once still queue one). Whether someone got the
results is the outcome of their rows. What is sent is the report summary for
respondents with one chart, in the person's language: only figures of groups of at
least the minimum size, never anything about one person.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot import i18n
from bot.admin.commands import AdminRequest
from bot.config.settings import Config
from bot.conversations.service import Service
from bot.delivery import Channel, DeliveryFailed, Notice, Unreachable
from bot.outbox.queue import Done, Outbox, Retry, backoff
from bot.reports import labels
from bot.reports.build import build_report
from bot.reports.scope import ReportError, Selection
from bot.reports.summary import summary_notice
from bot.storage import Storage, Transaction, new_id
from bot.storage.outbox_sql import Job, JobRecord, NewJob
from bot.storage.report_sql import Slice
from flows import N_, Survey

log = logging.getLogger(__name__)


class ResultJob(StrEnum):
    """The outbox kind of published results; the value is what `outbox.kind` holds."""

    RESULT = "result"
    """One person's copy of a wave's results; the subject is the wave."""


SUMMARY_CACHE = 16
"""Summaries (one per wave, language and publication) a process keeps while sending."""


class PublishError(ReportError):
    """A wave whose results cannot be published; nothing was queued."""


@dataclass(frozen=True)
class Published:
    """What publishing a wave queued; `pending` people were queued before and their
    results are still on the way."""

    wave_label: str
    queued: int
    unreachable: int
    skipped: int
    min_group: int
    held: int
    withheld: int
    pending: int = 0


def result_key(wave_id: str, recipient: str, generation: int = 1) -> str:
    """The outbox key of a wave's results for one recipient ('contact:<id>' or
    'staff:<id>'); a later generation is a new try after one was given up."""
    key = f"{ResultJob.RESULT}:{wave_id}:{recipient}"
    return key if generation == 1 else f"{key}#{generation}"


def parse_result_key(key: str) -> tuple[str, str]:
    """(wave id, recipient) of a `result_key`."""
    wave_id, _, recipient = key.removeprefix(f"{ResultJob.RESULT}:").partition(":")
    return wave_id, recipient.partition("#")[0]


async def result_rows(tx: Transaction, wave_id: str) -> dict[str, list[JobRecord]]:
    """recipient -> the result rows of a wave queued for them, oldest first."""
    rows: dict[str, list[JobRecord]] = {}
    for job in await tx.jobs_for(wave_id):
        if job.kind == ResultJob.RESULT:
            rows.setdefault(parse_result_key(job.key)[1], []).append(job)
    return rows


async def result_counts(tx: Transaction, wave_id: str) -> dict[str, int]:
    """How a wave's result rows ended: 'sent', 'unreachable', 'failed', 'skipped', or
    'pending' while still to do."""
    counts: dict[str, int] = {}
    for rows in (await result_rows(tx, wave_id)).values():
        for job in rows:
            state = "pending" if job.finished_at is None else (job.outcome or "").split(":")[0]
            counts[state] = counts.get(state, 0) + 1
    return counts


def enabled_channels(config: Config) -> tuple[str, ...]:
    """The chat channels this installation runs, in the order results prefer them."""
    on = {
        "telegram": config.telegram_token is not None,
        "slack": config.slack_bot_token is not None,
    }
    return tuple(name for name, enabled in on.items() if enabled)


async def publish_wave(
    storage: Storage,
    surveys: Mapping[str, Survey],
    config: Config,
    wave_ref: str,
    actor: str,
    now: datetime,
) -> Published:
    """Queue the results of a wave for its people; PublishError when there is nothing to
    publish (no such wave, or fewer respondents than the minimum group size)."""
    channels = enabled_channels(config)
    async with storage.transaction() as tx:
        wave = await tx.report_wave(wave_ref)
        if wave is None:
            raise PublishError(N_("There is no wave {wave!r}."), wave=wave_ref)
        survey = surveys.get(wave.survey_id)
        if survey is None:
            raise PublishError(N_("Unknown survey {survey!r}."), survey=wave.survey_id)
        n = sum(await tx.respondent_counts(Slice(wave.survey_id, wave.id)))
        if n < config.min_group_size:
            raise PublishError(
                N_(
                    "Wave {wave} has {n} respondents; results are shown from {min} on, so "
                    "there is nothing to publish yet."
                ),
                wave=wave.label,
                n=n,
                min=config.min_group_size,
            )
        recipients = await tx.wave_recipients(wave.id, include_all_staff=survey.mirrors is None)
        earlier = await result_rows(tx, wave.id)
        jobs: list[NewJob] = []
        unreachable = skipped = pending = 0
        for r in recipients:
            rows = earlier.get(r.key, [])
            if any(j.finished_at is None for j in rows):
                pending += 1
            elif any(j.outcome == "sent" for j in rows):
                skipped += 1
            elif not any(c in r.chats for c in channels):
                unreachable += 1
            else:
                jobs.append(
                    (result_key(wave.id, r.key, len(rows) + 1), ResultJob.RESULT, wave.id, now)
                )
        await tx.add_publication(new_id(), wave.id, actor, now)
        await tx.schedule_jobs(jobs, now)
        await tx.audit(
            actor,
            "wave.publish",
            {"wave": wave.id, "recipients": len(jobs), "pending": pending},
            now,
        )
        held = await tx.held_count(wave.survey_id, wave.id)
    return Published(
        wave.label,
        len(jobs),
        unreachable,
        skipped,
        config.min_group_size,
        held,
        wave.withheld,
        pending,
    )


class Results:
    """The outbox handler of `result` rows: one person's copy of a wave's results."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._summaries: OrderedDict[tuple[str, str, int], Notice] = OrderedDict()
        self._building = asyncio.Lock()

    def register(self, outbox: Outbox) -> None:
        """Handle `result` rows."""
        outbox.register(ResultJob.RESULT, self.send)

    async def send(self, job: Job) -> Done:
        """Outbox handler: send the respondents' summary to the person's first chat on a
        running channel (the configured channels first); the next chat when one is
        unreachable; a failing platform is tried again later, as every outbox row is."""
        wave_id, recipient_key = parse_result_key(job.key)
        async with self.service.storage.transaction(write=False) as tx:
            recipient = await tx.result_recipient(recipient_key)
            publications = await tx.publication_count(wave_id)
        if recipient is None or publications == 0:
            return Done("skipped: forgotten")  # the person or the wave was deleted since
        config = self.service.config
        attached = self.service.channels
        preferred = enabled_channels(config)
        order = [*preferred, *(name for name in attached if name not in preferred)]
        chats = [(name, recipient.chats[name]) for name in order if name in recipient.chats]
        if not chats:
            return Done("unreachable")
        running = [(attached[name], address) for name, address in chats if name in attached]
        now = self.service.clock()
        if not running:
            raise Retry(backoff(job, now), "no running channel for this person")
        language = recipient.language or config.default_language
        notice = await self._summary(wave_id, language, publications)
        for channel, address in running:
            try:
                ref = await Outbox.deliver(job, channel, _notify(channel, address, notice))
            except Unreachable:
                log.info("results of %s: %s chat unreachable", job.key, channel.name)
                continue
            except DeliveryFailed as exc:
                raise Retry(backoff(job, now), str(exc) or "delivery failed") from None
            return Done("sent", ref)
        return Done("unreachable")

    async def _summary(self, wave_id: str, language: str, publications: int) -> Notice:
        """The respondents' summary of a wave in one language, built once per publication
        (a later publication may have more respondents) and kept for the rows after it."""
        key = (wave_id, language, publications)
        async with self._building:
            notice = self._summaries.get(key)
            if notice is not None:
                self._summaries.move_to_end(key)
                return notice
            service = self.service
            async with service.storage.transaction(write=False) as tx:
                report = await build_report(
                    tx, service.surveys, service.config, Selection(wave=wave_id), service.clock()
                )
            notice = summary_notice(report, language, "respondents")
            self._summaries[key] = notice
            while len(self._summaries) > SUMMARY_CACHE:
                self._summaries.popitem(last=False)
            return notice


def _notify(channel: Channel, address: str, notice: Notice) -> Callable[[], Awaitable[str]]:
    async def send() -> str:
        return await channel.notify(address, notice)

    return send


@dataclass
class PublishCommand:
    """`/wave publish WAVE` in chat."""

    storage: Storage
    surveys: dict[str, Survey]
    config: Config
    clock: Callable[[], datetime]
    kick: Callable[[], None] | None = None
    """Wakes the scheduler's sweep of this process, so the results go out now."""

    async def __call__(self, request: AdminRequest) -> Notice:
        """Queue the results of the named wave and say for how many people."""
        tr = i18n.translator(request.language)
        if len(request.args) != 1:
            return Notice(tr.gettext("Say which wave: /wave publish WAVE"))
        actor = f"{request.channel}:{request.user}"
        try:
            done = await publish_wave(
                self.storage, self.surveys, self.config, request.args[0], actor, self.clock()
            )
        except ReportError as exc:
            return Notice(exc.text(tr))
        if self.kick is not None:
            self.kick()
        return Notice(published_text(done, request.language))


def published_text(done: Published, language: str) -> str:
    """What publishing did, for the person who asked."""
    tr = i18n.translator(language)
    text = tr.gettext(
        "Results of {wave} queued for {queued} people; {unreachable} cannot be reached in chat."
    ).format(wave=done.wave_label, queued=done.queued, unreachable=done.unreachable)
    if done.skipped:
        text += " " + tr.gettext("{skipped} had them already.").format(skipped=done.skipped)
    if done.pending:
        text += " " + tr.gettext("{pending} were queued before and get them soon.").format(
            pending=done.pending
        )
    if done.held:
        text += " " + labels.held_note(done.held, done.min_group, tr)
    if done.withheld:
        text += " " + labels.withheld_note(done.withheld, done.min_group, tr)
    return text
