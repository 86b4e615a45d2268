"""What the service needs from a channel: a name and a way to send replies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flows import Reply


class Channel(Protocol):
    """A platform adapter (Telegram, Slack, console) as the service sees it."""

    name: str

    async def send(self, address: str, replies: Sequence[Reply], language: str) -> None:
        """Deliver replies to a chat; `address` is the platform's chat or user id.

        The replies are already in `language`; a channel uses it for its own words
        (such as how to skip a question on that platform).
        """
        ...
