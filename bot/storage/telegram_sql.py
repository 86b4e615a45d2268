"""Personal deep links: one unguessable token per contact and channel, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from bot.storage.driver import Connection
from bot.timeutil import to_text


class LinkOutcome(StrEnum):
    """What opening a personal link did."""

    LINKED = "linked"
    UNKNOWN = "unknown"
    USED = "used"


def new_link_token() -> str:
    """A fresh token: 192 random bits, URL-safe (fits Telegram's 64-character start value)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """How a token is stored: its SHA-256, so the table holds no working link."""
    return hashlib.sha256(token.encode()).hexdigest()


class LinkQueries:
    """Making and using personal links."""

    conn: Connection

    async def contact_id_by_ref(self, ref: str) -> str | None:
        """The id of the contact with this ref, if any."""
        row = await self.conn.fetchone("SELECT id FROM contacts WHERE ref = ?", (ref,))
        return str(row[0]) if row else None

    async def replace_link_token(
        self, channel: str, contact_id: str, token: str, now: datetime
    ) -> None:
        """Make `token` the contact's one link on `channel`; any earlier link stops working."""
        await self.conn.execute(
            "DELETE FROM link_tokens WHERE channel = ? AND contact_id = ?", (channel, contact_id)
        )
        await self.conn.execute(
            "INSERT INTO link_tokens (token_hash, channel, contact_id, created_at)"
            " VALUES (?, ?, ?, ?)",
            (token_hash(token), channel, contact_id, to_text(now)),
        )

    async def use_link_token(
        self, channel: str, token: str, external_id: str, now: datetime
    ) -> LinkOutcome:
        """Link the platform user who opened a personal link to its contact.

        The first user to open a link takes it; the same user may open it again, anyone
        else is refused, so a forwarded link cannot take over somebody's answers.
        """
        row = await self.conn.fetchone(
            "SELECT contact_id, used_at FROM link_tokens WHERE token_hash = ? AND channel = ?",
            (token_hash(token), channel),
        )
        if row is None:
            return LinkOutcome.UNKNOWN
        contact_id, used_at = row[0], row[1]
        if used_at is not None:
            mine = await self.conn.fetchone(
                "SELECT 1 FROM identities WHERE channel = ? AND external_id = ? AND contact_id = ?",
                (channel, external_id, contact_id),
            )
            return LinkOutcome.LINKED if mine else LinkOutcome.USED
        stamp = to_text(now)
        await self.conn.execute(
            "INSERT INTO identities (id, channel, external_id, contact_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, external_id) DO UPDATE SET contact_id = excluded.contact_id",
            (secrets.token_hex(16), channel, external_id, contact_id, stamp),
        )
        await self.conn.execute(
            "UPDATE link_tokens SET used_at = ? WHERE token_hash = ?", (stamp, token_hash(token))
        )
        return LinkOutcome.LINKED
