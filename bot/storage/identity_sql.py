"""Statements about a platform identity as a whole: reachable again, and forgetting.

Channel-neutral: every chat channel calls them with its own channel name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.storage.driver import Connection, Row


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
        them). An anonymous answer not yet released (`held_responses`) is still tied to the
        identity and goes with it (ON DELETE CASCADE). Released anonymous responses stay:
        nothing links them to anyone, and no processed-update key names a user. The contact
        record itself stays, as the organisation's own customer list, but is no longer linked.
        """
        row = await self.conn.fetchone(
            "SELECT id, contact_id FROM identities WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        if row is None:
            return Forgotten(identity=False, named_responses=0)
        return await self._forget([row[0]], row[1])

    async def forget_contact(self, contact_id: str) -> Forgotten:
        """Forget a contact as `forget_identity` forgets one of their identities, for all of
        them at once (`klantstem forget REF`): every linked identity, open conversation,
        held anonymous answer, personal link and named response goes; the contact record
        and released anonymous answers stay."""
        rows = await self.conn.fetchall(
            "SELECT id FROM identities WHERE contact_id = ?", (contact_id,)
        )
        return await self._forget([r[0] for r in rows], contact_id)

    async def person_data(self, contact_id: str) -> dict[str, Any]:
        """What is stored about a contact beyond the contact record, as JSON-ready data
        (`klantstem export REF`): their identities, open conversations, invitations and
        named responses with answers and flags. Anonymous answers are not theirs to
        export: nothing links them to anyone."""

        async def rows(sql: str) -> list[dict[str, Any]]:
            return [_plain(r) for r in await self.conn.fetchall(sql, (contact_id,))]

        responses = [
            _plain(r)
            for r in await self.conn.fetchall(
                "SELECT id, survey_id, survey_version, wave_id, language, attributes,"
                " completed_at FROM responses WHERE anonymous = 0 AND (contact_id = ?"
                " OR identity_id IN (SELECT id FROM identities WHERE contact_id = ?))"
                " ORDER BY completed_at",
                (contact_id, contact_id),
            )
        ]
        for response in responses:
            response["attributes"] = json.loads(response["attributes"])
            response["answers"] = [
                _plain(r)
                for r in await self.conn.fetchall(
                    "SELECT question_id, score, choice, text FROM answers"
                    " WHERE response_id = ? ORDER BY question_id",
                    (response["id"],),
                )
            ]
            response["flags"] = [
                _plain(r)
                for r in await self.conn.fetchall(
                    "SELECT kind, status, raised_at, forwarded_at, closed_at, outcome"
                    " FROM flags WHERE response_id = ? ORDER BY raised_at",
                    (response["id"],),
                )
            ]
        conversations = await rows(
            "SELECT i.channel, s.survey_id, s.wave_id, s.data, s.updated_at FROM sessions s"
            " JOIN identities i ON i.id = s.identity_id WHERE i.contact_id = ?"
            " ORDER BY s.updated_at"
        )
        for conversation in conversations:
            conversation["data"] = json.loads(conversation["data"])
        return {
            "identities": await rows(
                "SELECT channel, external_id, language, unreachable_at, created_at"
                " FROM identities WHERE contact_id = ? ORDER BY channel, created_at"
            ),
            "conversations": conversations,
            "invitations": await rows(
                "SELECT wave_id, survey_id, touchpoint, status, sent_at, reminded_at,"
                " answered_at, created_at FROM invitations WHERE contact_id = ?"
                " ORDER BY created_at"
            ),
            "responses": responses,
        }

    async def _forget(self, identity_ids: list[str], contact_id: str | None) -> Forgotten:
        named = 0
        owners: list[str | None] = list(identity_ids) or [None]
        for identity_id in owners:
            owner = "responses WHERE anonymous = 0 AND (identity_id = ? OR contact_id = ?)"
            params = (identity_id, contact_id or identity_id)
            await self.conn.execute(
                f"DELETE FROM answers WHERE response_id IN (SELECT id FROM {owner})", params
            )
            named += await self.conn.execute(f"DELETE FROM {owner}", params)
        if contact_id is not None:
            await self.conn.execute("DELETE FROM link_tokens WHERE contact_id = ?", (contact_id,))
        for identity_id in identity_ids:
            await self.conn.execute("DELETE FROM sessions WHERE identity_id = ?", (identity_id,))
            await self.conn.execute("DELETE FROM identities WHERE id = ?", (identity_id,))
        return Forgotten(identity=bool(identity_ids), named_responses=named)


def _plain(row: Row) -> dict[str, Any]:
    return dict(zip(row.keys(), tuple(row), strict=True))
