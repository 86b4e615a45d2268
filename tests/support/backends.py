"""Database backends for tests: a SQLite file per test, or PostgreSQL.

PostgreSQL is the server at `KLANTSTEM_TEST_POSTGRES_URL` (default: the local one,
trust auth). Each test run creates a fresh database (dropped when the run ends) and
each test gets its own empty schema in it, named in the URL (`?search_path=`), so a
URL handed to a `klantstem` subprocess reaches the same tables. Without a server the
PostgreSQL tests are skipped with the reason; `.ci/test` sets
`KLANTSTEM_TEST_POSTGRES_REQUIRED=1` once it has a server running, and then an
unreachable server fails the run instead.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ADMIN_URL = os.environ.get(
    "KLANTSTEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRED = os.environ.get("KLANTSTEM_TEST_POSTGRES_REQUIRED") == "1"
BACKENDS = ("sqlite", "postgresql")


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion in its own thread and loop (safe from sync fixtures)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _execute(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a PostgreSQL database made for this test run, dropped at its end."""
    name = f"klantstem_test_{secrets.token_hex(4)}"
    try:
        run_async(_execute(ADMIN_URL, f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no asyncpg, no server, or a server that refuses
        reason = f"no PostgreSQL for the tests at {ADMIN_URL}: {type(exc).__name__}: {exc}"
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    yield _with_database(ADMIN_URL, name)
    run_async(_execute(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """A PostgreSQL URL whose tables live in a new, empty schema of this test's own."""
    schema = f"test_{secrets.token_hex(6)}"
    run_async(_execute(postgres_database, f'CREATE SCHEMA "{schema}"'))
    return f"{postgres_database}?search_path={schema}"


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend in turn: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'klantstem.db'}"
    return str(request.getfixturevalue("postgres_url"))
