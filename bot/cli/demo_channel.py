"""The demo's own world: a clock that moves only when the demo moves it, and a chat channel
on which the simulated customers and staff read what the bot sends them.

`DemoChannel` is a `Channel` named `telegram` (the demo's people have Telegram ids), so the
real invitations, reminders, alerts, escalations and results go through it by the outbox
like on a platform. It keeps the latest question each chat was asked (the simulated person
answers it with the question's own buttons), counts what went out by the outbox kind of
each message, and hands every message to `on_message` so the demo can react to it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.delivery import OUTBOX_KEY, Notice, Unreachable
from flows import Reply, ReplyKind


class DemoClock:
    """The demo's time: it moves only when the demo moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def move_to(self, moment: datetime) -> None:
        """Move forward to `moment` (never back)."""
        self.now = max(self.now, moment)


@dataclass(frozen=True)
class Message:
    """One message as a person in the demo received it."""

    address: str
    kind: str
    """The outbox kind it was sent for (`invite`, `remind`, `flag.forward`, ...), or
    `reply` for the answer to something the person did."""
    replies: tuple[Reply, ...] = ()
    notice: Notice | None = None
    subject: str = ""
    """The outbox row's subject part of its key: a flag id, an invitation id, a wave id."""


def outbox_kind(key: str | None) -> tuple[str, str]:
    """(kind, subject) of the outbox key a message was sent under; ("reply", "") for none."""
    if key is None:
        return "reply", ""
    base = key.split(">", 1)[0]
    kind, _, subject = base.partition(":")
    return kind, subject


@dataclass
class DemoChannel:
    """A chat platform inside the demo: it records, counts and passes on what is sent."""

    name: str = "telegram"
    unreachable: set[str] = field(default_factory=set)
    on_message: Callable[[Message], None] | None = None
    sent: Counter[str] = field(default_factory=Counter)
    """Messages sent, by outbox kind (counted per day by the demo, then cleared)."""
    subjects: dict[str, set[str]] = field(default_factory=dict)
    """Distinct subjects (flags, invitations) per outbox kind, cleared with `sent`."""
    _questions: dict[str, Reply] = field(default_factory=dict)
    _by_key: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._refs = itertools.count(1)

    def question(self, address: str) -> Reply | None:
        """The latest question this chat was asked, if any."""
        return self._questions.get(address)

    def clear_counts(self) -> None:
        """Start counting afresh (a new day)."""
        self.sent.clear()
        self.subjects.clear()

    def _accept(self, message: Message) -> str:
        if message.address in self.unreachable:
            raise Unreachable(f"demo chat {message.address} blocked the bot")
        key = OUTBOX_KEY.get()
        if key is not None and key in self._by_key:
            return self._by_key[key]
        ref = f"demo-{next(self._refs)}"
        if key is not None:
            self._by_key[key] = ref
        self.sent[message.kind] += 1
        self.subjects.setdefault(message.kind, set()).add(message.subject)
        if self.on_message is not None:
            self.on_message(message)
        return ref

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        """A person reads the replies; a question among them is the one they are at."""
        if address in self.unreachable:
            raise Unreachable(f"demo chat {address} blocked the bot")
        kind, subject = outbox_kind(OUTBOX_KEY.get())
        for reply in replies:
            if reply.kind is ReplyKind.QUESTION:
                self._questions[address] = reply
            elif reply.kind in (ReplyKind.COMPLETED, ReplyKind.STOPPED, ReplyKind.EXPIRED):
                self._questions.pop(address, None)
        self._accept(Message(address, kind, tuple(replies), subject=subject))

    async def notify(self, address: str, notice: Notice) -> str:
        """A staff member or the staff chat reads a notice."""
        kind, subject = outbox_kind(OUTBOX_KEY.get())
        return self._accept(Message(address, kind, notice=notice, subject=subject))

    async def delivered(self, key: str) -> str | None:
        """The reference of the message sent under this outbox key, if any."""
        return self._by_key.get(key)
