"""What a person does about themselves, the same from every channel and the command line.

- `link`: a platform user opens the bot, perhaps with a personal link (Telegram's
  `/start TOKEN`): the link is used, the person is reachable again, and what they have
  open is found.
- `forget`: the right to be forgotten. One implementation for a person's own request in
  a chat (Telegram's /forget, Slack's `/klantstem forget`) and for `klantstem forget REF`.
  A person is their contact record when they are linked to one: every identity linked
  to it (on any channel), their open conversations, anonymous answers not yet released,
  personal links and named answers (with the flags on them) are deleted. A person in a
  chat who is no contact loses that identity and what hangs on it. Released anonymous
  answers and the aggregates stay, as nothing links them to anyone; so does the contact
  record (the organisation's own customer list), no longer linked.
- Switching language is an `EventKind.LANGUAGE` event through `Service.handle` (see
  `bot/conversations/service.py`): the person's language is stored, with its audit
  entry, in the transaction of the step that asks the open question again.

Each is one transaction with its audit entry. A channel parses the command, calls one of
these through its `Service`, and renders the outcome; the audit entries name the channel
(or `cli`) and, from the command line, the contact's ref, never a platform user id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage import Storage
from bot.storage.identity_sql import Forgotten
from bot.storage.telegram_sql import LinkOutcome


@dataclass(frozen=True)
class Linked:
    """What opening the bot found: the personal link's outcome and the person's state."""

    outcome: LinkOutcome | None
    """What the personal link did; None when none was given."""
    linked: bool
    """The platform user belongs to a contact or a staff member."""
    language: str | None
    """The language stored for the platform user, if any."""
    open_session: bool
    """The person is in the middle of a survey."""


@dataclass(frozen=True)
class ChatUser:
    """A person as a chat channel knows them."""

    channel: str
    user: str


@dataclass(frozen=True)
class ContactRef:
    """A person as the organisation knows them: the ref of their contact record."""

    ref: str


Person = ChatUser | ContactRef


async def link(
    storage: Storage,
    channel: str,
    user: str,
    token: str | None,
    now: datetime,
    *,
    update_id: str | None = None,
) -> Linked | None:
    """A platform user opens the bot, with a personal link's `token` or without.

    The first user to open a link takes it (`LinkOutcome.LINKED`); anyone else is
    refused (`USED`), an unknown or replaced link does nothing (`UNKNOWN`); every use of a
    link is audited. The unreachable mark of a user who writes again is cleared. None
    when `update_id` was handled before (nothing is done again).
    """
    async with storage.transaction() as tx:
        if update_id is not None and not await tx.mark_update(channel, update_id, now):
            return None
        outcome = await tx.use_link_token(channel, token, user, now) if token else None
        if outcome is not None:
            await tx.audit(channel, "identity.link", {"outcome": outcome.value}, now)
        identity = await tx.identity(channel, user)
        if identity is None:
            return Linked(outcome, linked=False, language=None, open_session=False)
        await tx.clear_unreachable(channel, user)
        session = await tx.load_session(identity.id)
    return Linked(
        outcome,
        linked=bool(identity.contact_id or identity.staff_id),
        language=identity.language,
        open_session=session is not None,
    )


async def forget(
    storage: Storage,
    person: Person,
    now: datetime,
    *,
    actor: str,
    update_id: str | None = None,
) -> Forgotten | None:
    """Forget a person (see the module's docstring for what goes and what stays) and
    audit it as `actor` did it, in one transaction.

    None when a `ContactRef` names no contact, or `update_id` was handled before; then
    nothing changed.
    """
    async with storage.transaction() as tx:
        if update_id is not None:
            channel = person.channel if isinstance(person, ChatUser) else actor
            if not await tx.mark_update(channel, update_id, now):
                return None
        detail: dict[str, object] = {}
        if isinstance(person, ContactRef):
            contact_id = await tx.contact_id_by_ref(person.ref)
            if contact_id is None:
                return None
            action, detail["ref"] = "contact.forget", person.ref
            forgotten = await tx.forget_contact(contact_id)
        else:
            action = "identity.forget"
            identity = await tx.identity(person.channel, person.user)
            if identity is not None and identity.contact_id is not None:
                forgotten = await tx.forget_contact(identity.contact_id)
            else:
                forgotten = await tx.forget_identity(person.channel, person.user)
        detail["named_responses"] = forgotten.named_responses
        await tx.audit(actor, action, detail, now)
    return forgotten
