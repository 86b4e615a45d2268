"""Several instances on one PostgreSQL database: every race has exactly one winner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.storage import StaleSession, Storage, open_storage
from bot.storage.migrate import available
from bot.storage.records import StoredSession
from flows import Session

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
CONTENDERS = 8


@pytest.fixture
async def store(postgres_url: str) -> AsyncIterator[Storage]:
    """A migrated PostgreSQL database."""
    storage = await open_storage(postgres_url)
    try:
        yield storage
    finally:
        await storage.close()


def answered(score: int) -> Session:
    return Session("cvs", 1, "nl", NOW, NOW, path=("loyalty",), answers={"satisfaction": score})


async def test_of_concurrent_saves_of_one_revision_exactly_one_wins(store: Storage) -> None:
    async with store.transaction() as tx:
        who = await tx.ensure_identity("telegram", "42", NOW)
        opened = Session("cvs", 1, "nl", NOW, NOW, path=("satisfaction",))
        await tx.insert_session(StoredSession(who.id, "cvs", "42", opened))
    all_have_read = asyncio.Barrier(CONTENDERS)

    async def save(score: int) -> int:
        async with store.transaction() as tx:
            stored = await tx.load_session(who.id)
            assert stored is not None
            await all_have_read.wait()  # every transaction saw revision 0 before anyone saves
            await tx.update_session(who.id, answered(score).advanced(NOW), stored.session.revision)
        return score

    results = await asyncio.gather(*(save(s) for s in range(CONTENDERS)), return_exceptions=True)
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1
    assert all(isinstance(r, StaleSession) for r in results if not isinstance(r, int))
    async with store.transaction(write=False) as tx:
        final = await tx.load_session(who.id)
    assert final is not None and final.session.answers == {"satisfaction": winners[0]}


async def test_a_redelivered_update_seen_by_two_instances_is_processed_once(
    postgres_url: str, store: Storage
) -> None:
    other = await open_storage(postgres_url)
    both_inside = asyncio.Barrier(2)

    async def mark(instance: Storage) -> bool:
        async with instance.transaction() as tx:
            await both_inside.wait()
            return await tx.mark_update("slack", "Ev0123", NOW)

    try:
        results = await asyncio.gather(mark(store), mark(other))
    finally:
        await other.close()
    assert sorted(results) == [False, True]


async def test_two_instances_claiming_due_rows_never_take_the_same_row(store: Storage) -> None:
    async with store.transaction() as tx:
        for i in range(4):
            await tx.conn.execute(
                "INSERT INTO invitations (id, survey_id, status, due_at, created_at)"
                " VALUES (?, 'cvs', 'pending', ?, ?)",
                (f"inv{i}", f"2026-03-14T0{i}:00:00Z", "2026-03-13T00:00:00Z"),
            )
    claim = (
        "SELECT id FROM invitations WHERE status = 'pending' AND due_at <= ?"
        " ORDER BY due_at LIMIT 2"
    )
    async with store.transaction() as first:
        mine = await first.conn.fetchall(claim + first.conn.claim_clause, ("2026-03-15",))
        async with store.transaction() as second:
            # a regression to a blocking claim fails here instead of hanging the suite
            await second.conn.execute("SET LOCAL lock_timeout = '10s'")
            theirs = await second.conn.fetchall(claim + second.conn.claim_clause, ("2026-03-15",))
    assert [r[0] for r in mine] == ["inv0", "inv1"]
    assert [r[0] for r in theirs] == ["inv2", "inv3"]


async def test_instances_starting_together_apply_each_migration_once(postgres_url: str) -> None:
    stores = await asyncio.gather(*(open_storage(postgres_url) for _ in range(3)))
    try:
        async with stores[0].transaction(write=False) as tx:
            rows = await tx.conn.fetchall("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        for s in stores:
            await s.close()
    assert [r[0] for r in rows] == [m.version for m in available()]


async def test_the_url_shown_never_contains_the_password(postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    # trust auth accepts any password, so the real server proves the URL is scrubbed
    netloc = f"{parts.username}:s3cret@{parts.hostname}:{parts.port}"
    storage = await open_storage(urlunsplit(parts._replace(netloc=netloc)))
    try:
        assert "s3cret" not in storage.url
        assert storage.url.startswith(f"postgresql://{parts.username}:***@{parts.hostname}")
    finally:
        await storage.close()


async def test_instances_releasing_anonymous_answers_at_once_release_each_once(
    postgres_url: str, store: Storage
) -> None:
    """Twelve anonymous answers completing on two instances at the same moment: every
    answer is released at most once, in batches of at least k, and none is lost."""
    from bot.config.settings import Config
    from bot.conversations.release import release_due
    from bot.conversations.service import Inbound, Service
    from flows import Event, EventKind, builtin_surveys

    other = await open_storage(postgres_url)
    try:
        config = Config.from_env({"KLANTSTEM_DATABASE_URL": postgres_url})
        services = [
            Service(s, builtin_surveys(), config, clock=lambda: NOW) for s in (store, other)
        ]
        users = [f"guest{n}" for n in range(12)]
        for n, user in enumerate(users):
            service = services[n % 2]
            await service.begin("telegram", user, user, "cvs", language="en")
            for i, text in enumerate(["anonymous", "8", "9"]):
                await service.handle(
                    Inbound("telegram", user, user, Event(EventKind.TEXT, text), f"{user}{i}")
                )
        last = asyncio.Barrier(len(users))

        async def finish(n: int, user: str) -> None:
            await last.wait()
            event = Event(EventKind.TEXT, "10")
            await services[n % 2].handle(Inbound("telegram", user, user, event, f"{user}-last"))

        await asyncio.gather(*(finish(n, u) for n, u in enumerate(users)))
        # Each may have seen fewer than k (the others' rows uncommitted or taken): what is
        # left, the next sweep releases.
        async with store.transaction() as tx:
            await release_due(tx, config.min_group_size, NOW)
        async with store.transaction(write=False) as tx:
            released = await tx.conn.fetchall("SELECT completed_at FROM responses")
            answers = await tx.conn.fetchall("SELECT COUNT(*) FROM answers")
            held = await tx.held_count("cvs")
        assert len(released) + held == len(users)
        assert answers[0][0] == 3 * len(released)
        assert len(released) >= 5 and held < 5
    finally:
        await other.close()
