"""The small interface a database backend implements; all SQL lives in `bot.storage.sql`.

SQL is written once with `?` placeholders; a driver translates it to its own dialect.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = Any
"""A result row: indexable by column name and by position (sqlite3.Row, asyncpg.Record)."""


class Connection(Protocol):
    """One open transaction's statements."""

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


class Driver(Protocol):
    """A database: hands out transactions and knows its dialect's few differences."""

    url: str
    dialect: str

    def transaction(self, *, write: bool) -> AbstractAsyncContextManager[Connection]:
        """A transaction that commits on normal exit and rolls back on an exception."""
        ...

    def adapt_schema(self, sql: str) -> str:
        """Fill the dialect placeholders of a migration file."""
        ...

    async def close(self) -> None:
        """Release the database."""
        ...
