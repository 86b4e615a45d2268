"""SQLite backend (aiosqlite): one connection in WAL mode, transactions serialised in-process
and committed in groups.

SQLite has one writer at a time anyway; serialising on an asyncio lock keeps statements of
two coroutines from interleaving inside one transaction, `busy_timeout` plus a logged retry
of `BEGIN IMMEDIATE` waits for other processes (`_begin`), and group commit lets many units
share one fsync. Every cursor is closed right after use: a shared connection with cursors
left open fails under concurrency with "bad parameter or other API misuse".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.driver import IntegrityError, Row, fill_placeholders

BUSY_TIMEOUT_MS = 1_000
"""How long one attempt waits for another process's write lock before it is logged."""
LOCKED_GIVE_UP_SECONDS = 120.0
"""How long a unit keeps waiting for another process's write lock in all."""
log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_GROUP = 256
"""At most this many units share one commit, so a steady stream still commits often."""


@contextmanager
def _neutral_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(str(exc)) from exc


class _SqliteConnection:
    claim_clause = ""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with _neutral_errors():
            async with self._conn.execute(sql, params) as cur:
                return cur.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with _neutral_errors():
            async with self._conn.executemany(sql, rows):
                pass

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def stream(
        self, sql: str, params: Sequence[Any] = (), *, batch: int = 1000
    ) -> AsyncIterator[list[Row]]:
        async with self._conn.execute(sql, params) as cur:
            while rows := await cur.fetchmany(batch):
                yield list(rows)


class SqliteDriver:
    """A SQLite database file."""

    dialect = "sqlite"
    schema_lock = ""

    def __init__(self, url: str, path: Path, conn: aiosqlite.Connection) -> None:
        self.url = url
        self.path = path
        self._conn = conn
        self._lock = asyncio.Lock()
        self._queued = 0
        self._group: asyncio.Future[None] | None = None
        self._group_size = 0
        self._orphans: set[asyncio.Future[None]] = set()

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
            # Deleted rows (held anonymous answers, sessions) are overwritten, not left
            # in free pages: see bot/conversations/release.py.
            "PRAGMA secure_delete = ON",
        ):
            async with conn.execute(pragma):
                pass
        return cls(url, path, conn)

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[_SqliteConnection]:
        """One unit of work, committed durably before the `async with` block is left.

        Group commit: units that queue up behind each other run as savepoints inside one
        shared `BEGIN IMMEDIATE` transaction, which the last unit of the queue (or every
        `MAX_GROUP`th) commits; each caller waits for that commit, so nothing is confirmed
        before it is on disk, yet many answers share one fsync. A failing unit rolls back
        to its savepoint only. Reads run with `query_only`, so a write in a read
        transaction fails here as it does on PostgreSQL (READ ONLY).

        A unit cancelled anywhere (a stop cutting a sweep short) leaves the connection as
        it found it: the statements that open and close a unit always run to the end
        (`_settled`), a cancelled unit rolls back to its savepoint, and a group whose
        last queued unit was cancelled before it ran is still committed.
        """
        self._queued += 1
        try:
            await self._lock.acquire()
        except BaseException:
            self._queued -= 1
            if self._group is not None and not self._queued:
                self._commit_orphaned_group()  # the unit before left the commit to this one
            raise
        self._queued -= 1
        try:
            group = await self._settled(self._enter_unit(write), lambda: self._end(write, True))
            try:
                yield _SqliteConnection(self._conn)
            except BaseException:
                await self._settled(self._end(write, True))
                raise
            await self._settled(self._end(write, False))
        finally:
            self._lock.release()
        await asyncio.shield(group)

    async def _enter_unit(self, write: bool) -> asyncio.Future[None]:
        group = await self._join_group()
        await self._run("SAVEPOINT unit")
        if not write:
            await self._run("PRAGMA query_only = 1")
        return group

    async def _end(self, write: bool, rollback: bool) -> None:
        await self._end_unit(write, "ROLLBACK TO unit" if rollback else None)
        await self._close_group_if_last()

    @staticmethod
    async def _settled(
        step: Coroutine[Any, Any, T],
        undo: Callable[[], Coroutine[Any, Any, None]] | None = None,
    ) -> T:
        """Run a step of the unit's bookkeeping to its end even when the caller is
        cancelled meanwhile; then `undo` what it did, and let the cancellation go on."""
        task = asyncio.ensure_future(step)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait({task})
            if undo is not None and not task.cancelled() and task.exception() is None:
                await asyncio.shield(undo())
            raise

    def _commit_orphaned_group(self) -> None:
        """Commit the open group in a task of its own, for a unit cancelled before it ran."""

        async def commit() -> None:
            async with self._lock:
                if self._group is not None:
                    await self._close_group_if_last()

        task = asyncio.ensure_future(commit())
        self._orphans.add(task)
        task.add_done_callback(self._orphan_done)

    def _orphan_done(self, task: asyncio.Future[None]) -> None:
        self._orphans.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "committing %s after a cancelled unit failed: %r", self.path, task.exception()
            )

    async def _join_group(self) -> asyncio.Future[None]:
        if self._group is None:
            await self._begin()
            self._group = asyncio.get_running_loop().create_future()
            self._group_size = 0
        self._group_size += 1
        return self._group

    async def _begin(self) -> None:
        """`BEGIN IMMEDIATE`, waiting (and saying so in the log) while another process
        holds the write lock, e.g. a backup or a second `klantstem` on the same file."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCKED_GIVE_UP_SECONDS
        attempt = 0
        while True:
            try:
                await self._run("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                attempt += 1
                if loop.time() >= deadline:
                    log.error("%s is still locked by another process; giving up", self.path)
                    raise
                log.warning(
                    "%s is locked by another process; waiting and retrying (attempt %d)",
                    self.path,
                    attempt,
                )
                await asyncio.sleep(min(0.05 * attempt, 1.0))
                continue
            if attempt:
                log.warning("%s is free again after %d attempts; going on", self.path, attempt)
            return

    async def _end_unit(self, write: bool, rollback: str | None) -> None:
        if not write:
            await self._run("PRAGMA query_only = 0")
        if rollback:
            await self._run(rollback)
        await self._run("RELEASE unit")

    async def _close_group_if_last(self) -> None:
        """Commit unless more units are already queued to join (up to `MAX_GROUP`)."""
        if self._queued and self._group_size < MAX_GROUP:
            return
        group, self._group = self._group, None
        assert group is not None
        try:
            await self._run("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                await self._run("ROLLBACK")
            group.set_exception(exc)
            group.exception()  # the waiting units report it; don't warn it went unseen
            raise
        group.set_result(None)

    async def _run(self, statement: str) -> None:
        async with self._conn.execute(statement):
            pass

    async def scrub(self) -> bool:
        """Copy the WAL into the database file and truncate it, so no copy of the files
        taken from now on holds pages written before (with `secure_delete`, deleted rows
        are zeroed in the file). False when another process's reader kept it from
        finishing; the next release or sweep tries again."""
        while True:
            async with self._lock:
                if self._group is None:
                    async with self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                        row = await cursor.fetchone()
                    done = row is not None and int(row[0]) == 0
                    if not done:
                        log.warning(
                            "%s: the WAL could not be truncated yet; retrying later", self.path
                        )
                    return done
                group = self._group
            with contextlib.suppress(Exception):
                await asyncio.shield(group)

    def adapt_schema(self, sql: str) -> str:
        """Fill the dialect placeholders (SQLite-only table options)."""
        return fill_placeholders(sql, self.dialect)

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        await self._conn.close()
