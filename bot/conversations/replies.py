"""Replies owed to a respondent, so a conversation never stalls.

The service stores an answer and, in the same transaction, an outbox row `reply` due
`REPLY_GRACE` later (`Service.reply_grace`); once the question that follows went out, the
row is deleted. If the process died between the commit and the send, or the platform kept
failing (5xx, timeouts past the channel's own retries), the sweep finds the row and sends
the question the person is at again, or the thank-you of a finished conversation. A row
owed at a revision the person has since moved past is skipped: they saw what followed.
At most the message in flight at a crash arrives twice.
"""

from __future__ import annotations

from datetime import timedelta

from bot import i18n
from bot.conversations.service import DONE, REPLY, Service, parse_owed_key
from bot.delivery import DeliveryFailed, Unreachable
from bot.outbox.queue import Done, Outbox, Retry, backoff
from bot.storage.outbox_sql import Job
from flows import thanks

REPLY_GRACE = timedelta(seconds=60)
"""How long the answer's own send may take before the sweep sends its replies again."""


class Replies:
    """The outbox handler of owed replies."""

    def __init__(self, service: Service) -> None:
        self.service = service
        service.reply_grace = REPLY_GRACE

    def register(self, outbox: Outbox) -> None:
        """Handle `reply` rows."""
        outbox.register(REPLY, self.send_owed)

    async def send_owed(self, job: Job) -> Done:
        """Outbox handler: send what a person was owed after their last answer."""
        at, address = parse_owed_key(job.key)
        await self.service.settled()  # replies sent meanwhile have cleared their rows
        async with self.service.storage.transaction(write=False) as tx:
            if job.key not in await tx.open_jobs(job.subject, REPLY):
                return Done("skipped: sent")
            identity = await tx.identity_by_id(job.subject)
            stored = await tx.load_session(identity.id) if identity else None
        if identity is None:
            return Done("skipped: forgotten")
        channel = self.service.channels.get(identity.channel)
        if channel is None:
            raise Retry(backoff(job, self.service.clock()), "channel not running")
        if at == DONE:
            if stored is not None:
                return Done("skipped: a new conversation is under way")
            language = identity.language or self.service.config.default_language

            async def send() -> None:
                await channel.send(address, (thanks(i18n.translator(language)),), language)

        else:
            if stored is None or stored.session.revision != int(at):
                return Done("skipped: answered since")
            external = identity.external_id

            async def send() -> None:
                await self.service.repeat(identity.channel, external, address)

        try:
            await Outbox.deliver(job, channel, send)
        except Unreachable:
            return Done("unreachable")
        except DeliveryFailed as exc:
            raise Retry(backoff(job, self.service.clock()), str(exc) or "delivery failed") from None
        return Done("sent")
