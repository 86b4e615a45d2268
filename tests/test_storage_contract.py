"""The storage contract: what every backend guarantees, run unchanged on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import (
    IntegrityError,
    SchemaTooNew,
    StaleSession,
    Storage,
    new_id,
    open_storage,
)
from bot.storage.migrate import available, migrate
from bot.storage.records import Contact, NewResponse, StaffMember, StoredAnswer, StoredSession
from flows import Session

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
CVS = ("satisfaction", "loyalty", "recommendation")


@pytest.fixture
async def store(backend_url: str) -> AsyncIterator[Storage]:
    """A migrated, empty database on each backend in turn."""
    storage = await open_storage(backend_url)
    try:
        yield storage
    finally:
        await storage.close()


def response(
    scores: tuple[int, ...],
    *,
    anonymous: bool = True,
    wave: str | None = None,
    contact_id: str | None = None,
    identity_id: str | None = None,
) -> NewResponse:
    return NewResponse(
        survey_id="cvs",
        survey_version=1,
        wave_id=wave,
        anonymous=anonymous,
        contact_id=contact_id,
        identity_id=identity_id,
        language="nl",
        attributes={"segment": "retail"},
        completed_at=NOW,
        answers=tuple(StoredAnswer(q, score=s) for q, s in zip(CVS, scores, strict=True)),
    )


def session(revision: int = 0, **answers: int) -> Session:
    return Session(
        "cvs", 1, "nl", NOW, NOW, path=("satisfaction",), answers=answers, revision=revision
    )


# -- updates and identities -----------------------------------------------------------


async def test_an_update_id_counts_once_per_channel_even_after_reopening(
    store: Storage, backend_url: str
) -> None:
    async with store.transaction() as tx:
        assert await tx.mark_update("telegram", "1001", NOW)
        assert not await tx.mark_update("telegram", "1001", NOW)
        assert await tx.mark_update("slack", "1001", NOW)
    await store.close()
    reopened = await open_storage(backend_url)
    try:
        async with reopened.transaction() as tx:
            assert not await tx.mark_update("telegram", "1001", NOW)
    finally:
        await reopened.close()


async def test_an_identity_is_created_once_and_linked_to_its_contact(store: Storage) -> None:
    async with store.transaction() as tx:
        first = await tx.ensure_identity("telegram", "42", NOW)
        again = await tx.ensure_identity("telegram", "42", NOW)
        await tx.upsert_contact(Contact("C1", "Anna Jansen"), NOW)
        (anna,) = await tx.contacts()
        assert anna.id is not None
        await tx.link_identity("telegram", "42", NOW, contact_id=anna.id)
        linked = await tx.identity("telegram", "42")
        owners = await tx.identity_owners("telegram")
    assert first.id == again.id
    assert linked is not None and linked.contact_id == anna.id
    assert owners == {"42": ("C1", None)}


async def test_a_platform_id_given_as_a_number_is_the_same_identity(store: Storage) -> None:
    # Telegram user ids are numbers; SQLite would store an int silently, PostgreSQL not.
    async with store.transaction() as tx:
        as_number = await tx.ensure_identity("telegram", 987654321, NOW)  # type: ignore[arg-type]
        as_text = await tx.identity("telegram", "987654321")
    assert as_text is not None and as_text.id == as_number.id


# -- sessions ---------------------------------------------------------------------------


async def test_a_session_round_trips_and_a_stale_save_loses(store: Storage) -> None:
    async with store.transaction() as tx:
        who = await tx.ensure_identity("telegram", "42", NOW)
        await tx.insert_session(StoredSession(who.id, "cvs", "chat-42", session()))
    async with store.transaction() as tx:
        await tx.update_session(who.id, session(1, satisfaction=8), expected=0)
    with pytest.raises(StaleSession):
        async with store.transaction() as tx:
            await tx.update_session(who.id, session(1, satisfaction=3), expected=0)
    async with store.transaction(write=False) as tx:
        stored = await tx.load_session(who.id)
    assert stored is not None
    assert (stored.address, stored.session.revision) == ("chat-42", 1)
    assert stored.session.answers == {"satisfaction": 8}
    assert stored.session.started_at == NOW


async def test_a_stale_delete_keeps_the_newer_session(store: Storage) -> None:
    async with store.transaction() as tx:
        who = await tx.ensure_identity("slack", "U1", NOW)
        await tx.insert_session(StoredSession(who.id, "cvs", "D1", session(3)))
    with pytest.raises(StaleSession):
        async with store.transaction() as tx:
            await tx.delete_session(who.id, expected=2)
    async with store.transaction() as tx:
        assert await tx.load_session(who.id) is not None
        await tx.delete_session(who.id, expected=3)
        assert await tx.load_session(who.id) is None


async def test_a_failed_transaction_leaves_nothing_behind(store: Storage) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.ensure_identity("telegram", "7", NOW)
            await tx.store_response(response((8, 9, 10)))
            raise RuntimeError("channel down")
    async with store.transaction(write=False) as tx:
        assert await tx.identity("telegram", "7") is None
        assert await tx.response_counts() == []


async def test_a_read_transaction_refuses_to_write(store: Storage) -> None:
    with pytest.raises(Exception, match=r"(?i)read.?only|readonly"):
        async with store.transaction(write=False) as tx:
            await tx.audit("cli", "oops", {}, NOW)
    async with store.transaction(write=False) as tx:
        assert await tx.conn.fetchall("SELECT id FROM audit_log") == []


# -- responses and figures --------------------------------------------------------------


async def test_anonymous_responses_keep_the_day_and_named_ones_the_moment(store: Storage) -> None:
    async with store.transaction() as tx:
        who = await tx.ensure_identity("telegram", "42", NOW)
        anonymous = await tx.store_response(response((8, 9, 10)))
        named = await tx.store_response(response((7, 7, 7), anonymous=False, identity_id=who.id))
        rows = await tx.conn.fetchall("SELECT id, completed_at, identity_id FROM responses")
    stored = {r[0]: (r[1], r[2]) for r in rows}
    assert stored[anonymous] == ("2026-03-14T00:00:00Z", None)
    assert stored[named] == ("2026-03-14T15:09:26Z", who.id)


async def test_the_database_refuses_an_anonymous_response_that_names_someone(
    store: Storage,
) -> None:
    with pytest.raises(ValueError, match="anonymous"):
        response((8, 9, 10), contact_id="c1")
    with pytest.raises(IntegrityError):
        async with store.transaction() as tx:
            who = await tx.ensure_identity("telegram", "42", NOW)
            await tx.conn.execute(
                "INSERT INTO responses (id, survey_id, survey_version, anonymous, identity_id,"
                " language, completed_at) VALUES (?, 'cvs', 1, 1, ?, 'nl', ?)",
                (new_id(), who.id, "2026-03-14T00:00:00Z"),
            )
    async with store.transaction(write=False) as tx:
        assert await tx.response_counts() == []


async def test_histograms_give_the_figures_per_survey_and_per_wave(store: Storage) -> None:
    async with store.transaction() as tx:
        for scores in [(8, 9, 10), (6, 6, 6), (10, 10, 10)]:
            await tx.store_response(response(scores, wave="2026-Q1"))
        await tx.store_response(response((0, 0, 3), wave="2026-Q2"))
        await tx.store_response(
            NewResponse(
                "cvs",
                1,
                "2026-Q2",
                True,
                None,
                None,
                "en",
                {},
                NOW,
                (StoredAnswer("satisfaction", 5),),
            )
        )
    async with store.transaction(write=False) as tx:
        counts = await tx.response_counts()
        q1 = await tx.score_histograms("cvs", "2026-Q1")
        everything = await tx.score_histograms("cvs")
        sums = await tx.sum_histogram("cvs", CVS, "2026-Q1")
        complete_only = await tx.sum_histogram("cvs", CVS, "2026-Q2")
        mean = await tx.conn.fetchone("SELECT AVG(score) FROM answers WHERE wave_id = '2026-Q1'")
    assert [(c.survey_id, c.named, c.anonymous) for c in counts] == [("cvs", 0, 5)]
    assert q1 == {
        "satisfaction": {8: 1, 6: 1, 10: 1},
        "loyalty": {9: 1, 6: 1, 10: 1},
        "recommendation": {10: 2, 6: 1},
    }
    assert everything["satisfaction"] == {8: 1, 6: 1, 10: 1, 0: 1, 5: 1}
    assert sums == {27: 1, 18: 1, 30: 1}
    assert complete_only == {3: 1}  # the respondent who skipped two questions has no CVS
    assert isinstance(mean[0], float) and mean[0] == pytest.approx(75 / 9)


# -- contacts, staff, audit -------------------------------------------------------------


async def test_importing_the_same_people_twice_changes_nothing(store: Storage) -> None:
    member = StaffMember("jdv", "Jan de Vries", "jan@ex.nl", "nl", True, telegram="111")
    contact = Contact(
        "C1", "Anna Jansen", None, "nl", "Europe/Amsterdam", "jdv", {"segment": "retail"}, "901"
    )
    async with store.transaction() as tx:
        first = (await tx.upsert_staff(member, NOW), await tx.upsert_contact(contact, NOW))
    later = NOW + timedelta(days=1)
    async with store.transaction() as tx:
        second = (await tx.upsert_staff(member, later), await tx.upsert_contact(contact, later))
        moved = await tx.upsert_contact(
            Contact("C1", "Anna Jansen", None, "nl", None, "jdv"), later
        )
        (stored,) = await tx.contacts()
        (staff,) = await tx.staff()
    assert first == ("added", "added")
    assert second == ("unchanged", "unchanged")
    assert moved == "updated"
    assert (stored.contact_person, stored.telegram, stored.attributes) == ("jdv", "901", {})
    assert (staff.is_admin, staff.telegram) == (True, "111")


async def test_the_audit_log_keeps_who_did_what_when(store: Storage) -> None:
    async with store.transaction() as tx:
        await tx.audit("telegram:111", "flag.closed", {"flag": "f1", "note": "called"}, NOW)
        await tx.audit("cli", "contacts.import", {"added": 2}, NOW + timedelta(minutes=1))
    async with store.transaction(write=False) as tx:
        rows = await tx.conn.fetchall("SELECT at, actor, action, detail FROM audit_log ORDER BY at")
    assert [tuple(r) for r in rows] == [
        ("2026-03-14T15:09:26Z", "telegram:111", "flag.closed", '{"flag":"f1","note":"called"}'),
        ("2026-03-14T15:10:26Z", "cli", "contacts.import", '{"added":2}'),
    ]


# -- claiming due rows ------------------------------------------------------------------


async def test_due_rows_can_be_claimed_with_the_dialect_clause(store: Storage) -> None:
    async with store.transaction() as tx:
        for i, due in enumerate(
            ["2026-03-14T09:00:00Z", "2026-03-14T10:00:00Z", "2026-03-15T09:00:00Z"]
        ):
            await tx.conn.execute(
                "INSERT INTO invitations (id, survey_id, status, due_at, created_at)"
                " VALUES (?, 'cvs', 'pending', ?, ?)",
                (f"inv{i}", due, due),
            )
    async with store.transaction() as tx:
        claimed = await tx.conn.fetchall(
            "SELECT id FROM invitations WHERE status = 'pending' AND due_at <= ?"
            " ORDER BY due_at LIMIT ?" + tx.conn.claim_clause,
            ("2026-03-14T15:09:26Z", 10),
        )
    assert [r[0] for r in claimed] == ["inv0", "inv1"]


# -- API idempotency keys -------------------------------------------------------------


async def test_an_idempotency_key_is_claimed_once_per_token_and_expires(store: Storage) -> None:
    day = timedelta(hours=24)
    async with store.transaction() as tx:
        for token in ("t1", "t2"):
            await tx.add_api_token(token, token, "write", f"hash-{token}", NOW)
        assert await tx.claim_idempotency_key("t1", "k", "h1", NOW, NOW - day)
        assert not await tx.claim_idempotency_key("t1", "k", "h2", NOW, NOW - day)
        assert await tx.claim_idempotency_key("t2", "k", "h2", NOW, NOW - day)
        first = await tx.idempotency_record("t1", "k")
        assert first is not None and (first.request_hash, first.status) == ("h1", None)
        await tx.finish_idempotency_key("t1", "k", 201, '{"wave": "w"}')
        done = await tx.idempotency_record("t1", "k")
        assert done is not None and (done.status, done.response) == (201, '{"wave": "w"}')
        assert await tx.idempotency_record("t1", "other") is None
    later = NOW + day + timedelta(seconds=1)
    async with store.transaction() as tx:
        assert await tx.idempotency_keys_before(later - day)
        assert await tx.claim_idempotency_key("t1", "k", "h3", later, later - day)
        assert not await tx.idempotency_keys_before(later - day)  # both old ones went
        renewed = await tx.idempotency_record("t1", "k")
        assert renewed is not None and renewed.request_hash == "h3"
        assert await tx.prune_idempotency_keys(later + day) == 1


# -- migrations -------------------------------------------------------------------------


async def test_migrations_are_idempotent_and_recorded(store: Storage) -> None:
    assert await migrate(store.driver) == []
    async with store.transaction(write=False) as tx:
        rows = await tx.conn.fetchall(
            "SELECT version, name FROM schema_migrations ORDER BY version"
        )
    assert [(r[0], r[1]) for r in rows] == [(m.version, m.name) for m in available()]


async def test_a_database_newer_than_the_code_refuses_to_open(
    store: Storage, backend_url: str
) -> None:
    newer = available()[-1].version + 1
    async with store.transaction() as tx:
        await tx.conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (newer, f"{newer:04d}_from_the_future.sql", "2030-01-01T00:00:00Z"),
        )
    await store.close()
    with pytest.raises(SchemaTooNew, match=f"schema version {newer}.*upgrade Klantstem"):
        await open_storage(backend_url)
