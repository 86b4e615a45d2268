"""Migrations are applied by the set already applied, not by the highest number."""

from __future__ import annotations

from pathlib import Path

from bot.storage.migrate import Migration, migrate
from bot.storage.sqlite import SqliteDriver


def table(version: int) -> Migration:
    return Migration(version, f"{version:04d}_t{version}.sql", f"CREATE TABLE t{version} (x TEXT);")


async def test_a_migration_numbered_below_an_applied_one_still_runs(tmp_path: Path) -> None:
    driver = await SqliteDriver.open("sqlite:///k.db", tmp_path / "k.db")
    try:
        assert await migrate(driver, [table(1), table(3)]) == ["0001_t1.sql", "0003_t3.sql"]
        # 0002 landed later (written on a branch): it must still be applied, once.
        assert await migrate(driver, [table(1), table(2), table(3)]) == ["0002_t2.sql"]
        assert await migrate(driver, [table(1), table(2), table(3)]) == []
        async with driver.transaction(write=False) as tx:
            rows = await tx.fetchall("SELECT name FROM sqlite_master WHERE name LIKE 't%'")
        assert {r[0] for r in rows} == {"t1", "t2", "t3"}
    finally:
        await driver.close()
