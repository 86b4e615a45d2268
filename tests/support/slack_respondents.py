"""Slack respondents who answered and ask to be forgotten, and the state left after."""

from __future__ import annotations

from typing import Any

from bot.conversations.service import Inbound, Service
from bot.i18n import translator
from bot.storage import Storage
from bot.storage.records import Contact
from flows import Event, EventKind
from tests.support.slack_harness import (
    CUSTOMER,
    USERS,
    Harness,
    texts,
)

GUESTS = ("U0GUEST001", "U0GUEST002", "U0GUEST003", "U0GUEST004")


async def take_cvs(
    service: Service, channel: str, user: str, consent: str, scores: list[str], batch: str
) -> None:
    """One CVS through the service, typed, from beginning to end."""
    await service.begin(channel, user, user, "cvs", language="en")
    for i, text in enumerate([consent, *scores]):
        await service.handle(
            Inbound(channel, user, user, Event(EventKind.TEXT, text), update_id=f"{batch}{i}")
        )


async def answered(service: Service, storage: Storage, *, telegram: str) -> None:
    """Contact C-1 is linked on Slack (CUSTOMER) and on Telegram; they answered named on
    both, once anonymously with four guests (a released batch of five), and once more
    anonymously (held: fewer than five wait). Another contact answered named too."""
    now = service.clock()
    async with storage.transaction() as tx:
        await tx.upsert_contact(Contact("C-1", "Anna", slack=CUSTOMER, telegram=telegram), now)
        await tx.upsert_contact(Contact("C-2", "Bo", slack="U0BO000001"), now)
    await take_cvs(service, "slack", CUSTOMER, "anonymous", ["7", "8", "9"], "a")
    for n, guest in enumerate(GUESTS):
        await take_cvs(service, "slack", guest, "anonymous", ["6", "7", "8"], f"g{n}-")
    await take_cvs(service, "slack", CUSTOMER, "named", ["3", "4", "2", "Slow"], "n")
    await take_cvs(service, "telegram", telegram, "named", ["5", "6", "7", "Fine"], "t")
    await take_cvs(service, "slack", CUSTOMER, "anonymous", ["8", "9", "10"], "h")
    await take_cvs(service, "slack", "U0BO000001", "named", ["9", "9", "9", "-"], "b")


async def state(storage: Storage) -> dict[str, Any]:
    """What is stored about everyone, in a form that compares across databases."""
    async with storage.transaction(write=False) as tx:
        fetch = tx.conn.fetchall
        responses = await fetch(
            "SELECT anonymous, COUNT(*) FROM responses GROUP BY anonymous ORDER BY anonymous"
        )
        identities = await fetch("SELECT channel, external_id FROM identities")
        contacts = await tx.contacts()
        held = await fetch("SELECT COUNT(*) FROM held_responses")
        sessions = await fetch("SELECT COUNT(*) FROM sessions")
        links = await fetch("SELECT COUNT(*) FROM link_tokens")
    return {
        "responses": {int(r[0]): int(r[1]) for r in responses},
        "identities": sorted((str(r[0]), str(r[1])) for r in identities),
        "contacts": [(c.ref, c.slack, c.telegram) for c in contacts],
        "held": int(held[0][0]),
        "sessions": int(sessions[0][0]),
        "link_tokens": int(links[0][0]),
    }


FORGOTTEN = {
    "responses": {0: 1, 1: 5},
    "identities": sorted([("slack", "U0BO000001"), *(("slack", g) for g in GUESTS)]),
    "contacts": [("C-1", None, None), ("C-2", "U0BO000001", None)],
    "held": 0,
    "sessions": 0,
    "link_tokens": 0,
}
"""C-1 forgotten: their identities on both channels, named and held anonymous answers go;
the released anonymous batch, the contact record and everyone else's stay."""


WARNING = (
    "This deletes your link to us, every answer you gave with your name and any anonymous"
    " answer not yet released. Released anonymous answers stay, as nothing links them to"
    " you. This cannot be undone."
)


async def ask_to_forget(bot: Harness, user: str = CUSTOMER) -> dict[str, Any]:
    """`/klantstem forget` typed in a channel; the confirmation arrives in the DM."""
    answer = await bot.slack.command(user, "forget", response_url=bot.api.hook_url)
    assert (answer.status, answer.text) == (200, "")
    await bot.settled()
    confirmation = bot.last_post("D" + user[1:])
    assert texts(confirmation) == _(user, WARNING)
    return confirmation


def _(user: str, text: str) -> str:
    """`text` as `user` reads it: in their Slack locale's language."""
    return translator(USERS[user][1][:2]).gettext(text)
