"""Published results go through the outbox: a crash while they go out loses nobody,
publishing again doubles nobody, a delivery that keeps failing is given up after
`KLANTSTEM_OUTBOX_MAX_ATTEMPTS` tries with one notice to the admins, and an upgrade moves
the old queue's rows into the outbox. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.config.settings import Config
from bot.conversations.service import Service
from bot.delivery import OUTBOX_KEY, Notice
from bot.jobs.scheduler import Scheduler
from bot.outbox.kinds import SharedJob
from bot.outbox.queue import Outbox, Retry, notice_key
from bot.reports.publish import ResultJob, publish_wave, result_counts, result_key
from bot.storage import Storage, open_driver, open_storage
from bot.storage.migrate import available, migrate
from bot.storage.records import StaffMember
from tests.conftest import Clock
from tests.fakes.recording_channel import RecordingChannel
from tests.support.report_data import NOW, SURVEYS, people_and_wave

GUARD_SECONDS = 30
EVERYONE = ["101", "102", "103", "104", "105", "106", "901", "902"]
"""The chats of the six invited customers and the two staff members."""


class Platform:
    """A chat platform that cannot say what it delivered (as Telegram and Slack).

    Every message it accepts is in `accepted`. Calls from number `return_first + 1` on
    never return: the first `accept_held` of those after the message was accepted (it
    went out, but the bot never heard back), the rest before.
    """

    name = "telegram"

    def __init__(
        self,
        accepted: list[tuple[str, str | None]],
        *,
        return_first: int | None = None,
        accept_held: int = 0,
        calls_awaited: int = 0,
    ) -> None:
        self.accepted = accepted
        self.return_first = return_first
        self.accept_held = accept_held
        self.calls = 0
        self.held: list[str] = []
        self.called = asyncio.Event()
        self.calls_awaited = calls_awaited
        self._never = asyncio.Event()

    async def send(self, address: str, replies: object, language: str, **_: object) -> None:
        """Not used by results."""
        raise AssertionError("results are notices")

    async def notify(self, address: str, notice: Notice) -> str:
        """Accept a notice, or hang as set up."""
        self.calls += 1
        if self.calls == self.calls_awaited:
            self.called.set()
        holding = self.return_first is not None and self.calls > self.return_first
        if not holding or self.calls <= self.return_first + self.accept_held:  # type: ignore[operator]
            self.accepted.append((address, OUTBOX_KEY.get()))
        if holding:
            self.held.append(address)
            await self._never.wait()
        return f"ref-{len(self.accepted)}"


class KeyedPlatform(Platform):
    """The same platform, able to say whether a message with a key went out."""

    async def delivered(self, key: str) -> str | None:
        """A reference when a message with this key was accepted."""
        return "found" if any(k == key for _a, k in self.accepted) else None


def telegram_config(url: str, **extra: str) -> Config:
    return Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": "1:x",
            **extra,
        }
    )


def bot(storage: Storage, config: Config, clock: Clock, channel: object) -> Scheduler:
    """A freshly started process's scheduler: nothing in memory from an earlier one."""
    service = Service(storage, SURVEYS, config, clock=clock)
    service.attach(channel)  # type: ignore[arg-type]
    return Scheduler(service)


@contextlib.asynccontextmanager
async def database(url: str) -> AsyncIterator[Storage]:
    storage = await open_storage(url)
    try:
        yield storage
    finally:
        await storage.close()


async def unfinished_results(storage: Storage) -> dict[str, bool]:
    """recipient key -> True for each result row not finished."""
    async with storage.transaction(write=False) as tx:
        wave = await tx.report_wave("W1")
        assert wave is not None
        return {
            job.key: job.finished_at is None
            for job in await tx.jobs_for(wave.id)
            if job.kind == ResultJob.RESULT
        }


@pytest.mark.parametrize("keyed", [False, True], ids=["platform-cannot-tell", "keyed-platform"])
async def test_a_crash_while_results_go_out_loses_nobody_and_repeats_only_what_was_in_flight(
    backend_url: str, keyed: bool
) -> None:
    config = telegram_config(backend_url)
    clock = Clock(NOW)
    accepted: list[tuple[str, str | None]] = []
    kind = KeyedPlatform if keyed else Platform
    async with database(backend_url) as storage:
        await people_and_wave(storage, answered=5)
        done = await publish_wave(storage, SURVEYS, config, "W1", "test", NOW)
        assert done.queued == 8
        # Three results go out; two more reach the platform but the bot never hears
        # back; three never reach it. Then the process dies.
        first = kind(accepted, return_first=3, accept_held=2, calls_awaited=8)
        sweep = asyncio.create_task(bot(storage, config, clock, first).sweep())
        await asyncio.wait_for(first.called.wait(), GUARD_SECONDS)
        sweep.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweep
        in_doubt = await unfinished_results(storage)
    assert sum(in_doubt.values()) >= 5
    in_flight = {
        address for address, key in accepted if key is not None and in_doubt.get(key, False)
    }
    assert set(first.held[:2]) <= in_flight

    async with database(backend_url) as storage:
        # Publishing again while the bot is down queues nobody twice and skips nobody.
        again = await publish_wave(storage, SURVEYS, config, "W1", "test", NOW)
        assert again.queued == 0
        assert again.pending == sum(in_doubt.values())
        assert again.skipped == 8 - again.pending

        second = kind(accepted)
        restarted = bot(storage, config, clock, second)
        assert await restarted.sweep() == 0  # their leases still hold: nothing twice yet
        clock.advance(seconds=config.outbox_lease.total_seconds() + 1)
        assert await restarted.sweep() == again.pending

        after = await publish_wave(storage, SURVEYS, config, "W1", "test", clock())
        assert (after.queued, after.pending, after.skipped) == (0, 0, 8)
        assert await restarted.sweep() == 0

    per_person = Counter(address for address, _key in accepted)
    assert sorted(per_person) == EVERYONE
    twice = {address for address, n in per_person.items() if n > 1}
    assert max(per_person.values()) <= 2
    if keyed:
        assert twice == set()  # asked before sending again: nobody twice
    else:
        assert twice == in_flight  # only what was out at the crash, as documented


async def test_a_delivery_failing_every_time_is_given_up_and_the_admins_are_told_once(
    backend_url: str,
) -> None:
    config = telegram_config(backend_url, KLANTSTEM_OUTBOX_MAX_ATTEMPTS="3")
    clock = Clock(NOW)
    platform = RecordingChannel(failures={"103": 1000})
    async with database(backend_url) as storage:
        await people_and_wave(storage, answered=5)
        async with storage.transaction() as tx:
            await tx.upsert_staff(StaffMember("S1", "Anna", is_admin=True, telegram="901"), NOW)
            wave = await tx.report_wave("W1")
        assert wave is not None
        await publish_wave(storage, SURVEYS, config, "W1", "test", NOW)
        running = bot(storage, config, clock, platform)
        for _ in range(12):  # two days of sweeps, every few hours
            await running.sweep()
            clock.advance(hours=4)

        notices = [p for p in platform.to("901") if "gave up" in p.text]
        async with storage.transaction(write=False) as tx:
            failed = await tx.job(result_key(wave.id, "contact:" + await contact_id(tx, "C3")))
        assert failed is not None and failed.attempts == 3
        assert (failed.outcome or "").startswith("failed:")
        assert len(notices) == 1
        assert notices[0].text == (
            "Klantstem gave up after 3 tries: the results of wave W1 for Customer 3 (C3)."
            " Last error: telegram is unavailable (try again later)"
        )
        assert platform.to("103") == []
        assert sorted({p.address for p in platform.posted}) == sorted(set(EVERYONE) - {"103"})

    async with database(backend_url) as storage:
        restarted = bot(storage, config, clock, platform)
        for _ in range(3):
            await restarted.sweep()
            clock.advance(hours=4)
        async with storage.transaction(write=False) as tx:
            notice_row = await tx.job(notice_key(failed.key))
        assert notice_row is not None and notice_row.outcome == "sent"
        assert notice_row.kind == SharedJob.ADMIN_NOTICE
        assert len([p for p in platform.to("901") if "gave up" in p.text]) == 1

        # Publishing again gives the one who missed out a new try, and nobody else.
        platform.failures.clear()
        again = await publish_wave(storage, SURVEYS, config, "W1", "test", clock())
        assert (again.queued, again.skipped, again.pending) == (1, 7, 0)
        await restarted.sweep()
        assert len(platform.to("103")) == 1
        async with storage.transaction(write=False) as tx:
            assert await result_counts(tx, wave.id) == {"sent": 8, "failed": 1}


async def contact_id(tx: object, ref: str) -> str:
    found = await tx.contact_id_by_ref(ref)  # type: ignore[attr-defined]
    assert found is not None
    return str(found)


BEFORE_OUTBOX_RESULTS = [m for m in available() if m.version < 11]


async def test_an_upgrade_moves_the_queued_results_into_the_outbox(backend_url: str) -> None:
    """Results queued by a Klantstem that had its own queue: after the upgrade the pending
    one goes out, the one an instance was sending is asked about and not sent twice, and
    the ones that were sent or unreachable stay as they were."""
    at = "2026-11-20T10:00:00Z"
    driver = await open_driver(backend_url)
    try:
        await migrate(driver, BEFORE_OUTBOX_RESULTS)
        async with driver.transaction(write=True) as tx:
            await tx.execute(
                "INSERT INTO waves (id, survey_id, survey_version, label, opened_at)"
                " VALUES ('w1', 'cvs', 1, 'W1', ?)",
                (at,),
            )
            await tx.execute(
                "INSERT INTO publications (id, wave_id, published_at, published_by)"
                " VALUES ('p1', 'w1', ?, 'cli')",
                (at,),
            )
            for i, status in enumerate(("pending", "sending", "sent", "unreachable"), 1):
                await tx.execute(
                    "INSERT INTO contacts (id, ref, name, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (f"c{i}", f"C{i}", f"Customer {i}", at, at),
                )
                await tx.execute(
                    "INSERT INTO identities (id, channel, external_id, contact_id, created_at)"
                    " VALUES (?, 'telegram', ?, ?, ?)",
                    (f"i{i}", f"10{i}", f"c{i}", at),
                )
                await tx.execute(
                    "INSERT INTO publication_deliveries (publication_id, recipient, channel,"
                    " address, language, status, sent_at) VALUES ('p1', ?, 'telegram', ?, 'en',"
                    " ?, ?)",
                    (f"contact:c{i}", f"10{i}", status, at if status == "sent" else None),
                )
        await migrate(driver)
    finally:
        await driver.close()

    platform = RecordingChannel()
    token = OUTBOX_KEY.set(result_key("w1", "contact:c2"))
    try:  # what the old instance sent before it stopped
        await platform.notify("102", Notice("results"))
    finally:
        OUTBOX_KEY.reset(token)
    clock = Clock(NOW)
    async with database(backend_url) as storage:
        assert await bot(storage, telegram_config(backend_url), clock, platform).sweep() == 2
        async with storage.transaction(write=False) as tx:
            counts = await result_counts(tx, "w1")
    assert counts == {"sent": 3, "unreachable": 1}
    assert [p.address for p in platform.posted] == ["102", "101"]
    assert platform.repeats == []


async def test_waiting_is_not_a_try_and_failing_is(storage: Storage, clock: Clock) -> None:
    """Rows postponed (quiet hours, a conversation under way) are never given up for it;
    rows that fail are, after the set number of tries, with one admin notice queued."""
    async with storage.transaction() as tx:
        await tx.schedule_jobs(
            [("wait:1", "wait", "1", clock()), ("fail:1", "fail", "1", clock())], clock()
        )
    outbox = Outbox(storage, clock, timedelta(minutes=5), max_attempts=3)

    async def wait(job: object) -> None:
        raise Retry(clock() + timedelta(minutes=1), "quiet hours", postpone=True)

    async def fail(job: object) -> None:
        raise Retry(clock() + timedelta(minutes=1), "platform down")

    outbox.register("wait", wait)  # type: ignore[arg-type]
    outbox.register("fail", fail)  # type: ignore[arg-type]
    for _ in range(10):
        await outbox.run_due()
        clock.advance(minutes=2)
    async with storage.transaction(write=False) as tx:
        waiting, failed = await tx.job("wait:1"), await tx.job("fail:1")
        told = await tx.job(notice_key("fail:1"))
        assert await tx.job(notice_key("wait:1")) is None
    assert waiting is not None and waiting.finished_at is None and waiting.attempts == 0
    assert failed is not None and failed.outcome == "failed: platform down"
    assert failed.attempts == 3
    assert told is not None and told.kind == SharedJob.ADMIN_NOTICE and told.subject == "fail:1"
