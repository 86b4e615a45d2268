"""After a release the SQLite WAL is truncated; a reader in another process that holds it
back only delays that to the next sweep."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.storage import open_storage, sqlite_path

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def test_a_scrub_held_back_by_a_reader_is_finished_later(tmp_path: Path) -> None:
    storage = await open_storage(f"sqlite:///{tmp_path / 'k.db'}")
    try:
        path = sqlite_path(storage.url)
        assert path is not None
        wal = Path(f"{path}-wal")
        async with storage.transaction() as tx:
            await tx.audit("test", "marker", {"secret": "pre-release page"}, NOW)
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM audit_log").fetchone()
        async with storage.transaction() as tx:  # a frame the reader's snapshot predates
            await tx.audit("test", "marker", {"n": 2}, NOW)
        assert await storage.scrub() is False
        assert _size(wal) > 0, "the reader kept the WAL"
        reader.rollback()
        reader.close()
        await storage.scrub_if_owed()
        assert _size(wal) == 0, "truncated once the reader was gone"
    finally:
        await storage.close()


def _size(path: Path) -> int:
    return os.path.getsize(path)
