"""A chat platform that records what the bot sends, the way a platform would see it.

Every send or notice becomes a `Posted` message with a platform reference. A message
carrying an idempotency key (the outbox sets `OUTBOX_KEY` around scheduled sends) that
the platform accepted before is not posted again (like a platform honouring client keys)
and is counted in `repeats`, so a test can tell that the bot itself never tried twice.
`delivered(key)` answers what such a platform can report (`KeyedDelivery`).

With a `journal` file, every accepted message is appended to it (flushed and synced)
before the send returns: the platform keeps its record when the bot's process is killed,
and a restarted process reads it back.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.delivery import OUTBOX_KEY, DeliveryFailed, Notice, Unreachable
from flows import Reply


@dataclass(frozen=True)
class Posted:
    """One message as the platform stored it."""

    ref: str
    address: str
    kind: str
    texts: tuple[str, ...]
    actions: tuple[tuple[str, str], ...] = ()
    key: str | None = None
    at: str = ""
    broadcast: bool = False

    @property
    def text(self) -> str:
        """All texts of the message, one per line."""
        return "\n".join(self.texts)


@dataclass
class RecordingChannel:
    """A `Channel` (and `KeyedDelivery`) over an in-memory or journaled platform."""

    name: str = "telegram"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    journal: Path | None = None
    posted: list[Posted] = field(default_factory=list)
    repeats: list[str] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)
    failures: dict[str, int] = field(default_factory=dict)
    on_posted: Callable[[Posted], None] | None = None

    def __post_init__(self) -> None:
        self._refs = itertools.count(1)
        self._by_key: dict[str, str] = {}
        if self.journal is not None and self.journal.exists():
            for line in self.journal.read_text().splitlines():
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash was never accepted
                posted = Posted(
                    **{
                        **data,
                        "texts": tuple(data["texts"]),
                        "actions": tuple(tuple(a) for a in data["actions"]),
                    }
                )
                self._keep(posted)
            self._refs = itertools.count(len(self.posted) + 1)

    def _keep(self, posted: Posted) -> None:
        self.posted.append(posted)
        if posted.key:
            self._by_key[posted.key] = posted.ref

    def _accept(
        self,
        address: str,
        kind: str,
        texts: tuple[str, ...],
        actions: tuple[tuple[str, str], ...] = (),
        broadcast: bool = False,
    ) -> str:
        if address in self.unreachable:
            raise Unreachable(f"{self.name} chat {address} blocked the bot")
        if self.failures.get(address, 0) > 0:
            self.failures[address] -= 1
            raise DeliveryFailed(f"{self.name} is unavailable (try again later)")
        key = OUTBOX_KEY.get()
        if key is not None and key in self._by_key:
            self.repeats.append(key)
            return self._by_key[key]
        posted = Posted(
            ref=f"{self.name}-{next(self._refs)}",
            address=address,
            kind=kind,
            texts=texts,
            actions=actions,
            key=key,
            at=self.clock().isoformat(),
            broadcast=broadcast,
        )
        if self.journal is not None:
            record = asdict(posted)
            with self.journal.open("a") as out:
                out.write(json.dumps(record) + "\n")
                out.flush()
                os.fsync(out.fileno())
        self._keep(posted)
        if self.on_posted is not None:
            self.on_posted(posted)
        return posted.ref

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        """Post a respondent's replies as one message."""
        self._accept(address, "reply", tuple(r.text for r in replies), broadcast=broadcast)

    async def notify(self, address: str, notice: Notice) -> str:
        """Post a staff notice with its buttons; returns its reference."""
        actions = tuple((a.label, a.value) for a in notice.actions)
        return self._accept(address, "notice", (notice.text,), actions=actions)

    async def delivered(self, key: str) -> str | None:
        """The reference of the message accepted with this key, if any."""
        return self._by_key.get(key)

    def to(self, address: str, kind: str | None = None) -> list[Posted]:
        """Messages posted to one chat (optionally of one kind), oldest first."""
        return [p for p in self.posted if p.address == address and (kind is None or p.kind == kind)]
