"""Another process holds the SQLite write lock for a few seconds (a backup, a second
`klantstem` on the same file): the bot waits and retries, says so in its log, and the
respondent's answers are stored once the lock is free."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest

from bot.config.settings import Config
from bot.conversations.service import Service
from bot.storage import Storage, sqlite_path
from flows import builtin_surveys
from tests.conftest import TEST_BACKEND, Clock
from tests.support.anonymity_world import take_cvs

pytestmark = pytest.mark.skipif(TEST_BACKEND != "sqlite", reason="SQLite's file lock")

HOLD_SECONDS = 3
LOCKER = f"""
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO audit_log (id, at, actor, action) VALUES ('x', 'now', 'backup', 'lock')")
print("locked", flush=True)
time.sleep({HOLD_SECONDS})
db.execute("COMMIT")
"""


async def test_answers_wait_for_a_locked_database_and_are_kept(
    storage: Storage, config: Config, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.storage.sqlite")
    db_file = sqlite_path(storage.url)
    assert db_file is not None
    service = Service(storage, builtin_surveys(), config, clock=clock)
    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCKER, str(db_file), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert locker.stdout is not None
        assert await locker.stdout.readline() == b"locked\n"
        response_id = await take_cvs(service, "named", ["8", "9", "10"])
        assert await locker.wait() == 0
    finally:
        if locker.returncode is None:
            locker.kill()
            await locker.wait()
    logged = [r.getMessage() for r in caplog.records]
    assert any("locked by another process; waiting and retrying" in m for m in logged)
    assert any("free again" in m for m in logged)
    async with storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall("SELECT id FROM responses")
        other = await tx.conn.fetchall("SELECT actor FROM audit_log WHERE id = 'x'")
    assert [r[0] for r in rows] == [response_id], "the answers were stored once"
    assert [r[0] for r in other] == ["backup"], "the other process's write is kept too"
