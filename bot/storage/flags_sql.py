"""Statements of flags (G-F1..G-F3) and action items (G-F4), each with its full history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import uuid4

from bot.storage.driver import Connection, Row, id_prefix_pattern
from bot.storage.records import StoredAnswer
from bot.timeutil import from_text, to_text

_FLAG_COLUMNS = (
    "id, response_id, contact_id, kind, status, owner_staff_id, raised_at, forwarded_at,"
    " closed_at, outcome, alerted_at"
)
_ITEM_COLUMNS = (
    "id, mirror_wave_id, kto_wave_id, dimension, staff_mean, customer_mean, owner_staff_id,"
    " status, created_at, due_at, closed_at, outcome"
)
REF_LENGTH = 8
"""How many leading characters of an id people see and type."""


class FlagKind(StrEnum):
    """What a flag is about; the values are what the `flags.kind` column holds."""

    PROMOTER = "promoter"
    DETRACTOR = "detractor"


class FlagStatus(StrEnum):
    """Where a flag is; the values are what the `flags.status` column holds."""

    OPEN = "open"
    FORWARDED = "forwarded"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    """Where an action item is; the values are what `action_items.status` holds."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Flag:
    """A named promoter or detractor to follow up."""

    id: str
    response_id: str
    contact_id: str | None
    kind: FlagKind
    status: FlagStatus
    owner_staff_id: str | None
    raised_at: datetime
    forwarded_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    alerted_at: datetime | None = None

    @property
    def ref(self) -> str:
        """The short reference shown on buttons and lists."""
        return self.id[:REF_LENGTH]


@dataclass(frozen=True)
class ResponseOrigin:
    """Where a response came from; `contact_id` and `identity_id` are both None when it
    was anonymous."""

    survey_id: str
    contact_id: str | None
    identity_id: str | None

    @property
    def named(self) -> bool:
        """Whether anyone can be told the response was theirs."""
        return self.contact_id is not None or self.identity_id is not None


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a flag's or action item's history: who did what, when."""

    at: datetime
    actor: str
    action: str
    note: str | None


@dataclass(frozen=True)
class ActionItem:
    """A mirror-vs-KTO discrepancy with an owner and a due date."""

    id: str
    mirror_wave_id: str
    kto_wave_id: str
    dimension: str
    staff_mean: float
    customer_mean: float
    owner_staff_id: str | None
    status: ActionStatus
    created_at: datetime
    due_at: datetime
    closed_at: datetime | None = None
    outcome: str | None = None

    @property
    def ref(self) -> str:
        """The short reference shown in lists."""
        return self.id[:REF_LENGTH]


def _time(value: object) -> datetime | None:
    return from_text(str(value)) if value else None


def _flag(r: Row) -> Flag:
    return Flag(
        id=r[0],
        response_id=r[1],
        contact_id=r[2],
        kind=FlagKind(r[3]),
        status=FlagStatus(r[4]),
        owner_staff_id=r[5],
        raised_at=from_text(r[6]),
        forwarded_at=_time(r[7]),
        closed_at=_time(r[8]),
        outcome=r[9],
        alerted_at=_time(r[10]),
    )


def _item(r: Row) -> ActionItem:
    return ActionItem(
        id=r[0],
        mirror_wave_id=r[1],
        kto_wave_id=r[2],
        dimension=r[3],
        staff_mean=float(r[4]),
        customer_mean=float(r[5]),
        owner_staff_id=r[6],
        status=ActionStatus(r[7]),
        created_at=from_text(r[8]),
        due_at=from_text(r[9]),
        closed_at=_time(r[10]),
        outcome=r[11],
    )


class FlagsQueries:
    """Flags, action items and their histories."""

    conn: Connection

    # -- flags ------------------------------------------------------------------------

    async def insert_flag(self, flag: Flag) -> None:
        """Raise a flag."""
        await self.conn.execute(
            f"INSERT INTO flags ({_FLAG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                flag.id,
                flag.response_id,
                flag.contact_id,
                flag.kind,
                flag.status,
                flag.owner_staff_id,
                to_text(flag.raised_at),
                None,
                None,
                None,
                None,
            ),
        )

    async def flag(self, flag_id: str) -> Flag | None:
        """One flag by its full id."""
        row = await self.conn.fetchone(
            f"SELECT {_FLAG_COLUMNS} FROM flags WHERE id = ?", (flag_id,)
        )
        return _flag(row) if row else None

    async def flags_starting_with(self, prefix: str) -> list[Flag]:
        """Flags whose id starts with `prefix`."""
        rows = await self.conn.fetchall(
            f"SELECT {_FLAG_COLUMNS} FROM flags WHERE id LIKE ? ORDER BY raised_at",
            (id_prefix_pattern(prefix),),
        )
        return [_flag(r) for r in rows]

    async def flags(self, statuses: Iterable[FlagStatus] | None = None) -> list[Flag]:
        """Flags, oldest first, optionally only in some statuses."""
        if statuses is None:
            rows = await self.conn.fetchall(
                f"SELECT {_FLAG_COLUMNS} FROM flags ORDER BY raised_at, id"
            )
        else:
            wanted = list(statuses)
            marks = ", ".join("?" for _ in wanted)
            rows = await self.conn.fetchall(
                f"SELECT {_FLAG_COLUMNS} FROM flags WHERE status IN ({marks})"
                " ORDER BY raised_at, id",
                wanted,
            )
        return [_flag(r) for r in rows]

    async def flags_awaiting_alert(self) -> list[Flag]:
        """Open flags whose staff alert has not gone out (the digest's content)."""
        rows = await self.conn.fetchall(
            f"SELECT {_FLAG_COLUMNS} FROM flags WHERE alerted_at IS NULL AND status <> 'closed'"
            " ORDER BY raised_at, id"
        )
        return [_flag(r) for r in rows]

    async def mark_flags_alerted(self, flag_ids: Iterable[str], now: datetime) -> None:
        """The staff alert (or digest) of these flags went out."""
        await self.conn.executemany(
            "UPDATE flags SET alerted_at = ? WHERE id = ? AND alerted_at IS NULL",
            [(to_text(now), f) for f in flag_ids],
        )

    async def forward_flag(self, flag_id: str, owner_staff_id: str, now: datetime) -> bool:
        """Hand an open flag to its owner; False when it was forwarded or closed already."""
        changed = await self.conn.execute(
            "UPDATE flags SET status = 'forwarded', owner_staff_id = ?, forwarded_at = ?"
            " WHERE id = ? AND status = 'open'",
            (owner_staff_id, to_text(now), flag_id),
        )
        return changed == 1

    async def close_flag(self, flag_id: str, now: datetime, outcome: str) -> bool:
        """Close a flag with its outcome; False when it was closed already."""
        changed = await self.conn.execute(
            "UPDATE flags SET status = 'closed', closed_at = ?, outcome = ?"
            " WHERE id = ? AND status <> 'closed'",
            (to_text(now), outcome, flag_id),
        )
        return changed == 1

    async def add_flag_event(
        self, flag_id: str, at: datetime, actor: str, action: str, note: str | None = None
    ) -> None:
        """Append to a flag's history."""
        await self.conn.execute(
            "INSERT INTO flag_events (id, flag_id, at, actor, action, note, seq)"
            " SELECT ?, ?, ?, ?, ?, ?, COALESCE(MAX(seq), 0) + 1"
            " FROM flag_events WHERE flag_id = ?",
            (uuid4().hex, flag_id, to_text(at), actor, action, note, flag_id),
        )

    async def flag_events(self, flag_id: str) -> list[CaseEvent]:
        """A flag's history, oldest first."""
        rows = await self.conn.fetchall(
            "SELECT at, actor, action, note FROM flag_events WHERE flag_id = ? ORDER BY seq, at",
            (flag_id,),
        )
        return [CaseEvent(from_text(r[0]), r[1], r[2], r[3]) for r in rows]

    async def response_answers(self, response_id: str) -> list[StoredAnswer]:
        """The answers of one (named) response."""
        rows = await self.conn.fetchall(
            "SELECT question_id, score, choice, text FROM answers WHERE response_id = ?",
            (response_id,),
        )
        return [StoredAnswer(r[0], r[1], r[2], r[3]) for r in rows]

    async def response_origin(self, response_id: str) -> ResponseOrigin | None:
        """The survey, contact and identity of a response."""
        row = await self.conn.fetchone(
            "SELECT survey_id, contact_id, identity_id FROM responses WHERE id = ?",
            (response_id,),
        )
        return ResponseOrigin(row[0], row[1], row[2]) if row else None

    # -- action items -----------------------------------------------------------------

    async def insert_action_item(self, item: ActionItem) -> bool:
        """Store an action item; False when this discrepancy has one already."""
        changed = await self.conn.execute(
            f"INSERT INTO action_items ({_ITEM_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (mirror_wave_id, kto_wave_id, dimension) DO NOTHING",
            (
                item.id,
                item.mirror_wave_id,
                item.kto_wave_id,
                item.dimension,
                item.staff_mean,
                item.customer_mean,
                item.owner_staff_id,
                item.status,
                to_text(item.created_at),
                to_text(item.due_at),
                None,
                None,
            ),
        )
        return changed == 1

    async def action_item(self, item_id: str) -> ActionItem | None:
        """One action item by its full id."""
        row = await self.conn.fetchone(
            f"SELECT {_ITEM_COLUMNS} FROM action_items WHERE id = ?", (item_id,)
        )
        return _item(row) if row else None

    async def action_items_starting_with(self, prefix: str) -> list[ActionItem]:
        """Action items whose id starts with `prefix`."""
        rows = await self.conn.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM action_items WHERE id LIKE ? ORDER BY created_at",
            (id_prefix_pattern(prefix),),
        )
        return [_item(r) for r in rows]

    async def action_items(
        self, statuses: Iterable[ActionStatus] | None = None
    ) -> list[ActionItem]:
        """Action items by due date, optionally only in some statuses."""
        wanted = list(statuses) if statuses is not None else list(ActionStatus)
        marks = ", ".join("?" for _ in wanted)
        rows = await self.conn.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM action_items WHERE status IN ({marks})"
            " ORDER BY due_at, dimension",
            wanted,
        )
        return [_item(r) for r in rows]

    async def close_action_item(self, item_id: str, now: datetime, outcome: str) -> bool:
        """Close an action item; False when it was closed already."""
        changed = await self.conn.execute(
            "UPDATE action_items SET status = 'closed', closed_at = ?, outcome = ?"
            " WHERE id = ? AND status <> 'closed'",
            (to_text(now), outcome, item_id),
        )
        return changed == 1

    async def add_action_event(
        self, item_id: str, at: datetime, actor: str, action: str, note: str | None = None
    ) -> None:
        """Append to an action item's history."""
        await self.conn.execute(
            "INSERT INTO action_item_events (id, item_id, at, actor, action, note, seq)"
            " SELECT ?, ?, ?, ?, ?, ?, COALESCE(MAX(seq), 0) + 1"
            " FROM action_item_events WHERE item_id = ?",
            (uuid4().hex, item_id, to_text(at), actor, action, note, item_id),
        )
