"""Linking contacts and staff to Slack users by their email address (users.lookupByEmail).

Run by `klantstem slack link` after an import: everyone with an email and no Slack id
yet is looked up; a found user is linked unless that Slack id already belongs to someone
else. Every linked person's Slack locale is stored too, so their first invitation is
already in their language. Running it again changes nothing new. Times come from the
clock the caller hands in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import i18n
from bot.storage import Storage

NAME = "slack"
NOT_FOUND = frozenset({"users_not_found", "user_not_found"})


@dataclass
class LinkSummary:
    """What a linking run did; `conflicts` names who could not be linked and why."""

    linked: int = 0
    not_found: int = 0
    languages: int = 0
    conflicts: list[str] = field(default_factory=list)


Clock = Callable[[], datetime]


async def link_by_email(storage: Storage, client: AsyncWebClient, clock: Clock) -> LinkSummary:
    """Link every unlinked contact and staff member whose email Slack knows."""
    async with storage.transaction(write=False) as tx:
        people = [("contact", c.ref, c.id, c.email, c.slack) for c in await tx.contacts()]
        people += [("staff", m.ref, m.id, m.email, m.slack) for m in await tx.staff()]
        owners = await tx.identity_owners(NAME)
    summary = LinkSummary()
    linked_ids = [slack for *_, slack in people if slack]
    for kind, ref, owner_id, email, slack in people:
        if slack or not email or owner_id is None:
            continue
        try:
            found = await client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if exc.response.get("error") in NOT_FOUND:
                summary.not_found += 1
                continue
            raise
        user = str(found["user"]["id"])
        if user in owners:
            holder = owners[user][0] or owners[user][1]
            summary.conflicts.append(f"{kind} {ref}: {user} already belongs to {holder}")
            continue
        owners[user] = (ref, None) if kind == "contact" else (None, ref)
        async with storage.transaction() as tx:
            owner = {"contact_id": owner_id} if kind == "contact" else {"staff_id": owner_id}
            await tx.link_identity(NAME, user, clock(), **owner)
        summary.linked += 1
        linked_ids.append(user)
    for user in linked_ids:
        if await _store_locale(storage, client, user, clock):
            summary.languages += 1
    return summary


async def _store_locale(storage: Storage, client: AsyncWebClient, user: str, clock: Clock) -> bool:
    try:
        info = await client.users_info(user=user, include_locale=True)
    except SlackApiError:
        return False
    language = i18n.pick_language(info["user"].get("locale"), default="")
    if not language:
        return False
    async with storage.transaction() as tx:
        await tx.ensure_identity(NAME, user, clock())
        await tx.remember_language(NAME, user, language)
    return True
