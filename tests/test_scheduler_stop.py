"""Stopping mid-wave: the batch in hand is finished, the rest stays due for the next start."""

from __future__ import annotations

from datetime import timedelta

from bot.outbox import BATCH, Done, Outbox
from bot.storage import Storage
from bot.storage.outbox_sql import Job
from tests.conftest import Clock


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
