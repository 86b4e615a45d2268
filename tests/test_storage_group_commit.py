"""SQLite group commit: many units share a commit, yet each is on disk when its block ends,
and a failing unit takes only its own changes with it."""

from __future__ import annotations

import asyncio
import sqlite3
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
