"""Telling the admins, once, that a scheduled message was given up.

When an outbox row ends as failed (it was tried `KLANTSTEM_OUTBOX_MAX_ATTEMPTS` times,
`bot/outbox/queue.py`), the transaction that ends it also adds an `admin.notice` row whose key
is derived from the failed row's key. This handler sends that row: one notice to every
admin's own chat (the staff chat when no admin can be reached directly, as escalations
do: `StaffReach.admins`), saying what was given up, for whom, after how many tries and
with which last error.

Decision: one notice per failed row, not one batched notice per sweep. The failed row's
key is all it takes to tell it exactly once, across crashes, restarts and instances,
with no state of its own (a batch would need a record of which failures it covered); and
a row is given up only after hours of tries, so a notice is rare news. A notice that
reaches no admin is tried again like any row; given up in its turn, it is only logged.
"""

from __future__ import annotations

import gettext
import logging

from bot import i18n
from bot.conversations.service import Service
from bot.delivery import Notice
from bot.flags.staff_reach import StaffReach
from bot.outbox.kinds import SharedJob
from bot.outbox.queue import Done, Outbox, Retry, backoff
from bot.reports.publish import ResultJob, parse_result_key
from bot.storage import Transaction
from bot.storage.outbox_sql import Job, JobRecord
from bot.waves.invitations import InvitationJob
from flows import N_

log = logging.getLogger(__name__)

GAVE_UP = N_("Klantstem gave up after {tries} tries: {what}. Last error: {error}")
RESULTS_FOR = N_("the results of wave {wave} for {person}")
INVITATION_FOR = N_("an invitation for {person}")
REMINDER_FOR = N_("a reminder for {person}")
OTHER = N_("a scheduled message ({kind}, {subject})")


class FailureNotices:
    """The outbox handler of `admin.notice` rows."""

    def __init__(self, service: Service, reach: StaffReach) -> None:
        self.service = service
        self.reach = reach

    def register(self, outbox: Outbox) -> None:
        """Handle `admin.notice` rows."""
        outbox.register(SharedJob.ADMIN_NOTICE, self.tell)

    async def tell(self, job: Job) -> Done:
        """Outbox handler: tell the admins that the row named by the subject was given up."""
        async with self.service.storage.transaction(write=False) as tx:
            failed = await tx.job(job.subject)
            admins = await self.reach.admins(tx)
            texts = {}
            if failed is not None:
                for language in {r.language for r in admins}:
                    texts[language] = await self.text(tx, failed, language)
        if failed is None:
            return Done("skipped: the row is gone")
        if not admins:
            log.warning("gave up %s, and no admin or staff chat can be told", failed.key)
            return Done("nobody to tell")
        sent = await self.reach.post_each(job, [(r, Notice(texts[r.language])) for r in admins])
        if not sent:
            raise Retry(backoff(job, self.service.clock()), "no admin could be reached")
        return Done("sent")

    async def text(self, tx: Transaction, failed: JobRecord, language: str) -> str:
        """What the admins read about one given-up row, in `language`."""
        tr = i18n.translator(language)
        error = (failed.outcome or "").removeprefix("failed: ") or "-"
        what = await self._what(tx, failed, tr)
        return tr.gettext(GAVE_UP).format(tries=failed.attempts, what=what, error=error)

    async def _what(self, tx: Transaction, failed: JobRecord, tr: gettext.NullTranslations) -> str:
        if failed.kind == ResultJob.RESULT:
            wave_id, recipient = parse_result_key(failed.key)
            wave = await tx.wave(wave_id)
            kind, _, person_id = recipient.partition(":")
            person = await self._person(
                tx, person_id if kind == "contact" else None, person_id if kind == "staff" else None
            )
            return tr.gettext(RESULTS_FOR).format(
                wave=wave.label if wave else wave_id, person=person or recipient
            )
        if failed.kind in (InvitationJob.INVITE, InvitationJob.REMIND):
            invitation = await tx.invitation(failed.subject)
            if invitation is not None:
                person = await self._person(tx, invitation.contact_id, invitation.staff_id)
                template = INVITATION_FOR if failed.kind == InvitationJob.INVITE else REMINDER_FOR
                return tr.gettext(template).format(person=person or invitation.id)
        return tr.gettext(OTHER).format(kind=failed.kind, subject=failed.subject)

    @staticmethod
    async def _person(tx: Transaction, contact_id: str | None, staff_id: str | None) -> str | None:
        """'Name (ref)' of a contact or staff member, or None when they are gone."""
        if contact_id is not None:
            contact = await tx.contact_by_id(contact_id)
            return f"{contact.name} ({contact.ref})" if contact else None
        member = next((m for m in await tx.staff() if m.id == staff_id), None)
        return f"{member.name} ({member.ref})" if member else None
