"""Storage: one SQL implementation (`sql.py`) over a driver per backend, plus migrations."""

from __future__ import annotations

from pathlib import Path

from bot.storage.migrate import SchemaTooNew, migrate
from bot.storage.sql import StaleSession, Storage, Transaction, new_id
from bot.storage.sqlite import SqliteDriver

DEFAULT_URL = "sqlite:///klantstem.db"

__all__ = [
    "DEFAULT_URL",
    "SchemaTooNew",
    "StaleSession",
    "Storage",
    "Transaction",
    "new_id",
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


async def open_storage(url: str, *, apply_migrations: bool = True) -> Storage:
    """Open the database at `url` and bring its schema up to date."""
    path = sqlite_path(url)
    if path is None:
        raise UnsupportedDatabase(
            f"cannot open database URL {url.split('://')[0]}://...: use sqlite:///PATH"
        )
    driver = await SqliteDriver.open(f"sqlite:///{path}", path)
    if apply_migrations:
        try:
            await migrate(driver)
        except BaseException:
            await driver.close()
            raise
    return Storage(driver)
