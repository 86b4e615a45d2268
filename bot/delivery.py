"""What the rest of the bot needs from a channel, and what a channel hands back.

Respondents get `flows.Reply`s (questions with buttons, confirmations). Staff and admins
get `Notice`s: an alert, a report summary or a command's answer, optionally with action
buttons and one image. A pressed action comes back as an `ActionPress` whose `value` is
exactly the `Action.value` that was sent (a channel keeps it within its platform's limits,
e.g. Telegram's 64-byte callback data, and refuses values it did not make).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from flows import Reply


class Unreachable(Exception):
    """The person cannot be reached on this channel (blocked the bot, left, no DM allowed)."""


class DeliveryFailed(Exception):
    """Sending failed after the channel's own retries; the caller may try again later."""


@dataclass(frozen=True)
class Action:
    """A button on a notice; `value` (at most 48 ASCII characters) comes back when pressed."""

    label: str
    value: str


@dataclass(frozen=True)
class Notice:
    """A message to staff or an admin, already in their language."""

    text: str
    actions: tuple[Action, ...] = ()
    image: bytes | None = None
    image_name: str = "chart.png"


@dataclass(frozen=True)
class ActionPress:
    """Someone pressed an action button on a notice."""

    channel: str
    user: str
    address: str
    value: str
    message_ref: str
    update_id: str | None = None


ActionHandler = Callable[[ActionPress], Awaitable[str]]
"""Handles a press; returns a short confirmation or refusal shown to the presser."""


class Channel(Protocol):
    """A platform adapter (Telegram, Slack, console) as the service sees it."""

    name: str

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        """Deliver replies to a respondent's chat; `address` is the platform's chat id.

        The replies are already in `language`; a channel uses it for its own words
        (such as how to skip a question on that platform). `broadcast` marks an
        invitation or reminder: it may wait for the platform's rate limits, while an
        interactive reply must never queue behind a broadcast. Raises `Unreachable` or
        `DeliveryFailed`.
        """
        ...

    async def notify(self, address: str, notice: Notice) -> str:
        """Post a notice to a chat or channel; returns a reference to the posted message."""
        ...


OUTBOX_KEY: ContextVar[str | None] = ContextVar("klantstem_outbox_key", default=None)
"""The idempotency key of the scheduled message being sent (an invitation, a reminder, a
staff alert), set around `send`/`notify` by the outbox; None for interactive replies. A
channel whose platform can deduplicate or look up messages by a client key passes it on."""


@runtime_checkable
class KeyedDelivery(Protocol):
    """Optional: a channel that can tell whether a message with a given key went out.

    After a crash the outbox asks this before resending a message it had claimed, so a
    restart repeats nothing on platforms that support it (see `bot.outbox.queue`).
    """

    async def delivered(self, key: str) -> str | None:
        """The platform's message reference if a message with this key was delivered."""
        ...
