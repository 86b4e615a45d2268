"""Statements of the HTTP API: bearer tokens, kept as hashes only, and the answers to
requests sent with an `Idempotency-Key` (a hash of each request, never its body)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.driver import Connection
from bot.timeutil import to_text

USE_RESOLUTION = timedelta(minutes=1)
"""`last_used_at` moves at most this often, so reading the API does not write every time."""


@dataclass(frozen=True)
class ApiToken:
    """A token's record: never the token itself."""

    id: str
    name: str
    scope: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


@dataclass(frozen=True)
class IdempotencyRecord:
    """A request sent with an `Idempotency-Key`: its hash and, once it finished, its answer."""

    request_hash: str
    status: int | None
    response: str | None
    created_at: str


_COLUMNS = "id, name, scope, created_at, last_used_at, revoked_at"


class ApiQueries:
    """Creating, finding, listing and revoking API tokens."""

    conn: Connection

    async def add_api_token(
        self, token_id: str, name: str, scope: str, token_hash: str, now: datetime
    ) -> None:
        """Store a new token's hash."""
        await self.conn.execute(
            "INSERT INTO api_tokens (id, name, scope, token_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_id, name, scope, token_hash, to_text(now)),
        )

    async def api_token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The live (not revoked) token with this hash, if any."""
        row = await self.conn.fetchone(
            f"SELECT {_COLUMNS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
            (token_hash,),
        )
        return ApiToken(*row) if row else None

    async def touch_api_token(self, token_id: str, now: datetime) -> None:
        """Record that a token was used (at most once per `USE_RESOLUTION`)."""
        await self.conn.execute(
            "UPDATE api_tokens SET last_used_at = ?"
            " WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
            (to_text(now), token_id, to_text(now - USE_RESOLUTION)),
        )

    async def api_tokens(self) -> list[ApiToken]:
        """Every token, oldest first, revoked ones included."""
        rows = await self.conn.fetchall(
            f"SELECT {_COLUMNS} FROM api_tokens ORDER BY created_at, id"
        )
        return [ApiToken(*r) for r in rows]

    async def revoke_api_token(self, token_id: str, now: datetime) -> bool:
        """Revoke a token; False when no live token has that id."""
        changed = await self.conn.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (to_text(now), token_id),
        )
        return changed == 1

    async def claim_idempotency_key(
        self, token_id: str, key: str, request_hash: str, now: datetime, expired: datetime
    ) -> bool:
        """Record a request under its token's key, first deleting every record made before
        `expired`; False when the key is taken (by a live record). One statement decides,
        so two instances receiving the same retry cannot both win."""
        await self.prune_idempotency_keys(expired)
        inserted = await self.conn.execute(
            "INSERT INTO idempotency_keys (token_id, idempotency_key, request_hash, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (token_id, idempotency_key) DO NOTHING",
            (token_id, key, request_hash, to_text(now)),
        )
        return inserted == 1

    async def idempotency_record(self, token_id: str, key: str) -> IdempotencyRecord | None:
        """What the token's key holds, if anything."""
        row = await self.conn.fetchone(
            "SELECT request_hash, status, response, created_at FROM idempotency_keys"
            " WHERE token_id = ? AND idempotency_key = ?",
            (token_id, key),
        )
        if row is None:
            return None
        return IdempotencyRecord(row[0], None if row[1] is None else int(row[1]), row[2], row[3])

    async def finish_idempotency_key(
        self, token_id: str, key: str, status: int, response: str
    ) -> None:
        """Keep the answer a claimed request got, to give it again."""
        await self.conn.execute(
            "UPDATE idempotency_keys SET status = ?, response = ?"
            " WHERE token_id = ? AND idempotency_key = ?",
            (status, response, token_id, key),
        )

    async def idempotency_keys_before(self, expired: datetime) -> bool:
        """Whether any record was made before `expired`."""
        row = await self.conn.fetchone(
            "SELECT 1 FROM idempotency_keys WHERE created_at < ? LIMIT 1", (to_text(expired),)
        )
        return row is not None

    async def prune_idempotency_keys(self, expired: datetime) -> int:
        """Delete the records made before `expired`; returns how many."""
        return await self.conn.execute(
            "DELETE FROM idempotency_keys WHERE created_at < ?", (to_text(expired),)
        )

    async def ping(self) -> None:
        """A trivial query: proves the database answers."""
        await self.conn.fetchone("SELECT 1")

    async def invitation_counts(self) -> dict[str, int]:
        """Invitations (of waves and interactions) per status, for `/metrics`."""
        rows = await self.conn.fetchall("SELECT status, COUNT(*) FROM invitations GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows}
