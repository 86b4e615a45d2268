"""Flags (G-F1..G-F3): a named promoter or detractor becomes a case with an owner and a history.

A flag is raised inside the transaction that stores the completed response (a service
completion step), together with outbox rows for everything that follows: the staff alert
(or the daily digest), the auto-forward to the contact person, the forward reminder and
escalation (day 5, day 7) and the follow-up reminder and escalation (day 21, day 30). Each
row checks the flag when it comes due, so a flag acted on in time makes them no-ops.
Anonymous responses are never flagged: the response row has no person to flag.
Every change is a `flag_events` row: who, what, when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.conversations.service import Completion, Service
from bot.references import only_match
from bot.storage import Transaction, new_id
from bot.storage.flags_sql import CaseEvent, Flag, FlagKind, FlagStatus
from bot.storage.records import StaffMember
from flows import Answer, Kind, Survey

SYSTEM = "klantstem"
NOTE_LIMIT = 2000


class FlagJob(StrEnum):
    """The outbox kinds of a flag's deadlines; the values are what `outbox.kind` holds."""

    ALERT = "flag.alert"
    FORWARD = "flag.forward"
    FORWARD_REMINDER = "flag.forward_reminder"
    FORWARD_ESCALATION = "flag.forward_escalation"
    FOLLOWUP_REMINDER = "flag.followup_reminder"
    FOLLOWUP_ESCALATION = "flag.followup_escalation"
    DIGEST = "flag.digest"


class FlagError(ValueError):
    """A flag that cannot be found or changed this way; the message says why."""


@dataclass(frozen=True)
class Verdict:
    """Why a response is flagged: promoter or detractor, and on which questions."""

    kind: FlagKind
    question_ids: tuple[str, ...]


def classify(
    survey: Survey,
    answers: Mapping[str, Answer],
    flag_questions: Sequence[str],
    promoter_min: int,
    detractor_max: int,
) -> Verdict | None:
    """Promoter or detractor on the flag questions of a 0-10 scale; a detractor answer wins."""
    low: list[str] = []
    high: list[str] = []
    for question in survey.questions:
        score = answers.get(question.id)
        if question.id not in flag_questions or not isinstance(score, int):
            continue
        if question.kind is not Kind.SCALE or (question.low, question.high) != (0, 10):
            continue
        if score <= detractor_max:
            low.append(question.id)
        elif score >= promoter_min:
            high.append(question.id)
    if low:
        return Verdict(FlagKind.DETRACTOR, tuple(low))
    if high:
        return Verdict(FlagKind.PROMOTER, tuple(high))
    return None


async def actor_of(tx: Transaction, channel: str, user: str) -> tuple[str, StaffMember | None]:
    """How a person appears in a history (`staff:anna`, else `telegram:123`), and the staff
    member they are, if any."""
    identity = await tx.identity(channel, user)
    if identity and identity.staff_id:
        member = next((m for m in await tx.staff() if m.id == identity.staff_id), None)
        if member is not None:
            return f"staff:{member.ref}", member
    return f"{channel}:{user}", None


async def contact_person(tx: Transaction, flag: Flag) -> StaffMember | None:
    """The staff member who owns the relationship with the flagged contact."""
    if flag.contact_id is None:
        return None
    contact = await tx.contact_by_id(flag.contact_id)
    if contact is None or not contact.contact_person:
        return None
    return next((m for m in await tx.staff() if m.ref == contact.contact_person), None)


def overdue(flag: Flag, now: datetime, service: Service) -> str | None:
    """'forward' or 'follow-up' when a flag missed that deadline, else None."""
    config = service.config
    if flag.status == FlagStatus.CLOSED:
        return None
    if flag.status == FlagStatus.OPEN and now >= flag.raised_at + config.forward_escalation:
        return "forward"
    if now >= flag.raised_at + config.followup_escalation:
        return "follow-up"
    return None


class Flags:
    """Raising flags and every change to them."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.config = service.config

    async def raise_flag(self, tx: Transaction, completion: Completion) -> None:
        """Completion step: flag a named promoter or detractor, with its deadlines."""
        if completion.anonymous or completion.response_id is None:
            return
        origin = await tx.response_origin(completion.response_id)
        if origin is None or not origin.named:
            return
        verdict = classify(
            completion.survey,
            completion.answers,
            self.config.flag_questions,
            self.config.promoter_min,
            self.config.detractor_max,
        )
        if verdict is None:
            return
        raised = completion.completed_at
        flag = Flag(
            id=new_id(),
            response_id=completion.response_id,
            contact_id=completion.contact_id,
            kind=verdict.kind,
            status=FlagStatus.OPEN,
            owner_staff_id=None,
            raised_at=raised,
        )
        await tx.insert_flag(flag)
        await tx.add_flag_event(flag.id, raised, SYSTEM, "raised", ", ".join(verdict.question_ids))
        c = self.config
        steps = [
            (FlagJob.FORWARD_REMINDER, raised + c.forward_reminder),
            (FlagJob.FORWARD_ESCALATION, raised + c.forward_escalation),
            (FlagJob.FOLLOWUP_REMINDER, raised + c.followup_reminder),
            (FlagJob.FOLLOWUP_ESCALATION, raised + c.followup_escalation),
        ]
        if c.flag_digest is None:
            steps.append((FlagJob.ALERT, raised))
        if c.flag_auto_forward and await contact_person(tx, flag) is not None:
            steps.append((FlagJob.FORWARD, raised))
        await tx.schedule_jobs(
            [(f"{kind}:{flag.id}", kind, flag.id, at) for kind, at in steps], raised
        )

    # -- finding ----------------------------------------------------------------------

    async def find(self, ref: str) -> Flag:
        """The flag whose id starts with `ref` (at least 4 characters)."""
        if len(ref.strip()) < 4:
            raise FlagError("give at least 4 characters of the flag reference")
        async with self.service.storage.transaction(write=False) as tx:
            found = await tx.flags_starting_with(ref)
        return only_match(found, ref, "flag", FlagError)

    async def listing(self, which: str) -> list[Flag]:
        """'open' (not closed), 'overdue' (a deadline missed) or 'all' flags, oldest first."""
        async with self.service.storage.transaction(write=False) as tx:
            if which == "all":
                return await tx.flags()
            flags = await tx.flags([FlagStatus.OPEN, FlagStatus.FORWARDED])
        if which == "overdue":
            now = self.service.clock()
            return [f for f in flags if overdue(f, now, self.service)]
        return flags

    async def history(self, flag_id: str) -> list[CaseEvent]:
        """Who did what, when, oldest first."""
        async with self.service.storage.transaction(write=False) as tx:
            return await tx.flag_events(flag_id)

    # -- changes ----------------------------------------------------------------------

    async def request_forward(self, flag_id: str, actor: str) -> StaffMember:
        """Queue the forward to the contact person; returns who it goes to."""
        now = self.service.clock()
        async with self.service.storage.transaction() as tx:
            flag = await self._open(tx, flag_id)
            if flag.status != FlagStatus.OPEN:
                raise FlagError("this flag was forwarded already")
            person = await contact_person(tx, flag)
            if person is None:
                raise FlagError("this contact has no contact person; take the flag yourself")
            await tx.add_flag_event(flag.id, now, actor, "forward requested", person.ref)
            forward = FlagJob.FORWARD
            await tx.schedule_jobs([(f"{forward}:{flag.id}", forward, flag.id, now)], now)
        return person

    async def take(self, flag_id: str, member: StaffMember, actor: str) -> Flag:
        """A staff member takes the flag on: they own the follow-up (counts as forwarded)."""
        now = self.service.clock()
        async with self.service.storage.transaction() as tx:
            flag = await self._open(tx, flag_id)
            assert member.id is not None
            if not await tx.forward_flag(flag.id, member.id, now):
                raise FlagError("this flag has an owner already")
            await tx.add_flag_event(flag.id, now, actor, "taken", member.ref)
            taken = await tx.flag(flag.id)
        assert taken is not None
        return taken

    async def close(self, flag_id: str, actor: str, note: str) -> Flag:
        """Close a flag with what was done (G-F3); the note is required."""
        note = clean_note(note)
        now = self.service.clock()
        async with self.service.storage.transaction() as tx:
            flag = await self._open(tx, flag_id)
            await tx.close_flag(flag.id, now, note)
            await tx.add_flag_event(flag.id, now, actor, "closed", note)
            closed = await tx.flag(flag.id)
        assert closed is not None
        return closed

    async def add_note(self, flag_id: str, actor: str, note: str) -> None:
        """Add a note to a flag's history."""
        note = clean_note(note)
        async with self.service.storage.transaction() as tx:
            flag = await tx.flag(flag_id)
            if flag is None:
                raise FlagError("this flag no longer exists")
            await tx.add_flag_event(flag.id, self.service.clock(), actor, "note", note)

    @staticmethod
    async def _open(tx: Transaction, flag_id: str) -> Flag:
        flag = await tx.flag(flag_id)
        if flag is None:
            raise FlagError("this flag no longer exists")
        if flag.status == FlagStatus.CLOSED:
            raise FlagError("this flag was closed already")
        return flag


def clean_note(note: str) -> str:
    """A note on one line; raises `FlagError` when empty or too long."""
    note = " ".join(note.split())
    if not note:
        raise FlagError("write what was done: a note is required")
    if len(note) > NOTE_LIMIT:
        raise FlagError(f"the note is too long (at most {NOTE_LIMIT} characters)")
    return note
