"""PostgreSQL backend (asyncpg): a connection pool; the SQL of `bot.storage.sql` runs unchanged.

What this driver translates, so that every query is written once:

- `?` placeholders become `$1, $2, ...` (not inside string literals, quoted names or
  comments);
- a parameter of another type than the server expects (an int for a TEXT column, which
  SQLite stores silently) is converted to that type; the statement's parameter types are
  learned once, on the first mismatch;
- numeric results (AVG, divisions) come back as `float`, as on SQLite;
- constraint violations raise the neutral `IntegrityError`.

Isolation: write transactions run READ COMMITTED, where a conditional UPDATE re-checks its
WHERE clause on the newest committed row, so of two saves with one expected session
revision exactly one changes a row. Read transactions run REPEATABLE READ READ ONLY: a
report sees one snapshot, and a write in a read transaction fails loudly.

Connection loss (the server restarted, an administrator ran `pg_terminate_backend`, the
network dropped): the pool replaces a dead connection, and starting a transaction is
retried a few times with a log line, since nothing has run yet. A connection that dies
inside a transaction raises `ConnectionLost`: nothing of the unit was committed, and the
caller that knows the unit can be re-run (`Service.handle`) runs it again. A connection
that dies while committing raises `DatabaseUnavailable`: the outcome is unknown, so it
is never retried blindly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

from bot.storage.driver import (
    ConnectionLost,
    DatabaseUnavailable,
    IntegrityError,
    Row,
    fill_placeholders,
)

log = logging.getLogger(__name__)

SCHEMES = ("postgresql://", "postgres://")
POOL_MIN = 1
POOL_MAX = 10
MIGRATION_LOCK_KEY = 0x6B6C616E  # "klan": any constant shared by every Klantstem process
BEGIN_ATTEMPTS = 5
"""Tries to get a live connection and start a transaction before giving up."""
_LOST = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.InternalClientError,  # the protocol met the server's goodbye mid-operation
)

_TEXT_TYPES = {"text", "varchar", "bpchar", "name"}
_INT_TYPES = {"int2", "int4", "int8"}
_FLOAT_TYPES = {"float4", "float8", "numeric"}


def public_url(url: str) -> str:
    """The URL with any password replaced by `***`, safe to print and log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@lru_cache(maxsize=2048)
def dollar_params(sql: str) -> str:
    """Rewrite `?` placeholders as `$1, $2, ...`, leaving literals and comments alone."""
    out: list[str] = []
    count = 0
    quote: str | None = None
    i = 0
    while i < len(sql):
        ch = sql[i]
        if quote:
            if ch == quote:
                quote = None  # a doubled quote ('it''s') reopens on the next character
        elif ch in "'\"":
            quote = ch
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = len(sql) if end < 0 else end
            out.append(sql[i:end])
            i = end
            continue
        elif ch == "?":
            count += 1
            out.append(f"${count}")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _rowcount(status: str) -> int:
    """Rows changed, from a command status such as 'UPDATE 1' or 'INSERT 0 3'."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _coerce(value: Any, type_name: str) -> Any:
    """Convert one parameter to the type the server expects, as SQLite would store it."""
    if value is None:
        return None
    if type_name in _TEXT_TYPES and isinstance(value, int | float):
        return str(int(value)) if isinstance(value, bool) else str(value)
    if type_name in _INT_TYPES and isinstance(value, str | float):
        return int(value)
    if type_name in _FLOAT_TYPES and isinstance(value, str):
        return float(value)
    return value


def _connection_lost(exc: BaseException, conn: asyncpg.Connection | None) -> bool:
    """Whether `exc` means the connection itself is gone (not the statement's fault)."""
    if isinstance(exc, _LOST):
        return True
    if not isinstance(exc, asyncpg.InterfaceError) or conn is None:
        return False
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        return True  # the pool took back a connection that closed under us


def _discard(conn: asyncpg.Connection) -> None:
    """Close a broken connection so the pool opens a new one instead of reusing it."""
    with contextlib.suppress(asyncpg.InterfaceError):  # already back in the pool, closed
        conn.terminate()


def _is_argument_error(exc: asyncpg.DataError) -> bool:
    # Raised client-side before the statement runs, so the transaction is still usable.
    return type(exc) is asyncpg.DataError and str(exc).startswith("invalid input for query")


class _PostgresConnection:
    claim_clause = " FOR UPDATE SKIP LOCKED"

    def __init__(self, conn: asyncpg.Connection, param_types: dict[str, tuple[str, ...]]) -> None:
        self._conn = conn
        self._param_types = param_types

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        status = await self._call(self._conn.execute, sql, [params])
        return _rowcount(status)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(r) for r in rows]
        if batch:
            await self._call(self._conn.executemany, sql, batch, many=True)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._call(self._conn.fetch, sql, [params]))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._call(self._conn.fetchrow, sql, [params])

    async def stream(
        self, sql: str, params: Sequence[Any] = (), *, batch: int = 1000
    ) -> AsyncIterator[list[Row]]:
        text = dollar_params(sql)
        args = self._adapt(text, params)
        cursor = await self._conn.cursor(text, *args)
        while rows := await cursor.fetch(batch):
            yield list(rows)

    async def _call(
        self,
        method: Callable[..., Any],
        sql: str,
        param_rows: Sequence[Sequence[Any]],
        *,
        many: bool = False,
    ) -> Any:
        text = dollar_params(sql)
        for attempt in (1, 2):
            rows = [self._adapt(text, p) for p in param_rows]
            try:
                return await (method(text, rows) if many else method(text, *rows[0]))
            except asyncpg.DataError as exc:
                if attempt == 2 or not _is_argument_error(exc):
                    raise
                statement = await self._conn.prepare(text)
                self._param_types[text] = tuple(t.name for t in statement.get_parameters())
            except asyncpg.IntegrityConstraintViolationError as exc:
                raise IntegrityError(str(exc)) from exc
        raise AssertionError("unreachable")

    def _adapt(self, text: str, params: Sequence[Any]) -> tuple[Any, ...]:
        types = self._param_types.get(text)
        if types is None:
            return tuple(params)
        return tuple(_coerce(v, t) for v, t in zip(params, types, strict=True))


async def _setup_connection(conn: asyncpg.Connection) -> None:
    # AVG() and divisions return numeric; SQLite returns a float, and so do we.
    await conn.set_type_codec(
        "numeric", encoder=str, decoder=float, schema="pg_catalog", format="text"
    )


class PostgresDriver:
    """A PostgreSQL database, reached through a pool of connections."""

    dialect = "postgresql"
    schema_lock = f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"

    def __init__(self, url: str, pool: asyncpg.Pool) -> None:
        self.url = public_url(url)
        self._pool = pool
        self._param_types: dict[str, tuple[str, ...]] = {}

    @classmethod
    async def open(cls, url: str) -> PostgresDriver:
        """Connect a pool to the database at `url` (postgresql://user:pass@host:port/db)."""
        dsn = "postgresql://" + url.split("://", 1)[1]
        try:
            pool = await asyncpg.create_pool(
                dsn, min_size=POOL_MIN, max_size=POOL_MAX, init=_setup_connection
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseUnavailable(
                f"cannot open the database at {public_url(url)}: {exc}"
            ) from None
        return cls(url, pool)

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[_PostgresConnection]:
        """READ COMMITTED for writes, REPEATABLE READ READ ONLY for reads.

        Raises `ConnectionLost` when the connection dies before the commit (see above).
        """
        conn, tx = await self._begin(write)
        try:
            try:
                yield _PostgresConnection(conn, self._param_types)
            except BaseException as exc:
                lost = _connection_lost(exc, conn)
                if not lost:
                    await tx.rollback()
                if lost:
                    _discard(conn)
                if lost and isinstance(exc, Exception):
                    log.warning("the connection to %s was lost mid-transaction: %s", self.url, exc)
                    raise ConnectionLost(
                        f"the connection to {self.url} was lost; nothing was committed"
                    ) from exc
                raise
            try:
                await tx.commit()
            except Exception as exc:
                if _connection_lost(exc, conn):
                    raise DatabaseUnavailable(
                        f"the connection to {self.url} was lost while committing: {exc}"
                    ) from exc
                raise
        finally:
            await self._pool.release(conn)

    async def _begin(self, write: bool) -> tuple[asyncpg.Connection, Any]:
        """A pooled connection with its transaction started, replacing dead connections."""
        for attempt in range(1, BEGIN_ATTEMPTS + 1):
            conn = None
            try:
                conn = await self._pool.acquire()
                tx = conn.transaction(
                    isolation="read_committed" if write else "repeatable_read",
                    readonly=not write,
                )
                await tx.start()
                return conn, tx
            except Exception as exc:
                lost = _connection_lost(exc, conn)
                if conn is not None:
                    if lost:
                        _discard(conn)
                    await self._pool.release(conn)
                if not lost:
                    raise
                if attempt == BEGIN_ATTEMPTS:
                    raise DatabaseUnavailable(
                        f"cannot reach the database at {self.url}: {exc}"
                    ) from exc
                log.warning(
                    "the connection to %s was lost (%s); reconnecting (attempt %d)",
                    self.url,
                    exc,
                    attempt,
                )
                await asyncio.sleep(0.1 * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    async def scrub(self) -> bool:
        """Rewrite the tables that held anonymous answers with their person (held answers,
        sessions), so no dead row version of before a release stays in their files.
        PostgreSQL's own WAL segments are not rewritten (see docs/reliability.md)."""
        async with self._pool.acquire() as conn:
            await conn.execute("VACUUM FULL held_responses, sessions")
            await conn.execute("VACUUM invitations, responses, answers")
        return True

    def adapt_schema(self, sql: str) -> str:
        """Fill the dialect placeholders of a migration statement."""
        return fill_placeholders(sql, self.dialect)

    async def close(self) -> None:
        """Close every connection of the pool."""
        await self._pool.close()
