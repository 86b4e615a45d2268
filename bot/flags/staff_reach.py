"""Where staff notices go: the staff chat from config, a staff member's own chat, the admins.

A staff member is reached on the first of their linked platform identities whose channel
is attached and not known to be unreachable (a Telegram private chat or Slack DM has the
user's id as its address). Every notice is sent through `Outbox.deliver`, so each
recipient of an outbox row gets it at most once where the platform can tell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import i18n
from bot.conversations.service import Service
from bot.delivery import Channel, DeliveryFailed, Notice, Unreachable
from bot.outbox.queue import Outbox
from bot.storage import Transaction
from bot.storage.outbox_sql import Job
from bot.storage.records import StaffMember

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """A chat to post to, the language to write in, and the staff member if it is one."""

    channel: Channel
    address: str
    language: str
    member: StaffMember | None = None


class StaffReach:
    """Finds staff chats and posts notices to them once per outbox row."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def staff_chat(self) -> Recipient | None:
        """The configured staff chat, when set and its channel is attached."""
        target = self.service.config.staff_chat
        if target is None:
            return None
        channel = self.service.channels.get(target.channel)
        if channel is None:
            log.warning("KLANTSTEM_STAFF_CHAT names %s, which is not running", target.channel)
            return None
        return Recipient(channel, target.address, self.service.config.default_language)

    async def direct(self, tx: Transaction, member: StaffMember) -> Recipient | None:
        """A staff member's own chat, if they have one on an attached channel."""
        if member.id is None:
            return None
        for identity in await tx.reachable_identities(staff_id=member.id):
            channel = self.service.channels.get(identity.channel)
            if channel is not None:
                language = i18n.pick_language(
                    member.language, identity.language, default=self.service.config.default_language
                )
                return Recipient(channel, identity.external_id, language, member)
        return None

    async def admins(self, tx: Transaction) -> list[Recipient]:
        """The admins' own chats; the staff chat when no admin can be reached directly."""
        found = [
            r for m in await tx.staff() if m.is_admin if (r := await self.direct(tx, m)) is not None
        ]
        chat = self.staff_chat()
        return found or ([chat] if chat else [])

    async def post(self, job: Job, recipient: Recipient, notice: Notice) -> str | None:
        """Post `notice` for `job` to one recipient; raises `Unreachable`/`DeliveryFailed`."""
        channel = recipient.channel
        return await Outbox.deliver(
            job,
            channel,
            lambda: channel.notify(recipient.address, notice),
            part=f"{channel.name}:{recipient.address}",
        )

    async def post_each(self, job: Job, notices: list[tuple[Recipient, Notice]]) -> int:
        """Post to several recipients; returns how many got it (failures are logged)."""
        delivered = 0
        for recipient, notice in notices:
            try:
                await self.post(job, recipient, notice)
            except (Unreachable, DeliveryFailed) as exc:
                log.warning("notice %s to %s failed: %r", job.key, recipient.address, exc)
                continue
            delivered += 1
        return delivered
