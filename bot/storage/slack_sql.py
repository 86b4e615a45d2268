"""Statements the Slack channel needs beyond the core ones."""

from __future__ import annotations

from bot.storage.driver import Connection


class SlackQueries:
    """Remembering what Slack tells us about its users."""

    conn: Connection

    async def remember_language(self, channel: str, external_id: str, language: str) -> None:
        """Keep a platform user's language (from their Slack locale) for later invitations."""
        await self.conn.execute(
            "UPDATE identities SET language = ? WHERE channel = ? AND external_id = ?"
            " AND (language IS NULL OR language <> ?)",
            (language, channel, external_id, language),
        )
