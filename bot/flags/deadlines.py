"""The follow-up of flags as outbox handlers: alert, forward, reminders, escalations, digest.

Each handler reads the flag when its row comes due and does nothing when the flag has
moved on (forwarded before day 5, closed before day 21, ...). What happened is written to
the flag's history in the same transaction that finishes the outbox row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import i18n
from bot.conversations.service import Service
from bot.delivery import DeliveryFailed, Notice, Unreachable
from bot.flags import notices
from bot.flags.flags import (
    SYSTEM,
    FlagJob,
    Flags,
    contact_person,
)
from bot.flags.notices import AnswerLine, FlagView
from bot.flags.staff_reach import Recipient, StaffReach
from bot.outbox.queue import Apply, Done, Outbox, Retry, backoff
from bot.storage import Transaction
from bot.storage.flags_sql import Flag, FlagStatus
from bot.storage.outbox_sql import Job
from bot.timeutil import to_text
from flows import Kind

log = logging.getLogger(__name__)


class FollowUp:
    """Outbox handlers that move flags along and chase the people who own them."""

    def __init__(self, service: Service, flags: Flags, reach: StaffReach) -> None:
        self.service = service
        self.config = service.config
        self.flags = flags
        self.reach = reach

    def register(self, outbox: Outbox) -> None:
        """Handle every flag row kind."""
        outbox.register(FlagJob.ALERT, self.alert)
        outbox.register(FlagJob.FORWARD, self.forward)
        outbox.register(FlagJob.FORWARD_REMINDER, self.forward_reminder)
        outbox.register(FlagJob.FORWARD_ESCALATION, self.forward_escalation)
        outbox.register(FlagJob.FOLLOWUP_REMINDER, self.followup_reminder)
        outbox.register(FlagJob.FOLLOWUP_ESCALATION, self.followup_escalation)
        outbox.register(FlagJob.DIGEST, self.digest)

    # -- what staff see ---------------------------------------------------------------

    async def view(self, tx: Transaction, flag: Flag, language: str) -> FlagView:
        """Everything an alert shows about a flag, in `language`."""
        tr = i18n.translator(language)
        who = tr.gettext("an unknown respondent")
        attributes: dict[str, str] = {}
        origin = await tx.response_origin(flag.response_id)
        contact = await tx.contact_by_id(flag.contact_id) if flag.contact_id else None
        if contact is not None:
            who = f"{contact.name} ({contact.ref})"
            attributes = dict(contact.attributes)
        elif origin is not None and origin.identity_id is not None:
            identity = await tx.identity_by_id(origin.identity_id)
            if identity is not None:
                who = tr.gettext("{channel} user {user}").format(
                    channel=identity.channel, user=identity.external_id
                )
        staff = {m.id: m for m in await tx.staff()}
        survey = self.service.surveys.get(origin.survey_id) if origin else None
        flagged = set()
        for event in await tx.flag_events(flag.id):
            if event.action == "raised" and event.note:
                flagged = {q.strip() for q in event.note.split(",")}
        order = {q.id: i for i, q in enumerate(survey.questions)} if survey else {}
        answers = sorted(
            await tx.response_answers(flag.response_id),
            key=lambda a: (order.get(a.question_id, len(order)), a.question_id),
        )
        lines = []
        for answer in answers:
            question = None
            if survey is not None:
                question = next((q for q in survey.questions if q.id == answer.question_id), None)
            text = question.text.render(language, tr) if question else answer.question_id
            if answer.score is not None:
                shown = str(answer.score)
            elif answer.choice is not None:
                choice = question.choice(answer.choice) if question else None
                shown = choice.label.render(language, tr) if choice else answer.choice
            else:
                shown = answer.text or ""
            comment = question is not None and question.kind is Kind.TEXT
            lines.append(AnswerLine(text, shown, answer.question_id in flagged, comment))
        return FlagView(
            flag=flag,
            who=who,
            attributes=attributes,
            contact_person=await contact_person(tx, flag),
            owner=staff.get(flag.owner_staff_id) if flag.owner_staff_id else None,
            survey_title=survey.title.render(language, tr)
            if survey
            else (origin.survey_id if origin else "?"),
            lines=tuple(lines),
        )

    async def _load(self, job: Job, language: str) -> FlagView | None:
        async with self.service.storage.transaction(write=False) as tx:
            flag = await tx.flag(job.subject)
            if flag is None:
                return None
            return await self.view(tx, flag, language)

    async def _post(self, job: Job, recipient: Recipient, notice: Notice) -> str | None:
        try:
            return await self.reach.post(job, recipient, notice)
        except DeliveryFailed as exc:
            raise Retry(backoff(job, self.service.clock()), str(exc) or "delivery failed") from None

    def _event(self, flag: Flag, action: str, note: str | None, *, alerted: bool = False) -> Apply:
        now = self.service.clock()

        async def apply(tx: Transaction) -> None:
            if alerted:
                await tx.mark_flags_alerted([flag.id], now)
            await tx.add_flag_event(flag.id, now, SYSTEM, action, note)

        return apply

    # -- handlers ---------------------------------------------------------------------

    async def alert(self, job: Job) -> Done:
        """G-F1: the staff chat hears of a new flag at once."""
        chat = self.reach.staff_chat()
        if chat is None:
            log.warning("flag %s raised, but KLANTSTEM_STAFF_CHAT is not set", job.subject)
            return Done("skipped: no staff chat")
        view = await self._load(job, chat.language)
        if view is None or view.flag.status == FlagStatus.CLOSED or view.flag.alerted_at:
            return Done("skipped: closed or alerted")
        flag = view.flag
        try:
            ref = await self._post(
                job, chat, notices.alert(view, chat.language, self.config.timezone)
            )
        except Unreachable:
            return Done("unreachable: staff chat")
        return Done(
            "sent", ref, self._event(flag, "alerted", str(self.config.staff_chat), alerted=True)
        )

    async def forward(self, job: Job) -> Done:
        """G-F2: the contact person gets the flag in their own chat."""
        async with self.service.storage.transaction(write=False) as tx:
            flag = await tx.flag(job.subject)
            if flag is None or flag.status != FlagStatus.OPEN:
                return Done("skipped: not open")
            person = await contact_person(tx, flag)
            recipient = await self.reach.direct(tx, person) if person else None
        if person is None or person.id is None:
            return Done("skipped", apply=self._event(flag, "forward failed", "no contact person"))
        if recipient is None:
            note = f"{person.ref} has no chat the bot can reach"
            return Done("skipped", apply=self._event(flag, "forward failed", note))
        view = await self._load(job, recipient.language)
        assert view is not None
        close_by = flag.raised_at + self.config.followup_escalation
        notice = notices.forwarded(view, recipient.language, self.config.timezone, close_by)
        try:
            ref = await self._post(job, recipient, notice)
        except Unreachable:
            return Done("skipped", apply=self._event(flag, "forward failed", "unreachable"))
        now = self.service.clock()
        person_id, person_ref = person.id, person.ref

        async def apply(tx: Transaction) -> None:
            if await tx.forward_flag(flag.id, person_id, now):
                await tx.add_flag_event(flag.id, now, SYSTEM, "forwarded", person_ref)

        return Done("sent", ref, apply)

    async def forward_reminder(self, job: Job) -> Done:
        """Day 5: the staff chat is reminded of a flag nobody forwarded."""
        chat = self.reach.staff_chat()
        view = await self._load(job, chat.language if chat else self.config.default_language)
        if view is None or view.flag.status != FlagStatus.OPEN:
            return Done("skipped: forwarded or closed")
        flag = view.flag
        if chat is None:
            return Done("skipped", apply=self._event(flag, "reminded", "no staff chat"))
        due = flag.raised_at + self.config.forward_escalation
        notice = notices.forward_reminder(view, chat.language, self.config.timezone, due)
        try:
            ref = await self._post(job, chat, notice)
        except Unreachable:
            return Done("unreachable", apply=self._event(flag, "reminded", "unreachable"))
        return Done("sent", ref, self._event(flag, "reminded", "not forwarded yet"))

    async def forward_escalation(self, job: Job) -> Done:
        """Day 7: the admins hear of a flag that was not forwarded in time."""
        within = self.config.forward_escalation
        return await self._escalate(
            job,
            lambda flag: flag.status == FlagStatus.OPEN,
            lambda view, language: notices.forward_escalation(view, language, within),
            "not forwarded in time",
        )

    async def followup_reminder(self, job: Job) -> Done:
        """Day 21: the owner (else the staff chat) is reminded to close the flag."""
        async with self.service.storage.transaction(write=False) as tx:
            flag = await tx.flag(job.subject)
            if flag is None or flag.status == FlagStatus.CLOSED:
                return Done("skipped: closed")
            owner = next((m for m in await tx.staff() if m.id == flag.owner_staff_id), None)
            recipient = (await self.reach.direct(tx, owner) if owner else None) or (
                self.reach.staff_chat()
            )
        if recipient is None:
            return Done("skipped", apply=self._event(flag, "reminded", "nobody reachable"))
        view = await self._load(job, recipient.language)
        assert view is not None
        due = flag.raised_at + self.config.followup_escalation
        notice = notices.followup_reminder(view, recipient.language, self.config.timezone, due)
        try:
            ref = await self._post(job, recipient, notice)
        except Unreachable:
            return Done("unreachable", apply=self._event(flag, "reminded", "unreachable"))
        return Done("sent", ref, self._event(flag, "reminded", "not followed up yet"))

    async def followup_escalation(self, job: Job) -> Done:
        """Day 30: the admins hear of a flag that was not followed up in time."""
        within = self.config.followup_escalation
        return await self._escalate(
            job,
            lambda flag: flag.status != FlagStatus.CLOSED,
            lambda view, language: notices.followup_escalation(view, language, within),
            "not followed up in time",
        )

    async def _escalate(
        self,
        job: Job,
        pending: Callable[[Flag], bool],
        build: Callable[[FlagView, str], Notice],
        why: str,
    ) -> Done:
        async with self.service.storage.transaction(write=False) as tx:
            flag = await tx.flag(job.subject)
            if flag is None or not pending(flag):
                return Done("skipped: done in time")
            admins = await self.reach.admins(tx)
            views = {r.language: await self.view(tx, flag, r.language) for r in admins}
        sent = await self.reach.post_each(
            job, [(r, build(views[r.language], r.language)) for r in admins]
        )
        if admins and not sent:
            raise Retry(backoff(job, self.service.clock()), "no admin could be reached")
        note = f"{why}; told {sent} admin chat(s)"
        return Done(
            "sent" if sent else "nobody to tell", apply=self._event(flag, "escalated", note)
        )

    # -- digest -----------------------------------------------------------------------

    def next_digest(self, after: datetime) -> datetime | None:
        """The next daily digest time after `after`, in the configured time zone."""
        at = self.config.flag_digest
        if at is None:
            return None
        zone = ZoneInfo(self.config.timezone)
        local = after.astimezone(zone)
        for day in range(3):
            date = (local + timedelta(days=day)).date()
            candidate = datetime.combine(date, at, tzinfo=zone)
            if candidate > local:
                return candidate.astimezone(after.tzinfo)
        return None

    async def ensure_digest(self, after: datetime | None = None) -> None:
        """Make sure the next digest has its outbox row (when a digest is configured)."""
        now = self.service.clock()
        due = self.next_digest(max(after or now, now))
        if due is None:
            return
        async with self.service.storage.transaction() as tx:
            await tx.schedule_jobs(
                [(f"{FlagJob.DIGEST}:{to_text(due)}", FlagJob.DIGEST, "flags", due)], now
            )

    async def digest(self, job: Job) -> Done:
        """The daily digest: every flag raised since the last one, in one message."""
        await self.ensure_digest(after=job.due_at)
        if self.config.flag_digest is None:
            return Done("skipped: digest switched off")
        chat = self.reach.staff_chat()
        if chat is None:
            return Done("skipped: no staff chat")
        async with self.service.storage.transaction(write=False) as tx:
            flags = await tx.flags_awaiting_alert()
            views = [await self.view(tx, f, chat.language) for f in flags]
        if not views:
            return Done("nothing new")
        try:
            ref = await self._post(
                job, chat, notices.digest(views, chat.language, self.config.timezone)
            )
        except Unreachable:
            return Done("unreachable: staff chat")
        now = self.service.clock()

        async def apply(tx: Transaction) -> None:
            await tx.mark_flags_alerted([f.id for f in flags], now)
            for f in flags:
                await tx.add_flag_event(f.id, now, SYSTEM, "alerted", "daily digest")

        return Done("sent", ref, apply)
