"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config.settings import Config
from bot.storage import Storage, open_storage

pytest_plugins = (
    "tests.support.backends",
)  # backend_url, postgres_url: see tests/support/backends.py
TEST_BACKEND = os.environ.get("KLANTSTEM_TEST_BACKEND", "sqlite")


class Clock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by a `timedelta(**delta)`."""
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """A fixed, steerable clock."""
    yield Clock()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite database file in the test's own directory (PostgreSQL when
    KLANTSTEM_TEST_BACKEND=postgresql: a portability check of every area's SQL)."""
    if TEST_BACKEND == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'klantstem.db'}"


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    """A migrated SQLite storage, closed after the test."""
    store = await open_storage(db_url)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def config(db_url: str) -> Config:
    """Default configuration on the test's database."""
    return Config.from_env({"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_DATABASE_URL": db_url})
