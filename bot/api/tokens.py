"""API bearer tokens: made at random, shown once, stored only as a SHA-256 hash.

A `write` token may do everything a `read` token may. The CLI (`klantstem api-token`) and
the web server's auth both use these functions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.storage import Storage, new_id
from bot.storage.api_sql import USE_RESOLUTION, ApiToken
from bot.timeutil import from_text

SCOPES = ("read", "write")
PREFIX = "ks_"


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is the only copy of the token itself."""

    id: str
    name: str
    scope: str
    secret: str


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def allows(granted: str, needed: str) -> bool:
    """Whether a token of scope `granted` may do what needs scope `needed`."""
    return granted == "write" or granted == needed


async def create_token(storage: Storage, name: str, scope: str, now: datetime) -> NewToken:
    """Make and store a token; the returned secret is never stored or shown again."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    token = NewToken(new_id()[:12], name, scope, PREFIX + secrets.token_urlsafe(32))
    async with storage.transaction() as tx:
        await tx.add_api_token(token.id, name, scope, hash_token(token.secret), now)
        await tx.audit("cli", "api_token.create", {"id": token.id, "scope": scope}, now)
    return token


async def find_token(storage: Storage, token: str, now: datetime) -> ApiToken | None:
    """The live token record for a presented bearer token, noting its use."""
    async with storage.transaction(write=False) as tx:
        found = await tx.api_token_by_hash(hash_token(token))
    if found is not None and (
        found.last_used_at is None or from_text(found.last_used_at) <= now - USE_RESOLUTION
    ):
        async with storage.transaction() as tx:
            await tx.touch_api_token(found.id, now)
    return found


async def revoke_token(storage: Storage, token_id: str, now: datetime) -> bool:
    """Revoke a token by id; False when there is no live token with that id."""
    async with storage.transaction() as tx:
        done = await tx.revoke_api_token(token_id, now)
        if done:
            await tx.audit("cli", "api_token.revoke", {"id": token_id}, now)
    return done
