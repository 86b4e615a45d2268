"""Statements of waves and invitations: who was asked, when, and how far they got.

An invitation's status is pending, sent, unreachable, held or done; "started" is read from
the open conversation (a session past its first step), so nothing but the service writes
during a conversation. An anonymous answer turns its invitation "held" until the release
of its batch (bot/conversations/release.py) turns it "done", never with a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from bot.storage.driver import Connection, Row, id_prefix_pattern
from bot.storage.records import Identity, StoredSession
from bot.timeutil import from_text, to_text
from flows import Session

_WAVE_COLUMNS = (
    "id, survey_id, survey_version, label, population, opened_at, closes_at, closed_at, created_by"
)
_INVITATION_COLUMNS = (
    "id, wave_id, survey_id, contact_id, staff_id, touchpoint, status, due_at, sent_at,"
    " reminded_at, created_at"
)


class InvitationStatus(StrEnum):
    """Where an invitation is; the values are what the `invitations.status` column holds."""

    PENDING = "pending"
    SENT = "sent"
    UNREACHABLE = "unreachable"
    HELD = "held"
    DONE = "done"
    STARTED = "started"
    """Never stored: shown for a sent invitation whose conversation is under way."""


@dataclass(frozen=True)
class Wave:
    """One round of a survey sent to a population."""

    id: str
    survey_id: str
    survey_version: int
    label: str
    population: dict[str, object]
    opened_at: datetime
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    created_by: str | None = None

    def is_open(self, now: datetime) -> bool:
        """Not closed by hand and not past its closing time."""
        return self.closed_at is None and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True)
class Invitation:
    """One person asked to answer one survey, by a wave or after an interaction."""

    id: str
    survey_id: str
    due_at: datetime
    created_at: datetime
    wave_id: str | None = None
    contact_id: str | None = None
    staff_id: str | None = None
    touchpoint: str | None = None
    status: InvitationStatus = InvitationStatus.PENDING
    sent_at: datetime | None = None
    reminded_at: datetime | None = None


@dataclass(frozen=True)
class WaveProgress:
    """How far a wave has got, without anything about what anyone answered."""

    invited: int
    pending: int
    delivered: int
    unreachable: int
    started: int
    completed: int
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        """Completed over delivered (None before anything was delivered)."""
        return self.completed / self.delivered if self.delivered else None


class InvitedPerson(NamedTuple):
    """Someone a wave invited, and how far they got (nothing about what they answered)."""

    ref: str
    name: str
    status: InvitationStatus


@dataclass(frozen=True)
class InvitationSession:
    """The open conversation an invitation started, and where it runs."""

    stored: StoredSession
    channel: str
    external_id: str


def _shown_status(status: InvitationStatus, revision: int) -> InvitationStatus:
    """An invitation's status as admins see it: "started" for a conversation under way,
    "done" also for an anonymous answer waiting for release."""
    if status is InvitationStatus.SENT and revision > 0:
        return InvitationStatus.STARTED
    return InvitationStatus.DONE if status is InvitationStatus.HELD else status


def _time(value: object) -> datetime | None:
    return from_text(str(value)) if value else None


def _wave(r: Row) -> Wave:
    return Wave(
        id=r[0],
        survey_id=r[1],
        survey_version=int(r[2]),
        label=r[3],
        population=json.loads(r[4]),
        opened_at=from_text(r[5]),
        closes_at=_time(r[6]),
        closed_at=_time(r[7]),
        created_by=r[8],
    )


def _invitation(r: Row) -> Invitation:
    return Invitation(
        id=r[0],
        wave_id=r[1],
        survey_id=r[2],
        contact_id=r[3],
        staff_id=r[4],
        touchpoint=r[5],
        status=InvitationStatus(r[6]),
        due_at=from_text(r[7]),
        sent_at=_time(r[8]),
        reminded_at=_time(r[9]),
        created_at=from_text(r[10]),
    )


class WavesQueries:
    """Waves, invitations and the identities they go to."""

    conn: Connection

    # -- waves ------------------------------------------------------------------------

    async def insert_wave(self, wave: Wave, schedule_key: str | None = None) -> bool:
        """Store a new wave; False when a wave with this schedule key exists already."""
        changed = await self.conn.execute(
            f"INSERT INTO waves ({_WAVE_COLUMNS}, schedule_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (schedule_key) DO NOTHING",
            (
                wave.id,
                wave.survey_id,
                wave.survey_version,
                wave.label,
                json.dumps(wave.population, sort_keys=True),
                to_text(wave.opened_at),
                to_text(wave.closes_at) if wave.closes_at else None,
                None,
                wave.created_by,
                schedule_key,
            ),
        )
        return changed == 1

    async def wave(self, wave_id: str) -> Wave | None:
        """One wave by its full id."""
        row = await self.conn.fetchone(
            f"SELECT {_WAVE_COLUMNS} FROM waves WHERE id = ?", (wave_id,)
        )
        return _wave(row) if row else None

    async def waves_starting_with(self, prefix: str) -> list[Wave]:
        """Waves whose id starts with `prefix` (people type the first few characters)."""
        rows = await self.conn.fetchall(
            f"SELECT {_WAVE_COLUMNS} FROM waves WHERE id LIKE ? ORDER BY opened_at DESC",
            (id_prefix_pattern(prefix),),
        )
        return [_wave(r) for r in rows]

    async def recent_waves(self, limit: int = 20) -> list[Wave]:
        """The latest waves, newest first."""
        rows = await self.conn.fetchall(
            f"SELECT {_WAVE_COLUMNS} FROM waves ORDER BY opened_at DESC, id LIMIT ?", (limit,)
        )
        return [_wave(r) for r in rows]

    async def waves_opened_since(self, survey_id: str, since: datetime) -> list[Wave]:
        """The waves of a survey opened at or after `since`, newest first."""
        rows = await self.conn.fetchall(
            f"SELECT {_WAVE_COLUMNS} FROM waves WHERE survey_id = ? AND opened_at >= ?"
            " ORDER BY opened_at DESC, id",
            (survey_id, to_text(since)),
        )
        return [_wave(r) for r in rows]

    async def latest_closed_wave(self, survey_id: str) -> Wave | None:
        """The most recently closed wave of a survey."""
        row = await self.conn.fetchone(
            f"SELECT {_WAVE_COLUMNS} FROM waves WHERE survey_id = ? AND closed_at IS NOT NULL"
            " ORDER BY closed_at DESC, id LIMIT 1",
            (survey_id,),
        )
        return _wave(row) if row else None

    async def close_wave(self, wave_id: str, now: datetime) -> bool:
        """Close a wave; False when it was closed already."""
        changed = await self.conn.execute(
            "UPDATE waves SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
            (to_text(now), wave_id),
        )
        return changed == 1

    async def cancel_wave_jobs(self, wave_id: str, now: datetime) -> None:
        """End the unsent invitations and reminders of a wave (it closed)."""
        await self.conn.execute(
            "UPDATE outbox SET finished_at = ?, outcome = 'skipped: wave closed',"
            " claimed_until = NULL WHERE finished_at IS NULL AND kind IN ('invite', 'remind')"
            " AND subject IN (SELECT id FROM invitations WHERE wave_id = ?)",
            (to_text(now), wave_id),
        )

    # -- invitations ------------------------------------------------------------------

    async def insert_invitations(self, invitations: Iterable[Invitation]) -> None:
        """Store new invitations."""
        await self.conn.executemany(
            f"INSERT INTO invitations ({_INVITATION_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i.id,
                    i.wave_id,
                    i.survey_id,
                    i.contact_id,
                    i.staff_id,
                    i.touchpoint,
                    i.status,
                    to_text(i.due_at),
                    None,
                    None,
                    to_text(i.created_at),
                )
                for i in invitations
            ],
        )

    async def invitation(self, invitation_id: str) -> Invitation | None:
        """One invitation."""
        row = await self.conn.fetchone(
            f"SELECT {_INVITATION_COLUMNS} FROM invitations WHERE id = ?", (invitation_id,)
        )
        return _invitation(row) if row else None

    async def mark_invitation(
        self,
        invitation_id: str,
        status: InvitationStatus,
        now: datetime,
        *,
        only_from: tuple[InvitationStatus, ...],
    ) -> bool:
        """Move an invitation to `status` if it is in one of `only_from`; 'sent' stamps
        sent_at."""
        marks = ", ".join("?" for _ in only_from)
        stamp = to_text(now) if status == InvitationStatus.SENT else None
        changed = await self.conn.execute(
            f"UPDATE invitations SET status = ?, sent_at = COALESCE(?, sent_at)"
            f" WHERE id = ? AND status IN ({marks})",
            (status, stamp, invitation_id, *only_from),
        )
        return changed == 1

    async def mark_reminded(self, invitation_id: str, now: datetime) -> None:
        """Record that the one reminder went out."""
        await self.conn.execute(
            "UPDATE invitations SET reminded_at = ? WHERE id = ?", (to_text(now), invitation_id)
        )

    async def mark_invitation_done(self, invitation_id: str, answered_at: datetime | None) -> None:
        """The invitation was answered by name (at `answered_at`), or its anonymous answer
        was released or withheld (None: no time is kept)."""
        await self.conn.execute(
            "UPDATE invitations SET status = 'done', answered_at = ? WHERE id = ?",
            (to_text(answered_at) if answered_at else None, invitation_id),
        )

    async def mark_invitation_held(self, invitation_id: str) -> None:
        """The invitation was answered anonymously and waits for its batch's release."""
        await self.conn.execute(
            "UPDATE invitations SET status = 'held', answered_at = NULL WHERE id = ?",
            (invitation_id,),
        )

    async def wave_progress(self, wave_id: str) -> WaveProgress:
        """Counts per status of a wave's invitations, with "started" read from sessions."""
        rows = await self.conn.fetchall(
            "SELECT status, COUNT(*) FROM invitations WHERE wave_id = ? GROUP BY status",
            (wave_id,),
        )
        by_status = {str(r[0]): int(r[1]) for r in rows}
        row = await self.conn.fetchone(
            "SELECT COUNT(*) FROM sessions s JOIN invitations i ON i.id = s.invitation_id"
            " WHERE i.wave_id = ? AND i.status = 'sent' AND s.revision > 0",
            (wave_id,),
        )
        in_progress = int(row[0]) if row else 0
        done = by_status.get(InvitationStatus.DONE, 0) + by_status.get(InvitationStatus.HELD, 0)
        return WaveProgress(
            invited=sum(by_status.values()),
            pending=by_status.get(InvitationStatus.PENDING, 0),
            delivered=by_status.get(InvitationStatus.SENT, 0) + done,
            unreachable=by_status.get(InvitationStatus.UNREACHABLE, 0),
            started=in_progress + done,
            completed=done,
            by_status=by_status,
        )

    async def invitation_statuses(self, wave_id: str) -> list[InvitedPerson]:
        """(ref, name, status) of everyone a wave invited, "started" read from sessions;
        nothing about what anyone answered."""
        rows = await self.conn.fetchall(
            "SELECT COALESCE(c.ref, s.ref), COALESCE(c.name, s.name), i.status,"
            " (SELECT MAX(x.revision) FROM sessions x WHERE x.invitation_id = i.id)"
            " FROM invitations i LEFT JOIN contacts c ON c.id = i.contact_id"
            " LEFT JOIN staff s ON s.id = i.staff_id WHERE i.wave_id = ?"
            " ORDER BY COALESCE(c.ref, s.ref)",
            (wave_id,),
        )
        return [
            InvitedPerson(
                r[0] or "-", r[1] or "-", _shown_status(InvitationStatus(r[2]), int(r[3] or 0))
            )
            for r in rows
        ]

    async def last_asked(self, contact_id: str) -> datetime | None:
        """When a contact was last asked anything (a pending invitation counts at its due
        time), ignoring invitations that never reached them."""
        row = await self.conn.fetchone(
            "SELECT MAX(COALESCE(sent_at, due_at)) FROM invitations"
            " WHERE contact_id = ? AND status <> 'unreachable'",
            (contact_id,),
        )
        return from_text(row[0]) if row and row[0] else None

    async def invitation_session(self, invitation_id: str) -> InvitationSession | None:
        """The open conversation of an invitation, if the respondent has not finished."""
        row = await self.conn.fetchone(
            "SELECT s.identity_id, s.survey_id, s.address, s.data, s.wave_id, s.invitation_id,"
            " i.channel, i.external_id FROM sessions s JOIN identities i ON i.id = s.identity_id"
            " WHERE s.invitation_id = ?",
            (invitation_id,),
        )
        if row is None:
            return None
        stored = StoredSession(row[0], row[1], row[2], Session.from_json(row[3]), row[4], row[5])
        return InvitationSession(stored, row[6], row[7])

    async def delete_invitation_session(self, invitation_id: str) -> None:
        """Drop the conversation an undeliverable invitation opened."""
        await self.conn.execute("DELETE FROM sessions WHERE invitation_id = ?", (invitation_id,))

    # -- people -----------------------------------------------------------------------

    async def contact_population(self) -> list[tuple[str, str | None, dict[str, str]]]:
        """(id, time zone, imported attributes) of every contact: who a wave may invite."""
        rows = await self.conn.fetchall(
            "SELECT id, timezone, attributes FROM contacts ORDER BY ref"
        )
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    async def contact_id_by_ref(self, ref: str) -> str | None:
        """The id of the contact imported with this ref."""
        row = await self.conn.fetchone("SELECT id FROM contacts WHERE ref = ?", (ref,))
        return str(row[0]) if row else None

    async def reachable_identities(
        self, *, contact_id: str | None = None, staff_id: str | None = None
    ) -> list[Identity]:
        """A person's platform identities that were not found unreachable, oldest first."""
        column, value = ("contact_id", contact_id) if contact_id else ("staff_id", staff_id)
        rows = await self.conn.fetchall(
            "SELECT id, channel, external_id, contact_id, staff_id, language, unreachable_at"
            f" FROM identities WHERE {column} = ? AND unreachable_at IS NULL"
            " ORDER BY created_at, channel",
            (value,),
        )
        return [Identity(*r) for r in rows]

    async def identity_by_id(self, identity_id: str) -> Identity | None:
        """One identity by its id."""
        row = await self.conn.fetchone(
            "SELECT id, channel, external_id, contact_id, staff_id, language, unreachable_at"
            " FROM identities WHERE id = ?",
            (identity_id,),
        )
        return Identity(*row) if row else None

    async def mark_unreachable(self, identity_id: str, now: datetime) -> None:
        """The platform said this person cannot be reached there."""
        await self.conn.execute(
            "UPDATE identities SET unreachable_at = ? WHERE id = ?", (to_text(now), identity_id)
        )
