"""Storage: one SQL implementation (`sql.py`) over a driver per backend, plus migrations."""

from __future__ import annotations

from pathlib import Path

from bot.storage.driver import ConnectionLost, DatabaseUnavailable, Driver, IntegrityError
from bot.storage.migrate import SchemaTooNew, migrate
from bot.storage.sql import StaleSession, Storage, Transaction, new_id
from bot.storage.sqlite import SqliteDriver

DEFAULT_URL = "sqlite:///klantstem.db"

__all__ = [
    "DEFAULT_URL",
    "ConnectionLost",
    "DatabaseUnavailable",
    "IntegrityError",
    "SchemaTooNew",
    "StaleSession",
    "Storage",
    "Transaction",
    "UnsupportedDatabase",
    "new_id",
    "open_driver",
    "open_storage",
    "sqlite_path",
]


class UnsupportedDatabase(ValueError):
    """A database URL this installation cannot open."""


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///relative` or `sqlite:////absolute` URL or a bare path."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if "://" not in url:
        return Path(url)
    return None


async def open_driver(url: str) -> Driver:
    """Connect to the database at `url` (sqlite:///PATH or postgresql://...) as it is."""
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from bot.storage.postgres import PostgresDriver
        except ModuleNotFoundError as exc:
            if exc.name != "asyncpg":
                raise
            raise UnsupportedDatabase(
                "PostgreSQL needs the asyncpg driver: pip install 'klantstem[postgres]'"
            ) from None
        return await PostgresDriver.open(url)
    path = sqlite_path(url)
    if path is None:
        raise UnsupportedDatabase(
            f"cannot open database URL {url.split('://')[0]}://...: use sqlite:///PATH"
            " or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
        )
    return await SqliteDriver.open(f"sqlite:///{path}", path)


async def open_storage(url: str, *, apply_migrations: bool = True) -> Storage:
    """Open the database at `url` and bring its schema up to date."""
    driver = await open_driver(url)
    if apply_migrations:
        try:
            await migrate(driver)
        except BaseException:
            await driver.close()
            raise
    return Storage(driver)
