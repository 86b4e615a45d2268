"""Aggregated results back to the people of a wave (G-R4).

Customer and MTO waves go back to everyone invited and to all staff; a mirror wave only
to the staff who were asked. Publishing queues one delivery per person, in their
language, on a chat of a configured channel (none: 'unreachable'); a person who already
got a wave's results is not queued again. The running bot sends queued deliveries each
sweep (`PublicationSender`), so `klantstem wave publish` works while the bot runs
elsewhere. What is sent is the report summary for respondents with one chart: only
figures of groups of at least the minimum size, never anything about one person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot import i18n
from bot.admin import AdminRequest
from bot.channels.base import Channel, DeliveryFailed, Notice, Unreachable
from bot.config import Config
from bot.reports import labels
from bot.reports.build import build_report
from bot.reports.scope import ReportError, Selection
from bot.reports.summary import summary_notice
from bot.storage import Storage, new_id
from bot.storage.report_sql import Delivery, Slice
from flows import N_, Survey

log = logging.getLogger(__name__)

BATCH = 50


class PublishError(ReportError):
    """A wave whose results cannot be published; nothing was queued."""


@dataclass(frozen=True)
class Published:
    """What publishing a wave queued."""

    wave_label: str
    queued: int
    unreachable: int
    skipped: int
    min_group: int
    held: int
    withheld: int


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
        done = await tx.delivered_recipients(wave.id)
        publication_id = new_id()
        deliveries = []
        for r in recipients:
            if r.key in done:
                continue
            channel = next((c for c in channels if c in r.chats), None)
            deliveries.append(
                Delivery(
                    publication_id,
                    wave.id,
                    r.key,
                    channel,
                    r.chats.get(channel) if channel else None,
                    r.language or config.default_language,
                    "pending" if channel else "unreachable",
                )
            )
        await tx.add_publication(publication_id, wave.id, actor, now)
        await tx.add_deliveries(publication_id, deliveries)
        await tx.audit(actor, "wave.publish", {"wave": wave.id, "recipients": len(deliveries)}, now)
        held = await tx.held_count(wave.survey_id, wave.id)
    unreachable = sum(1 for d in deliveries if d.status == "unreachable")
    return Published(
        wave.label,
        len(deliveries) - unreachable,
        unreachable,
        len(done),
        config.min_group_size,
        held,
        wave.withheld,
    )


async def deliver_pending(
    storage: Storage,
    surveys: dict[str, Survey],
    config: Config,
    channels: Mapping[str, Channel],
    now: datetime,
) -> int:
    """Send queued results through the running channels; returns how many went out."""
    async with storage.transaction() as tx:
        batch = await tx.claim_deliveries(BATCH)
    notices: dict[tuple[str, str], Notice] = {}
    sent = 0
    for d in batch:
        status = "sent"
        channel = channels.get(d.channel or "")
        try:
            if channel is None or d.address is None:
                raise Unreachable(d.channel or "-")
            key = (d.wave_id, d.language)
            if key not in notices:
                async with storage.transaction(write=False) as tx:
                    report = await build_report(tx, surveys, config, Selection(wave=d.wave_id), now)
                notices[key] = summary_notice(report, d.language, "respondents")
            await channel.notify(d.address, notices[key])
            sent += 1
        except Unreachable:
            status = "unreachable"
        except DeliveryFailed:
            status = "pending"
            log.info("results for %s not delivered yet; retrying next sweep", d.recipient)
        async with storage.transaction() as tx:
            await tx.mark_delivery(d.publication_id, d.recipient, status, now)
    return sent


class PublicationSender:
    """Sends queued results every sweep while the bot runs."""

    name = "publications"

    def __init__(
        self,
        storage: Storage,
        surveys: dict[str, Survey],
        config: Config,
        channels: Mapping[str, Channel],
        clock: Callable[[], datetime],
    ) -> None:
        self.storage, self.surveys, self.config = storage, surveys, config
        self.channels, self.clock = channels, clock
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin sweeping in the background."""
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="klantstem-publications")

    async def stop(self) -> None:
        """Finish the delivery in flight and stop."""
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        interval = self.config.sweep_interval.total_seconds()
        while not self._stop.is_set():
            try:
                while await deliver_pending(
                    self.storage, self.surveys, self.config, self.channels, self.clock()
                ):
                    pass
            except Exception:
                log.exception("sending published results failed; retrying next sweep")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), interval)


@dataclass
class PublishCommand:
    """`/wave publish WAVE` in chat."""

    storage: Storage
    surveys: dict[str, Survey]
    config: Config
    clock: Callable[[], datetime]

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
        return Notice(published_text(done, request.language))


def published_text(done: Published, language: str) -> str:
    """What publishing did, for the person who asked."""
    tr = i18n.translator(language)
    text = tr.gettext(
        "Results of {wave} queued for {queued} people; {unreachable} cannot be reached in chat."
    ).format(wave=done.wave_label, queued=done.queued, unreachable=done.unreachable)
    if done.skipped:
        text += " " + tr.gettext("{skipped} had them already.").format(skipped=done.skipped)
    if done.held:
        text += " " + labels.held_note(done.held, done.min_group, tr)
    if done.withheld:
        text += " " + labels.withheld_note(done.withheld, done.min_group, tr)
    return text
