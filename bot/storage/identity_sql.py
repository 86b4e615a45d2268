"""Statements about a platform identity as a whole: reachable again, and forgetting.

Channel-neutral: every chat channel calls them with its own channel name.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.driver import Connection


@dataclass(frozen=True)
class Forgotten:
    """What `forget_identity` deleted."""

    identity: bool
    named_responses: int


class IdentityQueries:
    """Clearing unreachable marks and deleting what links data to a person."""

    conn: Connection

    async def clear_unreachable(self, channel: str, external_id: str) -> None:
        """Clear the unreachable mark of a platform user who wrote to us again (the mark is
        set by whoever met the refusal, e.g. a wave's sender)."""
        await self.conn.execute(
            "UPDATE identities SET unreachable_at = NULL"
            " WHERE channel = ? AND external_id = ? AND unreachable_at IS NOT NULL",
            (channel, external_id),
        )

    async def forget_identity(self, channel: str, external_id: str) -> Forgotten:
        """Delete a platform user's identity and every named answer of theirs.

        Deleted: the identity (with its open conversation and its link to a contact or
        staff member), the contact's personal links, and every named response given by
        this identity or by the contact it was linked to (their answers and flags go with
        them). Anonymous responses stay: nothing links them to anyone. The contact record
        itself stays, as the organisation's own customer list, but is no longer linked.
        """
        row = await self.conn.fetchone(
            "SELECT id, contact_id FROM identities WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        if row is None:
            return Forgotten(identity=False, named_responses=0)
        identity_id, contact_id = row[0], row[1]
        owner = "responses WHERE anonymous = 0 AND (identity_id = ? OR contact_id = ?)"
        params = (identity_id, contact_id or identity_id)
        await self.conn.execute(
            f"DELETE FROM answers WHERE response_id IN (SELECT id FROM {owner})", params
        )
        responses = await self.conn.execute(f"DELETE FROM {owner}", params)
        if contact_id is not None:
            await self.conn.execute("DELETE FROM link_tokens WHERE contact_id = ?", (contact_id,))
        await self.conn.execute("DELETE FROM sessions WHERE identity_id = ?", (identity_id,))
        await self.conn.execute("DELETE FROM identities WHERE id = ?", (identity_id,))
        return Forgotten(identity=True, named_responses=responses)
