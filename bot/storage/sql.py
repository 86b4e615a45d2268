"""The one implementation of every query, shared by all backends through `Driver`."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.storage.api_sql import ApiQueries
from bot.storage.driver import Connection, Driver, Row
from bot.storage.flags_sql import FlagsQueries
from bot.storage.identity_sql import IdentityQueries
from bot.storage.measurements_sql import HistoryQueries
from bot.storage.outbox_sql import OutboxQueries
from bot.storage.records import (
    Contact,
    Identity,
    NewResponse,
    StaffMember,
    StoredSession,
    SurveyCount,
)
from bot.storage.release_sql import ReleaseQueries, ResponseRows
from bot.storage.report_sql import ReportQueries
from bot.storage.slack_sql import SlackQueries
from bot.storage.telegram_sql import LinkQueries
from bot.storage.waves_sql import WavesQueries
from bot.timeutil import day_text, hour_text, to_text
from flows import Session

Change = Literal["added", "updated", "unchanged"]


class StaleSession(RuntimeError):
    """Another update saved this conversation first; the caller retries on fresh state."""


def new_id() -> str:
    """A random id: reveals neither order nor time."""
    return uuid.uuid4().hex


def compact_json(value: object) -> str:
    """JSON as stored: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class CoreQueries(ResponseRows):
    """Updates, identities, sessions, responses, contacts, staff and the audit log.

    Each area of the bot keeps its statements in a mixin of its own module
    (`bot/storage/*_sql.py`) over the same `conn`; `Transaction` combines them.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- updates and identities -------------------------------------------------------

    async def mark_update(self, channel: str, update_id: str, now: datetime) -> bool:
        """Record a platform update id; False when it was processed before.

        One statement, so two instances receiving the same redelivery cannot both win.
        The key names no user (channels derive it from the platform's own update ids) and
        its time is kept to the hour, enough for `forget_updates_before`.
        """
        inserted = await self.conn.execute(
            "INSERT INTO processed_updates (channel, update_id, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (channel, update_id) DO NOTHING",
            (channel, update_id, hour_text(now)),
        )
        return inserted == 1

    async def forget_updates_before(self, cutoff: datetime) -> int:
        """Delete the update ids recorded in hours that ended by `cutoff`; how many."""
        return await self.conn.execute(
            "DELETE FROM processed_updates WHERE seen_at <= ?",
            (hour_text(cutoff - timedelta(hours=1)),),
        )

    async def identity(self, channel: str, external_id: str) -> Identity | None:
        """The identity of a platform user, if known."""
        row = await self.conn.fetchone(
            "SELECT id, channel, external_id, contact_id, staff_id, language, unreachable_at"
            " FROM identities WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        return Identity(*row) if row else None

    async def ensure_identity(self, channel: str, external_id: str, now: datetime) -> Identity:
        """The identity of a platform user, created unlinked on first sight."""
        found = await self.identity(channel, external_id)
        if found:
            return found
        # Another instance may create the same identity concurrently: keep whichever wins.
        await self.conn.execute(
            "INSERT INTO identities (id, channel, external_id, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (channel, external_id) DO NOTHING",
            (new_id(), channel, external_id, to_text(now)),
        )
        created = await self.identity(channel, external_id)
        assert created is not None
        return created

    async def link_identity(
        self,
        channel: str,
        external_id: str,
        now: datetime,
        *,
        contact_id: str | None = None,
        staff_id: str | None = None,
    ) -> None:
        """Tie a platform user to a contact or a staff member."""
        await self.ensure_identity(channel, external_id, now)
        column = "contact_id" if contact_id else "staff_id"
        await self.conn.execute(
            f"UPDATE identities SET {column} = ? WHERE channel = ? AND external_id = ?",
            (contact_id or staff_id, channel, external_id),
        )

    async def identity_owners(self, channel: str) -> dict[str, tuple[str | None, str | None]]:
        """external id -> (contact ref, staff ref) for every linked identity of a channel."""
        rows = await self.conn.fetchall(
            "SELECT i.external_id, c.ref, s.ref FROM identities i"
            " LEFT JOIN contacts c ON c.id = i.contact_id"
            " LEFT JOIN staff s ON s.id = i.staff_id"
            " WHERE i.channel = ? AND (i.contact_id IS NOT NULL OR i.staff_id IS NOT NULL)",
            (channel,),
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    # -- sessions ---------------------------------------------------------------------

    async def load_session(self, identity_id: str) -> StoredSession | None:
        """The open conversation of an identity, if any."""
        row = await self.conn.fetchone(
            "SELECT identity_id, survey_id, address, data, wave_id, invitation_id"
            " FROM sessions WHERE identity_id = ?",
            (identity_id,),
        )
        if row is None:
            return None
        return StoredSession(row[0], row[1], row[2], Session.from_json(row[3]), row[4], row[5])

    async def insert_session(self, stored: StoredSession) -> None:
        """Open a conversation; replaces nothing (delete the old one first)."""
        s = stored.session
        await self.conn.execute(
            "INSERT INTO sessions (identity_id, survey_id, wave_id, invitation_id, address,"
            " data, revision, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stored.identity_id,
                stored.survey_id,
                stored.wave_id,
                stored.invitation_id,
                stored.address,
                s.to_json(),
                s.revision,
                to_text(s.updated_at),
            ),
        )

    async def update_session(self, identity_id: str, session: Session, expected: int) -> None:
        """Save a conversation if nobody saved it since revision `expected`."""
        changed = await self.conn.execute(
            "UPDATE sessions SET data = ?, revision = ?, updated_at = ?"
            " WHERE identity_id = ? AND revision = ?",
            (
                session.to_json(),
                session.revision,
                to_text(session.updated_at),
                identity_id,
                expected,
            ),
        )
        if changed != 1:
            raise StaleSession(identity_id)

    async def delete_session(self, identity_id: str, expected: int | None = None) -> None:
        """End a conversation; with `expected`, only if nobody saved it since."""
        if expected is None:
            await self.conn.execute("DELETE FROM sessions WHERE identity_id = ?", (identity_id,))
            return
        changed = await self.conn.execute(
            "DELETE FROM sessions WHERE identity_id = ? AND revision = ?", (identity_id, expected)
        )
        if changed != 1:
            raise StaleSession(identity_id)

    # -- responses --------------------------------------------------------------------

    async def store_response(self, response: NewResponse) -> str:
        """Store a completed questionnaire; anonymous ones keep only the day."""
        rid = new_id()
        completed = (
            day_text(response.completed_at)
            if response.anonymous
            else to_text(response.completed_at)
        )
        await self.insert_response_rows(
            [
                (
                    rid,
                    response.survey_id,
                    response.survey_version,
                    response.wave_id,
                    int(response.anonymous),
                    response.contact_id,
                    response.identity_id,
                    response.language,
                    compact_json(dict(response.attributes)),
                    completed,
                )
            ],
            [
                (
                    rid,
                    a.question_id,
                    response.survey_id,
                    response.wave_id,
                    a.score,
                    a.choice,
                    a.text,
                )
                for a in response.answers
            ],
        )
        return rid

    async def response_counts(self) -> list[SurveyCount]:
        """Responses per survey, named and anonymous."""
        rows = await self.conn.fetchall(
            "SELECT survey_id, SUM(1 - anonymous), SUM(anonymous) FROM responses"
            " GROUP BY survey_id ORDER BY survey_id"
        )
        return [SurveyCount(r[0], int(r[1]), int(r[2])) for r in rows]

    async def score_histograms(
        self, survey_id: str, wave_id: str | None = None
    ) -> dict[str, dict[int, int]]:
        """question id -> {score: count} for a survey (all responses, or one wave)."""
        where, params = self._scope(survey_id, wave_id)
        rows = await self.conn.fetchall(
            f"SELECT question_id, score, COUNT(*) FROM answers WHERE {where}"
            " AND score IS NOT NULL GROUP BY question_id, score",
            params,
        )
        out: dict[str, dict[int, int]] = {}
        for question_id, score, count in rows:
            out.setdefault(question_id, {})[int(score)] = int(count)
        return out

    async def sum_histogram(
        self, survey_id: str, question_ids: Iterable[str], wave_id: str | None = None
    ) -> dict[int, int]:
        """{sum of the given questions' scores per respondent: count}, for respondents
        who answered all of them (the CVS per respondent is that sum / 3)."""
        ids = list(question_ids)
        where, params = self._scope(survey_id, wave_id)
        marks = ", ".join("?" for _ in ids)
        rows = await self.conn.fetchall(
            f"SELECT total, COUNT(*) FROM (SELECT response_id, SUM(score) AS total"
            f" FROM answers WHERE {where} AND question_id IN ({marks}) AND score IS NOT NULL"
            f" GROUP BY response_id HAVING COUNT(*) = ?) per_respondent GROUP BY total",
            (*params, *ids, len(ids)),
        )
        return {int(total): int(count) for total, count in rows}

    @staticmethod
    def _scope(survey_id: str, wave_id: str | None) -> tuple[str, tuple[Any, ...]]:
        if wave_id is None:
            return "survey_id = ?", (survey_id,)
        return "survey_id = ? AND wave_id = ?", (survey_id, wave_id)

    # -- contacts and staff -----------------------------------------------------------

    async def contacts(self, *, where: str = "", params: tuple[Any, ...] = ()) -> list[Contact]:
        """Contacts by ref (all, or those matching a `where` condition on `c`), with their
        platform ids and contact person's ref."""
        rows = await self.conn.fetchall(
            "SELECT c.id, c.ref, c.name, c.email, c.language, c.timezone, s.ref, c.attributes,"
            " (SELECT external_id FROM identities WHERE contact_id = c.id"
            "  AND channel = 'telegram' LIMIT 1),"
            " (SELECT external_id FROM identities WHERE contact_id = c.id"
            "  AND channel = 'slack' LIMIT 1)"
            " FROM contacts c LEFT JOIN staff s ON s.id = c.contact_person_id"
            f" {'WHERE ' + where if where else ''} ORDER BY c.ref",
            params,
        )
        return [
            Contact(
                id=r[0],
                ref=r[1],
                name=r[2],
                email=r[3],
                language=r[4],
                timezone=r[5],
                contact_person=r[6],
                attributes=json.loads(r[7]),
                telegram=r[8],
                slack=r[9],
            )
            for r in rows
        ]

    async def contact_by_id(self, contact_id: str) -> Contact | None:
        """One contact, if it exists."""
        found = await self.contacts(where="c.id = ?", params=(contact_id,))
        return found[0] if found else None

    async def staff(self) -> list[StaffMember]:
        """Every staff member, by ref, with their platform ids."""
        rows = await self.conn.fetchall(
            "SELECT s.id, s.ref, s.name, s.email, s.language, s.is_admin,"
            " (SELECT external_id FROM identities WHERE staff_id = s.id"
            "  AND channel = 'telegram' LIMIT 1),"
            " (SELECT external_id FROM identities WHERE staff_id = s.id"
            "  AND channel = 'slack' LIMIT 1)"
            " FROM staff s ORDER BY s.ref"
        )
        return [
            StaffMember(
                id=r[0],
                ref=r[1],
                name=r[2],
                email=r[3],
                language=r[4],
                is_admin=bool(r[5]),
                telegram=r[6],
                slack=r[7],
            )
            for r in rows
        ]

    async def upsert_contact(self, contact: Contact, now: datetime) -> Change:
        """Add or update a contact by ref; unchanged rows are not touched."""
        person_id = None
        if contact.contact_person:
            row = await self.conn.fetchone(
                "SELECT id FROM staff WHERE ref = ?", (contact.contact_person,)
            )
            person_id = row[0] if row else None
        values = (
            contact.name,
            contact.email,
            contact.language,
            contact.timezone,
            person_id,
            compact_json(dict(contact.attributes)),
        )
        existing = await self.conn.fetchone(
            "SELECT id, name, email, language, timezone, contact_person_id, attributes"
            " FROM contacts WHERE ref = ?",
            (contact.ref,),
        )
        change = await self._upsert(
            "contacts",
            existing,
            values,
            ("name", "email", "language", "timezone", "contact_person_id", "attributes"),
            contact.ref,
            now,
        )
        contact_id = existing[0] if existing else await self._id_of("contacts", contact.ref)
        linked = await self._link_all(contact.telegram, contact.slack, now, contact_id=contact_id)
        return "updated" if linked and change == "unchanged" else change

    async def upsert_staff(self, member: StaffMember, now: datetime) -> Change:
        """Add or update a staff member by ref; unchanged rows are not touched."""
        values = (member.name, member.email, member.language, int(member.is_admin))
        existing = await self.conn.fetchone(
            "SELECT id, name, email, language, is_admin FROM staff WHERE ref = ?", (member.ref,)
        )
        change = await self._upsert(
            "staff", existing, values, ("name", "email", "language", "is_admin"), member.ref, now
        )
        staff_id = existing[0] if existing else await self._id_of("staff", member.ref)
        linked = await self._link_all(member.telegram, member.slack, now, staff_id=staff_id)
        return "updated" if linked and change == "unchanged" else change

    async def _upsert(
        self,
        table: str,
        existing: Row | None,
        values: tuple[Any, ...],
        columns: tuple[str, ...],
        ref: str,
        now: datetime,
    ) -> Change:
        stamp = to_text(now)
        if existing is None:
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            await self.conn.execute(
                f"INSERT INTO {table} (id, ref, {names}, created_at, updated_at)"
                f" VALUES (?, ?, {marks}, ?, ?)",
                (new_id(), ref, *values, stamp, stamp),
            )
            return "added"
        if tuple(existing[1:]) == values:
            return "unchanged"
        sets = ", ".join(f"{c} = ?" for c in columns)
        await self.conn.execute(
            f"UPDATE {table} SET {sets}, updated_at = ? WHERE id = ?", (*values, stamp, existing[0])
        )
        return "updated"

    async def _id_of(self, table: str, ref: str) -> str:
        row = await self.conn.fetchone(f"SELECT id FROM {table} WHERE ref = ?", (ref,))
        assert row is not None
        return str(row[0])

    async def _link_all(
        self, telegram: str | None, slack: str | None, now: datetime, **owner: str
    ) -> bool:
        """Link the given platform ids to the owner; True when a link was new."""
        column = "contact_id" if "contact_id" in owner else "staff_id"
        new = False
        for channel, external_id in (("telegram", telegram), ("slack", slack)):
            if not external_id:
                continue
            before = await self.identity(channel, external_id)
            if before is None or getattr(before, column) != owner[column]:
                await self.link_identity(channel, external_id, now, **owner)
                new = True
        return new

    # -- audit ------------------------------------------------------------------------

    async def audit(self, actor: str, action: str, detail: dict[str, Any], now: datetime) -> None:
        """Append to the audit log (who did what, when)."""
        await self.conn.execute(
            "INSERT INTO audit_log (id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (new_id(), to_text(now), actor, action, compact_json(detail)),
        )


class Transaction(
    CoreQueries,
    SlackQueries,
    IdentityQueries,
    LinkQueries,
    ApiQueries,
    ReportQueries,
    OutboxQueries,
    WavesQueries,
    FlagsQueries,
    HistoryQueries,
    ReleaseQueries,
):
    """Every statement the bot runs, inside one transaction."""


class Storage:
    """A database holding everything the bot knows; use `transaction()` for any access."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self._scrub_owed = False

    @property
    def url(self) -> str:
        """Where the data lives (never contains a password)."""
        return self.driver.url

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[Transaction]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        async with self.driver.transaction(write=write) as conn:
            yield Transaction(conn)

    async def scrub(self) -> bool:
        """Clean the files after a release of anonymous answers (`bot/conversations/release.py`);
        when it cannot finish now, `scrub_if_owed` (run by every sweep) tries again."""
        self._scrub_owed = not await self.driver.scrub()
        return not self._scrub_owed

    async def scrub_if_owed(self) -> None:
        """Finish a scrub that could not finish after the last release."""
        if self._scrub_owed:
            await self.scrub()

    async def close(self) -> None:
        """Release the database."""
        await self.driver.close()
