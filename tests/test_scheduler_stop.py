"""Stopping mid-wave: the batch in hand is finished, the rest stays due for the next start;
a send that never returns is cut off at the end of the grace period."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import App, build_app
from bot.config.settings import Config
from bot.conversations.service import Service
from bot.delivery import Notice
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.outbox.queue import BATCH, Done, Outbox
from bot.reports.publish import ResultJob, publish_wave
from bot.storage import Storage, open_storage
from bot.storage.outbox_sql import Job
from tests.conftest import Clock
from tests.fakes.recording_channel import RecordingChannel
from tests.support.report_data import NOW, SURVEYS, people_and_wave

GUARD_SECONDS = 30
STOP_SLACK = 3.0
"""What the stop may take beyond the grace period: cancelling, closing the database."""


async def test_stop_finishes_the_batch_in_hand_and_claims_no_more(
    storage: Storage, clock: Clock
) -> None:
    async with storage.transaction() as tx:
        await tx.schedule_jobs(
            [(f"invite:{i}", "test", str(i), clock()) for i in range(5 * BATCH)], clock()
        )
    outbox = Outbox(storage, clock, timedelta(minutes=5))
    sent: list[str] = []

    async def send(job: Job) -> Done:
        sent.append(job.subject)
        outbox.stop()  # SIGTERM arrives while the first batch is going out
        return Done("sent")

    outbox.register("test", send)
    assert await outbox.run_due() == BATCH
    assert len(sent) == BATCH == len(set(sent))

    restarted = Outbox(storage, clock, timedelta(minutes=5))

    async def send_rest(job: Job) -> Done:
        sent.append(job.subject)
        return Done("sent")

    restarted.register("test", send_rest)
    assert await restarted.run_due() == 4 * BATCH
    assert sorted(sent, key=int) == [str(i) for i in range(5 * BATCH)]


class Unanswering:
    """A chat platform whose sends never return (a network that swallows the request)."""

    name = "telegram"

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self._never = asyncio.Event()

    async def notify(self, address: str, notice: Notice) -> str:
        """Take the message and never answer."""
        self.entered.set()
        await self._never.wait()
        raise AssertionError("never answered")


async def test_stop_is_bounded_when_a_send_never_returns_and_the_row_is_due_again(
    backend_url: str, clock: Clock
) -> None:
    grace = 0.5
    config = Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": backend_url,
            "TELEGRAM_BOT_TOKEN": "1:x",
            "KLANTSTEM_HTTP_SHUTDOWN_SECONDS": str(grace),
        }
    )
    clock.now = NOW
    storage = await open_storage(backend_url)
    try:
        await people_and_wave(storage, answered=5)
        assert (await publish_wave(storage, SURVEYS, config, "W1", "test", NOW)).queued == 8
    finally:
        await storage.close()
    platform = Unanswering()

    def attach(app: App) -> None:
        app.service.attach(platform)  # type: ignore[arg-type]

    app = await build_app(config, factories=[attach, scheduler_component], clock=clock)
    await app.start()
    await asyncio.wait_for(platform.entered.wait(), GUARD_SECONDS)  # the sweep is sending
    await asyncio.wait_for(app.stop(), grace + STOP_SLACK)

    storage = await open_storage(backend_url)
    try:
        async with storage.transaction(write=False) as tx:
            assert await tx.unfinished_jobs([ResultJob.RESULT]) == 8
        service = Service(storage, SURVEYS, config, clock=clock)
        working = RecordingChannel()
        service.attach(working)
        restarted = Scheduler(service)
        clock.advance(seconds=config.outbox_lease.total_seconds() + 1)
        assert await restarted.sweep() == 8
    finally:
        await storage.close()
    assert sorted(p.address for p in working.posted) == [
        "101", "102", "103", "104", "105", "106", "901", "902",
    ]  # fmt: skip
