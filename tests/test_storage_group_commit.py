"""SQLite group commit: many units share a commit, yet each is on disk when its block ends,
and a failing unit takes only its own changes with it."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.storage import Storage, open_storage
from bot.timeutil import utc_now


def committed_actions(db_file: Path) -> set[str]:
    """What another connection (another process, a crash survivor) sees."""
    with sqlite3.connect(db_file) as other:
        return {r[0] for r in other.execute("SELECT action FROM audit_log")}


async def test_each_unit_is_committed_when_its_block_ends(tmp_path: Path) -> None:
    db_file = tmp_path / "k.db"
    storage = await open_storage(f"sqlite:///{db_file}")
    seen_after_exit: dict[str, bool] = {}

    async def unit(i: int) -> None:
        async with storage.transaction() as tx:
            await tx.audit("test", f"unit-{i}", {}, utc_now())
        seen_after_exit[f"unit-{i}"] = f"unit-{i}" in committed_actions(db_file)

    try:
        await asyncio.gather(*(unit(i) for i in range(60)))
    finally:
        await storage.close()
    assert len(seen_after_exit) == 60 and all(seen_after_exit.values())


async def test_a_failing_unit_rolls_back_alone(tmp_path: Path) -> None:
    db_file = tmp_path / "k.db"
    storage = await open_storage(f"sqlite:///{db_file}")

    async def unit(name: str, fail: bool) -> None:
        async with storage.transaction() as tx:
            await tx.audit("test", name, {}, utc_now())
            if fail:
                raise RuntimeError("refused")

    try:
        results = await asyncio.gather(
            unit("a", False), unit("b", True), unit("c", False), return_exceptions=True
        )
    finally:
        await storage.close()
    assert isinstance(results[1], RuntimeError)
    assert committed_actions(db_file) == {"a", "c"}


async def test_read_transactions_refuse_writes(storage: Storage) -> None:
    with pytest.raises(sqlite3.OperationalError):
        async with storage.transaction(write=False) as tx:
            await tx.audit("test", "sneaky", {}, utc_now())
    async with storage.transaction() as tx:
        await tx.audit("test", "allowed", {}, utc_now())


class ReleaseHook(asyncio.Lock):
    """The driver's lock, calling `after_release` once right after it is next released;
    `contended` is set once a unit waits for it."""

    after_release: Callable[[], None] | None = None

    def __init__(self) -> None:
        super().__init__()
        self.contended = asyncio.Event()

    async def acquire(self) -> bool:
        if self.locked():
            self.contended.set()
        return await super().acquire()

    def release(self) -> None:
        super().release()
        hook, self.after_release = self.after_release, None
        if hook is not None:
            hook()


async def test_a_unit_cancelled_while_queued_leaves_no_commit_undone(tmp_path: Path) -> None:
    db_file = tmp_path / "k.db"
    storage = await open_storage(f"sqlite:///{db_file}")
    lock = ReleaseHook()
    storage.driver._lock = lock  # type: ignore[attr-defined]
    inside = asyncio.Event()
    go_on = asyncio.Event()

    async def first() -> None:
        async with storage.transaction() as tx:
            await tx.audit("test", "first", {}, utc_now())
            inside.set()
            await go_on.wait()

    async def queued() -> None:
        async with storage.transaction() as tx:
            await tx.audit("test", "queued", {}, utc_now())

    try:
        a = asyncio.create_task(first())
        await inside.wait()
        b = asyncio.create_task(queued())
        await lock.contended.wait()
        # The first unit leaves the commit to the queued one, which is cancelled (a stop)
        # the moment the lock is handed over, before it runs.
        lock.after_release = b.cancel
        go_on.set()
        await asyncio.wait_for(a, 10)
        with pytest.raises(asyncio.CancelledError):
            await b
        async with storage.transaction() as tx:
            await tx.audit("test", "after", {}, utc_now())
    finally:
        await storage.close()
    assert committed_actions(db_file) == {"first", "after"}


async def test_units_cancelled_at_any_step_leave_the_database_usable(tmp_path: Path) -> None:
    db_file = tmp_path / "k.db"
    storage = await open_storage(f"sqlite:///{db_file}")

    async def unit(name: str) -> None:
        async with storage.transaction() as tx:
            await tx.audit("test", name, {}, utc_now())

    try:
        for turns in range(40):
            cut = asyncio.create_task(unit(f"cut-{turns}"))
            for _ in range(turns):  # the cancel lands wherever the unit got to
                await asyncio.sleep(0)
            cut.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await cut
            await asyncio.wait_for(unit(f"whole-{turns}"), 10)
    finally:
        await storage.close()
    actions = committed_actions(db_file)
    assert {f"whole-{t}" for t in range(40)} <= actions
    assert actions <= {f"whole-{t}" for t in range(40)} | {f"cut-{t}" for t in range(40)}
