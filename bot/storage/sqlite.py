"""SQLite backend (aiosqlite): one connection in WAL mode, transactions serialised in-process.

SQLite has one writer at a time anyway; serialising on an asyncio lock keeps statements of
two coroutines from interleaving inside one transaction, and `busy_timeout` waits for other
processes. Every cursor is closed right after use: a shared connection with cursors left
open fails under concurrency with "bad parameter or other API misuse".
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.driver import Row

BUSY_TIMEOUT_MS = 10_000


class _SqliteConnection:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._conn.execute(sql, params) as cur:
            return cur.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._conn.executemany(sql, rows):
            pass

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cur:
            return await cur.fetchone()


class SqliteDriver:
    """A SQLite database file."""

    dialect = "sqlite"

    def __init__(self, url: str, path: Path, conn: aiosqlite.Connection) -> None:
        self.url = url
        self.path = path
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: str, path: Path) -> SqliteDriver:
        """Open (creating if needed) the database file with the pragmas the bot relies on."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        for pragma in (
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON",
        ):
            async with conn.execute(pragma):
                pass
        return cls(url, path, conn)

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[_SqliteConnection]:
        """BEGIN IMMEDIATE for writes (take the write lock up front), deferred for reads."""
        async with self._lock:
            async with self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN"):
                pass
            try:
                yield _SqliteConnection(self._conn)
            except BaseException:
                async with self._conn.execute("ROLLBACK"):
                    pass
                raise
            async with self._conn.execute("COMMIT"):
                pass

    def adapt_schema(self, sql: str) -> str:
        """SQLite-only table options."""
        return sql.replace("{without_rowid}", " WITHOUT ROWID")

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        await self._conn.close()
