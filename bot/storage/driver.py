"""The small interface a database backend implements; all SQL lives in `bot.storage.sql`.

SQL is written once with `?` placeholders; a driver translates it to its own dialect.
Portable SQL here means: TEXT and INTEGER columns (0/1 for booleans, UTC ISO text for
times), `ON CONFLICT ... DO NOTHING` rather than `INSERT OR IGNORE`, no backend functions
such as `datetime()` or `now()`. An `IntegrityError` ends the transaction on PostgreSQL,
so let it propagate rather than carry on in the same transaction.

Claiming due rows (invitations, reminders, flag deadlines) when several instances share
one database: in a write transaction, select the due rows with `conn.claim_clause`
appended, mark them taken (e.g. set a status) and commit, then act on them:

    rows = await conn.fetchall(
        "SELECT id FROM invitations WHERE status = 'pending' AND due_at <= ?"
        " ORDER BY due_at LIMIT ?" + conn.claim_clause,
        (to_text(now), batch),
    )

On PostgreSQL the clause is ` FOR UPDATE SKIP LOCKED`: rows another instance is claiming
are skipped, not waited for, so each row goes to exactly one instance. On SQLite it is
empty: a write transaction already excludes every other writer. The clause applies to a
plain SELECT of one table (no GROUP BY, DISTINCT or aggregates); with a join, name the
table to lock by selecting from it alone in a subquery.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = Any
"""A result row: indexable by column name and by position (sqlite3.Row, asyncpg.Record)."""


class IntegrityError(Exception):
    """A constraint refused a statement (unique, foreign key, CHECK), on any backend."""


class DatabaseUnavailable(ConnectionError):
    """The database cannot be reached or opened; the message says where and why."""


class ConnectionLost(DatabaseUnavailable):
    """The connection died before the transaction committed: nothing of it was stored,
    so the caller may run the whole unit again on a new connection."""


SCHEMA_PLACEHOLDERS: dict[str, dict[str, str]] = {
    "without_rowid": {"sqlite": " WITHOUT ROWID", "postgresql": ""},
}
"""Dialect placeholders that migration files may use, as `{name}`, per dialect."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill_placeholders(sql: str, dialect: str) -> str:
    """Replace the `{name}` placeholders of a migration statement for one dialect."""

    def fill(match: re.Match[str]) -> str:
        options = SCHEMA_PLACEHOLDERS.get(match.group(1))
        if options is None:
            raise ValueError(f"unknown placeholder {match.group(0)} in migration SQL")
        return options[dialect]

    return _PLACEHOLDER.sub(fill, sql)


class Connection(Protocol):
    """One open transaction's statements."""

    claim_clause: str
    """Appended to a SELECT of due rows to claim them (see the module docstring)."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each parameter row."""
        ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query and return all rows."""
        ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run a query and return its first row, if any."""
        ...

    def stream(
        self, sql: str, params: Sequence[Any] = (), *, batch: int = 1000
    ) -> AsyncIterator[list[Row]]:
        """Run a query and yield its rows a batch at a time (for copying whole tables)."""
        ...


class Driver(Protocol):
    """A database: hands out transactions and knows its dialect's few differences."""

    url: str
    """Where the data lives; never contains a password."""
    dialect: str
    """`sqlite` or `postgresql`: the key into `SCHEMA_PLACEHOLDERS`."""
    schema_lock: str
    """A statement that keeps other processes from migrating until this transaction
    ends; empty where a write transaction already excludes every other writer."""

    def transaction(self, *, write: bool) -> AbstractAsyncContextManager[Connection]:
        """A transaction that commits on normal exit and rolls back on an exception."""
        ...

    def adapt_schema(self, sql: str) -> str:
        """Fill the dialect placeholders of a migration file."""
        ...

    async def scrub(self) -> bool:
        """Remove from the database files what deleted rows left behind (after a release
        of anonymous answers); False when it could not finish now."""
        ...

    async def close(self) -> None:
        """Release the database."""
        ...


def id_prefix_pattern(typed: str) -> str:
    """A LIKE pattern for ids starting with what a person typed: ids are lower-case hex, so
    the input is lower-cased (LIKE is case-sensitive on PostgreSQL, not on SQLite) and
    stripped of LIKE wildcards."""
    return typed.strip().lower().replace("%", "").replace("_", "") + "%"
