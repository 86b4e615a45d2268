"""Versioned SQL migrations, applied in order at start; a newer database is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from bot.storage.driver import Connection, Driver
from bot.timeutil import to_text, utc_now

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer Klantstem than this one."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The file's statements, without comments (the files contain no ';' in literals)."""
        lines = [ln for ln in self.sql.splitlines() if not ln.strip().startswith("--")]
        return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def available() -> list[Migration]:
    """The migrations shipped with this version, oldest first."""
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


async def current_version(driver: Driver) -> int:
    """The schema version the database is at (0 for a new database)."""
    async with driver.transaction(write=True) as tx:
        return max(await _locked_applied(driver, tx), default=0)


async def _locked_applied(driver: Driver, tx: Connection) -> set[int]:
    """Take the schema lock (instances starting together migrate one at a time) and read
    which migrations were applied under it."""
    if driver.schema_lock:
        await tx.execute(driver.schema_lock)
    await tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    return {int(row[0]) for row in await tx.fetchall("SELECT version FROM schema_migrations")}


async def migrate(driver: Driver, migrations: list[Migration] | None = None) -> list[str]:
    """Apply every pending migration (default: the shipped ones), each in its own
    transaction; returns their names."""
    migrations = available() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    version = await current_version(driver)
    if version > latest:
        raise SchemaTooNew(
            f"the database at {driver.url} has schema version {version}, but this Klantstem "
            f"knows versions up to {latest}: upgrade Klantstem before starting it on this database"
        )
    applied = []
    for migration in migrations:
        # By the set applied, not the highest number: a migration numbered below one already
        # applied (written on a branch that landed later) must still run.
        async with driver.transaction(write=True) as tx:
            if migration.version in await _locked_applied(driver, tx):
                continue  # applied before, or by another process meanwhile
            for statement in migration.statements():
                await tx.execute(driver.adapt_schema(statement))
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, to_text(utc_now())),
            )
        applied.append(migration.name)
    return applied
