"""Statements of the outbox: scheduled work as rows with a due time and an idempotency key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from bot.storage.driver import Connection
from bot.timeutil import from_text, to_text


@dataclass(frozen=True)
class Job:
    """One claimed outbox row.

    `in_doubt` is True when an earlier claim of this row ran out without finishing it:
    the process that held it died, perhaps after its message went out.
    """

    id: str
    key: str
    kind: str
    subject: str
    due_at: datetime
    attempts: int
    in_doubt: bool


@dataclass(frozen=True)
class JobRecord:
    """An outbox row as stored, for status listings and tests."""

    key: str
    kind: str
    subject: str
    due_at: datetime
    attempts: int
    finished_at: datetime | None
    outcome: str | None
    message_ref: str | None


NewJob = tuple[str, str, str, datetime]
"""(key, kind, subject, due_at) of a row to add."""


class OutboxQueries:
    """Adding, claiming and finishing outbox rows."""

    conn: Connection

    async def schedule_jobs(self, jobs: Iterable[NewJob], now: datetime) -> None:
        """Add rows; a key that exists already is left as it is (idempotent)."""
        await self.conn.executemany(
            "INSERT INTO outbox (id, key, kind, subject, due_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            [(uuid4().hex, k, kind, s, to_text(due), to_text(now)) for k, kind, s, due in jobs],
        )

    async def next_due(self) -> datetime | None:
        """When the earliest unfinished row is due, if any (a simulation moves its clock
        there rather than sweeping every few seconds)."""
        row = await self.conn.fetchone("SELECT MIN(due_at) FROM outbox WHERE finished_at IS NULL")
        return from_text(row[0]) if row is not None and row[0] is not None else None

    async def claim_due(
        self, now: datetime, lease_until: datetime, claimer: str, limit: int
    ) -> list[Job]:
        """Claim up to `limit` due rows for `claimer` until `lease_until`, oldest first.

        The SELECT takes the dialect's claim clause (`FOR UPDATE SKIP LOCKED` on
        PostgreSQL); the UPDATE re-checks the row is still free, so even without the
        clause two instances never claim the same row.
        """
        stamp = to_text(now)
        rows = await self.conn.fetchall(
            "SELECT id, key, kind, subject, due_at, attempts, claimed_until FROM outbox"
            " WHERE finished_at IS NULL AND due_at <= ?"
            " AND (claimed_until IS NULL OR claimed_until <= ?)"
            " ORDER BY due_at, key LIMIT ?" + self.conn.claim_clause,
            (stamp, stamp, limit),
        )
        claimed = []
        for row in rows:
            changed = await self.conn.execute(
                "UPDATE outbox SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1"
                " WHERE id = ? AND finished_at IS NULL"
                " AND (claimed_until IS NULL OR claimed_until <= ?)",
                (claimer, to_text(lease_until), row[0], stamp),
            )
            if changed == 1:
                claimed.append(
                    Job(
                        id=row[0],
                        key=row[1],
                        kind=row[2],
                        subject=row[3],
                        due_at=from_text(row[4]),
                        attempts=int(row[5]) + 1,
                        in_doubt=row[6] is not None,
                    )
                )
        return claimed

    async def finish_job(
        self, job_id: str, now: datetime, outcome: str, message_ref: str | None = None
    ) -> None:
        """End a row: it is never picked up again."""
        await self.conn.execute(
            "UPDATE outbox SET finished_at = ?, outcome = ?, message_ref = ?,"
            " claimed_until = NULL WHERE id = ? AND finished_at IS NULL",
            (to_text(now), outcome, message_ref, job_id),
        )

    async def drop_jobs(self, keys: Iterable[str]) -> None:
        """Delete unfinished rows that are no longer needed (owed replies that went out):
        they leave no trace."""
        await self.conn.executemany(
            "DELETE FROM outbox WHERE key = ? AND finished_at IS NULL", [(k,) for k in keys]
        )

    async def open_jobs(self, subject: str, kind: str) -> list[str]:
        """Keys of the unfinished rows of one subject and kind."""
        rows = await self.conn.fetchall(
            "SELECT key FROM outbox WHERE subject = ? AND kind = ? AND finished_at IS NULL",
            (subject, kind),
        )
        return [str(r[0]) for r in rows]

    async def retry_job(
        self, job_id: str, due_at: datetime, error: str | None, *, counted: bool = True
    ) -> None:
        """Release a claimed row to be tried again at `due_at`; a claim that only waited
        (not `counted`: quiet hours, say) is taken off its attempts."""
        uncount = "" if counted else ", attempts = attempts - 1"
        await self.conn.execute(
            "UPDATE outbox SET due_at = ?, claimed_by = NULL, claimed_until = NULL,"
            f" last_error = ?{uncount} WHERE id = ? AND finished_at IS NULL",
            (to_text(due_at), error, job_id),
        )

    async def job(self, key: str) -> JobRecord | None:
        """The row with this key, if any."""
        row = await self.conn.fetchone(
            "SELECT key, kind, subject, due_at, attempts, finished_at, outcome, message_ref"
            " FROM outbox WHERE key = ?",
            (key,),
        )
        return _record(row) if row else None

    async def jobs_for(self, subject: str) -> list[JobRecord]:
        """Every row about one subject (an invitation, a flag, a wave), by due time."""
        rows = await self.conn.fetchall(
            "SELECT key, kind, subject, due_at, attempts, finished_at, outcome, message_ref"
            " FROM outbox WHERE subject = ? ORDER BY due_at, key",
            (subject,),
        )
        return [_record(r) for r in rows]

    async def unfinished_jobs(self, kinds: Iterable[str] | None = None) -> int:
        """How many rows are still to do (of some kinds, or all)."""
        if kinds is None:
            row = await self.conn.fetchone("SELECT COUNT(*) FROM outbox WHERE finished_at IS NULL")
        else:
            kind_list = list(kinds)
            marks = ", ".join("?" for _ in kind_list)
            row = await self.conn.fetchone(
                f"SELECT COUNT(*) FROM outbox WHERE finished_at IS NULL AND kind IN ({marks})",
                kind_list,
            )
        return int(row[0]) if row else 0


def _record(r: tuple[object, ...]) -> JobRecord:
    return JobRecord(
        key=str(r[0]),
        kind=str(r[1]),
        subject=str(r[2]),
        due_at=from_text(str(r[3])),
        attempts=int(str(r[4])),
        finished_at=from_text(str(r[5])) if r[5] else None,
        outcome=str(r[6]) if r[6] is not None else None,
        message_ref=str(r[7]) if r[7] is not None else None,
    )
