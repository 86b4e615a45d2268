"""Copy all data from one database to another, on any pair of backends (`klantstem db copy`).

Tables are found in the migration files, in the order they are created there: a table's
foreign keys point to tables created before it, so copying in that order (and emptying in
the reverse order) never breaks a constraint. The source is read in one snapshot and the
target is written in one transaction: a failed copy leaves the target as it was.
Rows are copied in key order, so the target does not inherit the order in which the
source's rows were written (which could hint at when an anonymous answer came in).
"""

from __future__ import annotations

import re

from bot.storage.migrate import available
from bot.storage.sql import Storage

BATCH = 1000

_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
_DROP = re.compile(r"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
_RENAME = re.compile(r"ALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s+(\w+)", re.IGNORECASE)


class CopyRefused(RuntimeError):
    """The copy would overwrite data or copy a database onto itself."""


def data_tables() -> list[str]:
    """Every table the migrations leave, in creation order (referenced tables first)."""
    order: list[str] = []
    for migration in available():
        for statement in migration.statements():
            if created := _CREATE.match(statement):
                order.append(created.group(1).lower())
            elif dropped := _DROP.match(statement):
                order.remove(dropped.group(1).lower())
            elif renamed := _RENAME.match(statement):
                order[order.index(renamed.group(1).lower())] = renamed.group(2).lower()
    return order


async def copy_database(
    source: Storage, target: Storage, *, replace: bool = False
) -> dict[str, int]:
    """Copy every row of every table; returns rows copied per table.

    Both databases must be migrated to the same version (`open_storage` does that). A
    target that holds any data is refused unless `replace`, which empties it first.
    """
    if source.url == target.url:
        raise CopyRefused(f"source and target are the same database: {source.url}")
    tables = data_tables()
    counts: dict[str, int] = {}
    async with source.transaction(write=False) as src, target.transaction() as dst:
        filled = [t for t in tables if await dst.conn.fetchone(f"SELECT 1 FROM {t} LIMIT 1")]
        if filled and not replace:
            raise CopyRefused(
                f"the target {target.url} already holds data (tables: {', '.join(filled)});"
                " copy into an empty database, or replace its data with --replace"
            )
        for table in reversed(filled):
            await dst.conn.execute(f"DELETE FROM {table}")
        for table in tables:
            counts[table] = 0
            async for rows in src.conn.stream(f"SELECT * FROM {table} ORDER BY 1", batch=BATCH):
                columns = list(rows[0].keys())
                await dst.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' for _ in columns)})",
                    [tuple(row) for row in rows],
                )
                counts[table] += len(rows)
    return counts
