"""PostgreSQL connections killed mid-run (`pg_terminate_backend`, as a server restart or a
failover does to them): the bot reconnects, runs the interrupted update again, and the
respondent's answers are stored once. Only this test's own connections are terminated;
the shared server keeps running. Skipped, saying why, when no PostgreSQL is available."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from bot.config.settings import Config
from bot.conversations.service import Completion, Inbound, Service
from bot.storage import Storage, Transaction, open_storage
from flows import Event, EventKind, ReplyKind, builtin_surveys
from tests.conftest import Clock

APP_NAME = "klantstem_connection_lost"
USER = "987654321"
DEADLINE_SECONDS = 10


@pytest.fixture
async def admin(postgres_url: str) -> AsyncIterator[object]:
    """A separate connection that plays the administrator terminating backends."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(postgres_url)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def bot_storage(postgres_url: str) -> AsyncIterator[Storage]:
    """The bot's storage, its connections named so that only they are terminated."""
    store = await open_storage(f"{postgres_url}&application_name={APP_NAME}")
    try:
        yield store
    finally:
        await store.close()


async def terminate(admin: object, pid: int | None = None) -> int:
    """Terminate the bot's backends (or one of them) and wait until they are gone."""
    which = "application_name = $1" + (" AND pid = $2" if pid else "")
    args = (APP_NAME, pid) if pid else (APP_NAME,)
    rows = await admin.fetch(f"SELECT pid FROM pg_stat_activity WHERE {which}", *args)  # type: ignore[attr-defined]
    victims = [r[0] for r in rows]
    for victim in victims:
        await admin.execute("SELECT pg_terminate_backend($1)", victim)  # type: ignore[attr-defined]
    gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = any($1::int[])"
    async with asyncio.timeout(DEADLINE_SECONDS):
        while True:  # poll: the server announces no backend's end
            if not await admin.fetchval(gone, victims):  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.01)
    return len(victims)


async def answer(service: Service, text: str, update: str) -> ReplyKind:
    handled = await service.handle(
        Inbound("telegram", USER, USER, Event(EventKind.TEXT, text), update_id=update)
    )
    return handled.replies[-1].kind


async def stored_scores(storage: Storage) -> list[tuple[str, int]]:
    async with storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall("SELECT question_id, score FROM answers ORDER BY question_id")
    return [(r[0], r[1]) for r in rows]


CVS = [("loyalty", 9), ("recommendation", 10), ("satisfaction", 8)]


async def test_connections_killed_between_answers_are_replaced(
    bot_storage: Storage, admin: object, config: Config, clock: Clock
) -> None:
    service = Service(bot_storage, builtin_surveys(), config, clock=clock)
    await service.begin("telegram", USER, USER, "cvs", language="en")
    assert await answer(service, "named", "u0") is ReplyKind.QUESTION
    assert await terminate(admin) >= 1
    assert await answer(service, "8", "u1") is ReplyKind.QUESTION
    assert await terminate(admin) >= 1
    assert await answer(service, "9", "u2") is ReplyKind.QUESTION
    assert await answer(service, "10", "u3") is ReplyKind.COMPLETED
    assert await stored_scores(bot_storage) == CVS


async def test_a_connection_killed_mid_transaction_reruns_the_update_and_stores_it_once(
    bot_storage: Storage,
    admin: object,
    config: Config,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    service = Service(bot_storage, builtin_surveys(), config, clock=clock)
    killed: list[int] = []

    async def lose_the_connection_once(tx: Transaction, completion: Completion) -> None:
        if killed:
            return
        row = await tx.conn.fetchone("SELECT pg_backend_pid()")
        assert row is not None
        killed.append(await terminate(admin, int(row[0])))
        await tx.conn.fetchone("SELECT 1")  # the next statement finds the connection gone

    service.completion_steps.append(lose_the_connection_once)
    await service.begin("telegram", USER, USER, "cvs", language="en")
    for update, text in enumerate(["named", "8", "9"]):
        await answer(service, text, f"u{update}")
    assert await answer(service, "10", "u3") is ReplyKind.COMPLETED

    assert killed == [1]
    assert await stored_scores(bot_storage) == CVS, "stored once, after the rerun"
    logged = [r.getMessage() for r in caplog.records]
    assert any("was lost mid-transaction" in m for m in logged)
    assert any("handling the update again (attempt 1)" in m for m in logged)
    async with bot_storage.transaction(write=False) as tx:
        assert await tx.conn.fetchall("SELECT 1 FROM sessions") == []
        assert len(await tx.conn.fetchall("SELECT 1 FROM responses")) == 1
